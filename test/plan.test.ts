/**
 * `burst plan` on a real run: zlib built with no cache, its report's job
 * graph (compiles feeding the archive, the archive feeding the links), and
 * the prediction the command prints from it, as a table and as JSON.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Plan, RunReport } from '../engine/api';
import { burst, copyTree, debianSource, readJson, run, tempDir } from './helpers';

describe('burst plan', () => {
  test("zlib's recorded run: its job graph, and what it would take on 1 to 1,000 Lambda workers", async () => {
    using work = tempDir('burst-plan-');
    const tree = copyTree(debianSource('zlib'), join(work.path, 'zlib'));
    assert.equal((await run('./configure', [], tree)).code, 0);
    const store = join(work.path, 'store');
    const reportFile = join(work.path, 'report.json');
    const built = await burst(['build', '--no-cache', '--report', reportFile, '--', 'make', '-j2'], store, { cwd: tree });
    assert.equal(built.code, 0, built.stderr);
    const report = readJson<RunReport>(reportFile);
    const graph = report.graph ?? [];
    assert.equal(graph.length, report.executed, 'every job that ran is in the graph');
    const byName = new Map(graph.map((n) => [n.name, n]));
    const programsBehind = (program: string): Set<string> =>
      new Set(graph.filter((n) => n.program === program).flatMap((n) => n.deps.map((d) => byName.get(d)?.program ?? '?')));
    assert.ok(programsBehind('ld').has('as'), `links read objects: ${[...programsBehind('ld')].join(' ')}`);
    assert.ok(programsBehind('ar').has('as'), 'the archive reads the objects');
    assert.ok(
      [...programsBehind('ld')].some((p) => p === 'ar' || p === 'ranlib'),
      'a program links with the archive (example, minigzip)',
    );
    assert.ok(programsBehind('as').has('cc1'), "each object assembles the compiler's output");
    assert.ok(
      graph.every((n) => n.ms >= 0 && n.inBytes >= n.toolBytes && n.toolBytes > 0),
      'every job ships its tools',
    );

    const asJson = await burst(['plan', reportFile, '--workers', '1,1000', '--json'], store);
    assert.equal(asJson.code, 0, asJson.stderr);
    const p = JSON.parse(asJson.stdout) as Plan;
    assert.equal(p.jobs, graph.length);
    const [one, many] = p.rows;
    assert.ok(one && many);
    assert.deepEqual([one.workers, many.workers], [1, 1000]);
    assert.ok(p.criticalPathMs > 0 && p.criticalPathMs <= p.totalJobMs);
    assert.ok(one.predictedMs > many.predictedMs, `one worker ${one.predictedMs} ms, a thousand ${many.predictedMs} ms`);
    assert.ok(one.predictedMs >= p.totalJobMs, 'one worker runs every job one after another');
    assert.ok(many.predictedMs >= p.criticalPathMs, 'no number of workers beats the critical path');
    assert.ok(one.costUsd > 0 && many.bytesMoved >= one.bytesMoved, 'more workers fetch the tools more often');

    const table = await burst(['plan', reportFile], store);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, new RegExp(`^${graph.length} jobs, .* critical path `, 'm'));
    for (const w of [1, 10, 100, 1000]) assert.match(table.stdout, new RegExp(`^ +${w} +[\\d.]+ (ms|s|min)`, 'm'));
  });

  test('a report without a graph, a missing file and a bad worker list are usage errors that say what is wrong', async () => {
    using work = tempDir('burst-plan-bad-');
    const store = join(work.path, 'store');
    const old = join(work.path, 'old.json');
    writeFileSync(old, JSON.stringify({ thunks: 1, jobs: [] }));
    const noGraph = await burst(['plan', old], store);
    assert.equal(noGraph.code, 2);
    assert.match(noGraph.stderr, /old\.json has no job graph: it comes from an older Burst, or was not written by --report/);
    const missing = await burst(['plan', join(work.path, 'none.json')], store);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /none\.json: no such file/);
    const workers = await burst(['plan', old, '--workers', '0,10'], store);
    assert.equal(workers.code, 2);
    assert.match(workers.stderr, /worker counts from 1 to 100000/);
  });
});
