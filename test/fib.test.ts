import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Engine } from '../engine/api';
import { fibonacci } from '../examples/fib/fib';
import { ROOT, tempDir } from './helpers';

const JOB = join(ROOT, 'dist', 'examples', 'fib', 'job.js');

test('Fibonacci by dynamic thunks gives the right numbers and runs each subproblem once', async () => {
  using dir = tempDir();
  const engine = await Engine.open({ cacheDir: join(dir.path, 'store') });
  const { value, report } = await fibonacci(engine, 15, JOB);
  assert.equal(value, '610');
  // fib(0..15) once each, and one add per n ≥ 2; a naive recursion makes 1,973 calls.
  assert.equal(report.executed, 16 + 14);
  assert.equal(report.thunks, 30);
  assert.equal(report.failed, 0);

  const bigger = await fibonacci(engine, 20, JOB);
  assert.equal(bigger.value, '6765');
  assert.equal(bigger.report.executed, 10, 'fib(16..20) and their adds are new; the rest is cached');

  const again = await fibonacci(engine, 20, JOB);
  assert.equal(again.value, '6765');
  assert.equal(again.report.executed, 0);
});
