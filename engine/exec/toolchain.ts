/**
 * Executables travel as objects: the program, every shared library it loads and
 * its ELF loader, placed under `_burst/` in the sandbox and started through that
 * loader. Such a job needs nothing from the machine it runs on, so it runs the
 * same in an empty root here and on a Lambda worker with another distribution.
 */
import { realpathSync, statSync } from 'node:fs';
import { basename, posix } from 'node:path';
import { isElf, sharedLibraryClosure } from './elf';
import type { LocalStore } from '../store/local';

export const TOOL_DIR = '_burst';

export interface PackedExecutable {
  /** Sandbox path → value name, for the program, its libraries and loader. */
  inputs: Record<string, string>;
  executables: string[];
  /** Sandbox path of the program itself. */
  program: string;
  /** The machine's files it was made from: host path → value name. */
  hostFiles: Array<[string, string]>;
  /** argv that starts the program from `cwd` as `argv0`; append the program's own arguments. */
  launch(cwd: string, argv0: string): string[];
}

const memo = new WeakMap<LocalStore, Map<string, Promise<PackedExecutable>>>();

/** Packs a host executable (found on PATH if it has no slash); memoized per store and path. */
export function packExecutable(store: LocalStore, exe: string): Promise<PackedExecutable> {
  const hostPath = realpathSync(resolveOnPath(exe));
  let perStore = memo.get(store);
  if (!perStore) memo.set(store, (perStore = new Map()));
  let p = perStore.get(hostPath);
  if (!p) {
    p = pack(store, hostPath);
    perStore.set(hostPath, p);
  }
  return p;
}

async function pack(store: LocalStore, hostPath: string): Promise<PackedExecutable> {
  const program = `${TOOL_DIR}/bin/${basename(hostPath)}`;
  const hostFiles: Array<[string, string]> = [];
  const add = async (path: string): Promise<string> => {
    const name = await store.putFile(path);
    hostFiles.push([path, name]);
    return name;
  };
  const inputs: Record<string, string> = { [program]: await add(hostPath) };
  if (!isElf(hostPath)) {
    return { inputs, executables: [program], program, hostFiles, launch: (cwd, _argv0) => [relativeFrom(cwd, program)] };
  }
  const closure = sharedLibraryClosure(hostPath);
  for (const [soname, libPath] of closure.libraries) {
    inputs[`${TOOL_DIR}/lib/${soname}`] = await add(libPath);
  }
  if (!closure.interpreter) {
    return { inputs, executables: [program], program, hostFiles, launch: (cwd, _argv0) => [relativeFrom(cwd, program)] };
  }
  const loader = `${TOOL_DIR}/lib/${basename(closure.interpreter)}`;
  inputs[loader] = await add(closure.interpreter);
  return {
    inputs,
    executables: [program, loader],
    program,
    hostFiles,
    launch: (cwd, argv0) => [
      relativeFrom(cwd, loader),
      '--inhibit-cache',
      '--library-path',
      relativeFrom(cwd, `${TOOL_DIR}/lib`),
      '--argv0',
      argv0,
      relativeFrom(cwd, program),
    ],
  };
}

/** A path from the job's working directory; `./` keeps a bare name from being looked up on PATH. */
export function relativeFrom(cwd: string, sandboxPath: string): string {
  const rel = posix.relative(cwd === '' ? '.' : cwd, sandboxPath);
  return rel.startsWith('../') ? rel : `./${rel}`;
}

export function resolveOnPath(exe: string, pathVar = process.env.PATH ?? ''): string {
  if (exe.includes('/')) return exe;
  for (const dir of pathVar.split(':')) {
    if (!dir) continue;
    const p = posix.join(dir, exe);
    try {
      if (statSync(p).isFile()) return p;
    } catch {
      // not in this directory
    }
  }
  throw new Error(`${exe}: not found on PATH`);
}
