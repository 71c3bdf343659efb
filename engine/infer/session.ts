/**
 * One `burst build`: the build command runs with stand-ins first on PATH; each
 * tool call they forward is modelled as thunks (or run for real), outputs get
 * placeholders in the tree and start running at once; at the end every
 * recorded output still standing as a placeholder is replaced by its real bytes.
 */
import { chmodSync, copyFileSync, promises as fs, renameSync, statSync, utimesSync, type BigIntStats } from 'node:fs';
import { parseName } from '../model/hash';
import { join, resolve } from 'node:path';
import type { Backend } from '../schedule/backend';
import type { Diagnostic } from '../model/diagnostics';
import { BurstError, CorruptObjectError, MissingObjectError, errorMessage } from '../model/errors';
import { PLACEHOLDER_MAX_SIZE, readPlaceholder, writePlaceholder, writeWhole, writingName } from '../model/placeholder';
import type { Fallback, GraphNode, RunReport } from '../model/report';
import type { JobTimes } from '../schedule/jobTimes';
import { Scheduler, asBurstError, type RunEvent } from '../schedule/scheduler';
import type { LocalStore, OutputEntry, Reduction } from '../store/local';
import type { StragglerOptions } from '../schedule/straggler';
import { packExecutable, resolveOnPath, type PackedExecutable } from '../exec/toolchain';
import { isPlainAbsolute, PathMap, SYS_DIR } from './pathMap';
import { isThinArchive, thinArchiveMembers } from './models/arMembers';
import type { Answer, ToolCall } from './protocol';

const SYNC_WRITE_LIMIT = 1 << 20;

export interface SessionOptions {
  backend: Backend;
  /** The local pool, for jobs the backend declines. */
  local?: Backend;
  useCache: boolean;
  retries?: number;
  straggler?: Partial<StragglerOptions>;
  times?: JobTimes;
  signal?: AbortSignal;
  onEvent?: (e: RunEvent) => void;
  /** Record and leave placeholders (burst infer): nothing runs. */
  inferOnly?: boolean;
  isolate?: boolean;
}

export interface RecordedOutput {
  /** Absolute host path. */
  path: string;
  ref: string;
  executable: boolean;
  program: string;
  /** A thin archive (`ar T`): whoever reads it reads its members too. */
  thinArchive?: boolean;
}

export interface ModelContext {
  readonly store: LocalStore;
  readonly paths: PathMap;
  /** The object a host file stands for: a placeholder's reference, or the file's value. */
  inputRef(hostPath: string): Promise<string>;
  /** A program of the machine, shipped with its libraries and loader. */
  packTool(hostPath: string): Promise<PackedExecutable>;
  record(outputs: RecordedOutput[]): Promise<void>;
  /** A file the tool writes as a by-product, known at once (a dependency file). */
  writeSideFile(path: string, text: string): Promise<void>;
  /** Whether a model may run a compile where it stands when it must run it anyway (local backend, cache on, not isolated). */
  readonly compilesInPlace: boolean;
  /** Whether this path is an output (a thin archive, if asked) this build recorded and has not written yet. */
  isPending(hostPath: string, kind?: 'thin archive'): boolean;
  /** Writes the real bytes of these placeholders now (a model that must read an output's content). */
  makeRealNow(hostPaths: string[]): Promise<void>;
  /** The result of a thunk a model ran itself: recorded as if the scheduler had run it. */
  adoptResult(thunk: string, reduction: Reduction, stderr: string, cwd: string): Promise<void>;
}

/** What a model made of a tool call. */
export type ModelResult = { kind: 'recorded'; stdout?: string; stderr?: string } | { kind: 'fallback'; reason: string };

export type ToolModel = (call: ToolCall, ctx: ModelContext) => Promise<ModelResult>;

export class BuildSession implements ModelContext {
  readonly paths: PathMap;
  readonly outputs = new Map<string, RecordedOutput>();
  readonly fallbacks: Fallback[] = [];
  private readonly scheduler: Scheduler | undefined;
  private readonly running: Array<Promise<unknown>> = [];
  private readonly systemRefs = new Map<string, Promise<string>>();
  private readonly toolPaths = new Map<string, string>();
  private readonly treeRefs = new Map<string, Promise<string>>();
  /** Outputs written with their real bytes, by path: the reference they came from and the file's state then. */
  private readonly written = new Map<string, { ref: string; state: string }>();

  readonly compilesInPlace: boolean;

  constructor(
    readonly store: LocalStore,
    root: string,
    opts: SessionOptions,
  ) {
    this.paths = new PathMap(resolve(root));
    this.compilesInPlace = !opts.inferOnly && opts.useCache && !opts.isolate && opts.backend.label === 'local';
    this.scheduler = opts.inferOnly
      ? undefined
      : new Scheduler(store, {
          backend: opts.backend,
          ...(opts.local ? { local: opts.local } : {}),
          useCache: opts.useCache,
          keepGoing: true, // every independent job still runs, so the build after a fix re-runs only what it touches
          ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
          ...(opts.straggler ? { straggler: opts.straggler } : {}),
          ...(opts.times ? { times: opts.times } : {}),
          ...(opts.signal ? { signal: opts.signal } : {}),
          ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
        });
  }

  async inputRef(hostPath: string): Promise<string> {
    const abs = isPlainAbsolute(hostPath) ? hostPath : resolve(hostPath);
    if (!this.paths.isInside(abs)) return this.systemRef(abs);
    let st: BigIntStats;
    try {
      // Synchronous: a stat is microseconds, and this runs for every header of every compile.
      st = statSync(abs, { bigint: true });
    } catch (e) {
      const recorded = this.outputs.get(abs);
      if (recorded) return recorded.ref;
      throw e;
    }
    // An output this build wrote stands for its job's result, exactly as its placeholder did.
    const written = this.written.get(abs);
    if (written && written.state === fileState(st)) return written.ref;
    // Placeholders are small: only small files need a look inside.
    if (st.size < PLACEHOLDER_MAX_SIZE) {
      const ph = await readPlaceholder(abs);
      if (ph) return ph;
    }
    return this.treeFileRef(abs, st);
  }

  /** Parallel compiles read the same headers: one copy and hash per file state, however many ask at once. */
  private treeFileRef(abs: string, st: BigIntStats): Promise<string> {
    const key = `${abs}\0${fileState(st)}`;
    let ref = this.treeRefs.get(key);
    if (!ref) {
      ref = this.store.putFile(abs, 'V', st);
      this.treeRefs.set(key, ref);
      ref.catch(() => this.treeRefs.delete(key));
    }
    return ref;
  }

  /** Files outside the tree (system headers, libraries) do not change during a build: each is looked at once. */
  private systemRef(abs: string): Promise<string> {
    let ref = this.systemRefs.get(abs);
    if (!ref) {
      ref = this.store.putFile(abs);
      this.systemRefs.set(abs, ref);
      ref.catch(() => this.systemRefs.delete(abs));
    }
    return ref;
  }

  /** Where the build's PATH finds a tool; looked up once per build, as PATH does not change during one. */
  realTool(tool: string, pathVar: string): string {
    const key = `${tool}\0${pathVar}`;
    let path = this.toolPaths.get(key);
    if (path === undefined) {
      path = resolveOnPath(tool, pathVar);
      this.toolPaths.set(key, path);
    }
    return path;
  }

  packTool(hostPath: string): Promise<PackedExecutable> {
    return packExecutable(this.store, hostPath);
  }

  isPending(hostPath: string, kind?: 'thin archive'): boolean {
    const recorded = this.outputs.get(hostPath);
    return recorded !== undefined && (kind === undefined || recorded.thinArchive === true) && !this.written.has(hostPath);
  }

  async makeRealNow(hostPaths: string[]): Promise<void> {
    await this.materialize(hostPaths);
  }

  async adoptResult(thunk: string, reduction: Reduction, stderr: string, cwd: string): Promise<void> {
    await this.store.putReduction(thunk, reduction);
    this.scheduler?.adopt(thunk, reduction, stderr, cwd);
  }

  async writeSideFile(path: string, text: string): Promise<void> {
    await writeWhole(path, text);
  }

  async record(outputs: RecordedOutput[]): Promise<void> {
    for (const o of outputs) {
      this.outputs.set(o.path, o);
      if (await this.writeCachedOutput(o)) continue;
      await writePlaceholder(o.path, o.ref, o.executable); // renamed into place: a hard link elsewhere keeps the old file
      if (this.scheduler) this.running.push(this.scheduler.force([o.ref]));
    }
  }

  /** An output whose job's result is in the cache is written at once, as the tool itself would have: no placeholder to replace later. */
  private async writeCachedOutput(o: RecordedOutput): Promise<boolean> {
    if (!this.scheduler?.probablyCached(o.ref)) return false;
    const value = (await this.scheduler.force([o.ref])).values.get(o.ref);
    if (!value) return false; // the placeholder path reports the failure with the others at the end
    try {
      await this.writeFile(o.path, o.ref, value, o.executable);
      return true;
    } catch {
      return false; // its bytes could not be had (a remote copy gone bad): a placeholder, and the failure at the end
    }
  }

  /** A tool call the models cannot take runs for real, once the placeholders it reads are real files. */
  async fallback(call: ToolCall, reason: string, realPath: string, pathVar: string): Promise<Answer> {
    this.fallbacks.push({ what: `${call.tool} ${call.args.join(' ')}`.slice(0, 400), reason });
    await this.materialize(await this.placeholdersIn(call));
    return { kind: 'exec', path: realPath, pathVar, argv: [call.argv0, ...call.args] };
  }

  /** Placeholders (and thin archives, whose members may be placeholders) a tool call names directly, or through -L dirs and -l libraries. */
  private async placeholdersIn(call: ToolCall): Promise<string[]> {
    const found: string[] = [];
    const libDirs = call.args.filter((a) => a.startsWith('-L') && a.length > 2).map((a) => resolve(call.cwd, a.slice(2)));
    const candidates = new Set<string>();
    for (const a of call.args) {
      const value = a.startsWith('-o') && a.length > 2 ? a.slice(2) : a;
      if (!value.startsWith('-')) candidates.add(resolve(call.cwd, value));
      if (a.startsWith('-l') && a.length > 2) {
        for (const d of libDirs) for (const ext of ['.a', '.so']) candidates.add(resolve(d, `lib${a.slice(2)}${ext}`));
      }
    }
    for (const c of candidates) if ((await readPlaceholder(c)) || isThinArchive(c)) found.push(c);
    return found;
  }

  /** Forces placeholders and writes their real bytes, keeping each placeholder's mtime so make sees the tree as it left it. */
  async materialize(paths: string[]): Promise<{ failures: Array<{ path: string; error: BurstError }> }> {
    const wanted: Array<{ path: string; ref: string }> = [];
    for (const path of paths) {
      const ref = await readPlaceholder(path);
      if (ref) wanted.push({ path, ref });
    }
    const made = await this.makeReal(wanted);
    // A thin archive is read through its members: a program reading one reads them too.
    const members = paths.flatMap((p) => (isThinArchive(p) ? (thinArchiveMembers(p) ?? []) : []));
    if (members.length === 0) return made;
    const more = await this.materialize(members);
    return { failures: [...made.failures, ...more.failures] };
  }

  private async makeReal(wanted: Array<{ path: string; ref: string }>): Promise<{ failures: Array<{ path: string; error: BurstError }> }> {
    const failures: Array<{ path: string; error: BurstError }> = [];
    const scheduler = this.scheduler;
    if (!scheduler) return { failures };
    const { values, failures: failed } = await scheduler.force([...new Set(wanted.map((w) => w.ref))]);
    const errors = new Map(failed.map((f) => [f.ref, f.error]));
    await Promise.all(
      wanted.map(async ({ path, ref }) => {
        const value = values.get(ref);
        if (!value) {
          failures.push({ path, error: errors.get(ref) ?? new BurstError('job-failed', `${ref} produced nothing`) });
          // As make deletes a target whose recipe failed: a placeholder left behind would look up to date to the next make.
          await fs.rm(path, { force: true });
          return;
        }
        const executable = this.outputs.get(path)?.executable ?? false;
        try {
          await this.writeReal(path, ref, value, executable);
        } catch (e) {
          if (!((e instanceof CorruptObjectError || e instanceof MissingObjectError) && e.object === value.name)) {
            failures.push({ path, error: asBurstError(e) });
            return;
          }
          try {
            await this.writeReal(path, ref, await scheduler.recompute(ref, e), executable);
          } catch (again) {
            failures.push({ path, error: asBurstError(again) });
          }
        }
      }),
    );
    return { failures };
  }

  /**
   * Every placeholder in the tree, wherever the build put it: builds move
   * outputs (zlib compiles objs/x.o, then renames it x.lo), and into
   * hidden directories (libtool's .libs); version control's directories and
   * node_modules are not searched.
   */
  private async placeholdersInTree(): Promise<Array<{ path: string; ref: string }>> {
    const found: Array<{ path: string; ref: string }> = [];
    const walk = async (dir: string): Promise<void> => {
      const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
      await Promise.all(
        entries.map(async (e) => {
          if (UNSEARCHED_DIRS.has(e.name)) return;
          const p = join(dir, e.name);
          if (e.isDirectory()) return walk(p);
          if (!e.isFile()) return;
          const st = await fs.stat(p).catch(() => undefined);
          if (!st || st.size >= PLACEHOLDER_MAX_SIZE) return;
          const ref = await readPlaceholder(p);
          if (ref) found.push({ path: p, ref });
        }),
      );
    };
    await walk(this.paths.root);
    return found;
  }

  /** Replaces a placeholder by its real bytes, keeping the placeholder's times so make sees the tree as it left it. */
  private async writeReal(path: string, ref: string, value: OutputEntry, executable: boolean): Promise<void> {
    const st = await fs.stat(path, { bigint: true });
    // Seconds with their fraction: Date would round to milliseconds and could make an output older than a source written just before it.
    const seconds = (ns: bigint): number => Number(ns) / 1e9;
    await this.writeFile(path, ref, value, executable, [seconds(st.atimeNs), seconds(st.mtimeNs)]);
  }

  /** Writes an output by copy and rename, so no reader ever sees half of it. */
  private async writeFile(path: string, ref: string, value: OutputEntry, executable: boolean, times?: [number, number]): Promise<void> {
    const src = await this.store.verifiedPath(value.name);
    const tmp = writingName(path);
    const mode = executable || value.executable ? 0o755 : 0o644;
    try {
      // Objects and the like, the most of a rebuild's outputs, are copied synchronously: a thread-pool round trip per call costs more.
      if (parseName(value.name).size <= SYNC_WRITE_LIMIT) {
        copyFileSync(src, tmp);
        chmodSync(tmp, mode);
        if (times) utimesSync(tmp, ...times);
        renameSync(tmp, path);
      } else {
        await fs.copyFile(src, tmp);
        await fs.chmod(tmp, mode);
        if (times) await fs.utimes(tmp, ...times);
        await fs.rename(tmp, path);
      }
      this.written.set(path, { ref, state: fileState(statSync(path, { bigint: true })) });
    } catch (e) {
      await fs.rm(tmp, { force: true });
      throw new BurstError('job-failed', `cannot write ${path}: ${errorMessage(e)}`);
    }
  }

  /** Waits for every job started during the build, then writes every output. */
  async finish(): Promise<{ failures: Array<{ path: string; error: BurstError }> }> {
    await Promise.allSettled(this.running);
    const result = await this.makeReal(await this.placeholdersInTree());
    await this.store.flush();
    return result;
  }

  async graph(): Promise<GraphNode[]> {
    return (await this.scheduler?.graph()) ?? [];
  }

  report(): RunReport {
    const base = this.scheduler?.report() ?? emptyReport();
    return { ...base, fallbacks: [...this.fallbacks], diagnostics: base.diagnostics.map((d) => this.toWorkspace(d)) };
  }

  /** Diagnostics name files as the sandbox did; users need them as the workspace (or the machine) does. */
  private toWorkspace(d: Diagnostic): Diagnostic {
    return d.file.startsWith(`${SYS_DIR}/`) ? { ...d, file: d.file.slice(SYS_DIR.length) } : d;
  }
}

/** Directories no build writes its outputs into. */
export const UNSEARCHED_DIRS = new Set(['.git', '.hg', '.svn', '.jj', 'node_modules']);

function fileState(st: BigIntStats): string {
  return `${st.size}:${st.mtimeNs}:${st.ctimeNs}:${st.ino}`;
}

function emptyReport(): RunReport {
  return {
    thunks: 0,
    executed: 0,
    cached: 0,
    failed: 0,
    retried: 0,
    duplicated: 0,
    byBackend: {},
    fallbacks: [],
    wallMs: 0,
    criticalPathMs: 0,
    bytesUploaded: 0,
    bytesDownloaded: 0,
    ranLocally: [],
    diagnostics: [],
    jobs: [],
  };
}
