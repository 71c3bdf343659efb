/**
 * Which command a tasks.json task runs, so the engine can run the same
 * command with stand-ins: shell tasks through `sh -c`, process tasks as
 * given, `burst` tasks by their `command`. Plain data in, plain data out:
 * no VS Code API here, so it is unit-tested in Node.
 */

export type TaskValue = string | { value: string; quoting?: string };

export interface TaskLike {
  type: string;
  label?: string;
  command?: TaskValue | TaskValue[];
  args?: TaskValue[];
  options?: { cwd?: string };
}

export type MappedTask = { ok: true; command: string[]; cwd: string } | { ok: false; error: string };

const valueOf = (v: TaskValue): string => (typeof v === 'string' ? v : v.value);

/** POSIX shell quoting for an argument of a shell task. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** ${workspaceFolder} and friends: the variables a build task's command and cwd commonly use. */
export function substitute(text: string, folder: string, env: NodeJS.ProcessEnv = process.env): string | { error: string } {
  let unknown: string | undefined;
  const out = text.replace(/\$\{([^}]+)\}/g, (whole, name: string) => {
    if (name === 'workspaceFolder' || name === 'workspaceRoot') return folder;
    if (name === 'workspaceFolderBasename') return folder.split('/').pop() ?? '';
    if (name === 'pathSeparator') return '/';
    if (name.startsWith('env:')) return env[name.slice(4)] ?? '';
    unknown ??= whole;
    return whole;
  });
  return unknown ? { error: `${unknown} is not supported in a task Burst runs (use \${workspaceFolder} or \${env:NAME})` } : out;
}

export function mapTask(task: TaskLike, folder: string): MappedTask {
  const cwdText = task.options?.cwd ?? folder;
  const cwd = substitute(cwdText, folder);
  if (typeof cwd !== 'string') return { ok: false, error: cwd.error };
  if (task.command === undefined) return { ok: false, error: `task ${task.label ?? ''} has no command` };
  const parts = (Array.isArray(task.command) ? task.command : [task.command]).map(valueOf);
  const args = (task.args ?? []).map(valueOf);
  const words: string[] = [];
  for (const w of [...parts, ...args]) {
    const s = substitute(w, folder);
    if (typeof s !== 'string') return { ok: false, error: s.error };
    words.push(s);
  }
  if (task.type === 'process') return { ok: true, command: words, cwd };
  if (task.type === 'shell' || task.type === 'burst') {
    // A shell task's command is a shell command line; its args are quoted words after it.
    const line = [words.slice(0, parts.length).join(' '), ...words.slice(parts.length).map(shellQuote)].join(' ');
    return { ok: true, command: ['sh', '-c', line], cwd };
  }
  return { ok: false, error: `tasks of type ${task.type} cannot run through Burst (only shell, process and burst tasks)` };
}
