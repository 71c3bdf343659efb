/**
 * `--backend sim`: the real client (interception, models, scans, uploads,
 * signing, invokes) against the simulated Lambda and S3, on a zlib build
 * whose jobs ran once for real; and what it says of a job it has no result for.
 */
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { RunReport } from '../engine/api';
import { burst, copyTree, debianSource, differingFiles, placeholdersUnder, readJson, run, tempDir } from './helpers';

const OUTPUTS = ['libz.a', 'example', 'minigzip', 'adler32.o', 'inflate.o', 'deflate.o'];

describe('the simulated Lambda', () => {
  test("zlib on 1,000 simulated workers: every job goes to the simulator, at the time recorded for it, and the tree is the plain build's", async () => {
    using work = tempDir('burst-sim-');
    const plain = copyTree(debianSource('zlib'), join(work.path, 'plain'));
    assert.equal((await run('./configure', [], plain)).code, 0);
    assert.equal((await run('make', ['-j2'], plain)).code, 0);
    const tree = copyTree(debianSource('zlib'), join(work.path, 'zlib'));
    assert.equal((await run('./configure', [], tree)).code, 0);
    const store = join(work.path, 'store');
    // Once for real, on this machine: the results the simulator answers from.
    const real = join(work.path, 'real.json');
    assert.equal((await burst(['build', '--report', real, '--', 'make', '-j2'], store, { cwd: tree })).code, 0);
    assert.equal((await run('make', ['clean'], tree)).code, 0);
    // Every job given 1.5 s, through a report's graph as --sim-times reads it.
    const recorded = readJson<RunReport>(real);
    const slow = join(work.path, 'slow.json');
    writeFileSync(slow, JSON.stringify({ ...recorded, graph: (recorded.graph ?? []).map((n) => ({ ...n, ms: 1500 })) }));
    const report = join(work.path, 'sim.json');
    const r = await burst(
      ['build', '--backend', 'sim', '--sim-workers', '1000', '--sim-times', slow, '--no-cache', '--report', report, '--', 'make', '-j2'],
      store,
      { cwd: tree },
    );
    assert.equal(r.code, 0, r.stderr);
    const sim = readJson<RunReport>(report);
    assert.ok(sim.executed >= 60, `${sim.executed} jobs ran`);
    assert.deepEqual(sim.byBackend, { sim: sim.executed }, 'every job went to the simulator');
    assert.deepEqual(sim.ranLocally, []);
    assert.ok(
      sim.jobs.some((j) => j.ranWith) && (sim.cost?.lambdaRequests ?? Infinity) < sim.executed,
      'assemblies ride along with their compiles in one invocation, as on Lambda',
    );
    const compiles = sim.jobs.filter((j) => j.program === 'cc1' && j.outcome === 'ok');
    assert.ok(compiles.length > 0);
    for (const j of compiles) assert.ok(j.end - j.start >= 1500, `${j.name} took ${j.end - j.start} ms of a simulated 1,500`);
    assert.deepEqual(differingFiles(plain, tree, OUTPUTS), []);
    assert.deepEqual(placeholdersUnder(tree), []);
    assert.equal((await run('make', ['test'], tree)).code, 0, "zlib's own tests pass with what the simulated build left");
  });

  test('a job with no result recorded fails, saying to run the build once for real', async () => {
    using work = tempDir('burst-sim-new-');
    const tree = copyTree(debianSource('zlib'), join(work.path, 'zlib'));
    assert.equal((await run('./configure', [], tree)).code, 0);
    const store = join(work.path, 'store');
    assert.equal((await burst(['build', '--', 'make', '-j2', 'libz.a'], store, { cwd: tree })).code, 0);
    assert.equal((await run('make', ['clean'], tree)).code, 0);
    writeFileSync(join(tree, 'adler32.c'), `${readFileSync(join(tree, 'adler32.c'), 'utf8')}\nint burst_sim_new(void) { return 1; }\n`);
    const r = await burst(['build', '--backend', 'sim', '--no-cache', '--', 'make', '-j2', 'libz.a'], store, { cwd: tree });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /the simulator has no result recorded for this job: run the build once for real \(locally\) first/);
    assert.match(r.stderr, /adler32/);
  });
});
