/**
 * Burst for VS Code: starts the engine (a language server) and wires the
 * commands, the Burst tasks and the status bar to it. Activation does nothing
 * slow: the engine starts in the background.
 */
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { registerAudit } from './audit';
import { explainRestrictedMode } from './restrictedMode';
import { registerSigningKey } from './signingKey';
import { EngineClient } from './engineClient';
import { Log } from './log';
import { Runs } from './runs';
import { RESTART_SETTINGS } from './settingsModel';
import { StatusBar } from './statusBar';
import { BurstTaskProvider, TASK_TYPE } from './taskProvider';
import { BurstTests } from './testing';
import { BurstPanel } from './panel';

export function activate(context: vscode.ExtensionContext): void {
  const log = new Log();
  const engine = new EngineClient(context, log);
  const status = new StatusBar();
  const panel = new BurstPanel(context);
  const runs = new Runs(engine, status, log, panel);
  const tasks = new BurstTaskProvider(runs);
  context.subscriptions.push(log, engine, status, panel, vscode.tasks.registerTaskProvider(TASK_TYPE, tasks));
  registerCommands(context, { engine, runs, tasks, log });
  registerSigningKey(context);
  registerAudit(context, engine, log);
  void explainRestrictedMode(context);
  context.subscriptions.push(vscode.commands.registerCommand('burst.showPanel', () => panel.show()));
  context.subscriptions.push(new BurstTests(engine, log));
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration('burst.backend')) status.idle(vscode.workspace.getConfiguration('burst').get('backend') ?? 'local');
      if (!RESTART_SETTINGS.some((s) => e.affectsConfiguration(s))) return;
      const choice = await vscode.window.showInformationMessage(
        'This Burst setting takes effect when the engine restarts.',
        'Restart Engine',
      );
      if (choice) await engine.restart();
    }),
  );
  engine.start().catch((e: unknown) => {
    log.line(`the engine did not start: ${(e as Error).message}`);
    void vscode.window.showErrorMessage(`The Burst engine did not start: ${(e as Error).message}`, 'Show Log').then((c) => c && log.show());
  });
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
