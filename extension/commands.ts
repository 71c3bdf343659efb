/**
 * The palette's Burst commands: build on Lambda or locally (the default
 * build task, or the one chosen once and remembered), cancel, deploy the
 * worker, the log, restarting the engine, clearing the local cache.
 */
import { execFile } from 'node:child_process';
import * as vscode from 'vscode';
import type { BackendName } from '../engine/lsp/protocol';
import type { EngineClient } from './engineClient';
import type { Log } from './log';
import { readSettings, type Runs } from './runs';
import { runSettings } from './settingsModel';
import type { BurstTaskDefinition, BurstTaskProvider } from './taskProvider';

const CHOSEN_TASK = 'burst.buildTask';

export function registerCommands(
  context: vscode.ExtensionContext,
  deps: { engine: EngineClient; runs: Runs; tasks: BurstTaskProvider; log: Log },
): void {
  const { engine, runs, tasks, log } = deps;
  const burst = context.asAbsolutePath('bin/burst');
  const register = (id: string, fn: () => unknown): void => {
    context.subscriptions.push(vscode.commands.registerCommand(id, fn));
  };

  const build = async (backend: BackendName): Promise<void> => {
    if (!(await engine.whenReady()))
      return void vscode.window.showErrorMessage('The Burst engine is not running.', 'Restart Engine').then((c) => c && engine.restart());
    const task = await chooseBuildTask(context, tasks, backend);
    if (task) await vscode.tasks.executeTask(task);
  };
  register('burst.buildOnLambda', () => build('lambda'));
  register('burst.buildLocally', () => build('local'));
  register('burst.cancelRun', () => {
    if (!runs.cancelLatest()) void vscode.window.showInformationMessage('No Burst run is in progress.');
  });
  register('burst.showLog', () => log.show());
  register('burst.restartEngine', () => engine.restart());
  register('burst.deployWorker', () => deploy(burst, log));
  register('burst.clearCache', async () => {
    const ok = await vscode.window.showWarningMessage(
      'Remove every object and cached result from the local Burst store?',
      { modal: true },
      'Clear Cache',
    );
    if (ok) await runBurst(burst, ['cache', 'gc', '--max-size', '0'], 'Clearing the local Burst cache', log);
  });
}

/** The default build task of tasks.json; else the one chosen before; else asks, and remembers the answer. */
async function chooseBuildTask(
  context: vscode.ExtensionContext,
  provider: BurstTaskProvider,
  backend: BackendName,
): Promise<vscode.Task | undefined> {
  const offered = provider.offeredTasks(backend).filter((o) => o.task.group === vscode.TaskGroup.Build);
  if (offered.length === 0) {
    void vscode.window.showErrorMessage(
      'No build task to run: add a shell or process task with "group": "build" to .vscode/tasks.json (or a task of type "burst").',
    );
    return undefined;
  }
  const label = (o: { task: vscode.Task }): string => (o.task.definition as BurstTaskDefinition).task ?? o.task.name;
  const byDefault = offered.find((o) => o.isDefault);
  if (byDefault) return byDefault.task;
  const remembered = context.workspaceState.get<string>(CHOSEN_TASK);
  const again = offered.find((o) => label(o) === remembered);
  if (again) return again.task;
  if (offered.length === 1) return offered[0]?.task;
  const pick = await vscode.window.showQuickPick(
    offered.map((o) => ({ label: label(o), offered: o })),
    { placeHolder: 'Which build task should Burst run? (remembered for this workspace)' },
  );
  if (!pick) return undefined;
  await context.workspaceState.update(CHOSEN_TASK, pick.label);
  return pick.offered.task;
}

async function deploy(burst: string, log: Log): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
  const { settings, errors } = runSettings(readSettings(folder), 'lambda');
  if (errors.length > 0) return void vscode.window.showErrorMessage(`Burst settings: ${errors.join('; ')}`);
  const args = ['deploy'];
  const flags: Array<[string, string | number | undefined]> = [
    ['--region', settings.aws?.region],
    ['--profile', settings.aws?.profile],
    ['--bucket', settings.aws?.bucket],
    ['--prefix', settings.aws?.prefix],
    ['--function', settings.aws?.function],
    ['--s3-endpoint', settings.aws?.s3Endpoint],
    ['--lambda-endpoint', settings.aws?.lambdaEndpoint],
  ];
  for (const [flag, value] of flags) if (value !== undefined) args.push(flag, String(value));
  const role = vscode.workspace.getConfiguration('burst').get<string>('aws.role');
  if (role) args.push('--role', role);
  await runBurst(burst, args, 'Deploying the Burst Lambda worker', log, folder);
}

/** Runs the burst CLI with progress; its output goes to the log, its error to a message. */
function runBurst(burst: string, args: string[], title: string, log: Log, cwd?: string): Thenable<void> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: false },
    () =>
      new Promise<void>((resolve) => {
        log.line(`$ burst ${args.join(' ')}`);
        // Through sh, with this Node: a packaged extension keeps no file modes, and `node` may not be on PATH.
        execFile(
          '/bin/sh',
          [burst, ...args],
          { cwd: cwd ?? process.cwd(), env: { ...process.env, BURST_NODE: process.execPath }, maxBuffer: 16 << 20 },
          (err, stdout, stderr) => {
            if (stdout) log.line(stdout.trimEnd());
            if (stderr) log.line(stderr.trimEnd());
            if (err)
              void vscode.window
                .showErrorMessage(
                  `${title} failed: ${(stderr.trim().split('\n').pop() ?? err.message).replace(/^burst: /, '')}`,
                  'Show Log',
                )
                .then((c) => c && log.show());
            else void vscode.window.showInformationMessage(`${title}: done. ${summary(stdout)}`);
            resolve();
          },
        );
      }),
  );
}

/** The CLI's report in one line: `bucket b: exists; function f: updated (...)` rather than its closing word alone. */
function summary(stdout: string): string {
  const lines = stdout
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== '');
  const details = lines.filter((l) => /^(bucket|function) /.test(l));
  return details.length > 0 ? `${details.join('; ')}.` : (lines.pop() ?? '');
}
