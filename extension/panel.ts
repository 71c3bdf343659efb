/**
 * The Burst panel (a webview): opened by "Burst: Show Panel", by the status
 * bar item, and by itself when a run starts (`burst.panel.openOnRun`). Runs
 * feed it through `RunTracker`; the page gets a whole run when it loads and
 * batches of changed jobs as they come. The last run is kept in the
 * workspace's state, so it is there after the panel, or VS Code, reopens.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { isPanelCommand, type HostMessage, type PanelRun } from '../webview-ui/protocol';
import { RunTracker } from './panelModel';
import type { RunEvent, RunReport } from '../engine/lsp/protocol';

const LAST_RUN = 'burst.lastRun';
/** Job changes go to the page at most this often. */
const BATCH_MS = 100;

export class BurstPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private tracker: RunTracker | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly context: vscode.ExtensionContext) {}

  private get lastRun(): PanelRun | undefined {
    return this.tracker?.run ?? this.context.workspaceState.get<PanelRun>(LAST_RUN);
  }

  show(preserveFocus = false): void {
    if (this.panel) {
      this.panel.reveal(undefined, preserveFocus);
      return;
    }
    const root = vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview');
    const panel = vscode.window.createWebviewPanel(
      'burst.panel',
      'Burst',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus },
      { enableScripts: true, localResourceRoots: [root] },
    );
    panel.webview.html = pageHtml(panel.webview, root);
    panel.webview.onDidReceiveMessage((m: unknown) => this.onCommand(m));
    panel.onDidDispose(() => (this.panel = undefined));
    this.panel = panel;
  }

  runStarted(runId: string, label: string, backend: string): void {
    this.tracker = new RunTracker(runId, label, backend, Date.now());
    if (vscode.workspace.getConfiguration('burst').get<boolean>('panel.openOnRun', true)) this.show(true);
    this.post({ type: 'run', run: this.tracker.run });
  }

  runEvent(runId: string, e: RunEvent): void {
    if (this.tracker?.run.runId !== runId) return;
    this.tracker.onEvent(e, Date.now());
    this.timer ??= setTimeout(() => this.flush(), BATCH_MS);
  }

  runFinished(runId: string, report: RunReport): void {
    if (this.tracker?.run.runId !== runId) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.tracker.finish(report);
    this.post({ type: 'run', run: this.tracker.run });
    void this.context.workspaceState.update(LAST_RUN, this.tracker.run);
  }

  private flush(): void {
    this.timer = undefined;
    if (!this.tracker) return;
    this.post({ type: 'jobs', runId: this.tracker.run.runId, ...this.tracker.takeChanges() });
  }

  private post(message: HostMessage): void {
    void this.panel?.webview.postMessage(message);
  }

  private onCommand(m: unknown): void {
    if (!isPanelCommand(m)) return; // a page sends only these; anything else is dropped
    if (m.type === 'ready') {
      this.tracker?.takeChanges(); // the whole run posted below already holds them; sent again, failures and cached files would be listed twice
      const run = this.lastRun;
      this.post(run ? { type: 'run', run } : { type: 'none' });
      return;
    }
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) return;
    const uri = vscode.Uri.joinPath(folder.uri, m.file);
    if (!uri.path.startsWith(folder.uri.path)) return; // only files of the workspace
    const at = new vscode.Position(m.line - 1, Math.max(0, m.column - 1));
    void vscode.window.showTextDocument(uri, { selection: new vscode.Range(at, at), viewColumn: vscode.ViewColumn.One });
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.panel?.dispose();
  }
}

function pageHtml(webview: vscode.Webview, root: vscode.Uri): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(root, 'panel.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(root, 'panel-style.css'));
  const csp = `default-src 'none'; img-src ${webview.cspSource}; style-src ${webview.cspSource}; script-src 'nonce-${nonce}';`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${style}">
<title>Burst</title>
</head>
<body>
<main id="root"></main>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}
