/** The status bar item: the backend, and the live state of a run (jobs done of total, cached, failed). Clicking it opens the Burst panel. */
import * as vscode from 'vscode';
import type { BackendName, BuildOutcome, RunEvent } from '../engine/lsp/protocol';

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('burst.status', vscode.StatusBarAlignment.Left, 10);
  private backend: BackendName = 'local';

  constructor() {
    this.item.name = 'Burst';
    this.item.command = 'burst.showPanel';
    this.idle(vscode.workspace.getConfiguration('burst').get<BackendName>('backend') ?? 'local');
    this.item.show();
  }

  idle(backend: BackendName): void {
    this.backend = backend;
    this.item.text = `${icon(backend)} Burst: ${backend}`;
    this.item.tooltip = `Burst runs builds on the ${backend} backend. Click for the Burst panel.`;
  }

  started(backend: BackendName): void {
    this.backend = backend;
    this.item.text = `$(sync~spin) Burst: starting on ${backend}`;
  }

  event(e: RunEvent): void {
    if (e.type !== 'progress') return;
    this.item.text = `$(sync~spin) Burst ${this.backend}: ${e.done}/${e.thunks} jobs, ${e.cached} cached${e.failed ? `, ${e.failed} failed` : ''}`;
  }

  finished(o: BuildOutcome): void {
    const r = o.report;
    const failed = o.commandStatus !== 0 || o.failures.length > 0;
    const what = `${r.executed} ran, ${r.cached} cached${r.failed ? `, ${r.failed} failed` : ''}`;
    this.item.text = `${o.cancelled ? '$(circle-slash)' : failed ? '$(error)' : '$(check)'} Burst ${this.backend}: ${o.cancelled ? 'cancelled' : what}`;
    this.item.tooltip = `Last run: ${what}; ${(r.wallMs / 1000).toFixed(1)} s${r.cost ? `, about $${r.cost.usd.toFixed(4)} on AWS` : ''}. Click for the Burst panel.`;
  }

  failed(): void {
    this.item.text = `$(error) Burst ${this.backend}: the run could not start`;
  }

  dispose(): void {
    this.item.dispose();
  }
}

function icon(backend: BackendName): string {
  return backend === 'lambda' ? '$(cloud)' : '$(server)';
}
