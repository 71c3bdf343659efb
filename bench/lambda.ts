/**
 * The Lambda path on the loopback servers (s3rver, serverless-offline: see
 * test/lib/localAws.ts) against the local backend, side by side in one run:
 *   - the lua build, cold, on each backend (goal: Lambda within 1.5x local);
 *   - bytes uploaded by a first Lambda build and by a second one from a clean
 *     tree and an empty local cache, same bucket (goal: 0 the second time);
 *   - invocations per second the client sustains with trivial jobs.
 * On two cores shared with both servers, this measures the client's overhead,
 * not Lambda's scale.
 *
 *   node dist/bench/lambda.js [runs=3] [trivial jobs=300]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Engine } from '../engine/api';
import { LambdaBackend, resolveLambdaSettings } from '../engine/aws/index';
import type { RunReport } from '../engine/report';
import { copyTree, debianSource, readJson } from '../test/helpers';
import { startLocalAws, type LocalAws } from '../test/lib/localAws';
import { median, row } from './lib/measure';

const RUNS = Number(process.argv[2] ?? 3);
const TRIVIAL = Number(process.argv[3] ?? 300);
const BURST = resolve(__dirname, '..', '..', 'bin', 'burst');

function build(tree: string, store: string, env: NodeJS.ProcessEnv, report: string): { ms: number; report: RunReport } {
  spawnSync('make', ['clean'], { cwd: tree, stdio: 'ignore' });
  const t = performance.now();
  const r = spawnSync(BURST, ['--cache-dir', store, 'build', '-q', '--report', report, '--', 'make', '-j2', 'linux'], { cwd: tree, env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`burst build failed: ${r.stderr.toString()}`);
  return { ms, report: readJson<RunReport>(report) };
}

async function invocationsPerSecond(aws: LocalAws, work: string): Promise<{ perSecond: number; clientCpuMs: number }> {
  const engine = await Engine.open({ cacheDir: join(work, 'store-trivial') });
  const sh = await engine.packExecutable('/bin/sh');
  const thunks: string[] = [];
  for (let i = 0; i < TRIVIAL; i++) {
    thunks.push(await engine.createThunk({ args: [...sh.launch('', 'sh'), '-c', `echo ${i} > out`], inputs: sh.inputs, executables: sh.executables, outputs: ['out'] }));
  }
  Object.assign(process.env, aws.env); // the SDK's default credential chain reads the environment
  const settings = resolveLambdaSettings({ concurrency: 32 }, work);
  const backend = await LambdaBackend.create(engine.store, settings);
  // A first round puts the shell in the bucket and starts the server's workers (Lambda's cold starts), so the timing is of invocations.
  await engine.force(thunks, { backend, useCache: false });
  const t = performance.now();
  const cpu = process.cpuUsage();
  const { failures } = await engine.force(thunks, { backend, useCache: false });
  const s = (performance.now() - t) / 1000;
  const used = process.cpuUsage(cpu);
  if (failures.length > 0) throw new Error(`${failures.length} trivial jobs failed: ${failures[0]?.error.message}`);
  return { perSecond: TRIVIAL / s, clientCpuMs: (used.user + used.system) / 1000 / TRIVIAL };
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'burst-bench-lambda-'));
  const aws = await startLocalAws();
  try {
    const lambdaEnv = { ...process.env, ...aws.env };
    const tree = copyTree(debianSource('lua5.4'), join(work, 'lua'));
    let round = 0;
    const local = await median(RUNS, () => build(tree, join(work, `local-${round++}`), process.env, join(work, `r${round}.json`)).ms);
    const first: Array<{ report: RunReport; prefix: string }> = [];
    const lambdaRun = (extra: NodeJS.ProcessEnv): number => {
      // A prefix of its own per run: a bucket that has never seen this build.
      const prefix = `run${round++}/`;
      const r = build(tree, join(work, `lambda-${round}`), { ...lambdaEnv, ...extra, BURST_PREFIX: prefix }, join(work, `r${round}.json`));
      first.push({ report: r.report, prefix });
      return r.ms;
    };
    const lambda = await median(RUNS, () => lambdaRun({}));
    const lambda4 = await median(RUNS, () => lambdaRun({ BURST_CONCURRENCY: '4' }));
    const again = build(copyTree(debianSource('lua5.4'), join(work, 'lua-again')), join(work, 'lambda-empty'), { ...lambdaEnv, BURST_PREFIX: first[0]?.prefix }, join(work, 'again.json'));
    console.log(`lambda bench (loopback s3rver + serverless-offline), lua make -j2 linux, median of ${RUNS}`);
    row('local backend, cold', `${(local / 1000).toFixed(2)} s`);
    row('lambda backend, cold (new bucket prefix)', `${(lambda / 1000).toFixed(2)} s`, `${(lambda / local).toFixed(2)}x local (goal <= 1.5)`);
    row('  the same, 4 invocations at once', `${(lambda4 / 1000).toFixed(2)} s`, `${(lambda4 / local).toFixed(2)}x local`);
    row('uploaded, first build', `${((first[0]?.report.bytesUploaded ?? 0) / 1e6).toFixed(1)} MB`);
    row('uploaded, clean tree + empty local cache', `${(again.report.bytesUploaded / 1e6).toFixed(1)} MB`, `${again.report.executed} jobs run (goal 0 bytes)`);
    const rate = await invocationsPerSecond(aws, work);
    row('trivial jobs, invocations per second', rate.perSecond.toFixed(0), `${TRIVIAL} jobs, 32 at once, warm server`);
    row('  client CPU per invocation', `${rate.clientCpuMs.toFixed(1)} ms`, `so one client core sustains about ${Math.round(1000 / rate.clientCpuMs)} per second`);
  } finally {
    await aws.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
