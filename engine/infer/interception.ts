/**
 * Which programs a build's execs are caught at, however the build names them.
 * The interceptor (intercept.c, preloaded into the build command) sends an
 * exec to the stand-in when the program's real path is a modelled tool's;
 * the engine then knows the tool by the name the build ran it under
 * (`/usr/bin/x86_64-linux-gnu-gcc-12` is gcc, `clang++-14` is clang++).
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { nativeHelper } from '../exec/nativeHelper';
import type { LocalStore } from '../store/local';
import source from './intercept.c';

/** Compiler launchers: a call through one is taken as the compile it starts. */
export const LAUNCHERS = ['ccache', 'sccache'];
/** The tools the interceptor sends to the engine (cpp and the rest run as they are). */
export const INTERCEPTED_TOOLS = [
  'cc',
  'gcc',
  'g++',
  'c++',
  'clang',
  'clang++',
  'as',
  'ld',
  'ld.bfd',
  'ar',
  'ranlib',
  'strip',
  ...LAUNCHERS,
];
const BY_LENGTH = [...INTERCEPTED_TOOLS].sort((a, b) => b.length - a.length);
/** A target prefix, as in x86_64-linux-gnu-gcc: a CPU, then one to three words (llvm-bitcode-strip is no strip). */
const TARGET =
  /^(x86_64|amd64|i[3-6]86|aarch64(_be)?|arm\w*|riscv(32|64)|powerpc\w*|ppc\w*|s390x?|mips\w*|sparc\w*|loongarch64|alpha|hppa|m68k|sh\d\w*|ia64)(-[A-Za-z0-9_.]+){1,3}$/;

/** gcc's wrappers that start ar and ranlib with the LTO plugin: they run as they are, and the tool they start is caught. */
const WRAPPERS = /(^|-)gcc-(ar|ranlib|nm)$/;

/** The modelled tool a program name means, without its version suffix and target prefix; undefined for any other program. */
export function toolNameOf(program: string): string | undefined {
  const name = basename(program).replace(/-\d+(\.\d+)*$/, '');
  if (WRAPPERS.test(name)) return undefined;
  for (const t of BY_LENGTH) {
    if (name === t || (name.endsWith(`-${t}`) && TARGET.test(name.slice(0, -t.length - 1)))) return t === 'ld.bfd' ? 'ld' : t;
  }
  return undefined;
}

/**
 * The real paths of every modelled tool on PATH, under any of its names
 * (gcc, gcc-12, x86_64-linux-gnu-gcc-12 are one file), with the tool each is.
 */
export function interceptedPrograms(pathVar: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const dir of new Set(pathVar.split(':').filter((d) => d.startsWith('/')))) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const n of names) {
      const tool = toolNameOf(n);
      if (!tool) continue;
      try {
        const real = realpathSync(join(dir, n));
        // Known by its own name where that names a tool: ccache's masquerade link gcc is ccache.
        if (!found.has(real) && statSync(real).isFile()) found.set(real, toolNameOf(real) ?? tool);
      } catch {
        // a dangling link
      }
    }
  }
  return found;
}

/** The interceptor library, built on first use; undefined where no C compiler can build it. */
export function interceptorLibrary(store: LocalStore, pathVar: string): Promise<string | undefined> {
  return nativeHelper(store, 'libburst-intercept.so', source, pathVar, 'preload');
}

/**
 * The variables that load the interceptor into the build command: its
 * library (before the user's own preload, which is kept), the stand-in it
 * sends tools to, and the real paths of those tools. Empty where it cannot be
 * had (no C compiler, or the portable stand-in): then only the stand-ins on
 * PATH catch tools, by bare name.
 */
export async function interceptionEnv(
  store: LocalStore,
  pathVar: string,
  standin: { path: string; native: boolean },
  programs: Map<string, string>,
): Promise<Record<string, string>> {
  if (!standin.native) return {};
  const lib = await interceptorLibrary(store, pathVar);
  if (!lib) return {};
  const user = process.env.LD_PRELOAD ?? '';
  return {
    LD_PRELOAD: user ? `${lib}:${user}` : lib,
    BURST_USER_PRELOAD: user,
    BURST_STANDIN: standin.path,
    BURST_INTERCEPT: [...programs.keys()].join(':'),
  };
}
