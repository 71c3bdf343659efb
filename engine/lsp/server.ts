/**
 * The engine as a language server (dist/server.js), started by the VS Code
 * extension over node IPC: builds run here, never in the extension host.
 * Custom requests and notifications are in ./protocol; diagnostics go out as
 * standard LSP diagnostics (replaced on every run, cleared for files that
 * became clean) and progress as work-done progress.
 */
import { resolve } from 'node:path';
import {
  createConnection,
  ErrorCodes,
  ProposedFeatures,
  ResponseError,
  TextDocumentSyncKind,
  type CancellationToken,
  type Connection,
} from 'vscode-languageserver/node';
import {
  BurstError,
  Engine,
  errorMessage,
  formatAudit,
  type RunOptions,
  type RunEvent as EngineRunEvent,
  type RunReport as EngineRunReport,
  type TestResult as EngineTestResult,
} from '../api';
import { listTests, runTestsFor } from './tests';
import { reportForEditor } from './editorReport';
import { toLspDiagnostics } from './diagnostics';
import {
  AuditRequest,
  BadParams,
  BuildRequest,
  CancelNotification,
  ListTestsRequest,
  LogNotification,
  RunEventNotification,
  RunTestsRequest,
  parseAuditParams,
  parseBuildParams,
  parseListTestsParams,
  parseRunTestsParams,
  type AuditOutcome,
  type BuildOutcome,
  type BuildParams,
  type RunEvent,
  type RunReport,
  type RunTestsParams,
  type TestResult,
} from './protocol';

// What the engine sends must have the protocol's shapes: these fail to compile when the two drift apart.
const sameShape = <Wire>(_engine: Wire): void => undefined;
sameShape<RunEvent>({} as EngineRunEvent);
sameShape<RunReport>({} as EngineRunReport);
sameShape<TestResult>({} as EngineTestResult);

interface ServerOptions {
  /** The store's directory (the extension's setting, else the user's default store). */
  cacheDir?: string;
}

const BURST = resolve(__dirname, '..', 'bin', 'burst');
/** Progress reports at most this often: a large build has thousands of events. */
const PROGRESS_EVERY_MS = 200;

export function startServer(connection: Connection): void {
  let options: ServerOptions = {};
  /**
   * The store opened afresh for each run: what a store knows of its directory
   * in memory holds for one run, and between runs another process may change
   * it (Clear Local Cache runs `burst cache gc`; a terminal runs burst too).
   */
  const openEngine = (): Promise<Engine> => Engine.open(options.cacheDir ? { cacheDir: options.cacheDir } : {});
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

  connection.onRequest(BuildRequest, (raw, token) => {
    const params = checked(parseBuildParams, raw);
    return tracked(params.runId, token, async (controller) => {
      const outcome = await build(connection, await openEngine(), params, controller, canReportProgress);
      publishDiagnostics(connection, published, params.cwd, outcome);
      return outcome;
    });
  });

  connection.onRequest(ListTestsRequest, async (raw) => listTests(checked(parseListTestsParams, raw).root));

  connection.onRequest(RunTestsRequest, (raw, token) => {
    const params = checked(parseRunTestsParams, raw);
    return tracked(params.runId, token, async (controller) =>
      runTestsFor(connection, await openEngine(), params, runOptions(params, controller.signal)),
    );
  });

  connection.onRequest(AuditRequest, (raw, token) => {
    const params = checked(parseAuditParams, raw);
    return tracked(params.runId, token, async (controller): Promise<AuditOutcome> => {
      const r = await (
        await openEngine()
      ).audit(undefined, {
        ...runOptions(params, controller.signal),
        isolate: params.backend === 'local',
        ...(params.sample ? { sample: params.sample } : {}),
        all: params.all ?? false,
      });
      return {
        runId: params.runId,
        text: formatAudit(r),
        audited: r.audited.length,
        differing: new Set(r.differences.map((d) => d.job)).size,
        notChecked: r.failures.length,
        cancelled: controller.signal.aborted,
      };
    });
  });

  connection.listen();
}

/** Params as the protocol defines them, or the request fails with InvalidParams naming the field. */
function checked<P>(parse: (v: unknown) => P, raw: unknown): P {
  try {
    return parse(raw);
  } catch (e) {
    if (e instanceof BadParams) throw new ResponseError(ErrorCodes.InvalidParams, `burst: bad request: ${e.message}`);
    throw e;
  }
}

/** A run's options from a request: where jobs run and how. */
function runOptions(p: RunTestsParams, signal: AbortSignal): RunOptions {
  return {
    backend:
      p.backend === 'local'
        ? { kind: 'local' }
        : { kind: 'lambda', aws: p.aws ?? {}, configRoot: p.cwd, trust: p.workspaceTrusted ? 'trusted' : 'recorded' },
    ...(p.jobs ? { jobs: p.jobs } : {}),
    isolate: p.isolate ?? false,
    ...(p.retries !== undefined ? { retries: p.retries } : {}),
    ...(p.straggler ? { straggler: p.straggler } : {}),
    graph: true, // for the panel's plot of the run on Lambda (editorReport.ts)
    signal,
  };
}

async function build(
  connection: Connection,
  engine: Engine,
  p: BuildParams,
  controller: AbortController,
  canReportProgress: boolean,
): Promise<BuildOutcome> {
  const signal = controller.signal;
  const progress = canReportProgress ? await connection.window.createWorkDoneProgress() : undefined;
  progress?.begin('Burst', 0, p.command.join(' '), true);
  progress?.token.onCancellationRequested(() => controller.abort()); // the Cancel button on the progress notification
  let lastProgress = 0;
  const onEvent = (event: EngineRunEvent): void => {
    void connection.sendNotification(RunEventNotification, { runId: p.runId, event });
    if (progress && event.type === 'progress' && Date.now() - lastProgress > PROGRESS_EVERY_MS) {
      lastProgress = Date.now();
      progress.report(
        event.thunks ? Math.round((100 * event.done) / event.thunks) : 0,
        `${event.done}/${event.thunks} jobs, ${event.cached} cached, ${event.failed} failed`,
      );
    }
  };
  try {
    const result = await engine.build(p.command, {
      ...runOptions(p, signal),
      root: p.cwd,
      onEvent,
      onOutput: (chunk) => void connection.sendNotification(LogNotification, { runId: p.runId, line: chunk }),
      burstProgram: BURST,
    });
    return {
      runId: p.runId,
      commandStatus: result.commandStatus,
      failures: result.failures.filter((f) => f.error.code !== 'cancelled').map((f) => ({ path: f.path, message: f.error.message })),
      report: reportForEditor(result.report),
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
