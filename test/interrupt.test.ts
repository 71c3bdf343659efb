import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { RunReport } from '../engine/api';
import { initHash } from '../engine/model/hash';
import { burst, collect, everyObjectIntact, readJson, shThunk, startBurst, tempDir } from './helpers';

async function manyJobs(cache: string, count: number, seconds: string): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(await shThunk(cache, `sleep ${seconds}; echo job ${i} > out`));
  return out;
}

describe('concurrency and interruption', () => {
  test('SIGINT stops every job, leaves no partial object, and the next run finishes from the cache', async () => {
    await initHash();
    using dir = tempDir();
    const cache = join(dir.path, 'store');
    const jobs = await manyJobs(cache, 16, '0.25');
    const child = startBurst(['force', '-j', '2', ...jobs], cache);
    const done = collect(child);
    // Interrupted once a first job's result is recorded: some work done, most still to do, however fast the machine.
    const results = join(cache, 'reductions');
    const recorded = (): number => readdirSync(results, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;
    while (recorded() === 0) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    const r = await done;
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /interrupted/);
    assert.ok(everyObjectIntact(cache) > 0);
    assert.deepEqual(readdirSync(join(cache, 'tmp')), [], 'no temporary file is left');

    const report = join(dir.path, 'report.json');
    const again = await burst(['force', '-j', '2', '--report', report, ...jobs], cache);
    assert.equal(again.code, 0, again.stderr);
    const rep = readJson<RunReport>(report);
    assert.ok(rep.cached > 0, 'jobs finished before the interrupt are not run again');
    assert.ok(rep.executed > 0, 'the interrupt stopped the run before its end');
    assert.equal(rep.cached + rep.executed, 16);
    assert.equal(again.stdout.trim().split('\n').length, 16);
  });

  test('two runs at once on one store both succeed', async () => {
    await initHash();
    using dir = tempDir();
    const cache = join(dir.path, 'store');
    const jobs = await manyJobs(cache, 12, '0.05');
    const [a, b] = await Promise.all([
      burst(['force', '-j', '2', ...jobs], cache),
      burst(['force', '-j', '2', ...[...jobs].reverse()], cache),
    ]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const values = (r: { stdout: string }) => r.stdout.trim().split('\n').sort();
    assert.deepEqual(values(a), values(b));
    everyObjectIntact(cache);
    const check = await burst(['force', '--cat', ...jobs], cache);
    assert.equal(check.stdout, jobs.map((_, i) => `job ${i}\n`).join(''));
  });
});
