/**
 * The engine as a language server (dist/server.js), started by the VS Code
 * extension over node IPC: builds run here, never in the extension host.
 * Custom requests and notifications are in ./protocol; diagnostics go out as
 * standard LSP diagnostics (replaced on every run, cleared for files that
 * became clean) and progress as work-done progress.
 */
import { resolve } from 'node:path';
import { createConnection, ErrorCodes, ProposedFeatures, ResponseError, TextDocumentSyncKind, type CancellationToken, type Connection } from 'vscode-languageserver/node';
import { backendFor } from './runBackend';
import { listTests, runTestsFor } from './tests';
import { runBuild } from '../infer/build';
import { BurstError, errorMessage } from '../model/errors';
import { initHash } from '../model/hash';
import type { RunEvent } from '../schedule/scheduler';
import { defaultCacheDir, LocalStore } from '../store/local';
import { toLspDiagnostics } from './diagnostics';
import { BuildRequest, CancelNotification, ListTestsRequest, LogNotification, RunEventNotification, RunTestsRequest, type BuildOutcome, type BuildParams } from './protocol';

interface ServerOptions {
  /** The store's directory (the extension's setting, else the user's default store). */
  cacheDir?: string;
}

const BURST = resolve(__dirname, '..', 'bin', 'burst');
/** Progress reports at most this often: a large build has thousands of events. */
const PROGRESS_EVERY_MS = 200;

export function startServer(connection: Connection): void {
  let options: ServerOptions = {};
  let canReportProgress = false;
  const runs = new Map<string, AbortController>();
  /** Per workspace root: the documents that have diagnostics from its last run. */
  const published = new Map<string, Set<string>>();

  connection.onInitialize((params) => {
    options = (params.initializationOptions ?? {}) as ServerOptions;
    canReportProgress = params.capabilities.window?.workDoneProgress === true;
    return { capabilities: { textDocumentSync: TextDocumentSyncKind.None }, serverInfo: { name: 'burst-engine' } };
  });

  connection.onNotification(CancelNotification, ({ runId }) => runs.get(runId)?.abort());

  /** A run: cancellable by its id or by the request's token; errors keep their code for the client. */
  const tracked = async <R>(runId: string, token: CancellationToken, fn: (controller: AbortController) => Promise<R>): Promise<R> => {
    if (runs.has(runId)) throw new ResponseError(ErrorCodes.InvalidParams, `run ${runId} is already running`);
    const controller = new AbortController();
    token.onCancellationRequested(() => controller.abort());
    runs.set(runId, controller);
    try {
      return await fn(controller);
    } catch (e) {
      const code = e instanceof BurstError ? e.code : 'internal';
      throw new ResponseError(ErrorCodes.InternalError, errorMessage(e), { code });
    } finally {
      runs.delete(runId);
    }
  };

  connection.onRequest(BuildRequest, (params, token) =>
    tracked(params.runId, token, async (controller) => {
      const outcome = await build(connection, params, options, controller, canReportProgress);
      publishDiagnostics(connection, published, params.cwd, outcome);
      return outcome;
    }),
  );

  connection.onRequest(ListTestsRequest, async ({ root }) => listTests(root));

  connection.onRequest(RunTestsRequest, (params, token) =>
    tracked(params.runId, token, async (controller) => {
      return runTestsFor(connection, await openRunStore(options), params, controller.signal);
    }),
  );

  connection.listen();
}

/** A store per run: a run on Lambda points its store at the bucket, which another run must not inherit. */
async function openRunStore(options: ServerOptions): Promise<LocalStore> {
  await initHash();
  return LocalStore.open(options.cacheDir ?? defaultCacheDir());
}

async function build(connection: Connection, p: BuildParams, options: ServerOptions, controller: AbortController, canReportProgress: boolean): Promise<BuildOutcome> {
  const signal = controller.signal;
  const store = await openRunStore(options);
  const progress = canReportProgress ? await connection.window.createWorkDoneProgress() : undefined;
  progress?.begin('Burst', 0, p.command.join(' '), true);
  progress?.token.onCancellationRequested(() => controller.abort()); // the Cancel button on the progress notification
  let lastProgress = 0;
  const onEvent = (event: RunEvent): void => {
    void connection.sendNotification(RunEventNotification, { runId: p.runId, event });
    if (progress && event.type === 'progress' && Date.now() - lastProgress > PROGRESS_EVERY_MS) {
      lastProgress = Date.now();
      progress.report(event.thunks ? Math.round((100 * event.done) / event.thunks) : 0, `${event.done}/${event.thunks} jobs, ${event.cached} cached, ${event.failed} failed`);
    }
  };
  try {
    const result = await runBuild(store, {
      command: p.command,
      root: p.cwd,
      backend: await backendFor(store, p),
      useCache: true,
      inferOnly: false,
      isolate: p.isolate ?? false,
      ...(p.retries !== undefined ? { retries: p.retries } : {}),
      ...(p.straggler ? { straggler: p.straggler } : {}),
      signal,
      onEvent,
      onOutput: (chunk) => void connection.sendNotification(LogNotification, { runId: p.runId, line: chunk }),
      burstProgram: BURST,
    });
    return {
      runId: p.runId,
      commandStatus: result.commandStatus,
      failures: result.failures.filter((f) => f.error.code !== 'cancelled').map((f) => ({ path: f.path, message: f.error.message })),
      report: result.report,
      cancelled: signal.aborted,
    };
  } finally {
    progress?.done();
  }
}

function publishDiagnostics(connection: Connection, published: Map<string, Set<string>>, root: string, outcome: BuildOutcome): void {
  const now = toLspDiagnostics(outcome.report.diagnostics, root);
  const before = published.get(root) ?? new Set<string>();
  for (const [uri, diagnostics] of now) void connection.sendDiagnostics({ uri, diagnostics });
  for (const uri of before) if (!now.has(uri)) void connection.sendDiagnostics({ uri, diagnostics: [] });
  published.set(root, new Set(now.keys()));
}

if (require.main === module) startServer(createConnection(ProposedFeatures.all));
