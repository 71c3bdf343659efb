/**
 * The engine as a language server, driven the way the extension drives it:
 * a real LSP conversation over node IPC with dist/server.js (no VS Code
 * needed). A build of examples/geom with a compile error publishes the error
 * at its file and line; the fixed build clears it; a run can be cancelled.
 */
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import {
  createProtocolConnection,
  IPCMessageReader,
  IPCMessageWriter,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import {
  AuditRequest,
  BuildRequest,
  CancelNotification,
  ListTestsRequest,
  LogNotification,
  RunEventNotification,
  RunTestsRequest,
  TestResultNotification,
} from '../engine/lsp/protocol';
import { copyTree, ROOT, tempDir } from './helpers';

const work = tempDir('burst-lsp-');

describe('the engine language server', () => {
  let server: ChildProcess;
  let connection: ProtocolConnection;
  const diagnostics: PublishDiagnosticsParams[] = [];
  const events: string[] = [];
  const log: string[] = [];
  let tree: string;

  before(async () => {
    tree = copyTree(join(ROOT, 'examples', 'geom'), join(work.path, 'geom'));
    server = fork(join(ROOT, 'dist', 'server.js'), ['--node-ipc'], {
      env: { ...process.env, BURST_CACHE_DIR: join(work.path, 'store') },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    connection = createProtocolConnection(new IPCMessageReader(server), new IPCMessageWriter(server));
    connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => diagnostics.push(p));
    connection.onNotification(RunEventNotification, ({ event }) => events.push(event.type));
    connection.onNotification(LogNotification, ({ line }) => log.push(line));
    connection.listen();
    const init = await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(tree).href,
      capabilities: {},
      initializationOptions: { cacheDir: join(work.path, 'store') },
    });
    assert.equal((init as { serverInfo: { name: string } }).serverInfo.name, 'burst-engine');
    await connection.sendNotification('initialized', {});
  });

  after(async () => {
    await connection.sendRequest('shutdown').catch(() => undefined);
    await connection.sendNotification('exit').catch(() => undefined);
    connection.dispose();
    server.kill();
    work[Symbol.dispose]();
  });

  test("a request whose params are not the protocol's is refused, naming the field, and nothing runs", async () => {
    const bad = (params: unknown) =>
      connection.sendRequest(BuildRequest, params as never).then(
        () => 'answered',
        (e: { code?: number; message?: string }) => `${e.code}: ${e.message}`,
      );
    const before = events.length;
    assert.match(
      await bad({ runId: 'bad1', command: ['make'], cwd: tree, backend: 'cloud' }),
      /^-32602: .*backend must be one of local, lambda/,
    );
    assert.match(
      await bad({ runId: 'bad2', command: 'make', cwd: tree, backend: 'local' }),
      /^-32602: .*command must be a non-empty list of words/,
    );
    assert.match(
      await bad({ runId: 'bad3', command: ['make'], cwd: tree, backend: 'local', jobs: -1 }),
      /^-32602: .*jobs must be a number/,
    );
    assert.match(
      await connection.sendRequest(RunTestsRequest, { runId: 'bad4', cwd: tree, backend: 'local', ids: 'all' } as never).then(
        () => 'answered',
        (e: { code?: number; message?: string }) => `${e.code}: ${e.message}`,
      ),
      /^-32602: .*ids must be a list of test ids/,
    );
    assert.equal(events.length, before, 'no run started');
  });

  test('a compile error is published at its file and line; the fixed build clears it', async () => {
    const file = join(tree, 'lib', 'bbox.c');
    const original = readFileSync(file, 'utf8');
    const lines = original.split('\n');
    lines.unshift('int broken_here = ;');
    writeFileSync(file, lines.join('\n'));
    const failed = await connection.sendRequest(BuildRequest, { runId: 'r1', command: ['make', '-j2'], cwd: tree, backend: 'local' });
    assert.notEqual(failed.commandStatus === 0 && failed.failures.length === 0, true, 'the build fails');
    const uri = pathToFileURL(file).href;
    const published = diagnostics.filter((d) => d.uri === uri).at(-1);
    assert.ok(published, `diagnostics for ${uri}: ${JSON.stringify(diagnostics.map((d) => d.uri))}`);
    const error = published.diagnostics.find((d) => d.severity === 1);
    assert.ok(error, JSON.stringify(published.diagnostics));
    assert.equal(error.range.start.line, 0, 'line 1, 0-based');
    assert.match(error.message, /expected expression before ';' token/);
    assert.ok(events.includes('job-start') && events.includes('job-end'), `events: ${[...new Set(events)].join(',')}`);
    assert.ok(log.join('').includes('lib/bbox.c'), "the build command's output is streamed");

    writeFileSync(file, original);
    const fixed = await connection.sendRequest(BuildRequest, { runId: 'r2', command: ['make', '-j2'], cwd: tree, backend: 'local' });
    assert.equal(fixed.commandStatus, 0);
    assert.deepEqual(fixed.failures, []);
    assert.deepEqual(diagnostics.filter((d) => d.uri === uri).at(-1)?.diagnostics, [], 'cleared once the file compiles');
    assert.equal((await import('node:fs')).existsSync(join(tree, 'geomdemo')), true);

    // "Burst: Audit Cache": the last run's cached jobs run again, isolated, and make the same bytes.
    const audit = await connection.sendRequest(AuditRequest, { runId: 'audit', cwd: tree, backend: 'local', all: true });
    assert.equal(audit.differing, 0, audit.text);
    assert.ok(audit.audited >= 3, audit.text);
    assert.match(audit.text, /audited \d+ of \d+ cached jobs of the last run \(build make -j2, .*\): every output is the same/);
  });

  test('a run is cancelled by its id, and answers at once', async () => {
    const started = Date.now();
    const pending = connection.sendRequest(BuildRequest, { runId: 'slow', command: ['sh', '-c', 'sleep 30'], cwd: tree, backend: 'local' });
    await new Promise((r) => setTimeout(r, 500));
    await connection.sendNotification(CancelNotification, { runId: 'slow' });
    const outcome = await pending;
    assert.equal(outcome.cancelled, true);
    assert.ok(Date.now() - started < 10_000, 'the sleeping command was stopped');
  });

  test('bad settings come back as an error with the message, and the server keeps serving', async () => {
    await assert.rejects(
      connection.sendRequest(BuildRequest, { runId: 'bad', command: ['true'], cwd: tree, backend: 'lambda', aws: { region: 'us-east-1' } }),
      /no S3 bucket is configured for the Lambda backend/,
    );
    const ok = await connection.sendRequest(BuildRequest, { runId: 'after', command: ['true'], cwd: tree, backend: 'local' });
    assert.equal(ok.commandStatus, 0);
  });

  test('tests are listed at their lines and run in the engine, each result sent as its job finishes', async () => {
    const suite = join(work.path, 'node-tests');
    mkdirSync(join(suite, 'test'), { recursive: true });
    writeFileSync(join(suite, 'test', 'ok.sh'), 'exit 0\n');
    writeFileSync(join(suite, 'test', 'bad.sh'), 'echo "test/bad.sh:1: no good"\nexit 1\n');
    writeFileSync(
      join(suite, '.burst.json'),
      JSON.stringify({ tests: [{ adapter: 'generic', files: 'test/*.sh', command: 'sh {file}' }] }),
    );
    const listed = await connection.sendRequest(ListTestsRequest, { root: suite });
    assert.deepEqual(
      listed.tests.map((t) => [t.id, t.file, t.line]),
      [
        ['generic:test/bad.sh', 'test/bad.sh', 1],
        ['generic:test/ok.sh', 'test/ok.sh', 1],
      ],
    );
    assert.deepEqual(listed.tests[0]?.launch, { program: 'sh', args: [join(suite, 'test', 'bad.sh')], cwd: suite });
    const streamed: string[] = [];
    connection.onNotification(
      TestResultNotification,
      ({ runId, result }) => runId === 'tests' && streamed.push(`${result.name}:${result.status}`),
    );
    const outcome = await connection.sendRequest(RunTestsRequest, {
      runId: 'tests',
      cwd: suite,
      backend: 'local',
      ids: ['generic:test/bad.sh', 'generic:test/ok.sh'],
    });
    assert.deepEqual(
      outcome.results.map((r) => [r.name, r.status, r.failureLine]),
      [
        ['test/bad.sh', 'failed', 1],
        ['test/ok.sh', 'passed', undefined],
      ],
    );
    assert.deepEqual(streamed.sort(), ['test/bad.sh:failed', 'test/ok.sh:passed']);
    const broken = join(work.path, 'broken-tests');
    mkdirSync(broken, { recursive: true });
    writeFileSync(join(broken, '.burst.json'), '{ "tests": [ { "adapter": "gtest", "binaries": ["missing_test"] } ] }');
    const none = await connection.sendRequest(ListTestsRequest, { root: broken });
    assert.match(none.error ?? '', /the test binary missing_test does not exist/);
  });
});
