/**
 * The Burst panel's messages, one definition for the extension host and the
 * webview: notifications host → webview, commands webview → host. Both sides
 * check what they receive (`isHostMessage`, `isPanelCommand`): a webview is a
 * web page, and a malformed message must be dropped, not acted on.
 */

/** One job on the timeline: milliseconds since the run started. */
export interface TimelineJob {
  /** Unique in its run: later messages update the job with the same id. */
  id: number;
  job: string;
  program: string;
  backend: string;
  start: number;
  /** Undefined while it runs. */
  end?: number;
  state: 'running' | 'ok' | 'failed' | 'cached' | 'lost' | 'cancelled';
  attempt: number;
  duplicate: boolean;
  /** The part of the bar spent moving inputs and outputs (remote backends), drawn lighter. */
  transferMs?: number;
}

export interface PanelCounts {
  total: number;
  done: number;
  running: number;
  cached: number;
  failed: number;
  retried: number;
  duplicated: number;
}

export interface PanelFailure {
  job: string;
  program: string;
  backend: string;
  firstError: string;
  stderr: string;
  /** Diagnostics of the job, workspace-relative. */
  diagnostics: Array<{ file: string; line: number; column: number; severity: string; message: string }>;
}

export interface PanelFallback {
  program: string;
  reason: string;
}

/** An output file a run took from the cache instead of making it. */
export interface PanelCachedFile {
  file: string;
  program: string;
  /** How long the job that made it took when it ran. */
  savedMs: number;
}

/** Files from the cache: the first ones by arrival (the list is capped), how many more, and the job time they saved. */
export interface PanelFromCache {
  files: PanelCachedFile[];
  more: number;
  savedMs: number;
}

/** What the run would take, and cost, on Lambda with each number of workers (`burst plan` of the run). */
export interface PanelPlan {
  criticalPathMs: number;
  rows: Array<{ workers: number; predictedMs: number; costUsd: number }>;
}

/** Everything the panel shows about one run: live, or the last one (restored). */
export interface PanelRun {
  runId: string;
  label: string;
  backend: string;
  /** Epoch milliseconds, for the elapsed time. */
  startedAt: number;
  finished: boolean;
  wallMs?: number;
  counts: PanelCounts;
  bytesUp: number;
  bytesDown: number;
  costUsd?: number;
  jobs: TimelineJob[];
  failures: PanelFailure[];
  ranLocally: PanelFallback[];
  cachedOutputs: number;
  /** Absent in runs saved by older versions. */
  fromCache?: PanelFromCache;
  /** A finished run whose jobs have results. */
  plan?: PanelPlan;
}

export type HostMessage =
  | { type: 'run'; run: PanelRun }
  | {
      type: 'jobs';
      runId: string;
      jobs: TimelineJob[];
      counts: PanelCounts;
      /** Failures since the last message (added to the run's list). */
      failures: PanelFailure[];
      bytesUp: number;
      bytesDown: number;
      costUsd?: number;
      /** Files newly taken from the cache (added to the run's list), with the totals so far. */
      fromCache?: PanelFromCache;
    }
  | { type: 'none' };

export type PanelCommand = { type: 'ready' } | { type: 'open'; file: string; line: number; column: number };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isCounts = (v: unknown): v is PanelCounts =>
  isObject(v) && ['total', 'done', 'running', 'cached', 'failed', 'retried', 'duplicated'].every((k) => typeof v[k] === 'number');
const isJob = (v: unknown): v is TimelineJob =>
  isObject(v) &&
  typeof v.id === 'number' &&
  typeof v.job === 'string' &&
  typeof v.program === 'string' &&
  typeof v.backend === 'string' &&
  typeof v.start === 'number' &&
  typeof v.state === 'string';

const isCachedFile = (v: unknown): v is PanelCachedFile =>
  isObject(v) && typeof v.file === 'string' && typeof v.program === 'string' && typeof v.savedMs === 'number';
const isFromCache = (v: unknown): v is PanelFromCache =>
  isObject(v) && Array.isArray(v.files) && v.files.every(isCachedFile) && typeof v.more === 'number' && typeof v.savedMs === 'number';
const isFailure = (v: unknown): v is PanelFailure =>
  isObject(v) &&
  typeof v.job === 'string' &&
  typeof v.program === 'string' &&
  typeof v.firstError === 'string' &&
  typeof v.stderr === 'string' &&
  Array.isArray(v.diagnostics);

export function isHostMessage(v: unknown): v is HostMessage {
  if (!isObject(v)) return false;
  if (v.type === 'none') return true;
  if (v.type === 'jobs')
    return (
      typeof v.runId === 'string' &&
      typeof v.bytesUp === 'number' &&
      typeof v.bytesDown === 'number' &&
      Array.isArray(v.jobs) &&
      v.jobs.every(isJob) &&
      isCounts(v.counts) &&
      Array.isArray(v.failures) &&
      v.failures.every(isFailure) &&
      (v.fromCache === undefined || isFromCache(v.fromCache))
    );
  if (v.type === 'run') {
    const r = v.run;
    return (
      isObject(r) &&
      typeof r.runId === 'string' &&
      typeof r.label === 'string' &&
      isCounts(r.counts) &&
      Array.isArray(r.jobs) &&
      r.jobs.every(isJob) &&
      Array.isArray(r.failures) &&
      r.failures.every(isFailure) &&
      Array.isArray(r.ranLocally) &&
      (r.fromCache === undefined || isFromCache(r.fromCache)) &&
      (r.plan === undefined || isPlan(r.plan))
    );
  }
  return false;
}

function isPlan(v: unknown): v is PanelPlan {
  return (
    isObject(v) &&
    typeof v.criticalPathMs === 'number' &&
    Array.isArray(v.rows) &&
    v.rows.every(
      (row) => isObject(row) && typeof row.workers === 'number' && typeof row.predictedMs === 'number' && typeof row.costUsd === 'number',
    )
  );
}

export function isPanelCommand(v: unknown): v is PanelCommand {
  if (!isObject(v)) return false;
  if (v.type === 'ready') return true;
  return (
    v.type === 'open' &&
    typeof v.file === 'string' &&
    v.file !== '' &&
    !v.file.includes('\0') &&
    Number.isInteger(v.line) &&
    (v.line as number) >= 1 &&
    Number.isInteger(v.column) &&
    (v.column as number) >= 0
  );
}
