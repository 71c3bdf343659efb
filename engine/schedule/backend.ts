/**
 * Where jobs run. The scheduler sees only this interface: the local process
 * pool, and Lambda (engine/aws), which keeps objects and results in a bucket.
 * A backend only runs jobs; the scheduler decides where each job runs: a job
 * the backend declines runs on the local pool, and the report says why.
 */
import type { CostEstimate } from '../model/report';
import type { SharedStore } from '../store/objectStore';
import type { Thunk } from '../model/thunk';
import type { JobResult } from '../exec/worker';

export interface Backend {
  /** Shown in reports and progress: where a job ran. */
  readonly label: string;
  /** How many jobs may run at once. */
  readonly maxJobs: number;
  /**
   * Runs a thunk whose inputs are all values. Rejects with TransientError for
   * faults worth a retry. A backend that `takesFollowOns` may also run
   * `followOn`, the one job this one feeds, right after it, and answer for it
   * when the scheduler asks it to run that job under its resolved name.
   */
  execute(name: string, thunk: Thunk, signal: AbortSignal, followOn?: FollowOn): Promise<JobResult>;
  /** Why this backend cannot run the job (it then runs on the local pool), or undefined when it can. */
  declines?(name: string, thunk: Thunk): string | undefined;
  readonly takesFollowOns?: boolean;
  /** A follow-on result kept for a job the scheduler found in a cache instead: it will not be asked for. */
  dropFollowOn?(name: string): void;
  /** A remote backend's store, shared with other machines: results looked for after the local cache, and where results of declined jobs go. */
  readonly shared?: SharedStore;
  /** Bytes moved and cost so far, for progress and the report. */
  stats?(): BackendStats;
}

/** A job waiting only for the outputs of the job being run: its name and thunk as recorded, inputs still naming that job's outputs. */
export interface FollowOn {
  name: string;
  thunk: Thunk;
  /** The feeding job's name as the follow-on's inputs spell it (it may run under another name, once its own inputs are known). */
  feeder: string;
}

export interface BackendStats {
  bytesUploaded: number;
  bytesDownloaded: number;
  cost?: CostEstimate;
}
