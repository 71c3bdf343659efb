/**
 * Runs in progress: each build gets an id, its events feed the status bar,
 * and "Burst: Cancel Run" stops the latest one. Diagnostics need nothing here:
 * the language client puts the engine's into the Problems panel.
 */
import * as vscode from 'vscode';
import type { BackendName, BuildOutcome, RunEvent } from '../engine/lsp/protocol';
import type { EngineClient } from './engineClient';
import type { Log } from './log';
import type { BurstPanel } from './panel';
import type { StatusBar } from './statusBar';
import { runSettings, type RawSettings } from './settingsModel';
import { withSigningKey } from './signingKey';

export interface RunRequest {
  label: string;
  command: string[];
  cwd: string;
  backend?: BackendName;
}

let nextRun = 1;

export class Runs {
  private readonly active = new Map<string, RunRequest>();

  constructor(
    private readonly engine: EngineClient,
    private readonly status: StatusBar,
    private readonly log: Log,
    private readonly panel: BurstPanel,
  ) {}

  /** Runs a build through the engine; output goes to `onOutput` as it comes. Rejects with a message a user can act on. */
  async run(request: RunRequest, onOutput: (chunk: string) => void, onStart?: (runId: string) => void): Promise<BuildOutcome> {
    const { settings: plain, errors } = runSettings(readSettings(request.cwd), request.backend);
    if (errors.length > 0) throw new Error(`Burst settings: ${errors.join('; ')}`);
    const settings = await withSigningKey(plain);
    const runId = `run-${Date.now()}-${nextRun++}`;
    this.active.set(runId, request);
    onStart?.(runId);
    this.status.started(settings.backend);
    this.panel.runStarted(runId, request.label, settings.backend);
    this.log.line(`[${runId}] ${request.label}: ${request.command.join(' ')} (in ${request.cwd}, ${settings.backend} backend)`);
    try {
      const outcome = await this.engine.build(
        { runId, command: request.command, cwd: request.cwd, ...settings },
        {
          onEvent: (e: RunEvent) => {
            this.status.event(e);
            this.panel.runEvent(runId, e);
          },
          onOutput,
        },
      );
      this.status.finished(outcome);
      this.panel.runFinished(runId, outcome.report);
      return outcome;
    } catch (e) {
      this.status.failed();
      throw e;
    } finally {
      this.active.delete(runId);
    }
  }

  cancelLatest(): boolean {
    const last = [...this.active.keys()].at(-1);
    if (last) this.engine.cancel(last);
    return last !== undefined;
  }

  cancel(runId: string): void {
    this.engine.cancel(runId);
  }
}

/** The burst.* settings for a folder, as plain data. */
export function readSettings(folder: string): RawSettings {
  const c = vscode.workspace.getConfiguration('burst', vscode.Uri.file(folder));
  return {
    workspaceTrusted: vscode.workspace.isTrusted,
    backend: c.get('backend'),
    jobs: c.get('jobs'),
    concurrency: c.get('concurrency'),
    isolate: c.get('isolate'),
    retries: c.get('retries'),
    straggler: { enabled: c.get('straggler.enabled'), factor: c.get('straggler.factor'), minMs: c.get('straggler.minMs') },
    aws: {
      region: c.get('aws.region'),
      profile: c.get('aws.profile'),
      bucket: c.get('aws.bucket'),
      prefix: c.get('aws.prefix'),
      function: c.get('aws.function'),
      s3Endpoint: c.get('aws.s3Endpoint'),
      lambdaEndpoint: c.get('aws.lambdaEndpoint'),
      readOnly: c.get('cache.readOnly'),
      trustedKeys: c.get('cache.trustedKeys'),
    },
  };
}
