/**
 * The engine process: a language server (dist/server.js) started over node
 * IPC. Builds run there, never in the extension host; if it dies, the user
 * is told and offered a restart, and the extension host is unaffected.
 */
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  State,
  TransportKind,
  type LanguageClientOptions,
  type RequestType,
  type ServerOptions,
} from 'vscode-languageclient/node';
import {
  AuditRequest,
  BuildRequest,
  CancelNotification,
  ListTestsRequest,
  LogNotification,
  RunEventNotification,
  RunTestsRequest,
  TestResultNotification,
  type AuditOutcome,
  type AuditParams,
  type BuildOutcome,
  type RunEvent,
  type TestResult,
  type BuildParams,
  type ListedTest,
  type RunTestsOutcome,
  type RunTestsParams,
} from '../engine/lsp/protocol';
import type { Log } from './log';

export interface RunHandlers {
  onEvent(event: RunEvent): void;
  onOutput(chunk: string): void;
  onTestResult?(result: TestResult): void;
}

export class EngineClient implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private readonly handlers = new Map<string, RunHandlers>();
  private stopping = false;
  /** The start in progress, if any: commands given meanwhile wait for it rather than finding no engine. */
  private starting: Promise<void> | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: Log,
  ) {}

  async start(): Promise<void> {
    const module = this.context.asAbsolutePath('dist/server.js');
    const serverOptions: ServerOptions = { run: { module, transport: TransportKind.ipc }, debug: { module, transport: TransportKind.ipc } };
    const cacheDir = vscode.workspace.getConfiguration('burst').get<string>('cacheDir');
    const clientOptions: LanguageClientOptions = {
      outputChannel: this.log.channel,
      initializationOptions: cacheDir ? { cacheDir } : {},
      errorHandler: {
        error: () => ({ action: ErrorAction.Continue }),
        closed: () => {
          if (!this.stopping) void this.engineStopped();
          return { action: CloseAction.DoNotRestart, handled: true };
        },
      },
    };
    const client = new LanguageClient('burst', 'Burst engine', serverOptions, clientOptions);
    client.onNotification(RunEventNotification, ({ runId, event }) => this.handlers.get(runId)?.onEvent(event));
    client.onNotification(TestResultNotification, ({ runId, result }) => this.handlers.get(runId)?.onTestResult?.(result));
    client.onNotification(LogNotification, ({ runId, line }) => (runId ? this.handlers.get(runId)?.onOutput(line) : this.log.line(line)));
    this.client = client;
    this.stopping = false;
    const starting = client.start();
    this.starting = starting;
    try {
      await starting;
    } finally {
      if (this.starting === starting) this.starting = undefined;
    }
  }

  /** Whether the engine runs, once a start (or restart) in progress has finished. */
  async whenReady(): Promise<boolean> {
    await this.starting?.catch(() => undefined);
    return this.running;
  }

  get running(): boolean {
    return this.client?.state === State.Running;
  }

  build(params: BuildParams, handlers: RunHandlers): Promise<BuildOutcome> {
    return this.runRequest(BuildRequest, params, handlers);
  }

  async listTests(root: string): Promise<{ tests: ListedTest[]; error?: string }> {
    return (await this.readyClient()).sendRequest(ListTestsRequest, { root });
  }

  runTests(params: RunTestsParams, handlers: RunHandlers): Promise<RunTestsOutcome> {
    return this.runRequest(RunTestsRequest, params, handlers);
  }

  audit(params: AuditParams, handlers: RunHandlers): Promise<AuditOutcome> {
    return this.runRequest(AuditRequest, params, handlers);
  }

  private async readyClient(): Promise<LanguageClient> {
    await this.whenReady();
    if (!this.client || !this.running) throw new Error('The Burst engine is not running. Run "Burst: Restart Engine".');
    return this.client;
  }

  /** A run's request, with its notifications routed to `handlers` until it answers. */
  private async runRequest<P extends { runId: string }, R>(type: RequestType<P, R, void>, params: P, handlers: RunHandlers): Promise<R> {
    const client = await this.readyClient();
    this.handlers.set(params.runId, handlers);
    try {
      return await client.sendRequest(type, params);
    } finally {
      this.handlers.delete(params.runId);
    }
  }

  cancel(runId: string): void {
    if (this.running) void this.client?.sendNotification(CancelNotification, { runId });
  }

  async restart(): Promise<void> {
    let restarted!: () => void;
    this.starting = new Promise<void>((resolve) => (restarted = resolve));
    try {
      await this.stop();
      await this.start();
    } finally {
      restarted();
    }
    this.log.line('engine restarted');
  }

  private async stop(): Promise<void> {
    this.stopping = true;
    await this.client?.stop().catch(() => undefined);
    this.client = undefined;
  }

  private async engineStopped(): Promise<void> {
    this.log.line('the engine process stopped');
    const choice = await vscode.window.showErrorMessage(
      'The Burst engine stopped. Builds cannot run until it is restarted.',
      'Restart Engine',
      'Show Log',
    );
    if (choice === 'Restart Engine') await this.restart();
    if (choice === 'Show Log') this.log.show();
  }

  dispose(): void {
    void this.stop();
  }
}
