/**
 * The engine's public API: the one entry point for the CLI, the language
 * server, the tests and programs that make thunks themselves (the SDK).
 *
 *   const engine = await Engine.open();                  // the user's store
 *   const src = await engine.addFile('hello.c');         // a value, by content
 *   const cc = await engine.packExecutable('gcc');       // a tool with its libraries and loader
 *   const t = await engine.createThunk({ args: [...cc.launch('', 'gcc'), '-c', 'hello.c'],
 *     inputs: { ...cc.inputs, 'hello.c': src }, executables: cc.executables, outputs: ['hello.o'] });
 *   const { values, report } = await engine.force([t]);
 *
 * Thunks reference other thunks' outputs as `T…#path`, so a graph is built
 * bottom-up, and a job may write thunks as its outputs (dynamic graphs).
 */
import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { backendName, openBackend, type BackendName, type BackendSpec, type RunTarget } from './backends/open';
import { audit, jobsBehind, type AuditOptions, type AuditReport } from './audit/audit';
import { lastRun, RunJobs, type LastRun } from './audit/lastRun';
import { runBuild, type BuildResult } from './infer/build';
import { findOutput } from './infer/record';
import { cacheStats, collectGarbage, type CacheStats, type GcResult } from './store/maintenance';
import type { Backend } from './schedule/backend';
import { BurstError } from './model/errors';
import { initHash, nameOfBytes } from './model/hash';
import { Scheduler, type ForceResult, type RunEvent } from './schedule/scheduler';
import { JobTimes } from './schedule/jobTimes';
import { tempPath } from './store/atomic';
import { takeLease } from './store/leases';
import { LocalStore, defaultCacheDir } from './store/local';
import type { ObjectStore, OutputEntry, Reduction } from './store/objectStore';
import { canonicalThunk, decodeThunk, encodeThunk, type Thunk } from './model/thunk';
import { packExecutable, type PackedExecutable } from './exec/toolchain';
import { sandboxesRemoved } from './exec/worker';
import type { RunReport } from './model/report';
import type { StragglerOptions } from './schedule/straggler';
import { runTests, type DiscoveredTest, type TestRun } from './testing/runTests';
import type { TestResult } from './testing/testTypes';

export type {
  Backend,
  BackendName,
  BackendSpec,
  BuildResult,
  DiscoveredTest,
  ForceResult,
  ObjectStore,
  OutputEntry,
  PackedExecutable,
  Reduction,
  RunEvent,
  RunReport,
  StragglerOptions,
  TestResult,
  TestRun,
  Thunk,
};
export { backendName };
export type { AwsModule } from './backends/loadAws';
export { loadAws } from './backends/loadAws';
export type { CacheStats, GcResult };
export { parseSize } from './store/maintenance';
export { JobFailedError } from './schedule/scheduler';
export { WORKSPACE_CONFIG } from './model/workspaceConfig';
export { BurstError, CorruptObjectError, MissingObjectError, errorMessage } from './model/errors';
export { formatDiagnostic, type Diagnostic } from './model/diagnostics';
export { summarize, type GraphNode } from './model/report';
export { plan, type Plan, type PlanRow } from './sim/plan';
export { LAMBDA, type Platform } from './sim/platform';
export { initHash, isName, nameOfBytes, parseName } from './model/hash';
export { encodeThunk, decodeThunk, isRef, parseThunkRef, programOf, THUNK_MAGIC } from './model/thunk';
export { readPlaceholder, writePlaceholder } from './model/placeholder';
export { MemoryStore } from './store/memory';
export type { AuditDifference, AuditReport } from './audit/audit';
export { formatAudit } from './audit/format';
export { generateSigningKeys } from './store/signing';
export { caseOf, discoverTests, matchesFilter } from './testing/runTests';
export { launchOf, type TestLaunch } from './testing/launch';
export { readTestSuites } from './testing/testConfig';
export { defaultCacheDir, LocalStore };

/** A thunk as callers write it: everything but `args` and `outputs` has a default. */
export type ThunkSpec = Pick<Thunk, 'args' | 'outputs'> & Partial<Omit<Thunk, 'args' | 'outputs'>>;

export function completeThunk(spec: ThunkSpec): Thunk {
  return canonicalThunk({ env: {}, inputs: {}, executables: [], cwd: '', timeoutMs: 10 * 60_000, ...spec });
}

/** The name a thunk gets in any store (call `initHash()` once first). */
export function thunkName(spec: ThunkSpec): string {
  return nameOfBytes('T', encodeThunk(completeThunk(spec)));
}

/** How a run goes, the same for force, build and tests. */
export interface RunOptions {
  /** Where jobs run (default: the local pool). */
  backend?: BackendSpec;
  /** Jobs at once on this machine (default: the number of cores); with a remote backend, for the jobs it declines. */
  jobs?: number;
  /** Local pool: run each job under a root holding only its inputs. */
  isolate?: boolean;
  /** Local pool: bytes of memory each job may use (default: 80% of the machine's memory shared among the jobs at once). */
  memoryLimit?: number;
  /** Further attempts after a transient fault (default 3). */
  retries?: number;
  straggler?: Partial<StragglerOptions>;
  /** Look up and record results (default true). */
  useCache?: boolean;
  /** Go on with independent jobs after a failure (force; builds and tests always do). */
  keepGoing?: boolean;
  /** Put the run's job graph in its report (RunReport.graph), for `burst plan`. */
  graph?: boolean;
  signal?: AbortSignal;
  onEvent?: (e: RunEvent) => void;
}

export interface BuildOptions extends RunOptions {
  /** Where the build command runs. */
  root: string;
  /** Record the jobs, run none. */
  inferOnly?: boolean;
  /** The `burst` program a placeholder runs when the build executes it. */
  burstProgram?: string;
  /** The build command's output as it comes; without it the command shares this process's terminal. */
  onOutput?: (chunk: string) => void;
}

export interface TestOptions extends RunOptions {
  root: string;
  /** Each result as soon as it is known. */
  onResult?: (r: TestResult) => void;
}

export interface EngineOptions {
  /** The store's directory (default: $BURST_CACHE_DIR, else $XDG_CACHE_HOME/burst, else ~/.cache/burst). */
  cacheDir?: string;
}

export class Engine {
  /** Jobs' times in earlier runs, read once and written after each run (the order waiting jobs get a slot in). */
  private times: JobTimes | undefined;

  private constructor(readonly store: LocalStore) {}

  private jobTimes(): JobTimes {
    this.times ??= JobTimes.load(this.store.dir);
    return this.times;
  }

  static async open(opts: EngineOptions = {}): Promise<Engine> {
    await initHash();
    return new Engine(await LocalStore.open(opts.cacheDir ?? defaultCacheDir()));
  }

  addFile(path: string): Promise<string> {
    return this.store.putFile(path);
  }

  addBytes(bytes: Uint8Array | string): Promise<string> {
    return this.store.putBytes('V', typeof bytes === 'string' ? Buffer.from(bytes) : bytes);
  }

  /** Adds every file under a directory: sandbox path (under `at`) → value name, and the executable ones. */
  async addTree(dir: string, at: string): Promise<{ inputs: Record<string, string>; executables: string[] }> {
    const inputs: Record<string, string> = {};
    const executables: string[] = [];
    for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
      if (!entry.isFile()) continue;
      const host = join(entry.parentPath, entry.name);
      const rel = join(at, host.slice(dir.length + 1));
      inputs[rel] = await this.store.putFile(host);
      if (((await fs.stat(host)).mode & 0o111) !== 0) executables.push(rel);
    }
    return { inputs, executables };
  }

  packExecutable(path: string): Promise<PackedExecutable> {
    return packExecutable(this.store, path);
  }

  async createThunk(spec: ThunkSpec): Promise<string> {
    return this.store.putBytes('T', encodeThunk(completeThunk(spec)));
  }

  async readThunk(name: string): Promise<Thunk> {
    return decodeThunk(await this.store.readBytes(name), name);
  }

  async force(refs: string[], opts: RunOptions = {}): Promise<ForceResult & { report: RunReport }> {
    return this.leased('force', opts, async (o) => {
      return withTarget(await this.open(o), async (target) => {
        const scheduler = new Scheduler(target.store, schedulerOptions(target, o, this.jobTimes()));
        const result = await scheduler.force(refs);
        await this.store.flush();
        const report = scheduler.report();
        if (o.graph) report.graph = await scheduler.graph();
        return { ...result, report };
      });
    });
  }

  /**
   * Runs cached jobs again with no cache (on the local pool, isolated, unless
   * another backend is asked for) and compares their outputs with the cached
   * ones: the jobs behind `refs`, or those of the store's last run.
   */
  async audit(refs: string[] | undefined, opts: RunOptions & AuditOptions = {}): Promise<AuditReport & { of: string }> {
    const last = refs ? undefined : lastRun(this.store.dir);
    if (!refs && !last)
      throw new BurstError('usage', 'this store has no run to audit yet: run a build first, or name the outputs to audit');
    const jobs = refs ? await jobsBehind(this.store, refs) : (last as LastRun).jobs;
    const of = refs
      ? `the jobs behind ${refs.length === 1 ? refs[0] : `${refs.length} targets`}`
      : `the last run (${last?.what}, ${last?.endedAt})`;
    return this.leased('audit', {}, async () => {
      const isolate = opts.isolate ?? (opts.backend?.kind ?? 'local') === 'local';
      const report = await withTarget(await this.open({ ...opts, isolate }), (target) =>
        audit(target.store, jobs, opts, schedulerOptions(target, opts, this.jobTimes())),
      );
      return { ...report, of };
    });
  }

  async readValue(name: string): Promise<Buffer> {
    return this.store.readBytes(name);
  }

  /** Writes a value to a path, replacing what is there in one step. */
  async materialize(entry: OutputEntry, dest: string): Promise<void> {
    const src = await this.store.verifiedPath(entry.name);
    await fs.mkdir(dirname(dest), { recursive: true });
    const tmp = tempPath(dirname(dest), '.burst');
    try {
      await fs.copyFile(src, tmp);
      await fs.chmod(tmp, entry.executable ? 0o755 : 0o644);
      await fs.rename(tmp, dest);
    } catch (e) {
      await fs.rm(tmp, { force: true });
      throw e instanceof BurstError ? e : new BurstError('usage', `cannot write ${dest}: ${(e as Error).message}`);
    }
  }

  /**
   * Runs a build command (make, cmake --build, ninja, a script) in `root` with
   * its compiler and binutils calls intercepted, then runs every job it
   * recorded and writes the outputs into the tree (unless `inferOnly`).
   */
  async build(command: string[], opts: BuildOptions): Promise<BuildResult> {
    return this.leased(`build ${command.join(' ')}`, opts, async (o) => {
      return withTarget(await this.open(o), (target) =>
        runBuild(target.store, {
          ...schedulerOptions(target, o, this.jobTimes()),
          command,
          root: o.root,
          useCache: o.useCache ?? true,
          inferOnly: o.inferOnly ?? false,
          isolate: o.isolate ?? false,
          burstProgram: o.burstProgram ?? 'burst',
          graph: o.graph ?? false,
          ...(o.onOutput ? { onOutput: o.onOutput } : {}),
        }),
      );
    });
  }

  /** Runs discovered tests as jobs (see discoverTests), each result reported as it is known. */
  async runTests(tests: DiscoveredTest[], opts: TestOptions): Promise<TestRun> {
    return this.leased('tests', opts, async (o) => {
      return withTarget(await this.open(o), (target) =>
        runTests(target.store, tests, {
          ...schedulerOptions(target, o, this.jobTimes()),
          root: o.root,
          graph: o.graph ?? false,
          ...(o.onResult ? { onResult: o.onResult } : {}),
        }),
      );
    });
  }

  /**
   * A run holds a lease on the store, so garbage collection in another
   * process leaves its objects alone; the jobs it ran or found cached are
   * kept as the store's last run (what `burst audit` audits by default).
   */
  private async leased<O extends RunOptions, T>(what: string, opts: O, run: (o: O) => Promise<T>): Promise<T> {
    const release = takeLease(this.store.dir, what);
    const jobs = new RunJobs();
    try {
      const result = await run({ ...opts, onEvent: jobs.tee(opts.onEvent) }).finally(sandboxesRemoved);
      await jobs.save(this.store.dir, this.store.tmpDir, what).catch(() => undefined); // only audit's default depends on it
      await this.times?.save(this.store.dir, this.store.tmpDir).catch(() => undefined); // a hint for the next run's order
      return result;
    } finally {
      release();
    }
  }

  private open(opts: RunOptions): Promise<RunTarget> {
    return openBackend(this.store, opts.backend ?? { kind: 'local' }, {
      ...(opts.jobs ? { jobs: opts.jobs } : {}),
      ...(opts.memoryLimit ? { memoryLimit: opts.memoryLimit } : {}),
      isolate: opts.isolate ?? false,
    });
  }

  /** The output of an earlier `build` at `path`: the tree it belongs to and the job that made it. */
  buildOutput(path: string): ReturnType<typeof findOutput> {
    return findOutput(this.store, path);
  }

  cacheStats(): Promise<CacheStats> {
    return cacheStats(this.store);
  }

  /** Removes what no recent run used, down to `maxBytes` if given. */
  collectGarbage(maxBytes?: number): Promise<GcResult> {
    return collectGarbage(this.store, maxBytes);
  }

  async reductionOf(thunk: string): Promise<Reduction | undefined> {
    return this.store.getReduction(thunk);
  }
}

/** Runs `work` on a run's target, then closes what the target holds open (the simulator's thread). */
async function withTarget<T>(target: RunTarget, work: (t: RunTarget) => Promise<T>): Promise<T> {
  try {
    return await work(target);
  } finally {
    await target.close?.();
  }
}

function schedulerOptions(target: RunTarget, opts: RunOptions, times: JobTimes) {
  return {
    backend: target.backend,
    times,
    local: target.local,
    ...(opts.useCache !== undefined ? { useCache: opts.useCache } : {}),
    ...(opts.keepGoing !== undefined ? { keepGoing: opts.keepGoing } : {}),
    ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
    ...(opts.straggler ? { straggler: opts.straggler } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
  };
}
