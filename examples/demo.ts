/**
 * `npm run demo`: builds examples/geom (a C library of 33 files and a program)
 * with its own Makefile through `burst build -- make -j N` on the local
 * backend, beside a plain `make -j N` of the same tree; runs the program's
 * test; then cleans and builds again to show every job answered from the cache.
 *
 * Options: --cache-dir DIR (default: a fresh store, so the first build is
 * cold), -j N (default: the number of cores).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Engine, summarize, type BuildResult } from '../engine/api';

const PROJECT = resolve(__dirname, '..', '..', 'examples', 'geom');
const BURST = resolve(__dirname, '..', '..', 'bin', 'burst');

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

async function timedBuild(engine: Engine, tree: string, jobs: number): Promise<{ result: BuildResult; ms: number }> {
  const start = performance.now();
  const result = await engine.build(['make', `-j${jobs}`, '-s'], { root: tree, jobs, burstProgram: BURST });
  const ms = performance.now() - start;
  if (result.commandStatus !== 0 || result.failures.length > 0) {
    throw new Error(`the build failed: ${result.failures.map((f) => f.error.message).join('; ') || `make exited ${result.commandStatus}`}`);
  }
  return { result, ms };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const work = mkdtempSync(join(tmpdir(), 'burst-demo-'));
  const cacheDir = flag('--cache-dir') ?? join(work, 'store');
  const jobs = Number(flag('-j') ?? availableParallelism());
  try {
    const plainTree = join(work, 'plain');
    const tree = join(work, 'geom');
    cpSync(PROJECT, plainTree, { recursive: true });
    cpSync(PROJECT, tree, { recursive: true });
    console.log(`examples/geom: 36 C files, built by its own Makefile (store: ${cacheDir})`);

    const plainStart = performance.now();
    execFileSync('make', [`-j${jobs}`, '-s'], { cwd: plainTree, stdio: 'ignore' });
    const plainMs = performance.now() - plainStart;
    console.log(`plain make -j${jobs}:                 ${seconds(plainMs)}`);

    const engine = await Engine.open({ cacheDir });
    const cold = await timedBuild(engine, tree, jobs);
    console.log(`burst build -- make -j${jobs}:        ${seconds(cold.ms)}  ${summarize(cold.result.report)}`);
    const test = execFileSync('make', ['-s', 'test'], { cwd: tree, encoding: 'utf8' }).trim();
    console.log(`make test:                       ${test.split('\n').at(-1)}`);

    execFileSync('make', ['-s', 'clean'], { cwd: tree });
    const warm = await timedBuild(engine, tree, jobs);
    console.log(`after make clean, burst again:   ${seconds(warm.ms)}  ${summarize(warm.result.report)}`);
    if (warm.result.report.executed !== 0) throw new Error('the second build should have run nothing');
    console.log(`rebuild from the cache: ${(plainMs / warm.ms).toFixed(1)}x faster than plain make`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(`demo failed: ${(e as Error).message}`);
  process.exit(1);
});
