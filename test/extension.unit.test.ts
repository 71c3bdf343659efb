/** The extension's plain-data parts: tasks.json tasks as engine commands, settings as build parameters, engine diagnostics as LSP diagnostics. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { toLspDiagnostics } from '../engine/lsp/diagnostics';
import { mapTask } from '../extension/taskMapping';
import { rootCause } from '../extension/messages';
import { runSettings } from '../extension/settingsModel';
import { failureMessage, groupByFile, outputBlock, resultDescription } from '../extension/testModel';
import { kindOf, LaneLayout, packRows } from '../webview-ui/lanes';
import { isHostMessage, isPanelCommand } from '../webview-ui/protocol';
import { RunTracker } from '../extension/panelModel';
import { ROOT } from './helpers';
import type { RunEvent } from '../engine/schedule/scheduler';

test('shell tasks run through sh -c with their args quoted; process tasks as given; cwd variables resolved', () => {
  assert.deepEqual(mapTask({ type: 'shell', command: 'make', args: ['-j8', 'CFLAGS=-O2 -g'] }, '/ws'), {
    ok: true,
    command: ['sh', '-c', "make -j8 'CFLAGS=-O2 -g'"],
    cwd: '/ws',
  });
  assert.deepEqual(mapTask({ type: 'shell', command: 'make -C src && make test' }, '/ws'), {
    ok: true,
    command: ['sh', '-c', 'make -C src && make test'],
    cwd: '/ws',
  });
  assert.deepEqual(
    mapTask(
      { type: 'process', command: 'make', args: ['-j2', { value: 'all', quoting: 'escape' }], options: { cwd: '${workspaceFolder}/lua' } },
      '/ws',
    ),
    { ok: true, command: ['make', '-j2', 'all'], cwd: '/ws/lua' },
  );
  assert.deepEqual(mapTask({ type: 'burst', command: 'make -j2' }, '/ws'), { ok: true, command: ['sh', '-c', 'make -j2'], cwd: '/ws' });
});

test('tasks Burst cannot run say why', () => {
  assert.deepEqual(mapTask({ type: 'npm', label: 'build' }, '/ws'), { ok: false, error: 'task build has no command' });
  assert.deepEqual(mapTask({ type: 'gulp', command: 'x' }, '/ws'), {
    ok: false,
    error: 'tasks of type gulp cannot run through Burst (only shell, process and burst tasks)',
  });
  const r = mapTask({ type: 'shell', command: 'make ${input:target}' }, '/ws');
  assert.equal(r.ok, false);
  assert.match((r as { error: string }).error, /\$\{input:target\} is not supported/);
});

test('settings become build parameters; bad values are named', () => {
  const ok = runSettings({
    backend: 'lambda',
    concurrency: 200,
    retries: 5,
    aws: { bucket: 'b', region: 'eu-west-1', s3Endpoint: '', trustedKeys: ['/keys/ci.pub', '/keys/release.pub'] },
    straggler: { enabled: false },
  });
  assert.deepEqual(ok.errors, []);
  assert.deepEqual(ok.settings, {
    backend: 'lambda',
    retries: 5,
    straggler: { enabled: false },
    aws: { bucket: 'b', region: 'eu-west-1', trustedKeys: '/keys/ci.pub,/keys/release.pub', concurrency: 200 },
  });
  assert.equal(runSettings({ backend: 'lambda' }, 'local').settings.backend, 'local', 'the command chooses the backend');
  const bad = runSettings({
    backend: 'cloud',
    concurrency: 0,
    aws: { lambdaEndpoint: 'localhost:3000', trustedKeys: '/keys/ci.pub' },
    straggler: { factor: 0.5 },
  });
  assert.deepEqual(bad.errors, [
    'burst.backend must be "local" or "lambda", not "cloud"',
    'burst.straggler.factor must be a number above 1, not 0.5',
    'burst.aws.lambdaEndpoint must be an http(s) URL, not "localhost:3000"',
    'burst.cache.trustedKeys must be a list of public key files, not "/keys/ci.pub"',
    'burst.concurrency must be a whole number of at least 1, not 0',
  ]);
});

test('diagnostics land on the workspace file, 0-based, once each', () => {
  const d = { file: 'src/a.c', line: 12, column: 5, severity: 'error' as const, message: 'expected ;' };
  const byUri = toLspDiagnostics(
    [d, { ...d }, { file: '/usr/include/stdio.h', line: 1, column: 0, severity: 'note' as const, message: 'in here' }],
    '/ws',
  );
  assert.deepEqual([...byUri.keys()], ['file:///ws/src/a.c', 'file:///usr/include/stdio.h']);
  assert.deepEqual(byUri.get('file:///ws/src/a.c'), [
    { range: { start: { line: 11, character: 4 }, end: { line: 11, character: 4 } }, severity: 1, source: 'burst', message: 'expected ;' },
  ]);
  assert.equal(byUri.get('file:///usr/include/stdio.h')?.[0]?.severity, 3);
});

test('a failure shown to a person is its root cause, not the chain of jobs that could not run', () => {
  const chain =
    'Ta was not run: its input _burst-scratch/in0.s failed (Tb was not run: its input x failed (the Lambda function f does not exist: run burst deploy (or Burst: Deploy Lambda Worker)))';
  assert.equal(rootCause(chain), 'the Lambda function f does not exist: run burst deploy (or Burst: Deploy Lambda Worker)');
  assert.equal(rootCause('cannot write out: EACCES'), 'cannot write out: EACCES');
});

test('the Testing panel groups tests by file in line order, says where results came from, and shows failures at their line with a diff', () => {
  const launch = { program: '/w/t', args: [], cwd: '/w' };
  const groups = groupByFile([
    { id: 'b', name: 'B', file: 'x.cpp', line: 9, adapter: 'gtest', launch },
    { id: 'a', name: 'A', file: 'x.cpp', line: 5, adapter: 'gtest', launch },
    { id: 'c', name: 'c', adapter: 'ctest', launch },
  ]);
  assert.deepEqual(
    [...groups].map(([f, ts]) => [f, ts.map((t) => t.id)]),
    [
      ['x.cpp', ['a', 'b']],
      ['(ctest)', ['c']],
    ],
  );
  const base = { id: 'a', name: 'A', file: 'x.cpp', line: 5, durationMs: 3, output: 'line 1\nline 2\n', flaky: false };
  assert.equal(resultDescription({ ...base, status: 'passed', cached: true }), 'cached');
  assert.equal(resultDescription({ ...base, status: 'passed', cached: false, ranOn: 'lambda', flaky: true }), 'ran on lambda · flaky');
  assert.deepEqual(
    failureMessage({
      ...base,
      status: 'failed',
      cached: false,
      message: 'Value of: x',
      failureFile: 'x.cpp',
      failureLine: 6,
      expected: 'true',
      actual: 'false',
    }),
    {
      message: 'Value of: x',
      file: 'x.cpp',
      line: 6,
      expected: 'true',
      actual: 'false',
    },
  );
  assert.deepEqual(failureMessage({ ...base, status: 'errored', cached: false }), {
    message: 'the test could not run',
    file: 'x.cpp',
    line: 5,
  });
  assert.equal(outputBlock({ ...base, status: 'passed', cached: true }), '── A: passed (cached), 3 ms\r\nline 1\r\nline 2\r\n');
});

test('the panel: jobs packed into worker rows per backend; kinds by program; messages checked at the boundary', () => {
  const job = (id: number, backend: string, start: number, end: number | undefined, program = 'cc1') => ({
    id,
    job: `T${id}`,
    program,
    backend,
    start,
    end,
    state: 'ok' as const,
    attempt: 1,
    duplicate: false,
  });
  const lanes = packRows([job(0, 'lambda', 0, 10), job(1, 'lambda', 5, 15), job(2, 'lambda', 10, 20), job(3, 'local', 0, undefined)]);
  assert.deepEqual(
    lanes.map((l) => [l.backend, l.rows.map((r) => r.map((j) => j.id))]),
    [
      ['lambda', [[0, 2], [1]]],
      ['local', [[3]]],
    ],
  );
  // Live: rows grow as jobs start and end; a running job holds its row; a job reported late (run in place) takes a row free at its start.
  const live = new LaneLayout();
  const a = job(0, 'lambda', 0, undefined);
  const b = job(1, 'lambda', 5, undefined);
  live.add(a);
  live.add(b);
  live.add(Object.assign(a, { end: 10 }));
  live.add(job(2, 'lambda', 12, undefined));
  live.add(job(3, 'lambda', 13, undefined));
  live.add(job(4, 'lambda', 3, 4));
  const rowsNow = (): number[][] => live.lanes().flatMap((l) => l.rows.map((r) => r.map((j) => j.id)));
  assert.deepEqual(rowsNow(), [[0, 2], [1], [3], [4]]);
  live.add(Object.assign(b, { end: 20 }));
  live.add(job(5, 'lambda', 21, 22));
  live.add(job(6, 'lambda', 21, 23));
  assert.deepEqual(rowsNow(), [[0, 2], [1, 5], [3], [4, 6]], 'rows freed by ended jobs are reused, lowest first');
  assert.deepEqual(['cc1plus', 'as', 'ld', 'ar', 'calc_test', 'sh'].map(kindOf), [
    'compile',
    'assemble',
    'link',
    'archive',
    'test',
    'other',
  ]);
  assert.ok(isPanelCommand({ type: 'open', file: 'src/a.c', line: 3, column: 1 }));
  assert.ok(!isPanelCommand({ type: 'open', file: 'src/a.c', line: 0, column: 1 }), 'lines start at 1');
  assert.ok(!isPanelCommand({ type: 'open', file: '', line: 1, column: 1 }));
  assert.ok(!isPanelCommand({ type: 'run-shell', command: 'rm -rf /' }));
  assert.ok(
    isHostMessage({
      type: 'jobs',
      runId: 'r',
      jobs: [job(1, 'local', 0, 1)],
      counts: { total: 1, done: 1, running: 0, cached: 0, failed: 0, retried: 0, duplicated: 0 },
      failures: [],
      bytesUp: 0,
      bytesDown: 0,
    }),
  );
  assert.ok(!isHostMessage({ type: 'jobs', runId: 'r', jobs: [{ id: 'x' }], counts: {} }));
});

test("the panel's run tracker: starts, ends, retries and duplicates become timeline bars; the report settles the counts", () => {
  const tracker = new RunTracker('r', 'make', 'lambda', 1000);
  const ev = (e: RunEvent, at: number): void => tracker.onEvent(e, at);
  ev({ type: 'job-start', job: 'A', program: 'cc1', backend: 'lambda', attempt: 1, duplicate: false }, 1000);
  ev({ type: 'job-retry', job: 'A', program: 'cc1', reason: 'throttled', delayMs: 10 }, 1100);
  ev({ type: 'job-start', job: 'A', program: 'cc1', backend: 'lambda', attempt: 2, duplicate: false }, 1200);
  ev({ type: 'job-start', job: 'A', program: 'cc1', backend: 'lambda', attempt: 2, duplicate: true }, 1300);
  ev({ type: 'job-duplicate', job: 'A', program: 'cc1', elapsedMs: 100 }, 1300);
  ev({ type: 'job-end', job: 'A', program: 'cc1', backend: 'lambda', exitCode: 0, durationMs: 250, transferMs: 40 }, 1450);
  ev({ type: 'job-end', job: 'B', program: 'as', backend: 'local', exitCode: 0, durationMs: 30 }, 1500); // ran in place: no start
  ev({ type: 'job-cached', job: 'C', program: 'ld', outputs: ['src/lua', '_burst-scratch/out.s'], savedMs: 120 }, 1500);
  ev(
    {
      type: 'job-failed',
      job: 'A',
      program: 'cc1',
      message: 'exit 1',
      stderr: 'x.c:1:2: error: no\n',
      diagnostics: [{ file: 'src/x.c', line: 1, column: 2, severity: 'error', message: 'no', job: 'A' }],
    },
    1500,
  );
  ev({ type: 'progress', thunks: 3, done: 3, running: 0, cached: 1, failed: 1, bytesUp: 2048, bytesDown: 10, costUsd: 0.001 }, 1500);
  const { jobs, counts, failures, bytesUp, fromCache } = tracker.takeChanges();
  assert.deepEqual(
    fromCache,
    { files: [{ file: 'src/lua', program: 'ld', savedMs: 120 }], more: 0, savedMs: 120 },
    "files from the cache, without the engine's scratch files",
  );
  assert.deepEqual(
    jobs.map((j) => [j.job, j.state, j.start, j.end, j.transferMs]),
    [
      ['A', 'lost', 0, 100, undefined],
      ['A', 'ok', 200, 450, 40],
      ['A', 'cancelled', 300, 450, undefined],
      ['B', 'ok', 470, 500, undefined],
      ['C', 'cached', 500, 500, undefined],
    ],
  );
  assert.deepEqual([counts.retried, counts.duplicated, counts.total, counts.failed, bytesUp], [1, 1, 3, 1, 2048]);
  assert.deepEqual(
    failures.map((f) => [f.job, f.backend, f.firstError, f.diagnostics[0]?.file]),
    [['A', 'lambda', 'x.c:1:2: error: no', 'src/x.c']],
    'links to the source while the run goes on',
  );
  const second = tracker.takeChanges();
  assert.deepEqual([second.jobs, second.failures, second.fromCache?.files], [[], [], []], 'changes are handed over once');
  assert.equal(tracker.run.fromCache?.files.length, 1);
  const report = {
    thunks: 3,
    executed: 1,
    cached: 1,
    failed: 1,
    retried: 1,
    duplicated: 1,
    byBackend: {},
    fallbacks: [],
    wallMs: 500,
    criticalPathMs: 250,
    bytesUploaded: 4096,
    bytesDownloaded: 20,
    ranLocally: [{ job: 'B', program: 'as', reason: 'too big' }],
    diagnostics: [{ file: 'x.c', line: 1, column: 2, severity: 'error' as const, message: 'no', job: 'A' }],
    jobs: [
      {
        name: 'A',
        program: 'cc1',
        backend: 'lambda',
        start: 200,
        end: 450,
        exitCode: 0,
        attempt: 2,
        duplicate: false,
        outcome: 'ok' as const,
        transferMs: 40,
      },
    ],
  };
  tracker.finish(report);
  const r = tracker.run;
  assert.equal(r.finished, true);
  assert.deepEqual([r.counts.done, r.bytesUp, r.ranLocally[0]?.reason, r.failures[0]?.diagnostics[0]?.file], [3, 4096, 'too big', 'x.c']);
  assert.deepEqual(
    r.jobs.map((j) => [j.job, j.state]),
    [
      ['A', 'ok'],
      ['C', 'cached'],
    ],
    "the report's jobs, and the cached ones the events named",
  );
});

test('the panel counts a job that failed by a fault, not an exit status, and shows its cause', () => {
  const tracker = new RunTracker('r', 'make', 'lambda', 1000);
  tracker.onEvent({ type: 'job-start', job: 'A', program: 'sh', backend: 'lambda', attempt: 1, duplicate: false }, 1000);
  tracker.onEvent(
    {
      type: 'job-failed',
      job: 'A',
      program: 'sh',
      message: 'the Lambda worker refused the job: this worker serves bucket team, not other',
      stderr: '',
      diagnostics: [],
    },
    1200,
  );
  tracker.onEvent({ type: 'progress', thunks: 1, done: 0, running: 0, cached: 0, failed: 1 }, 1200);
  const { counts, failures } = tracker.takeChanges();
  assert.equal(counts.failed, 1);
  assert.deepEqual(
    failures.map((f) => [f.job, f.firstError]),
    [['A', 'the Lambda worker refused the job: this worker serves bucket team, not other']],
  );
});

test('in Restricted Mode, no workspace setting says where builds send code', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    capabilities: { untrustedWorkspaces: { supported: string; restrictedConfigurations: string[] } };
    contributes: { configuration: { properties: Record<string, unknown> } };
  };
  const where = ['region', 'profile', 'bucket', 'function', 'role', 's3Endpoint', 'lambdaEndpoint'].map((k) => `burst.aws.${k}`);
  assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
  for (const key of where) {
    assert.ok(key in pkg.contributes.configuration.properties, `${key} is a setting`);
    assert.ok(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations.includes(key), `${key} is restricted`);
  }
});
