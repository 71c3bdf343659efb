/**
 * Forcing thunks: a lazy walk of the graph from the requested references.
 *
 * Each thunk is looked up in the reduction cache before anything else, so a
 * cached target costs one file read however deep its graph. Otherwise its
 * thunk inputs are forced first, it is re-named with those inputs replaced by
 * values (so a different producer of the same bytes still hits the cache), and
 * it runs on the backend with retries for transient faults and a duplicate for
 * stragglers. An output that is itself a thunk is forced in turn.
 */
import { setMaxListeners } from 'node:events';
import {
  BurstError,
  CorruptObjectError,
  LostInputsError,
  LostObjectError,
  MalformedResultError,
  MissingObjectError,
  StoppedJobError,
  TransientError,
  errorMessage,
} from '../model/errors';
import type { Backend, FollowOn } from './backend';
import { parseDiagnostics, type Diagnostic } from '../model/diagnostics';
import {
  decodeThunk,
  encodeThunk,
  isThunkRef,
  parseThunkRef,
  programOf,
  thunkDependencies,
  withInputValues,
  type Thunk,
} from '../model/thunk';
import { sha256OfBytes } from '../model/hash';
import type { ObjectStore, OutputEntry, Reduction } from '../store/objectStore';
import type { GraphNode, JobRecord, LocalRun, RunReport } from '../model/report';
import { runGraph } from './graph';
import { CriticalPath } from './criticalPath';
import { JobTimes } from './jobTimes';
import type { JobResult } from '../exec/worker';
import { Slots, sleep } from './slots';
import { StragglerPolicy, type StragglerOptions } from './straggler';

export type RunEvent =
  | { type: 'job-start'; job: string; program: string; backend: string; attempt: number; duplicate: boolean }
  | { type: 'job-end'; job: string; program: string; backend: string; exitCode: number; durationMs: number; transferMs?: number }
  /** `outputs`: the cached result's output paths; `savedMs`: how long the job took when it ran. */
  | { type: 'job-cached'; job: string; program: string; outputs: string[]; savedMs: number }
  | { type: 'job-retry'; job: string; program: string; reason: string; delayMs: number }
  | { type: 'job-duplicate'; job: string; program: string; elapsedMs: number }
  | { type: 'job-failed'; job: string; program: string; message: string; stderr: string; diagnostics: Diagnostic[] }
  | { type: 'warning'; message: string }
  | {
      type: 'progress';
      thunks: number;
      done: number;
      running: number;
      cached: number;
      failed: number;
      bytesUp?: number;
      bytesDown?: number;
      costUsd?: number;
    };

export interface SchedulerOptions {
  backend: Backend;
  /** The local pool, for the jobs `backend` declines (without it, such a job fails). */
  local?: Backend;
  /** Look up and record reductions (default true). */
  useCache?: boolean;
  /** Further attempts after a transient fault (default 3). */
  retries?: number;
  /** First back-off delay; each retry doubles it, with full jitter (default 200 ms). */
  retryBaseMs?: number;
  straggler?: Partial<StragglerOptions>;
  /** Go on with independent jobs after a failure, as `make -k` (default false). */
  keepGoing?: boolean;
  /** Jobs' times in earlier runs: the order in which waiting jobs get a slot (default: none known). */
  times?: JobTimes;
  signal?: AbortSignal;
  onEvent?: (e: RunEvent) => void;
}

export interface ForceFailure {
  ref: string;
  error: BurstError;
}

export interface ForceResult {
  /** ref → the value it reduced to, for every ref that succeeded. */
  values: Map<string, OutputEntry>;
  failures: ForceFailure[];
}

interface Resolved {
  entry: OutputEntry;
  /** Longest chain of job time behind this value. */
  pathMs: number;
}

export class JobFailedError extends BurstError {
  constructor(
    readonly job: string,
    readonly program: string,
    readonly exitCode: number,
    readonly stderr: string,
    message?: string,
  ) {
    super('job-failed', message ?? `job ${job} (${program}) exited with status ${exitCode}`, { job });
  }
}

export class Scheduler {
  private readonly reductions = new Map<string, Promise<{ reduction: Reduction; pathMs: number }>>();
  private readonly slots: Slots;
  private readonly localSlots: Slots | undefined;
  /** Jobs the backend declined, run on the local pool: once per job, however many attempts. */
  private readonly ranLocally = new Map<string, LocalRun>();
  private readonly straggler: StragglerPolicy;
  private readonly times: JobTimes;
  private readonly critical: CriticalPath;
  private readonly started = performance.now();
  private readonly abort = new AbortController();
  private readonly jobs: JobRecord[] = [];
  private readonly diagnostics: Diagnostic[] = [];
  private readonly byBackend: Record<string, number> = {};
  private readonly thunks = new Set<string>();
  /** Jobs offered to ride along with the job feeding them, by that job's name. */
  private readonly followOns = new Map<string, FollowOn>();
  /** Jobs making lost inputs again, by job (see remakeLost). */
  private readonly remaking = new Map<string, Promise<void>>();
  /** Jobs counted as cached, one of which may yet run (recompute). */
  private readonly cachedJobs = new Set<string>();
  private counts = { executed: 0, cached: 0, failed: 0, retried: 0, duplicated: 0, running: 0 };
  private criticalPathMs = 0;
  private stopped: BurstError | undefined;
  private readonly warned = new Set<string>();
  private readonly publishing = new Set<Promise<void>>();

  constructor(
    private readonly store: ObjectStore,
    private readonly opts: SchedulerOptions,
  ) {
    this.slots = new Slots(opts.backend.maxJobs);
    this.localSlots = opts.local ? new Slots(opts.local.maxJobs) : undefined;
    setMaxListeners(0, this.abort.signal); // one listener per waiting or running job, by design
    this.straggler = new StragglerPolicy(opts.straggler);
    this.times = opts.times ?? JobTimes.empty();
    this.critical = new CriticalPath(this.times);
    opts.signal?.addEventListener('abort', () => this.stop(new BurstError('cancelled', 'the run was cancelled')), { once: true });
    if (opts.signal?.aborted) this.stop(new BurstError('cancelled', 'the run was cancelled'));
  }

  /**
   * Forces every reference; never throws for a job's failure, which is reported
   * per reference. May be called again while earlier calls run: they share work.
   */
  async force(refs: string[]): Promise<ForceResult> {
    const values = new Map<string, OutputEntry>();
    const failures: ForceFailure[] = [];
    await Promise.all(
      refs.map(async (ref) => {
        try {
          values.set(ref, (await this.resolve(ref, 0)).entry);
        } catch (e) {
          failures.push({ ref, error: asBurstError(e) });
        }
      }),
    );
    await this.published();
    return { values, failures };
  }

  /** The run's job graph, for the report (see graph.ts). */
  graph(): Promise<GraphNode[]> {
    return runGraph({
      names: this.thunks,
      thunk: (name) =>
        this.store.readBytes(name).then(
          (b) => decodeThunk(b, name),
          () => undefined,
        ),
      result: async (name) => (await this.reductions.get(name)?.catch(() => undefined))?.reduction,
    });
  }

  /** Every attempt of one job so far (what a caller running jobs one by one needs, without a whole report). */
  jobRecords(name: string): JobRecord[] {
    return this.jobs.filter((j) => j.name === name);
  }

  report(): RunReport {
    const stats = this.opts.backend.stats?.();
    return {
      thunks: this.thunks.size,
      executed: this.counts.executed,
      cached: this.counts.cached,
      failed: this.counts.failed,
      retried: this.counts.retried,
      duplicated: this.counts.duplicated,
      byBackend: { ...this.byBackend },
      fallbacks: [],
      wallMs: Math.round(performance.now() - this.started),
      criticalPathMs: Math.round(this.criticalPathMs),
      bytesUploaded: stats?.bytesUploaded ?? 0,
      bytesDownloaded: stats?.bytesDownloaded ?? 0,
      ranLocally: [...this.ranLocally.values()],
      ...(stats?.cost ? { cost: stats.cost } : {}),
      diagnostics: [...this.diagnostics],
      jobs: [...this.jobs],
    };
  }

  /**
   * A value found missing or corrupt when its bytes were needed (a copy in a
   * remote backend's bucket, fetched only then): the remote copy is dropped
   * and the job that made it runs again, its cached results overwritten.
   */
  async recompute(ref: string, cause: CorruptObjectError | MissingObjectError | LostObjectError): Promise<OutputEntry> {
    const { thunk: name } = parseThunkRef(ref);
    this.emit({ type: 'warning', message: `${cause.message} (the job that made it runs again)` });
    await this.opts.backend.shared?.discard(cause.object);
    const thunk = decodeThunk(await this.store.readBytes(name), name);
    const { resolved } = await this.resolveInputs(name, thunk);
    const { reduction, ranAs } = await this.executeRemaking(name, thunk, await this.runName(name, thunk, resolved), resolved);
    await this.store.putReduction(ranAs, reduction);
    if (ranAs !== name) await this.store.putReduction(name, reduction);
    this.reductions.set(name, Promise.resolve({ reduction, pathMs: reduction.durationMs }));
    if (this.cachedJobs.delete(name)) this.counts.cached--; // counted once, as run
    return (await this.resolve(ref, 0)).entry;
  }

  /** Whether forcing the reference will most likely be a cache hit (a recorded result; force still checks its outputs). */
  probablyCached(ref: string): boolean {
    if (!this.useCache || !isThunkRef(ref)) return false;
    const { thunk } = parseThunkRef(ref);
    return this.reductions.has(thunk) || this.store.hasReduction(thunk);
  }

  /**
   * A thunk run outside the scheduler (a compile run where it stands to learn
   * its headers): counted, reported and remembered as if run here.
   */
  adopt(name: string, reduction: Reduction, stderr: string, cwd: string): void {
    this.thunks.add(name);
    this.reductions.set(name, Promise.resolve({ reduction, pathMs: reduction.durationMs }));
    this.counts.executed++;
    const backend = reduction.backend ?? this.opts.backend.label;
    this.byBackend[backend] = (this.byBackend[backend] ?? 0) + 1;
    const end = this.now();
    this.jobs.push({
      name,
      program: reduction.program,
      backend,
      start: Math.max(0, end - reduction.durationMs),
      end,
      exitCode: 0,
      attempt: 1,
      duplicate: false,
      outcome: 'ok',
    });
    this.straggler.recordDuration(reduction.program, reduction.durationMs);
    this.criticalPathMs = Math.max(this.criticalPathMs, reduction.durationMs);
    this.diagnostics.push(...parseDiagnostics(stderr, cwd, name));
    this.emit({ type: 'job-end', job: name, program: reduction.program, backend, exitCode: 0, durationMs: reduction.durationMs });
    this.emitProgress();
  }

  private stop(reason: BurstError): void {
    if (this.stopped) return;
    this.stopped = reason;
    this.abort.abort();
  }

  private emit(e: RunEvent): void {
    this.opts.onEvent?.(e);
  }

  private emitProgress(): void {
    const done = this.counts.executed + this.counts.cached;
    const stats = this.opts.backend.stats?.(); // a remote backend's bytes and cost so far
    this.emit({
      type: 'progress',
      thunks: this.thunks.size,
      done,
      running: this.counts.running,
      cached: this.counts.cached,
      failed: this.counts.failed,
      ...(stats
        ? { bytesUp: stats.bytesUploaded, bytesDown: stats.bytesDownloaded, ...(stats.cost ? { costUsd: stats.cost.usd } : {}) }
        : {}),
    });
  }

  private async resolve(ref: string, depth: number): Promise<Resolved> {
    if (!isThunkRef(ref)) return { entry: { name: ref, executable: false }, pathMs: 0 };
    if (depth > 10_000) throw new BurstError('bad-thunk', `${ref}: thunks returned thunks more than 10,000 times`);
    const { thunk, output } = parseThunkRef(ref);
    const { reduction, pathMs } = await this.reduce(thunk);
    const entry = output === undefined ? reduction.outputs[0] : reduction.outputs.find((o) => o.tag === output);
    if (!entry) throw new BurstError('bad-thunk', `${thunk} has no output ${output ?? ''}`, { job: thunk });
    if (entry.name[0] === 'T') {
      const next = await this.resolve(entry.name, depth + 1);
      return { entry: next.entry, pathMs: pathMs + next.pathMs };
    }
    return { entry: { name: entry.name, executable: entry.executable }, pathMs };
  }

  /**
   * A result made in this run, shared through the remote backend in the
   * background: no job waits for it, and the run waits for all of them
   * before it ends (force). The build does not depend on it.
   */
  private publish(runName: string, reduction: Reduction): void {
    const shared = this.opts.backend.shared;
    if (!shared) return;
    const p = shared.publish(runName, reduction).catch((e: unknown) => {
      this.warnOnce(`results made in this run could not be shared through ${shared.where()}: ${errorMessage(e)}`);
    });
    this.publishing.add(p);
    void p.finally(() => this.publishing.delete(p));
  }

  /** Waits until every result this run shares has been written (or failed, with a warning). */
  private async published(): Promise<void> {
    while (this.publishing.size > 0) await Promise.all([...this.publishing]);
  }

  private reduce(name: string): Promise<{ reduction: Reduction; pathMs: number }> {
    let p = this.reductions.get(name);
    if (!p) {
      p = this.reduceUncached(name);
      this.reductions.set(name, p);
    }
    return p;
  }

  private async reduceUncached(name: string): Promise<{ reduction: Reduction; pathMs: number }> {
    this.thunks.add(name);
    const hit = await this.cachedReduction(name, name, 'local');
    if (hit) return { reduction: hit, pathMs: 0 };
    const thunk = decodeThunk(await this.store.readBytes(name), name);
    // Jobs run, and their results are shared, under names whose inputs are all values: another name is looked for here only.
    const shared = thunkDependencies(thunk).length === 0 ? await this.cachedReduction(name, name, 'shared') : undefined;
    if (shared) return { reduction: shared, pathMs: 0 };
    this.critical.job(name, thunk);
    const { resolved, pathMs } = await this.resolveInputs(name, thunk);
    let runName = await this.runName(name, thunk, resolved);
    this.critical.runsAs(runName, name);
    const again = runName === name ? undefined : await this.cachedReduction(runName, name);
    if (again) {
      this.opts.backend.dropFollowOn?.(runName);
      await this.store.putReduction(name, again);
      return { reduction: again, pathMs };
    }
    const { reduction, durationMs, ranAs } = await this.executeRemaking(name, thunk, runName, resolved, this.followOns.get(name));
    runName = ranAs;
    this.times.record(thunk, durationMs);
    if (this.useCache) {
      await this.store.putReduction(runName, reduction);
      if (runName !== name) await this.store.putReduction(name, reduction);
      this.publish(runName, reduction);
    }
    const total = pathMs + durationMs;
    this.criticalPathMs = Math.max(this.criticalPathMs, total);
    return { reduction, pathMs: total };
  }

  private get useCache(): boolean {
    return this.opts.useCache ?? true;
  }

  /** A recorded reduction whose outputs are all present and intact, or undefined. */
  private async cachedReduction(name: string, countAs = name, from: 'local' | 'shared' | 'both' = 'both'): Promise<Reduction | undefined> {
    if (!this.useCache) return undefined;
    const r =
      (from !== 'shared' ? await this.localReduction(name) : undefined) ??
      (from !== 'local' ? await this.sharedReduction(name) : undefined);
    if (!r) return undefined;
    if (r.sha256) this.opts.backend.shared?.expect(r.sha256);
    try {
      // An output a remote backend holds is fetched (and checked) only if something here needs its bytes.
      for (const o of r.outputs) if (!this.opts.backend.shared?.holds(o.name) || this.store.has(o.name)) await this.store.verify(o.name);
    } catch (e) {
      if (!(e instanceof CorruptObjectError || e instanceof MissingObjectError)) throw e;
      this.emit({ type: 'warning', message: `${e.message} (the job that made it runs again)` });
      await this.store.deleteReduction(name);
      return undefined;
    }
    this.counts.cached++;
    this.cachedJobs.add(countAs);
    this.emit({ type: 'job-cached', job: countAs, program: r.program, outputs: r.outputs.map((o) => o.tag), savedMs: r.durationMs });
    await this.noteDiagnostics(r.stderr, countAs);
    this.emitProgress();
    return r;
  }

  /** This machine's recorded result; a malformed one is removed, with a warning, and the job runs. */
  private async localReduction(name: string): Promise<Reduction | undefined> {
    try {
      return await this.store.getReduction(name);
    } catch (e) {
      if (!(e instanceof MalformedResultError)) throw e;
      this.warnOnce(e.message);
      await this.store.deleteReduction(name);
      return undefined;
    }
  }

  private warnOnce(message: string): void {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    this.emit({ type: 'warning', message });
  }

  /** A result the remote backend's shared store has (another machine ran the job), kept locally too. */
  private async sharedReduction(name: string): Promise<Reduction | undefined> {
    const r = await this.opts.backend.shared?.getReduction(name).catch((e: unknown) => {
      // A result the shared store cannot give (malformed, or reading it refused) is a miss: the job runs, and the user is told once.
      this.warnOnce(errorMessage(e));
      return undefined;
    });
    if (r) await this.store.putReduction(name, r);
    return r;
  }

  private async resolveInputs(name: string, thunk: Thunk): Promise<{ resolved: Thunk; pathMs: number }> {
    const refs = Object.entries(thunk.inputs).filter(([, ref]) => isThunkRef(ref));
    if (refs.length === 0) return { resolved: thunk, pathMs: 0 };
    this.offerFollowOn(name, thunk);
    const values = new Map<string, OutputEntry>();
    let pathMs = 0;
    await Promise.all(
      refs.map(async ([path, ref]) => {
        let r: Resolved;
        try {
          r = await this.resolve(ref, 0);
        } catch (e) {
          const err = asBurstError(e);
          if (err.code === 'cancelled') throw err;
          throw new BurstError('dependency-failed', `${name} was not run: its input ${path} failed (${err.message})`, { job: name });
        }
        values.set(path, r.entry);
        pathMs = Math.max(pathMs, r.pathMs);
      }),
    );
    return { resolved: withInputValues(thunk, values), pathMs };
  }

  /**
   * A job fed by exactly one other job that has not started may ride along
   * with it on a backend that takes follow-on jobs (Lambda: one invocation
   * for both, the intermediate never travels back). The backend keeps the
   * follow-on's result until the scheduler runs it under its resolved name.
   */
  private offerFollowOn(name: string, thunk: Thunk): void {
    if (!this.opts.backend.takesFollowOns) return;
    const feeders = thunkDependencies(thunk).map((ref) => parseThunkRef(ref).thunk);
    const feeder = feeders[0];
    if (feeder === undefined || feeders.some((f) => f !== feeder) || this.reductions.has(feeder) || this.followOns.has(feeder)) return;
    this.followOns.set(feeder, { name, thunk, feeder });
  }

  /** The name a job runs under: its own, or that of its thunk with its inputs' values (stored). */
  private async runName(name: string, thunk: Thunk, resolved: Thunk): Promise<string> {
    return resolved === thunk ? name : this.store.putBytes('T', encodeThunk(resolved));
  }

  /**
   * Runs a job whose inputs are resolved. An input the remote backend alone
   * held, lost there, is made again by the job that made it, and the job
   * runs again with it (under a new name if the input's bytes differ).
   */
  private async executeRemaking(
    name: string,
    thunk: Thunk,
    runName: string,
    resolved: Thunk,
    followOn?: FollowOn,
  ): Promise<{ reduction: Reduction; durationMs: number; ranAs: string }> {
    try {
      return { ...(await this.execute(runName, resolved, followOn)), ranAs: runName };
    } catch (e) {
      if (!(e instanceof LostInputsError) || this.stopped) throw e;
      await this.remakeLost(name, thunk, resolved, e);
      const again = (await this.resolveInputs(name, thunk)).resolved;
      const againName = await this.runName(name, thunk, again);
      return { ...(await this.execute(againName, again)), ranAs: againName };
    }
  }

  /**
   * Runs again the jobs that made a job's lost inputs, each once however many
   * jobs lost its outputs (keyed by job: an input may have the bytes of its
   * maker's own input, as ranlib's output has ar's).
   */
  private async remakeLost(name: string, thunk: Thunk, resolved: Thunk, lost: LostInputsError): Promise<void> {
    const makers = new Map<string, { ref: string; object: string }>();
    const made = new Set<string>();
    for (const [path, ref] of Object.entries(thunk.inputs)) {
      const value = resolved.inputs[path];
      if (!isThunkRef(ref) || value === undefined || !lost.objects.includes(value)) continue;
      makers.set(parseThunkRef(ref).thunk, { ref, object: value });
      made.add(value);
    }
    const orphan = lost.objects.find((o) => !made.has(o));
    if (orphan !== undefined)
      throw new BurstError('missing-object', `${lost.message}; no job of this run makes ${orphan}`, { object: orphan, job: name });
    await Promise.all(
      [...makers].map(([job, { ref, object }]) => {
        let remaking = this.remaking.get(job);
        if (!remaking) {
          remaking = this.recompute(ref, new LostObjectError(object, lost.where)).then(() => undefined);
          this.remaking.set(job, remaking);
        }
        return remaking;
      }),
    );
  }

  private async execute(name: string, thunk: Thunk, followOn?: FollowOn): Promise<{ reduction: Reduction; durationMs: number }> {
    const program = programOf(thunk);
    const retries = this.opts.retries ?? 3;
    const base = this.opts.retryBaseMs ?? 200;
    let stoppedBefore = false;
    for (let attempt = 1; ; attempt++) {
      try {
        // A retry goes alone: if the follow-on made the attempt fail (the invocation's time or memory), it must not fail the job again.
        const { result, record } = await this.runRace(name, thunk, program, attempt, attempt === 1 ? followOn : undefined);
        if (result.exitCode !== 0) {
          const stderr = result.stderr.toString('utf8');
          const diagnostics = parseDiagnostics(stderr, thunk.cwd, name);
          this.diagnostics.push(...diagnostics);
          this.counts.failed++;
          this.emit({ type: 'job-failed', job: name, program, message: `exited with status ${result.exitCode}`, stderr, diagnostics });
          this.emitProgress();
          const err = new JobFailedError(name, program, result.exitCode, stderr);
          if (!this.opts.keepGoing) this.stop(err);
          throw err;
        }
        this.counts.executed++;
        this.byBackend[record.backend] = (this.byBackend[record.backend] ?? 0) + 1;
        this.straggler.recordDuration(program, result.durationMs);
        const reduction = await this.toReduction(result, program, record.backend);
        if (result.ranOn) reduction.reason = result.ranOn.reason;
        await this.noteDiagnostics(reduction.stderr, name, thunk.cwd);
        this.emitProgress();
        return { reduction, durationMs: result.durationMs };
      } catch (e) {
        if (e instanceof StoppedJobError) {
          if (stoppedBefore) {
            const err = new BurstError(
              'job-failed',
              `${e.message}, on two attempts: not tried again, as a job stopped at a limit twice will be again`,
              { job: name },
            );
            this.countFailure(name, program, err);
            throw err;
          }
          stoppedBefore = true;
        }
        if (!(e instanceof TransientError) || attempt > retries || this.stopped) {
          this.countFailure(name, program, e);
          throw e;
        }
        const delayMs = Math.round(Math.random() * base * 2 ** (attempt - 1));
        this.counts.retried++;
        this.emit({ type: 'job-retry', job: name, program, reason: e.message, delayMs });
        await sleep(delayMs, this.abort.signal).catch(() => undefined);
      }
    }
  }

  /**
   * A job that ends without its result for a reason of its own making or the
   * machine's (a fault after every retry, a refused output, a changed input)
   * is a failed job like one that exits non-zero: counted, reported with its
   * cause, and it stops the run unless the run keeps going. Exit statuses are
   * counted where they are seen; a cancelled run and a lost input being made
   * again are not failures.
   */
  private countFailure(name: string, program: string, e: unknown): void {
    if (e instanceof JobFailedError || e instanceof LostInputsError || (this.stopped !== undefined && e === this.stopped)) return;
    const err = asBurstError(e);
    if (err.code === 'cancelled' || this.stopped?.code === 'cancelled') return;
    this.counts.failed++;
    this.emit({ type: 'job-failed', job: name, program, message: err.message, stderr: '', diagnostics: [] });
    this.emitProgress();
    if (!this.opts.keepGoing) this.stop(err);
  }

  private async toReduction(result: JobResult, program: string, backend: string): Promise<Reduction> {
    const r: Reduction = { outputs: result.outputs, program, durationMs: Math.round(result.durationMs), backend };
    const sha256 = { ...result.sha256 };
    for (const k of ['stdout', 'stderr'] as const) {
      if (result[k].length === 0) continue;
      const name = await this.store.putBytes('V', result[k]);
      r[k] = name;
      if (result.sha256) sha256[name] = sha256OfBytes(result[k]);
    }
    if (result.sha256) r.sha256 = sha256;
    return r;
  }

  private async noteDiagnostics(stderrName: string | undefined, job: string, cwd?: string): Promise<void> {
    if (!stderrName) return;
    const text = (await this.store.readBytes(stderrName).catch(() => Buffer.alloc(0))).toString('utf8');
    let dir = cwd;
    if (dir === undefined) {
      const bytes = await this.store.readBytes(job).catch(() => undefined);
      dir = bytes ? decodeThunk(bytes, job).cwd : '';
    }
    this.diagnostics.push(...parseDiagnostics(text, dir, job));
  }

  /**
   * One attempt of a job, plus a duplicate if it straggles: the first copy to
   * finish with an answer (any exit status) wins and the other is killed. A
   * copy lost to a transient fault leaves the race to the other.
   */
  private async runRace(
    name: string,
    thunk: Thunk,
    program: string,
    attempt: number,
    followOn?: FollowOn,
  ): Promise<{ result: JobResult; record: JobRecord }> {
    if (this.stopped) throw this.stopped;
    const place = this.placement(name, thunk, program);
    if (place.reason !== undefined) followOn = undefined;
    const slots = place.slots;
    // The job with the longest way to the end of the run gets a freed slot first.
    await slots.acquire(this.abort.signal, this.critical.started(name)).catch(() => {
      this.critical.ended(name);
      throw this.stopped ?? new BurstError('cancelled', 'the run was cancelled');
    });
    const copies: Array<{ controller: AbortController; record: JobRecord }> = [];
    let settled = false;
    let watchdog: NodeJS.Timeout | undefined;
    let extraSlots = 0;
    try {
      return await new Promise((resolveRace, rejectRace) => {
        let pending = 0;
        let firstError: unknown;
        let winner: { result: JobResult; record: JobRecord } | undefined;
        // The race ends when every copy has ended, so no sandbox outlives the run.
        const settleIfDone = (): void => {
          if (pending > 0) return;
          if (winner) return resolveRace(winner);
          const err = asBurstError(firstError);
          rejectRace(this.stopped && err.code === 'cancelled' ? this.stopped : firstError);
        };
        const launch = (duplicate: boolean): void => {
          const controller = new AbortController();
          const onStop = (): void => controller.abort();
          this.abort.signal.addEventListener('abort', onStop, { once: true });
          const record: JobRecord = {
            name,
            program,
            backend: place.backend.label,
            start: this.now(),
            end: 0,
            exitCode: null,
            attempt,
            duplicate,
            outcome: 'ok',
            ...(place.reason !== undefined ? { reason: place.reason } : {}),
          };
          copies.push({ controller, record });
          this.jobs.push(record);
          pending++;
          this.counts.running++;
          this.emit({ type: 'job-start', job: name, program, backend: record.backend, attempt, duplicate });
          this.emitProgress();
          const ended = (): void => {
            pending--;
            this.abort.signal.removeEventListener('abort', onStop);
            settleIfDone();
          };
          place.run(controller.signal, followOn).then(
            (result) => {
              if (result.ranOn) {
                record.backend = result.ranOn.backend;
                record.reason = result.ranOn.reason;
              }
              if (result.transferMs !== undefined) record.transferMs = result.transferMs;
              if (result.cutBytes) record.cutBytes = result.cutBytes;
              if (result.warning) this.warnOnce(result.warning);
              this.finishRecord(record, result.exitCode === 0 ? 'ok' : 'failed', result.exitCode);
              if (result.ranWith) {
                // It ran before it was asked for: its time ends now, where its feeder's ended.
                record.ranWith = result.ranWith;
                record.start = Math.max(0, record.end - result.durationMs);
              }
              if (!settled) {
                settled = true;
                winner = { result, record };
                for (const c of copies) if (c.record !== record) c.controller.abort();
                this.emit({
                  type: 'job-end',
                  job: name,
                  program,
                  backend: record.backend,
                  exitCode: result.exitCode,
                  durationMs: result.durationMs,
                  ...(result.transferMs !== undefined ? { transferMs: result.transferMs } : {}),
                });
              } else {
                record.outcome = 'cancelled'; // finished after the winner: its answer is not used
              }
              ended();
            },
            (e: unknown) => {
              const err = asBurstError(e);
              this.finishRecord(record, err.code === 'cancelled' ? 'cancelled' : 'lost', null, err.message);
              firstError ??= e;
              ended();
            },
          );
        };
        launch(false);
        const work = [
          { program, timeoutMs: thunk.timeoutMs },
          ...(followOn ? [{ program: programOf(followOn.thunk), timeoutMs: followOn.thunk.timeoutMs }] : []),
        ];
        watchdog = setInterval(() => {
          const first = copies[0];
          if (settled || copies.length > 1 || !first) return;
          const elapsed = this.now() - first.record.start;
          if (!this.straggler.isStraggling(work, elapsed, this.critical.isCritical(name))) return;
          // A duplicate only takes a slot nothing else is waiting for: it must never delay other work.
          if (!slots.tryAcquire()) return;
          extraSlots++;
          this.counts.duplicated++;
          this.emit({ type: 'job-duplicate', job: name, program, elapsedMs: Math.round(elapsed) });
          launch(true);
        }, this.straggler.checkEveryMs);
      });
    } finally {
      if (watchdog) clearInterval(watchdog);
      this.critical.ended(name);
      for (let i = 0; i <= extraSlots; i++) slots.release();
    }
  }

  /**
   * Where a job runs: on the run's backend, or on the local pool when the
   * backend declines it (too large for Lambda, a program of this machine),
   * with the reason on its record, its result and the report.
   */
  private placement(
    name: string,
    thunk: Thunk,
    program: string,
  ): { backend: Backend; slots: Slots; reason?: string; run: (signal: AbortSignal, followOn?: FollowOn) => Promise<JobResult> } {
    const { backend, local } = this.opts;
    const reason = backend.declines?.(name, thunk);
    if (reason === undefined)
      return { backend, slots: this.slots, run: (signal, followOn) => backend.execute(name, thunk, signal, followOn) };
    if (!local || !this.localSlots)
      throw new BurstError('usage', `the ${backend.label} backend cannot run ${name} (${program}): ${reason}`, { job: name });
    const run = async (signal: AbortSignal): Promise<JobResult> => {
      const result = await local.execute(name, thunk, signal).catch((e: unknown) => {
        // An input only the shared store held, missing or bad there: the job that made it must run again.
        const shared = backend.shared;
        if (
          shared &&
          (e instanceof MissingObjectError || e instanceof CorruptObjectError) &&
          Object.values(thunk.inputs).includes(e.object)
        )
          throw new LostInputsError([e.object], shared.where(), e.message);
        throw e;
      });
      this.ranLocally.set(name, { job: name, program, reason });
      return { ...result, ranOn: { backend: local.label, reason } };
    };
    return { backend: local, slots: this.localSlots, reason, run };
  }

  private finishRecord(record: JobRecord, outcome: JobRecord['outcome'], exitCode: number | null, error?: string): void {
    record.end = this.now();
    record.exitCode = exitCode;
    record.outcome = outcome;
    if (error !== undefined) record.error = error;
    this.counts.running--;
  }

  private now(): number {
    return Math.round(performance.now() - this.started);
  }
}

export function asBurstError(e: unknown): BurstError {
  if (e instanceof BurstError) return e;
  return new BurstError('job-failed', errorMessage(e));
}
