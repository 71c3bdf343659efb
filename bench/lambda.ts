/**
 * The Lambda path on the loopback servers (s3rver, serverless-offline: see
 * test/lib/localAws.ts) against the local backend, side by side in one run,
 * round after round (ratios are medians of the rounds' ratios):
 *   - the lua build, cold (a project never built; the store, and for Lambda
 *     the bucket, have seen the machine's compiler once, from a one-file
 *     build), on each backend: goal Lambda within 1.5x local. The emulated
 *     Lambda runs its jobs on this machine's cores, as the local backend
 *     does, so it is given as many jobs at once as there are cores (the
 *     local backend's pool and make -j2 have as many); with the default
 *     1,000 every compile starts at once and they time-share two cores,
 *     which costs CPU (caches, memory) and leaves the longest compile
 *     running alone at the end. Real Lambda gives each job its own core.
 *     That figure is shown too;
 *   - the same on Lambda at first use (an empty store and an empty bucket);
 *   - the CPU each side used on this machine, which shows what would leave it
 *     with real Lambda;
 *   - bytes uploaded by a first Lambda build and by a second one from a clean
 *     tree and an empty local cache, same bucket (goal: 0 the second time);
 *   - invocations per second the client sustains with trivial jobs.
 * serverless-offline runs invocations in its own process here (see
 * LocalAwsOptions.inProcess): on a small machine its default, a thread per
 * concurrent invocation, spends more CPU on itself than the jobs need; and
 * s3rver writes no request log (LocalAwsOptions.quietS3).
 *
 * A first build on each side is not timed: the loopback servers' code runs
 * cold the first time (JIT), as a long-running service's does not.
 *
 *   node dist/bench/lambda.js [runs=3] [trivial jobs=300]
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Engine } from '../engine/api';
import type { RunReport } from '../engine/model/report';
import { copyTree, debianSource, readJson } from '../test/helpers';
import { startLocalAws, type LocalAws } from '../test/lib/localAws';
import { interleaved, medianOf, pairedRatio, row } from './lib/measure';

const RUNS = Number(process.argv[2] ?? 3);
const TRIVIAL = Number(process.argv[3] ?? 300);
const BURST = resolve(__dirname, '..', '..', 'bin', 'burst');
/** Jobs at once on the emulated Lambda: its cores, which are this machine's. */
const CORES = availableParallelism();
const HELLO = '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n';

interface Timed {
  ms: number;
  report: RunReport;
  /** CPU seconds: everything on this machine, and of that the servers standing in for S3 and Lambda. */
  cpu: { total: number; s3: number; lambda: number };
}

/** Busy CPU seconds of the whole machine so far (Linux /proc/stat). */
function machineCpuSeconds(): number {
  const f = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  return ((f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0)) / 100; // user nice system irq softirq
}

function burstCommand(args: string[], cwd: string, env: NodeJS.ProcessEnv): void {
  const r = spawnSync(BURST, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`burst ${args.join(' ')} failed: ${r.stderr.toString()}`);
}

function build(aws: LocalAws, tree: string, store: string, env: NodeJS.ProcessEnv, report: string): Timed {
  spawnSync('make', ['clean'], { cwd: tree, stdio: 'ignore' });
  spawnSync('sync'); // the set-up's dirty pages are written now, not during the timed build
  const before = { total: machineCpuSeconds(), ...aws.cpuSeconds() };
  const t = performance.now();
  burstCommand(['--cache-dir', store, 'build', '-q', '--report', report, '--', 'make', '-j2', 'linux'], tree, env);
  const ms = performance.now() - t;
  const after = aws.cpuSeconds();
  return {
    ms,
    report: readJson<RunReport>(report),
    cpu: { total: machineCpuSeconds() - before.total, s3: after.s3 - before.s3, lambda: after.lambda - before.lambda },
  };
}

/** A store (and with `env` for Lambda, a bucket prefix) that has built one small C program: the compiler is in it. */
function seeded(store: string, work: string, env: NodeJS.ProcessEnv): void {
  const dir = mkdtempSync(join(work, 'hello-'));
  writeFileSync(join(dir, 'hello.c'), HELLO);
  burstCommand(['--cache-dir', store, 'build', '-q', '--', 'gcc', '-O2', '-o', 'hello', 'hello.c'], dir, env);
}

async function invocationsPerSecond(aws: LocalAws, work: string): Promise<{ perSecond: number; clientCpuMs: number; serverCpuMs: number }> {
  const engine = await Engine.open({ cacheDir: join(work, 'store-trivial') });
  const sh = await engine.packExecutable('/bin/sh');
  const thunks: string[] = [];
  for (let i = 0; i < TRIVIAL; i++) {
    thunks.push(
      await engine.createThunk({
        args: [...sh.launch('', 'sh'), '-c', `echo ${i} > out`],
        inputs: sh.inputs,
        executables: sh.executables,
        outputs: ['out'],
      }),
    );
  }
  Object.assign(process.env, aws.env); // the SDK's default credential chain reads the environment
  const backend = { kind: 'lambda' as const, aws: { concurrency: 32 }, configRoot: work };
  // A first round puts the shell in the bucket and starts the server's workers (Lambda's cold starts), so the timing is of invocations.
  await engine.force(thunks, { backend, useCache: false });
  const t = performance.now();
  const cpu = process.cpuUsage();
  const servers = aws.cpuSeconds();
  const { failures } = await engine.force(thunks, { backend, useCache: false });
  const s = (performance.now() - t) / 1000;
  const used = process.cpuUsage(cpu);
  const after = aws.cpuSeconds();
  if (failures.length > 0) throw new Error(`${failures.length} trivial jobs failed: ${failures[0]?.error.message}`);
  const serverCpuMs = ((after.lambda - servers.lambda + after.s3 - servers.s3) * 1000) / TRIVIAL;
  return { perSecond: TRIVIAL / s, clientCpuMs: (used.user + used.system) / 1000 / TRIVIAL, serverCpuMs };
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'burst-bench-lambda-'));
  const aws = await startLocalAws({ inProcess: true, quietS3: true });
  try {
    const lambdaEnv = { ...process.env, ...aws.env };
    const localEnv = { ...process.env, BURST_BACKEND: 'local' };
    const tree = copyTree(debianSource('lua5.4'), join(work, 'lua'));
    const machineStore = join(work, 'store-machine');
    seeded(machineStore, work, localEnv);
    let round = 0;
    const freshStore = (from?: string): string => {
      const store = join(work, `store-${round++}`);
      if (from) cpSync(from, store, { recursive: true });
      else mkdirSync(store);
      return store;
    };
    const timed: Record<'local' | 'cold' | 'coldAllAtOnce' | 'firstUse', Timed[]> = {
      local: [],
      cold: [],
      coldAllAtOnce: [],
      firstUse: [],
    };
    const firstBuilds: Array<{ prefix: string; report: RunReport }> = [];
    const keep = (k: keyof typeof timed, r: Timed): number => (timed[k].push(r), r.ms);
    const coldBuild = (concurrency: string | undefined): Timed => {
      // A prefix of its own per round: a bucket that has seen the compiler (the one-file build) but never this project.
      const env = { ...lambdaEnv, BURST_PREFIX: `cold${round}/`, ...(concurrency ? { BURST_CONCURRENCY: concurrency } : {}) };
      const store = freshStore(machineStore);
      seeded(store, work, env);
      return build(aws, tree, store, env, join(work, `r${round}.json`));
    };
    // Untimed: the servers' first large build runs their code cold (JIT, the worker's bundle loading), which a long-lived service does not.
    build(aws, tree, freshStore(machineStore), localEnv, join(work, 'warm-local.json'));
    coldBuild(String(CORES));
    const times = await interleaved(RUNS, {
      local: () => keep('local', build(aws, tree, freshStore(machineStore), localEnv, join(work, `r${round}.json`))),
      cold: () => keep('cold', coldBuild(String(CORES))),
      coldAllAtOnce: () => keep('coldAllAtOnce', coldBuild(undefined)),
      firstUse: () => {
        const prefix = `first${round}/`;
        const r = build(
          aws,
          tree,
          freshStore(),
          { ...lambdaEnv, BURST_PREFIX: prefix, BURST_CONCURRENCY: String(CORES) },
          join(work, `r${round}.json`),
        );
        firstBuilds.push({ prefix, report: r.report });
        return keep('firstUse', r);
      },
    });
    const first = firstBuilds[0] as { prefix: string; report: RunReport };
    const again = build(
      aws,
      copyTree(debianSource('lua5.4'), join(work, 'lua-again')),
      freshStore(),
      { ...lambdaEnv, BURST_PREFIX: first.prefix },
      join(work, 'again.json'),
    );
    const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
    const cpu = (k: keyof typeof timed, f: (c: Timed['cpu']) => number): string =>
      `${medianOf(timed[k].map((t) => f(t.cpu))).toFixed(1)} CPU-s`;
    console.log(`lambda bench (loopback s3rver + serverless-offline), lua make -j2 linux, ${RUNS} interleaved rounds, medians`);
    row('local backend, cold (project never built)', s(medianOf(times.local)));
    row(
      'lambda backend, cold (project never built)',
      s(medianOf(times.cold)),
      `${pairedRatio(times.cold, times.local).toFixed(2)}x local (goal <= 1.5), ${CORES} jobs at once`,
    );
    row(
      '  the same, every job at once (default 1,000)',
      s(medianOf(times.coldAllAtOnce)),
      `${pairedRatio(times.coldAllAtOnce, times.local).toFixed(2)}x local, ${cpu('coldAllAtOnce', (c) => c.total)}: time-shared cores`,
    );
    row(
      'lambda backend, first use (empty store+bucket)',
      s(medianOf(times.firstUse)),
      `${pairedRatio(times.firstUse, times.local).toFixed(2)}x local`,
    );
    row(
      'CPU on this machine, local cold',
      cpu('local', (c) => c.total),
    );
    const cpuRatio = medianOf(timed.cold.map((t) => t.cpu.total)) / medianOf(timed.local.map((t) => t.cpu.total));
    row(
      'CPU on this machine, lambda cold',
      cpu('cold', (c) => c.total),
      `${cpuRatio.toFixed(2)}x local, of which:`,
    );
    row(
      '  the client (burst, make, header listing)',
      cpu('cold', (c) => c.total - c.s3 - c.lambda),
      'stays on this machine with real Lambda',
    );
    row(
      '  the Lambda server and the jobs it ran',
      cpu('cold', (c) => c.lambda),
      'leaves it',
    );
    row(
      '  the S3 server',
      cpu('cold', (c) => c.s3),
      'leaves it',
    );
    const each = (k: keyof typeof timed): string => timed[k].map((t) => (t.ms / 1000).toFixed(1)).join(' ');
    row('  each round, local / lambda cold (s)', `${each('local')} / ${each('cold')}`);
    row(
      '  each round, lambda cold CPU-s (client/server/S3)',
      timed.cold.map((t) => [t.cpu.total - t.cpu.s3 - t.cpu.lambda, t.cpu.lambda, t.cpu.s3].map((x) => x.toFixed(1)).join('/')).join(' '),
    );
    row(
      '  S3 requests, lambda cold',
      String(medianOf(timed.cold.map((t) => t.report.cost?.s3Requests ?? 0))),
      `and ${medianOf(timed.cold.map((t) => t.report.cost?.lambdaRequests ?? 0))} invocations for ${timed.cold[0]?.report.executed ?? 0} jobs`,
    );
    row('  straggler duplicates, lambda cold', String(timed.cold.reduce((n, t) => n + t.report.duplicated, 0)), `over ${RUNS} builds`);
    row(
      'uploaded, first build',
      `${(first.report.bytesUploaded / 1e6).toFixed(1)} MB`,
      'objects put in the bucket and carried in requests',
    );
    row(
      'uploaded, clean tree + empty local cache',
      `${(again.report.bytesUploaded / 1e6).toFixed(1)} MB`,
      `${again.report.executed} jobs run (goal 0 bytes)`,
    );
    const rate = await invocationsPerSecond(aws, work);
    row('trivial jobs, invocations per second', rate.perSecond.toFixed(0), `${TRIVIAL} jobs, 32 at once, warm server`);
    row(
      '  client CPU per invocation',
      `${rate.clientCpuMs.toFixed(1)} ms`,
      `so one client core sustains about ${Math.round(1000 / rate.clientCpuMs)} per second`,
    );
    row(
      "  loopback servers' CPU per invocation",
      `${rate.serverCpuMs.toFixed(1)} ms`,
      'the job, the emulator and S3: what batching jobs could share out',
    );
  } finally {
    await aws.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
