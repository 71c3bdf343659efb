/**
 * Which files a compile reads: the compiler's search path from cc1 -v (once
 * per set of options), and the headers from a scan of the #include lines
 * (includeScan.ts), or from cc1 -E -M where the scan cannot follow one, or
 * from the compile itself where it runs here. Remembered per compile
 * (its command line and directory) with the content name of every file it
 * read, and trusted on the next build when every one of those files still has
 * that name, which the file-state index answers without reading them (ccache's
 * direct mode).
 */
import { existsSync, promises as fs } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { nameOfBytes } from '../../model/hash';
import { tempPath, writeFileAtomic } from '../../store/atomic';
import { scratchPath } from '../../exec/scratch';
import type { ModelContext } from '../session';
import { runCommand } from '../../exec/launcher';
import {
  asksAboutHeaders,
  commandLineAsks,
  commandLineDefines,
  headersAskedBy,
  scanIncludes,
  type ScanResult,
  type SearchChains,
} from './includeScan';

export interface CompileDeps {
  /** Absolute paths of the source and every header it includes. */
  files: string[];
  /** The same files as the compiler spelled them (for dependency files). */
  spelled: string[];
  /** The compiler's own include directories (not the ones the command line adds). */
  systemDirs: string[];
  /** From a scan, or with headers only asked about: it may name headers the compiler does not read. */
  scanned?: boolean;
}

interface Entry extends CompileDeps {
  names: string[];
}

export type DepsResult = { ok: true; deps: CompileDeps } | { ok: false; reason: string };

/**
 * Entries are keyed by the directory inside the tree and name tree files
 * relative to its root, so a copy of the tree elsewhere finds them too.
 */
function entryFile(ctx: ModelContext, cc1: string, args: string[], cwd: string): string {
  const key = nameOfBytes('V', Buffer.from(JSON.stringify([cc1, args, ctx.paths.sandboxCwd(cwd) ?? cwd])));
  return join(ctx.store.dir, 'deps', key.slice(1, 2), key);
}

function toStored(ctx: ModelContext, files: string[]): string[] {
  return files.map((f) => (ctx.paths.isInside(f) ? relative(ctx.paths.root, f) : f));
}

function fromStored(ctx: ModelContext, files: string[]): string[] {
  return files.map((f) => (isAbsolute(f) ? f : join(ctx.paths.root, f)));
}

/** The remembered header list of this compile, if every file in it is unchanged. */
export async function knownDeps(ctx: ModelContext, cc1: string, args: string[], cwd: string): Promise<CompileDeps | undefined> {
  const stored = await readEntry(entryFile(ctx, cc1, args, cwd));
  if (!stored?.spelled) return undefined;
  const known = { ...stored, files: fromStored(ctx, stored.files) };
  return (await stillValid(ctx, known)) ? known : undefined;
}

async function remember(
  ctx: ModelContext,
  cc1: string,
  args: string[],
  cwd: string,
  spelled: string[],
  systemDirs: string[],
  how: { scanned?: boolean; keep?: boolean } = {},
): Promise<CompileDeps> {
  const files = spelled.map((p) => resolve(cwd, p));
  const names = await Promise.all(files.map((f) => ctx.inputRef(f)));
  const scanned = how.scanned ? { scanned: true } : {};
  const file = entryFile(ctx, cc1, args, cwd);
  if (how.keep !== false)
    await writeFileAtomic(file, JSON.stringify({ files: toStored(ctx, files), spelled, systemDirs, names, ...scanned }), ctx.store.tmpDir);
  return { files, spelled, systemDirs, ...scanned };
}

/** A header list a model got some other way (clang's), remembered as cc1's are. */
export function rememberDeps(
  ctx: ModelContext,
  compiler: string,
  args: string[],
  cwd: string,
  spelled: string[],
  systemDirs: string[],
): Promise<CompileDeps> {
  return remember(ctx, compiler, args, cwd, spelled, systemDirs);
}

function systemDirsOf(stderr: string, cwd: string, userDirs: string[]): string[] {
  const user = new Set(userDirs.map((d) => resolve(cwd, d)));
  return searchList(stderr).filter((d) => !user.has(resolve(cwd, d)));
}

/**
 * The headers of a compile that does not run here. A scan costs a
 * millisecond or two where cc1 -E -M costs a process and a preprocessing
 * pass, on the machine that stays in the loop while the jobs run elsewhere.
 */
export async function compileDeps(
  ctx: ModelContext,
  cc1: string,
  args: string[],
  source: string | undefined,
  cwd: string,
  userDirs: string[],
): Promise<DepsResult> {
  const known = await knownDeps(ctx, cc1, args, cwd);
  if (known) return { ok: true, deps: known };
  let predefined: ReadonlySet<string> = new Set();
  if (source !== undefined && !splitsQuoteChain(args)) {
    const probe = await searchProbe(ctx, cc1, args, source, cwd);
    if (probe.code === 0) {
      predefined = probe.predefined;
      const scanned = scanWith(probe, args, source, cwd);
      if (scanned.ok) {
        // An include of the project's found nowhere may be a header not written yet: such a list is not kept for the next build.
        const keep = !scanned.unresolvedIn.some((f) => ctx.paths.isInside(f));
        return {
          ok: true,
          deps: await remember(ctx, cc1, args, cwd, scanned.spelled, systemDirsOf(probe.stderr, cwd, userDirs), { scanned: true, keep }),
        };
      }
    }
  }
  const { code, stdout, stderr } = await runCommand(ctx.store, cc1, [...args, '-E', '-M', '-v'], cwd, { LC_ALL: 'C' });
  if (code !== 0) return { ok: false, reason: `the compiler could not list the headers: ${firstError(stderr)}` };
  const listed = withAskedAbout(parseMakeDeps(stdout), searchChains(stderr), predefined, args, cwd);
  // A header asked about in a way no scan can work out is in no list: the compile runs where its headers are.
  if (!listed.ok) return { ok: false, reason: listed.reason };
  return {
    ok: true,
    deps: await remember(ctx, cc1, args, cwd, listed.spelled, systemDirsOf(stderr, cwd, userDirs), { scanned: listed.added }),
  };
}

export interface CompiledHere {
  deps: CompileDeps;
  /** The assembly the compile wrote, in the store's temporary directory. */
  asm: string;
  stderr: string;
  durationMs: number;
}

interface Probe {
  code: number | null;
  stderr: string;
  /** Directories of the options that did not exist when asked, which cc1 left out of its answer. */
  missing: string[];
  /** The compiler's predefined macros (-dM), which a `<...>` from a macro body may hold. */
  predefined: ReadonlySet<string>;
  chains: SearchChains;
}

const searchLists = new Map<string, Promise<Probe>>();
/** cc1 options that name the file compiled, not where headers are looked for. */
const PER_FILE_OPTS = new Set(['-dumpbase', '-dumpbase-ext', '-dumpdir', '-auxbase', '-auxbase-strip']);

/**
 * cc1 -E -dM -v on an empty file with the compile's options: its search path and predefined macros. Asked
 * once per compiler, directory and options, without those that only name the
 * file, so the compiles of a project share one answer.
 */
async function searchProbe(ctx: ModelContext, cc1: string, args: string[], source: string, cwd: string): Promise<Probe> {
  const probeArgs: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (PER_FILE_OPTS.has(a)) i++;
    else if (a !== source) probeArgs.push(a);
  }
  const key = JSON.stringify([cc1, probeArgs, cwd]);
  const ask = (): Promise<Probe> => {
    const asked = runCommand(ctx.store, cc1, [...probeArgs, '-E', '-dM', '-v', '/dev/null'], cwd, { LC_ALL: 'C' }).then((r) => ({
      code: r.code,
      stderr: r.stderr,
      missing: ignoredDirs(r.stderr),
      predefined: predefinedMacros(r.stdout),
      chains: searchChains(r.stderr),
    }));
    searchLists.set(key, asked);
    return asked;
  };
  const probe = searchLists.get(key) ?? ask();
  const known = await probe;
  // Asked again when it failed, or when a directory it left out exists now (a build's generated headers).
  if (known.code === 0 && !known.missing.some((d) => existsSync(resolve(cwd, d)))) return known;
  return searchLists.get(key) === probe ? ask() : (searchLists.get(key) as Promise<Probe>);
}

export function predefinedMacros(dM: string): Set<string> {
  return new Set([...dM.matchAll(/^#define ([A-Za-z_]\w*)/gm)].map((m) => m[1] as string));
}

function ignoredDirs(stderr: string): string[] {
  return [...stderr.matchAll(/^ignoring nonexistent directory "(.*)"$/gm)].map((m) => m[1] as string);
}

/** -I- (cc1 gets `-I -`) stops "..." includes looking beside their file, which cc1 -v does not show. */
function splitsQuoteChain(args: string[]): boolean {
  return args.some((a, i) => a === '-I-' || (a === '-I' && args[i + 1] === '-'));
}

/** The files -include and -imacros read before the source. */
function forcedIncludes(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) if (args[i] === '-include' || args[i] === '-imacros') out.push(args[++i] as string);
  return out;
}

/**
 * A compile whose headers are not known yet, run once where it stands with
 * -MD: one pass gives both the header list and the output (what a plain build
 * would have run), where asking for the headers first would preprocess twice.
 * Undefined if the compile fails: the caller then takes the sandboxed path,
 * which reports the error as a job's. `unlistable` when what the result
 * depends on cannot be known: the compile must run as the build asked.
 */
export async function compileHere(
  ctx: ModelContext,
  cc1: string,
  args: string[],
  source: string,
  cwd: string,
  env: Record<string, string>,
  userDirs: string[],
): Promise<CompiledHere | { unlistable: string } | undefined> {
  const asm = `${tempPath(ctx.store.tmpDir, 'cc1')}.s`; // kept: it becomes a store object
  const depfile = `${scratchPath(ctx.store.tmpDir, 'cc1')}.d`;
  const probe = searchProbe(ctx, cc1, args, source, cwd);
  const started = performance.now();
  const run = await runCommand(ctx.store, cc1, [...args, '-MD', depfile, '-o', asm], cwd, env, { stdout: false });
  const durationMs = performance.now() - started;
  try {
    if (run.code !== 0) {
      await fs.rm(asm, { force: true });
      return undefined;
    }
    const probed = await probe;
    const read = parseMakeDeps(await fs.readFile(depfile, 'utf8'));
    const listed =
      probed.code === 0
        ? withAskedAbout(read, probed.chains, probed.predefined, args, cwd)
        : { ok: true as const, spelled: read, added: false };
    if (!listed.ok) {
      // Headers asked about in a way no scan can work out: no result can say what it depends on, so none is kept (the compile runs as the build asked).
      await fs.rm(asm, { force: true });
      return { unlistable: listed.reason };
    }
    const deps = await remember(ctx, cc1, args, cwd, listed.spelled, systemDirsOf(probed.stderr, cwd, userDirs), { scanned: listed.added });
    return { deps, asm, stderr: run.stderr, durationMs };
  } finally {
    await fs.rm(depfile, { force: true });
  }
}

/**
 * gcc's -M or -MD list and the headers its files ask __has_include about (or
 * name in #pragma GCC dependency) without reading them, which gcc leaves
 * out: the result depends on them all the same, in its cache key and in a
 * sandbox. Looked for only when a listed file asks.
 */
function withAskedAbout(
  spelled: string[],
  chains: SearchChains,
  predefined: ReadonlySet<string>,
  args: string[],
  cwd: string,
): { ok: true; spelled: string[]; added: boolean } | { ok: false; reason: string } {
  const defines = commandLineDefines(args);
  if (!commandLineAsks(defines) && !spelled.some((p) => asksAboutHeaders(resolve(cwd, p)))) return { ok: true, spelled, added: false };
  const asked = headersAskedBy(spelled, cwd, chains, defines, predefined, !splitsQuoteChain(args));
  if (!asked.ok) return asked;
  const listed = new Set(spelled.map((p) => resolve(cwd, p)));
  const added = asked.asked.filter((p) => !listed.has(resolve(cwd, p)));
  // Headers gcc does not read are listed: -MD files get -MP's empty rules, so removing one rebuilds instead of stopping make.
  return { ok: true, spelled: [...spelled, ...added], added: added.length > 0 };
}

/** The include scan of `source` with what the probe learnt of the compiler. */
function scanWith(probe: Probe, args: string[], source: string, cwd: string): ScanResult {
  return scanIncludes(source, forcedIncludes(args), cwd, probe.chains, commandLineDefines(args), probe.predefined);
}

async function readEntry(file: string): Promise<Entry | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as Entry;
  } catch {
    return undefined;
  }
}

async function stillValid(ctx: ModelContext, e: Entry): Promise<boolean> {
  try {
    const now = await Promise.all(e.files.map((f) => ctx.inputRef(f)));
    return now.every((n, i) => n === e.names[i]);
  } catch {
    return false; // a header is gone: ask the compiler again
  }
}

/** The prerequisites of a make rule as `cc -M` writes it. */
export function parseMakeDeps(text: string): string[] {
  const joined = text.replace(/\\\n/g, ' ');
  const colon = joined.indexOf(': ');
  const body = colon >= 0 ? joined.slice(colon + 2) : joined;
  const out: string[] = [];
  for (const m of body.matchAll(/((?:\\ |[^\s])+)/g)) out.push((m[1] as string).replace(/\\ /g, ' '));
  return [...new Set(out)];
}

/** The `#include <...>` directories cc1 -v reports. */
export function searchList(stderr: string): string[] {
  return listAfter(stderr, '#include <...> search starts here:');
}

/** Both chains cc1 -v reports. */
export function searchChains(stderr: string): SearchChains {
  return { quote: listAfter(stderr, '#include "..." search starts here:'), bracket: searchList(stderr) };
}

function listAfter(stderr: string, heading: string): string[] {
  const lines = stderr.split('\n');
  const start = lines.findIndex((l) => l.startsWith(heading));
  if (start < 0) return [];
  const dirs: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (!l.startsWith(' ')) break;
    dirs.push(l.trim().replace(/ \(framework directory\)$/, ''));
  }
  return dirs;
}

function firstError(stderr: string): string {
  return (
    stderr
      .split('\n')
      .find((l) => /error/.test(l))
      ?.trim() ??
    stderr.trim().split('\n')[0] ??
    ''
  );
}
