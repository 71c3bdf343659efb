import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { RunReport } from '../engine/api';
import { burst, collect, readJson, sharedScratch, shThunk, startBurst, tempDir } from './helpers';

describe('faults', () => {
  test('a hanging job gets a duplicate, the duplicate finishes the run, and the hung copy is killed', async () => {
    using dir = tempDir();
    using scratch = sharedScratch();
    const cache = join(dir.path, 'store');
    const marker = join(scratch.path, 'first-copy-started');
    const hang = await shThunk(cache, `if [ -e ${marker} ]; then echo second > out; else : > ${marker}; exec sleep 41.5; fi`);
    const quick = await Promise.all([1, 2, 3].map((i) => shThunk(cache, `echo ${i} > out`)));
    const report = join(dir.path, 'report.json');
    const r = await burst(['force', '-j', '4', '--straggler-min-ms', '300', '--report', report, hang, ...quick], cache);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /is slow .* started a second copy/);
    const rep = readJson<RunReport>(report);
    assert.equal(rep.duplicated, 1);
    assert.equal(rep.executed, 4);
    const copies = rep.jobs.filter((j) => j.name === hang);
    assert.deepEqual(copies.map((c) => [c.duplicate, c.outcome]).sort(), [
      [false, 'cancelled'],
      [true, 'ok'],
    ]);
    const stillRunning = execFileSync('ps', ['-eo', 'args'])
      .toString()
      .split('\n')
      .filter((l) => l.includes('sleep 41.5'));
    assert.deepEqual(stillRunning, []);
  });

  test('a job killed by a signal is retried and the run succeeds', async () => {
    using dir = tempDir();
    using scratch = sharedScratch();
    const cache = join(dir.path, 'store');
    const marker = join(scratch.path, 'killed-once');
    const t = await shThunk(cache, `if [ -e ${marker} ]; then echo survived > out; else : > ${marker}; kill -KILL $$; fi`);
    const report = join(dir.path, 'report.json');
    const r = await burst(['force', '--cat', '--report', report, t], cache);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'survived\n');
    assert.match(r.stderr, /retrying sh \(killed by SIGKILL/);
    const rep = readJson<RunReport>(report);
    assert.equal(rep.retried, 1);
    assert.deepEqual(
      rep.jobs.map((j) => j.outcome),
      ['lost', 'ok'],
    );
  });

  test('a job stopped at its timeout is tried once more, then fails naming its limit, counted as failed', async () => {
    using dir = tempDir();
    const cache = join(dir.path, 'store');
    const t = await shThunk(cache, '/bin/sleep 30; echo late > out', { extra: ['--timeout', '1'] });
    const report = join(dir.path, 'report.json');
    const started = Date.now();
    const r = await burst(['force', '--report', report, t], cache);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /timed out after 1\.0 s \(its timeout\), on two attempts/);
    const rep = readJson<RunReport>(report);
    assert.deepEqual(
      [rep.failed, rep.retried, rep.jobs.filter((j) => !j.duplicate).length],
      [1, 1, 2],
      'two attempts, one failure, not four tries',
    );
    assert.ok(Date.now() - started < 20_000, 'not the sleep: the job was stopped');
  });

  test('a planted malformed result is a cache miss with a warning naming it; the job runs and the run succeeds', async () => {
    using dir = tempDir();
    const cache = join(dir.path, 'store');
    const t = await shThunk(cache, 'echo real > out');
    assert.equal((await burst(['force', '--cat', t], cache)).stdout, 'real\n');
    const file = join(cache, 'reductions', t.slice(1, 2), t);
    for (const planted of [
      '{"outputs":[{"tag":"out","name":"../../../../etc/passwd","executable":false}],"program":"sh","durationMs":1}',
      '{"outputs":[{"tag":"out","name":"V0000000000000000000000000000000000000005"}],"program":"sh","durationMs":1}',
      'not json at all',
    ]) {
      writeFileSync(file, planted);
      const r = await burst(['force', '--cat', t], cache);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'real\n', 'the job ran again and gave its own answer');
      assert.match(r.stderr, new RegExp(`warning: the recorded result of ${t} at ${file} is malformed \\(`));
    }
  });

  test('a job that exits 1 is not retried, its stderr is shown, and nothing is cached', async () => {
    using dir = tempDir();
    const cache = join(dir.path, 'store');
    const t = await shThunk(cache, 'echo "widget.c: cannot frobnicate" >&2; exit 1');
    const report = join(dir.path, 'report.json');
    const r = await burst(['force', '--report', report, t], cache);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /FAILED sh \(job T[0-9a-f]+\), exit status 1/);
    assert.match(r.stderr, /\| widget.c: cannot frobnicate/);
    const rep = readJson<RunReport>(report);
    assert.equal(rep.retried, 0);
    assert.equal(rep.failed, 1);
    assert.equal(rep.jobs.length, 1);
    assert.equal(rep.jobs[0]?.exitCode, 1);
    const again = await burst(['force', '--report', report, t], cache);
    assert.equal(again.code, 1);
    assert.equal(readJson<RunReport>(report).cached, 0);
  });

  test('a job that does not write its declared output fails with the output named', async () => {
    using dir = tempDir();
    const cache = join(dir.path, 'store');
    const t = await shThunk(cache, 'echo wrong > other', { outputs: ['result.txt'] });
    const r = await burst(['force', t], cache);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /did not produce its declared output result\.txt/);
  });

  test('compiler-style messages become diagnostics in the report, also when the result is cached', async () => {
    using dir = tempDir();
    const cache = join(dir.path, 'store');
    const t = await shThunk(cache, 'echo "lib.c:12:5: warning: unused variable \'x\'" >&2; echo ok > o', {
      outputs: ['src/o'],
      extra: ['--cwd', 'src'],
    });
    for (const round of [1, 2]) {
      const report = join(dir.path, `r${round}.json`);
      const r = await burst(['force', '--report', report, t], cache);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /src\/lib\.c:12:5: warning: unused variable 'x'/);
      assert.deepEqual(
        readJson<RunReport>(report).diagnostics.map(({ job: _job, ...d }) => d),
        [{ file: 'src/lib.c', line: 12, column: 5, severity: 'warning', message: "unused variable 'x'" }],
      );
    }
  });
});

describe('a lost job launcher', () => {
  test('its jobs are retried by a new one, and the run succeeds', async () => {
    using dir = tempDir();
    const cache = join(dir.path, 'store');
    const jobs = await Promise.all([1, 2, 3, 4].map((i) => shThunk(cache, `sleep 2.${i}7; echo ${i} > out`)));
    const report = join(dir.path, 'report.json');
    const run = startBurst(['force', '-j', '4', '--report', report, ...jobs], cache);
    const done = collect(run);
    const sleeping = (): boolean => spawnSync('pgrep', ['-f', 'sleep 2\\.[1-4]7']).status === 0;
    for (let waited = 0; !sleeping() && waited < 20_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    // The launcher is the burst process's child; killing it loses the jobs it started.
    execFileSync('pkill', ['-KILL', '-P', String(run.pid), '-f', 'burst-launcher']);
    const r = await done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /retrying sh \(cannot start .*the job launcher exited\)|retrying sh \(.*launcher exited\)/);
    const rep = readJson<RunReport>(report);
    assert.equal(rep.executed, 4);
    assert.ok(rep.retried >= 1);
    assert.equal(r.stdout.trim().split('\n').length, 4);
    assert.equal(sleeping(), false, "the lost launcher's jobs were killed with it");
  });
});
