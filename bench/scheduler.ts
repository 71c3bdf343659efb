/**
 * Scheduler overhead per job, and sandbox set-up cost per job, against the
 * tool a user would otherwise run: make -j with the same trivial recipes.
 *
 *   node dist/bench/scheduler.js [jobs=200] [runs=3]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { completeThunk, Engine } from '../engine/api';
import { executeThunk } from '../engine/exec/worker';
import { runCommand } from '../engine/exec/launcher';
import { median, row, timed, timedCommand } from './lib/measure';

const JOBS = Number(process.argv[2] ?? 200);
const RUNS = Number(process.argv[3] ?? 3);
const CORES = availableParallelism();

async function trivialThunks(engine: Engine, salt: string): Promise<string[]> {
  const sh = await engine.packExecutable('/bin/sh');
  const names: string[] = [];
  for (let i = 0; i < JOBS; i++) {
    names.push(
      await engine.createThunk({
        args: [...sh.launch('', 'sh'), '-c', `echo ${salt} ${i} > out`],
        inputs: sh.inputs,
        executables: sh.executables,
        outputs: ['out'],
      }),
    );
  }
  return names;
}

function makeTree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'burst-bench-make-'));
  const targets = Array.from({ length: JOBS }, (_, i) => `out${i}`);
  writeFileSync(
    join(dir, 'Makefile'),
    `all: ${targets.join(' ')}\n${targets.map((t, i) => `${t}:\n\tsh -c 'echo ${i} > ${t}'\n`).join('')}`,
  );
  return dir;
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'burst-bench-'));
  const make = makeTree();
  try {
    console.log(`scheduler bench: ${JOBS} trivial jobs, -j${CORES}, median of ${RUNS}`);
    const makeMs = await median(RUNS, () => {
      spawnSync('sh', ['-c', 'rm -f out*'], { cwd: make });
      return timedCommand('make', ['-s', `-j${CORES}`], make);
    });
    let round = 0;
    const uncachedMs = await median(RUNS, async () => {
      const engine = await Engine.open({ cacheDir: join(root, `store-${round}`) });
      const thunks = await trivialThunks(engine, `run${round++}`);
      return timed(() => engine.force(thunks, { jobs: CORES }));
    });
    const engine = await Engine.open({ cacheDir: join(root, 'store-0') });
    const warm = await trivialThunks(engine, 'run0');
    const cachedMs = await median(RUNS, () => timed(() => engine.force(warm, { jobs: CORES })));

    const sh = await engine.packExecutable('/bin/sh');
    const thunk = completeThunk({
      args: [...sh.launch('', 'sh'), '-c', 'echo x > out'],
      inputs: sh.inputs,
      executables: sh.executables,
      outputs: ['out'],
    });
    const K = 50;
    const sandboxMs = await median(RUNS, () =>
      timed(async () => {
        for (let i = 0; i < K; i++) await executeThunk(engine.store, thunk, { isolate: false });
      }),
    );
    // The same program started the same way (the job launcher), in a plain directory: the difference is the sandbox.
    const bare = mkdtempSync(join(root, 'bare-'));
    const spawnMs = await median(RUNS, () =>
      timed(async () => {
        for (let i = 0; i < K; i++) await runCommand(engine.store, '/bin/sh', ['-c', 'echo x > out'], bare, {});
      }),
    );

    row('make -j (per job)', `${(makeMs / JOBS).toFixed(2)} ms`);
    row('burst force, uncached (per job)', `${(uncachedMs / JOBS).toFixed(2)} ms`, `${(uncachedMs / makeMs).toFixed(2)}x make`);
    row('burst force, all cached (per job)', `${(cachedMs / JOBS).toFixed(3)} ms`, `${(makeMs / cachedMs).toFixed(1)}x faster than make`);
    row('sandboxed job, serial (per job)', `${(sandboxMs / K).toFixed(2)} ms`);
    row('same job without a sandbox, serial (per job)', `${(spawnMs / K).toFixed(2)} ms`);
    row('sandbox set-up + ingest cost (per job)', `${((sandboxMs - spawnMs) / K).toFixed(2)} ms`);
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(make, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
