/**
 * Tests per second: a CTest project of many small tests run by `ctest -jJ`
 * (what a user would run instead), by `burst test` on the local backend with
 * nothing cached (one job per test), and by `burst test` again (every result
 * cached). Rounds interleaved, medians.
 *
 *   node dist/bench/tests.js [runs=3] [tests=300]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { interleaved, medianOf, pairedRatio, row, timedCommand as timed } from './lib/measure';

const JOBS = availableParallelism();
const BURST = resolve(__dirname, '..', '..', 'bin', 'burst');

/** A program that checks a sum and takes a few milliseconds of work, as a small unit test does. */
const SOURCE = `#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  long a = atol(argv[1]), b = atol(argv[2]), want = atol(argv[3]);
  volatile long spin = 0;
  for (long i = 0; i < 2000000; i++) spin += i;
  if (a + b != want) { fprintf(stderr, "sum.c:7: %ld + %ld is not %ld\\n", a, b, want); return 1; }
  return 0;
}
`;

function project(dir: string, count: number): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'sum.c'), SOURCE);
  const tests = Array.from({ length: count }, (_, i) => `add_test(NAME sum_${i} COMMAND sum ${i} 1 ${i + 1})`);
  writeFileSync(
    join(dir, 'CMakeLists.txt'),
    `cmake_minimum_required(VERSION 3.13)\nproject(sums C)\nenable_testing()\nadd_executable(sum sum.c)\n${tests.join('\n')}\n`,
  );
  writeFileSync(join(dir, '.burst.json'), JSON.stringify({ tests: [{ adapter: 'ctest', buildDir: 'build' }] }));
  execFileSync('cmake', ['-S', '.', '-B', 'build'], { cwd: dir, stdio: 'ignore' });
  execFileSync('cmake', ['--build', 'build'], { cwd: dir, stdio: 'ignore' });
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 3);
  const count = Number(process.argv[3] ?? 300);
  const work = mkdtempSync(join(tmpdir(), 'burst-bench-tests-'));
  try {
    const dir = join(work, 'sums');
    project(dir, count);
    const store = join(work, 'store');
    timed(BURST, ['--cache-dir', store, 'test', '-q'], dir); // the program and the shell stored, every result cached, before the timed runs
    const t = await interleaved(runs, {
      ctest: () => timed('ctest', [`-j${JOBS}`, '-Q'], join(dir, 'build')),
      burstCold: () => timed(BURST, ['--cache-dir', store, 'test', '-q', '--no-cache'], dir),
      burstWarm: () => timed(BURST, ['--cache-dir', store, 'test', '-q'], dir),
    });
    const perSecond = (ms: number): string => `${((count * 1000) / ms).toFixed(0)} tests/s`;
    console.log(`\ntests bench: ${count} CTest tests, -j${JOBS}, ${runs} interleaved rounds, medians`);
    row(`ctest -j${JOBS}`, `${(medianOf(t.ctest) / 1000).toFixed(2)} s`, perSecond(medianOf(t.ctest)));
    row(
      'burst test, nothing cached (local)',
      `${(medianOf(t.burstCold) / 1000).toFixed(2)} s`,
      `${perSecond(medianOf(t.burstCold))}, ${pairedRatio(t.burstCold, t.ctest).toFixed(2)}x ctest's time`,
    );
    row(
      'burst test, all cached',
      `${(medianOf(t.burstWarm) / 1000).toFixed(2)} s`,
      `${perSecond(medianOf(t.burstWarm))}, ${pairedRatio(t.ctest, t.burstWarm).toFixed(1)}x faster than ctest`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
