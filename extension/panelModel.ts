/**
 * A run as the Burst panel shows it, built from the engine's run events as
 * they arrive (times are arrival times) and settled from the run report when
 * the run ends (the scheduler's own times, every attempt, every failure).
 * Uses no VS Code API: unit-tested in Node.
 */
import type { HostMessage, PanelCachedFile, PanelFailure, PanelFromCache, PanelRun, TimelineJob } from '../webview-ui/protocol';
import type { Diagnostic, RunEvent, RunReport } from '../engine/lsp/protocol';

/** What a batch tells the page: the `jobs` message without its type and run id. */
export type PanelChanges = Omit<Extract<HostMessage, { type: 'jobs' }>, 'type' | 'runId'>;

const STDERR_LIMIT = 16 * 1024;
/** Files from the cache listed by name; past this, counted. */
const CACHED_FILES_LIMIT = 500;
/** Outputs that never reach the workspace: the engine's scratch and tool files, a test job's verdict files. */
const INTERNAL_OUTPUT = /(^|\/)(_burst|burst-test\.)/;

export class RunTracker {
  readonly run: PanelRun;
  /** Jobs changed since the last `takeChanges`: sent to the panel in batches. */
  private changed: TimelineJob[] = [];
  private cachedAdded: PanelCachedFile[] = [];
  private failuresAdded: PanelFailure[] = [];
  private readonly fromCache: PanelFromCache = { files: [], more: 0, savedMs: 0 };
  private readonly open = new Map<string, TimelineJob[]>();
  private nextId = 0;

  constructor(runId: string, label: string, backend: string, startedAt: number) {
    this.run = {
      runId,
      label,
      backend,
      startedAt,
      finished: false,
      counts: { total: 0, done: 0, running: 0, cached: 0, failed: 0, retried: 0, duplicated: 0 },
      bytesUp: 0,
      bytesDown: 0,
      jobs: [],
      failures: [],
      ranLocally: [],
      cachedOutputs: 0,
      fromCache: this.fromCache,
    };
  }

  onEvent(e: RunEvent, now: number): void {
    const t = now - this.run.startedAt;
    const c = this.run.counts;
    switch (e.type) {
      case 'job-start': {
        const job: TimelineJob = {
          id: this.nextId++,
          job: e.job,
          program: e.program,
          backend: e.backend,
          start: t,
          state: 'running',
          attempt: e.attempt,
          duplicate: e.duplicate,
        };
        this.add(job);
        this.open.set(e.job, [...(this.open.get(e.job) ?? []), job]);
        break;
      }
      case 'job-end': {
        const copies = this.open.get(e.job) ?? [];
        const job = copies.shift();
        const state = e.exitCode === 0 ? 'ok' : 'failed';
        if (job) this.update(job, { end: t, state, ...(e.transferMs !== undefined ? { transferMs: e.transferMs } : {}) });
        // A job that ran outside the scheduler (a compile run in place) ends without having started.
        else
          this.add({
            id: this.nextId++,
            job: e.job,
            program: e.program,
            backend: e.backend,
            start: Math.max(0, t - e.durationMs),
            end: t,
            state,
            attempt: 1,
            duplicate: false,
          });
        for (const other of copies) this.update(other, { end: t, state: 'cancelled' }); // the first answer wins
        this.open.delete(e.job);
        break;
      }
      case 'job-cached':
        this.add({
          id: this.nextId++,
          job: e.job,
          program: e.program,
          backend: 'cache',
          start: t,
          end: t,
          state: 'cached',
          attempt: 1,
          duplicate: false,
        });
        this.noteCached(e.program, e.outputs, e.savedMs);
        break;
      case 'job-retry':
        c.retried++;
        for (const job of this.open.get(e.job) ?? []) this.update(job, { end: t, state: 'lost' });
        this.open.delete(e.job);
        break;
      case 'job-duplicate':
        c.duplicated++;
        break;
      case 'job-failed': {
        const failure = failureOf(e.job, e.program, this.lastBackend(e.job), e.message, e.stderr, e.diagnostics.map(toPanelDiagnostic));
        this.run.failures.push(failure);
        this.failuresAdded.push(failure);
        break;
      }
      case 'progress':
        Object.assign(c, { total: e.thunks, done: e.done, running: e.running, cached: e.cached, failed: e.failed });
        if (e.bytesUp !== undefined) this.run.bytesUp = e.bytesUp;
        if (e.bytesDown !== undefined) this.run.bytesDown = e.bytesDown;
        if (e.costUsd !== undefined) this.run.costUsd = e.costUsd;
        break;
      case 'warning':
        break;
    }
  }

  /** The report's figures and times replace what the events suggested. */
  finish(report: RunReport): void {
    const r = this.run;
    r.finished = true;
    r.wallMs = report.wallMs;
    r.counts = {
      total: report.thunks,
      done: report.executed + report.cached + report.failed,
      running: 0,
      cached: report.cached,
      failed: report.failed,
      retried: report.retried,
      duplicated: report.duplicated,
    };
    r.bytesUp = report.bytesUploaded;
    r.bytesDown = report.bytesDownloaded;
    if (report.cost) r.costUsd = report.cost.usd;
    if (report.plan) r.plan = report.plan;
    r.ranLocally = report.ranLocally.map((l) => ({ program: l.program, reason: l.reason }));
    r.cachedOutputs = report.cached;
    const cached = r.jobs.filter((j) => j.state === 'cached');
    r.jobs = [
      ...report.jobs.map((j): TimelineJob => ({
        id: this.nextId++,
        job: j.name,
        program: j.program,
        backend: j.backend,
        start: j.start,
        end: j.end,
        state: j.outcome,
        attempt: j.attempt,
        duplicate: j.duplicate,
        ...(j.transferMs !== undefined ? { transferMs: j.transferMs } : {}),
      })),
      ...cached,
    ].sort((a, b) => a.start - b.start);
    const byJob = new Map<string, Diagnostic[]>();
    for (const d of report.diagnostics) if (d.job) byJob.set(d.job, [...(byJob.get(d.job) ?? []), d]);
    for (const f of r.failures) f.diagnostics = (byJob.get(f.job) ?? []).map(toPanelDiagnostic);
    this.changed = [];
    this.cachedAdded = [];
    this.failuresAdded = [];
  }

  /** What changed since the last call: jobs, failures and cached files are the new ones only; figures are the totals. */
  takeChanges(): PanelChanges {
    const [jobs, failures, files] = [this.changed, this.failuresAdded, this.cachedAdded];
    this.changed = [];
    this.failuresAdded = [];
    this.cachedAdded = [];
    const r = this.run;
    return {
      jobs,
      counts: { ...r.counts },
      failures,
      bytesUp: r.bytesUp,
      bytesDown: r.bytesDown,
      ...(r.costUsd !== undefined ? { costUsd: r.costUsd } : {}),
      fromCache: { files, more: this.fromCache.more, savedMs: this.fromCache.savedMs },
    };
  }

  private noteCached(program: string, outputs: string[], savedMs: number): void {
    const fromCache = this.fromCache;
    fromCache.savedMs += savedMs;
    for (const file of outputs) {
      if (INTERNAL_OUTPUT.test(file)) continue;
      if (fromCache.files.length >= CACHED_FILES_LIMIT) {
        fromCache.more++;
        continue;
      }
      const entry = { file, program, savedMs };
      fromCache.files.push(entry);
      this.cachedAdded.push(entry);
    }
  }

  private add(job: TimelineJob): void {
    this.run.jobs.push(job);
    this.changed.push(job);
  }

  private update(job: TimelineJob, patch: Partial<TimelineJob>): void {
    Object.assign(job, patch);
    if (!this.changed.includes(job)) this.changed.push(job);
  }

  private lastBackend(name: string): string {
    for (let i = this.run.jobs.length - 1; i >= 0; i--) if (this.run.jobs[i]?.job === name) return this.run.jobs[i]?.backend ?? '';
    return '';
  }
}

function toPanelDiagnostic({ file, line, column, severity, message }: Diagnostic): PanelFailure['diagnostics'][number] {
  return { file, line, column, severity, message };
}

function failureOf(
  job: string,
  program: string,
  backend: string,
  message: string,
  stderr: string,
  diagnostics: PanelFailure['diagnostics'],
): PanelFailure {
  const firstError =
    stderr
      .split('\n')
      .find((l) => /\berror\b/i.test(l))
      ?.trim() ?? message;
  return {
    job,
    program,
    backend,
    firstError,
    stderr: stderr.length > STDERR_LIMIT ? `${stderr.slice(0, STDERR_LIMIT)}\n[truncated]` : stderr,
    diagnostics,
  };
}
