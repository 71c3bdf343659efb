/**
 * The link, run as ld itself (collect2 only starts ld on ELF systems). Every
 * file ld will read becomes an input: objects and archives on the command
 * line, -l libraries found as ld finds them, linker scripts and what they
 * name, shared libraries' own dependencies. Files from outside the tree sit
 * under `_burst/sys` at their absolute path, and `--sysroot` points ld there,
 * so absolute names inside linker scripts (Debian's libc.so) resolve too.
 */
import { realpathSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { relativeFrom } from '../../exec/toolchain';
import type { ToolCall } from '../protocol';
import { SYS_DIR } from '../pathMap';
import type { ModelContext } from '../session';
import { JOB_ENV, JOB_TIMEOUT_MS, fileArgument, thunkOutputRef, type Step } from './common';
import { findLibrary, kindOf, ldSearchDirs, libraryClosure, scriptInputs } from './libraries';
import { thinArchiveMembers } from './arMembers';

export type { Step } from './common';

/** ld options whose value is the next argument and is not a file ld reads. */
const LD_VALUE_OPTS = new Set([
  '-m',
  '-dynamic-linker',
  '-z',
  '-soname',
  '-h',
  '-rpath',
  '-e',
  '--entry',
  '-Map',
  '-u',
  '--undefined',
  '-a',
  '--hash-style',
  '-y',
  '--build-id',
  '--sort-section',
  '-Y',
  '--exclude-libs',
]);
/** ld options whose value is a file ld reads. */
const LD_FILE_OPTS = new Set(['-T', '--script', '--version-script', '--dynamic-list', '-dT', '--default-script']);
const STATIC_FLAGS = new Set(['-Bstatic', '-static', '-dn', '-non_shared']);
const DYNAMIC_FLAGS = new Set(['-Bdynamic', '-dy', '-call_shared']);

/**
 * The files a thin archive names, which ld reads through it. One this build
 * is still making is written first: its member list is known only once ar
 * has run (its members are compiles the link waits for anyway).
 */
async function thinMembers(ctx: ModelContext, abs: string): Promise<string[]> {
  if (ctx.isPending(abs, 'thin archive')) await ctx.makeRealNow([abs]);
  return thinArchiveMembers(abs) ?? [];
}

/**
 * What ld reads besides a file named on its command line: a linker script's
 * members, or a shared library's own dependencies (ld resolves their symbols
 * when it links a program). One of the tree that this build is still making
 * is written first, as its dependencies are known only from its bytes.
 */
async function sharedLibraryNeeds(ctx: ModelContext, abs: string, dirs: string[]): Promise<string[]> {
  if (!ctx.paths.isInside(abs)) {
    const kind = kindOf(abs);
    if (kind === 'script') return scriptInputs(abs, dirs).flatMap((s) => libraryClosure(s, dirs));
    return kind === 'elf' ? libraryClosure(abs, dirs).slice(1) : [];
  }
  if (!/\.so(\.\d+)*$/.test(abs)) return [];
  try {
    const real = realpathSync(abs); // libfoo.so -> libfoo.so.1 -> libfoo.so.1.2.3, the output this build records
    if (ctx.isPending(real)) await ctx.makeRealNow([real]);
    return kindOf(real) === 'elf'
      ? libraryClosure(real, dirs)
          .slice(1)
          .filter((f) => !ctx.paths.isInside(f))
      : [];
  } catch {
    return []; // its job failed and took it away: the link waits on that job, and fails with it
  }
}

/**
 * ld's arguments without the LTO plugin that gcc's collect2 (and a build
 * calling ld itself) passes: it only reads LTO objects, and -flto compiles
 * run for real, so the link's output is the same without it.
 */
export function withoutLtoPlugin(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '-plugin') {
      i++;
      continue;
    }
    if (a.startsWith('-plugin-opt=') || a.startsWith('-plugin=')) continue;
    out.push(a);
  }
  return out;
}

export async function linkThunk(
  ctx: ModelContext,
  call: ToolCall,
  ldPath: string,
  args: string[],
  cwd: string,
  temps: Map<string, string>,
): Promise<Step | string> {
  const ld = await ctx.packTool(ldPath);
  const inputs: Record<string, string> = { ...ld.inputs };
  const jobArgs: string[] = [];
  const libDirs: string[] = [];
  const addHostFile = async (abs: string): Promise<void> => {
    inputs[ctx.paths.sandboxPath(abs)] = await ctx.inputRef(abs);
  };
  let output = 'a.out';
  let staticMode = false;
  let n = 0;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '-o') {
      output = args[++i] ?? output;
      continue;
    }
    if (a === '--sysroot' || a.startsWith('--sysroot=') || a.startsWith('@')) return `ld ${a} is not modelled`;
    if (STATIC_FLAGS.has(a)) staticMode = true;
    if (DYNAMIC_FLAGS.has(a)) staticMode = false;
    if (LD_VALUE_OPTS.has(a)) {
      jobArgs.push(a, args[++i] ?? '');
      continue;
    }
    if (a === '-rpath-link' || a.startsWith('-rpath-link=')) {
      // Where ld looks for shared libraries' dependencies: directories as the job sees them.
      const dirs = a === '-rpath-link' ? (args[++i] ?? '') : a.slice('-rpath-link='.length);
      jobArgs.push(
        '-rpath-link',
        dirs
          .split(':')
          .map((d) => ctx.paths.argPath(call.cwd, d, cwd))
          .join(':'),
      );
      continue;
    }
    if (LD_FILE_OPTS.has(a)) {
      const v = args[++i] ?? '';
      await addHostFile(resolve(call.cwd, v));
      jobArgs.push(a, ctx.paths.argPath(call.cwd, v, cwd));
      continue;
    }
    if (a.startsWith('-L')) {
      const dir = a.length > 2 ? a.slice(2) : (args[++i] ?? '');
      libDirs.push(resolve(call.cwd, dir));
      jobArgs.push(`-L${ctx.paths.argPath(call.cwd, dir, cwd)}`);
      continue;
    }
    if (a.startsWith('-l')) {
      const lib = a.length > 2 ? a.slice(2) : (args[++i] ?? '');
      const found = findLibrary(lib, [...libDirs, ...ldSearchDirs(ldPath)], staticMode);
      if (!found) return `cannot find library -l${lib}`;
      for (const f of libraryClosure(found, [...libDirs, ...ldSearchDirs(ldPath)])) await addHostFile(f);
      if (ctx.paths.isInside(found)) {
        for (const m of await thinMembers(ctx, found)) await addHostFile(m);
        for (const f of await sharedLibraryNeeds(ctx, found, [...libDirs, ...ldSearchDirs(ldPath)])) await addHostFile(f);
      }
      jobArgs.push(`-l${lib}`);
      continue;
    }
    if (a.startsWith('-')) {
      jobArgs.push(a);
      continue;
    }
    jobArgs.push(await fileArgument(ctx, call, cwd, a, temps, inputs, n++, '.o'));
    const abs = resolve(call.cwd, a);
    if (temps.has(a)) continue;
    for (const m of await thinMembers(ctx, abs)) await addHostFile(m);
    for (const f of await sharedLibraryNeeds(ctx, abs, [...libDirs, ...ldSearchDirs(ldPath)])) await addHostFile(f);
  }
  const outAbs = resolve(call.cwd, output);
  if (!ctx.paths.isInside(outAbs)) return `links ${output}, outside the build tree`;
  const outTag = ctx.paths.sandboxPath(outAbs);
  delete inputs[outTag]; // an older output in the tree is not an input
  const name = await ctx.store.putThunk({
    args: [...ld.launch(cwd, 'ld'), `--sysroot=${relativeFrom(cwd, SYS_DIR)}`, ...jobArgs, '-o', relativeFrom(cwd, outTag)],
    env: JOB_ENV,
    inputs,
    executables: ld.executables,
    outputs: [outTag],
    cwd,
    timeoutMs: JOB_TIMEOUT_MS,
  });
  // Programs and shared libraries come out executable; relocatable objects (-r) do not.
  return {
    finalOutputs: [{ path: outAbs, ref: thunkOutputRef(name, outTag), executable: !args.includes('-r'), program: basename(ldPath) }],
  };
}
