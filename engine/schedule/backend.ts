/**
 * Where jobs run. The scheduler sees only this interface: the local process
 * pool, and Lambda (engine/aws), which keeps objects and results in a bucket.
 */
import type { CostEstimate, LocalRun } from '../model/report';
import type { Reduction } from '../store/local';
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
  readonly takesFollowOns?: boolean;
  /** A follow-on result kept for a job the scheduler found in a cache instead: it will not be asked for. */
  dropFollowOn?(name: string): void;
  /** Remote backends: whether the backend holds the object (so a cached result needing it is usable without it being local). */
  holds?(name: string): boolean;
  /** Remote backends: a result recorded where other machines share it, asked after the local cache. */
  remoteReduction?(thunk: string): Promise<Reduction | undefined>;
  /**
   * Remote backends: a result made on this machine for a job the backend could
   * not take, shared where the backend's other users (a teammate, CI) find it.
   */
  publish?(thunk: string, reduction: Reduction): Promise<void>;
  /** Remote backends: drop a copy of an object found bad, so the job that made it puts a good one. */
  discard?(name: string): Promise<void>;
  /** Figures for the run report. */
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
  ranLocally: LocalRun[];
}
