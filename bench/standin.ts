/**
 * What a stand-in costs per compiler invocation: the C client started by the
 * build, one round trip to the engine over its socket, and its exit, against
 * starting /bin/true the same way. Measured with a shell loop, as make would
 * start it, and an engine that answers at once.
 *
 *   node dist/bench/standin.js [calls=500]
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeAnswer, FrameReader } from '../engine/infer/protocol';
import { standinProgram } from '../engine/infer/standins';
import { LocalStore } from '../engine/store/local';
import { median, row } from './lib/measure';

const execFileAsync = promisify(execFile);

async function main(): Promise<void> {
  const calls = Number(process.argv[2] ?? 500);
  const work = mkdtempSync(join(tmpdir(), 'burst-bench-standin-'));
  const store = await LocalStore.open(join(work, 'store'));
  const { path: program } = await standinProgram(store, process.env.PATH ?? '');
  symlinkSync(program, join(work, 'gcc'));
  const socket = join(work, 'engine.sock');
  const server = createServer((s) => {
    const reader = new FrameReader();
    s.on('data', (c: Buffer) => {
      for (const _ of reader.push(c)) s.end(encodeAnswer({ kind: 'exit', status: 0, stdout: '', stderr: '' }));
    });
  });
  await new Promise<void>((r) => server.listen(socket, r));
  // Asynchronous: the engine answering is in this process.
  const loop = async (cmd: string): Promise<number> => {
    const t = performance.now();
    await execFileAsync('sh', ['-c', `i=0; while [ $i -lt ${calls} ]; do ${cmd} -c x.c -o x.o || exit 1; i=$((i+1)); done`], {
      cwd: work,
      env: { ...process.env, BURST_SOCKET: socket },
    });
    return performance.now() - t;
  };
  try {
    const standin = await median(3, () => loop(join(work, 'gcc')));
    const baseline = await median(3, () => loop('/bin/true'));
    console.log(`stand-in bench: ${calls} calls, median of 3`);
    row('stand-in call, engine answering at once', `${(standin / calls).toFixed(3)} ms`);
    row('/bin/true started the same way', `${(baseline / calls).toFixed(3)} ms`);
    row('stand-in cost per invocation', `${((standin - baseline) / calls).toFixed(3)} ms`, 'goal <= 2 ms');
  } finally {
    server.close();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
