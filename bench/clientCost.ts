/**
 * Where the client's CPU goes per job on the Lambda path: a cold lua build
 * on the loopback servers (test/lib/localAws.ts), the engine run under
 * Node's CPU profiler, each sample put down to the stage of the client it
 * was spent in (the first function of a known stage from the sample's own
 * frame up its stack). The stand-ins are separate processes, measured by
 * bench/standin.ts. Printed against each stage's budget: a thousand workers
 * running half-second jobs need the client to start 2,000 jobs a second,
 * 0.5 ms of one core per job in all.
 *
 *   node dist/bench/clientCost.js
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { RunReport } from '../engine/model/report';
import { copyTree, debianSource, readJson } from '../test/helpers';
import { startLocalAws } from '../test/lib/localAws';
import { row } from './lib/measure';

const BOOT = resolve(__dirname, '..', 'boot.js');
const CORES = String(availableParallelism());

/** Stages, with the functions that begin each (as they are named in the bundle), and each one's share of the 0.5 ms budget. */
const STAGES: Array<{ stage: string; budgetMs: number; functions: string[] }> = [
  {
    stage: 'modelling (tool calls to thunks)',
    budgetMs: 0.12,
    functions: ['answerCall', 'replayCall', 'rememberCall', 'driverPlan', 'compileThunk', 'linkThunk', 'assembleThunk', 'archiveThunk'],
  },
  {
    stage: 'header scan',
    budgetMs: 0.05,
    functions: ['compileDeps', 'knownDeps', 'compileHere', 'remember', 'headersAskedBy', 'searchProbe', 'parseMakeDeps'],
  },
  { stage: 'thunk encoding', budgetMs: 0.03, functions: ['putThunk', 'encodeThunk', 'canonicalThunk', 'decodeThunk', 'withInputValues'] },
  {
    stage: 'upload bookkeeping',
    budgetMs: 0.07,
    functions: ['prepareInputs', 'ensureUploaded', 'inputDigests', 'digestOf', 'putFile', 'putBytes', 'exists'],
  },
  { stage: 'invoke (request, signing, answer)', budgetMs: 0.1, functions: ['invoke', 'invokeWire', 'send', 'sign'] },
  {
    stage: 'result ingest',
    budgetMs: 0.05,
    functions: ['takeOutputs', 'keepFollowOn', 'putReduction', 'toReduction', 'adopt', 'getToFile'],
  },
  { stage: 'signing and sharing results', budgetMs: 0.03, functions: ['publish', 'signResult', 'putResultText'] },
  { stage: 'scheduling', budgetMs: 0.05, functions: ['reduceUncached', 'resolveInputs', 'resolve', 'runRace', 'executeRemaking', 'force'] },
];
const OTHER = 'other (event loop: HTTP and file callbacks, start-up)';
const GC = 'garbage collection';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string };
  children?: number[];
}

/** Milliseconds of CPU by stage in a .cpuprofile (idle time left out), and of the unattributed, by the function spending it. */
function byStage(file: string): { ms: Map<string, number>; otherByFunction: Map<string, number> } {
  const p = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const nodes = new Map(p.nodes.map((n) => [n.id, n]));
  const stageOf = new Map<string, string>();
  for (const s of STAGES) for (const f of s.functions) stageOf.set(f, s.stage);
  const memo = new Map<number, string | undefined>();
  const classify = (id: number): string | undefined => {
    if (memo.has(id)) return memo.get(id);
    const name = nodes.get(id)?.callFrame.functionName ?? '';
    const up = parent.get(id);
    const stage = name === '(idle)' ? undefined : name === '(garbage collector)' ? GC : (stageOf.get(name) ?? (up ? classify(up) : OTHER));
    memo.set(id, stage);
    return stage;
  };
  const ms = new Map<string, number>();
  const otherByFunction = new Map<string, number>();
  p.samples.forEach((id, i) => {
    const stage = classify(id);
    const t = (p.timeDeltas[i] ?? 0) / 1000;
    if (stage) ms.set(stage, (ms.get(stage) ?? 0) + t);
    if (stage !== OTHER) return;
    const name = nodes.get(id)?.callFrame.functionName || '(anonymous)';
    otherByFunction.set(name, (otherByFunction.get(name) ?? 0) + t);
  });
  return { ms, otherByFunction };
}

function run(args: string[], cwd: string, env: NodeJS.ProcessEnv): void {
  const r = spawnSync(process.execPath, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr.toString()}`);
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'burst-bench-client-'));
  const aws = await startLocalAws({ inProcess: true, quietS3: true });
  try {
    const env = { ...process.env, ...aws.env, BURST_CONCURRENCY: CORES };
    const hello = join(work, 'hello');
    mkdirSync(hello);
    writeFileSync(join(hello, 'hello.c'), '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n');
    const store = join(work, 'store');
    // The store and the bucket have seen the compiler once, from a one-file build; then a first lua build, untimed, warms the servers.
    run([BOOT, '--cache-dir', store, 'build', '-q', '--', 'gcc', '-O2', '-o', 'hello', 'hello.c'], hello, env);
    const tree = copyTree(debianSource('lua5.4'), join(work, 'lua'));
    run([BOOT, '--cache-dir', join(work, 'warm-up'), 'build', '-q', '--', 'make', '-j2', 'linux'], tree, { ...env, BURST_PREFIX: 'warm/' });
    spawnSync('make', ['clean'], { cwd: tree, stdio: 'ignore' });
    const profiles = join(work, 'profiles');
    const report = join(work, 'report.json');
    const args = [
      '--cpu-prof',
      `--cpu-prof-dir=${profiles}`,
      BOOT,
      '--cache-dir',
      store,
      'build',
      '-q',
      '--report',
      report,
      '--',
      'make',
      '-j2',
      'linux',
    ];
    run(args, tree, env);
    // The engine's profile is the largest: the guardian, also Node, writes a small one.
    const engine = readdirSync(profiles)
      .map((f) => join(profiles, f))
      .sort((a, b) => statSync(b).size - statSync(a).size)[0];
    if (!engine) throw new Error('the engine wrote no profile');
    const r = readJson<RunReport>(report);
    const jobs = r.executed + r.cached;
    const { ms, otherByFunction } = byStage(engine);
    const total = [...ms.values()].reduce((a, b) => a + b, 0);
    const mib = (r.bytesUploaded / 2 ** 20).toFixed(1);
    console.log(
      `client CPU per job, cold lua build on the loopback Lambda (${jobs} jobs, ${r.cost?.lambdaRequests ?? 0} invocations, ${mib} MiB uploaded)`,
    );
    console.log(
      `the engine's main thread: ${(total / 1000).toFixed(2)} CPU-s in all, ${(total / jobs).toFixed(2)} ms a job (budget 0.5)\n`,
    );
    for (const s of STAGES) row(s.stage, `${((ms.get(s.stage) ?? 0) / jobs).toFixed(2)} ms`, `budget ${s.budgetMs.toFixed(2)} ms`);
    row(GC, `${((ms.get(GC) ?? 0) / jobs).toFixed(2)} ms`);
    row(OTHER, `${((ms.get(OTHER) ?? 0) / jobs).toFixed(2)} ms`, 'most of it in:');
    const top = [...otherByFunction].sort((a, b) => b[1] - a[1]).slice(0, 8);
    for (const [name, t] of top) row(`  ${name}`, `${(t / jobs).toFixed(2)} ms`);
  } finally {
    await aws.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
