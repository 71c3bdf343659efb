/**
 * "Burst: Audit Cache": runs cached jobs of the last run again with no
 * cache, isolated, and compares their outputs with the cached ones. What it
 * finds goes to the Burst log; a notification says whether anything differs.
 */
import * as vscode from 'vscode';
import type { EngineClient } from './engineClient';
import type { Log } from './log';
import { readSettings } from './runs';
import { runSettings } from './settingsModel';

const SAMPLE = 20;
let nextAudit = 1;

export function registerAudit(context: vscode.ExtensionContext, engine: EngineClient, log: Log): void {
  context.subscriptions.push(vscode.commands.registerCommand('burst.auditCache', () => auditCache(engine, log)));
}

async function auditCache(engine: EngineClient, log: Log): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!folder) return void vscode.window.showErrorMessage('Burst: open a folder to audit the cache of its builds.');
  const { settings, errors } = runSettings(readSettings(folder), 'local');
  if (errors.length > 0) return void vscode.window.showErrorMessage(`Burst settings: ${errors.join('; ')}`);
  const runId = `audit-${Date.now()}-${nextAudit++}`;
  try {
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Burst: running up to ${SAMPLE} cached jobs again`, cancellable: true },
      (_progress, token) => {
        token.onCancellationRequested(() => engine.cancel(runId));
        return engine.audit({ runId, cwd: folder, ...settings, sample: SAMPLE }, { onEvent: () => undefined, onOutput: () => undefined });
      },
    );
    log.line(outcome.text.trimEnd());
    if (outcome.cancelled) return;
    if (outcome.differing === 0 && outcome.notChecked === 0) {
      void vscode.window.showInformationMessage(`Burst: ${outcome.audited} cached jobs run again made the same outputs.`);
      return;
    }
    const what =
      outcome.differing > 0
        ? `${outcome.differing} of ${outcome.audited} cached jobs made different outputs when run again (not deterministic, or a wrong cached result)`
        : `${outcome.notChecked} cached jobs could not run again`;
    const choice = await vscode.window.showWarningMessage(`Burst: ${what}.`, 'Show Log');
    if (choice) log.show();
  } catch (e) {
    void vscode.window.showErrorMessage(`Burst: the audit failed: ${(e as Error).message}`);
  }
}
