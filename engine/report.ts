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
  diagnostics: Diagnostic[];
  jobs: JobRecord[];
}

export function summarize(r: RunReport): string {
  const backends = Object.entries(r.byBackend).map(([b, n]) => `${n} ${b}`).join(', ') || 'none';
  return (
    `${r.thunks} thunks: ${r.executed} executed (${backends}), ${r.cached} cached, ${r.failed} failed, ` +
    `${r.retried} retried, ${r.duplicated} duplicated; wall ${(r.wallMs / 1000).toFixed(2)} s, ` +
    `critical path ${(r.criticalPathMs / 1000).toFixed(2)} s`
  );
}
