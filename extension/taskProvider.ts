/**
 * Burst tasks: every build and test task of tasks.json (shell and process
 * tasks) offered again as a Burst task that runs the same command through
 * the engine, and tasks.json's own `{"type": "burst", "command": ...}` tasks.
 */
import * as vscode from 'vscode';
import type { BackendName } from '../engine/lsp/protocol';
import { BuildTerminal } from './buildTerminal';
import type { Runs } from './runs';
import { mapTask, type TaskLike } from './taskMapping';

export const TASK_TYPE = 'burst';

export interface BurstTaskDefinition extends vscode.TaskDefinition {
  /** A command of its own (a burst task in tasks.json)... */
  command?: string | string[];
  args?: string[];
  cwd?: string;
  /** ...or the label of the tasks.json task whose command it runs. */
  task?: string;
  backend?: BackendName;
}

export interface OfferedTask {
  task: vscode.Task;
  /** The tasks.json task it mirrors is the default build task. */
  isDefault: boolean;
}

function groupOf(t: { group?: string | { kind?: string; isDefault?: boolean } }): {
  group: vscode.TaskGroup | undefined;
  isDefault: boolean;
} {
  const kind = typeof t.group === 'string' ? t.group : t.group?.kind;
  const isDefault = typeof t.group === 'object' && t.group.isDefault === true;
  return { group: kind === 'build' ? vscode.TaskGroup.Build : kind === 'test' ? vscode.TaskGroup.Test : undefined, isDefault };
}

export class BurstTaskProvider implements vscode.TaskProvider {
  constructor(private readonly runs: Runs) {}

  provideTasks(): vscode.Task[] {
    return this.offeredTasks().map((o) => o.task);
  }

  /** The build and test tasks of every folder's tasks.json, as Burst tasks; a backend given overrides the setting. */
  offeredTasks(backend?: BackendName): OfferedTask[] {
    const offered: OfferedTask[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const tasks =
        vscode.workspace
          .getConfiguration('tasks', folder.uri)
          .get<Array<TaskLike & { label?: string; group?: string | { kind?: string; isDefault?: boolean } }>>('tasks') ?? [];
      for (const t of tasks) {
        const { group, isDefault } = groupOf(t);
        if (!group || !t.label || t.type === TASK_TYPE) continue;
        const mapped = mapTask(t, folder.uri.fsPath);
        if (!mapped.ok) continue;
        const definition: BurstTaskDefinition = { type: TASK_TYPE, task: t.label, ...(backend ? { backend } : {}) };
        const task = this.taskFor(definition, folder, t.label, mapped.command, mapped.cwd);
        task.group = group;
        offered.push({ task, isDefault });
      }
    }
    return offered;
  }

  resolveTask(task: vscode.Task): vscode.Task | undefined {
    const d = task.definition as BurstTaskDefinition;
    const folder = typeof task.scope === 'object' ? task.scope : vscode.workspace.workspaceFolders?.[0];
    if (!folder) return undefined;
    if (d.task) return this.offeredTasks(d.backend).find((o) => (o.task.definition as BurstTaskDefinition).task === d.task)?.task;
    if (d.command === undefined) return undefined;
    const mapped = mapTask(
      { type: 'burst', command: d.command, args: d.args ?? [], options: d.cwd ? { cwd: d.cwd } : {} },
      folder.uri.fsPath,
    );
    if (!mapped.ok) return undefined;
    return this.taskFor(d, folder, task.name, mapped.command, mapped.cwd);
  }

  private taskFor(
    definition: BurstTaskDefinition,
    folder: vscode.WorkspaceFolder,
    label: string,
    command: string[],
    cwd: string,
  ): vscode.Task {
    const execution = new vscode.CustomExecution(
      async () => new BuildTerminal(this.runs, { label, command, cwd, ...(definition.backend ? { backend: definition.backend } : {}) }),
    );
    // No problem matcher: the engine's diagnostics reach the Problems panel already, mapped back from the sandbox.
    const task = new vscode.Task(definition, folder, label, 'burst', execution, []);
    task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, clear: true };
    return task;
  }
}
