/** The run report: what ran, where, why, and how long; written by `--report FILE`. */
import type { Diagnostic } from './diagnostics';

export interface JobRecord {
  name: string;
  program: string;
  backend: string;
  /** Milliseconds since the run started. */
  start: number;
  end: number;
  exitCode: number | null;
  attempt: number;
  duplicate: boolean;
  /** What happened: ok, failed (the job's own answer), lost (a transient fault), cancelled (lost a race or the run stopped). */
  outcome: 'ok' | 'failed' | 'lost' | 'cancelled';
  error?: string;
  /** Why the job ran where it did, when that is not the chosen backend. */
  reason?: string;
  /** Of end - start, the time spent moving inputs and outputs (remote backends). */
  transferMs?: number;
  /** Bytes of its stdout and stderr past the limit: counted, not kept. */
  cutBytes?: number;
  /** The job it ran right after, in the same invocation (a follow-on: Lambda runs a compile's assembly with it). */
  ranWith?: string;
}

/**
 * One job of a run's graph (RunReport.graph): what `burst plan` replays on any
 * number of workers. Sizes are what a remote worker would fetch and store.
 */
export interface GraphNode {
  name: string;
  program: string;
  /** The job's own time, as its result records it (where it ran, when it ran). */
  ms: number;
  /** Jobs whose outputs it reads. */
  deps: string[];
  /** Bytes of all its inputs, and how many objects. */
  inBytes: number;
  inObjects: number;
  /** Of inBytes, the shipped programs, their libraries and system headers: what a warm worker keeps from job to job. */
  toolBytes: number;
  /**
   * Bytes (and objects) of its inputs that no job makes, no earlier job of the run read, and that are not
   * shipped tools (uploaded once per toolchain, not per run): what the client uploads for it.
   */
  uploadBytes: number;
  uploadObjects: number;
  outBytes: number;
  outObjects: number;
}

/** A job a remote backend could not take, run on this machine instead. */
export interface LocalRun {
  job: string;
  program: string;
  reason: string;
}

/** What the run would cost on AWS at list prices (us-east-1), as far as the engine can tell. */
export interface CostEstimate {
  lambdaRequests: number;
  lambdaGbSeconds: number;
  s3Requests: number;
  usd: number;
}

export interface Fallback {
  job?: string;
  what: string;
  reason: string;
}

export interface RunReport {
  thunks: number;
  executed: number;
  cached: number;
  failed: number;
  retried: number;
  duplicated: number;
  byBackend: Record<string, number>;
  fallbacks: Fallback[];
  wallMs: number;
  criticalPathMs: number;
  bytesUploaded: number;
  bytesDownloaded: number;
  /** Jobs that ran on this machine although a remote backend was chosen, and why. */
  ranLocally: LocalRun[];
  cost?: CostEstimate;
  diagnostics: Diagnostic[];
  jobs: JobRecord[];
  /** The run's jobs and how they depend on each other, in a report written to a file (--report). */
  graph?: GraphNode[];
}

export function summarize(r: RunReport): string {
  const backends =
    Object.entries(r.byBackend)
      .map(([b, n]) => `${n} ${b}`)
      .join(', ') || 'none';
  return (
    `${r.thunks} thunks: ${r.executed} executed (${backends}), ${r.cached} cached, ${r.failed} failed, ` +
    `${r.retried} retried, ${r.duplicated} duplicated; wall ${(r.wallMs / 1000).toFixed(2)} s, ` +
    `critical path ${(r.criticalPathMs / 1000).toFixed(2)} s`
  );
}
