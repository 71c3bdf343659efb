/**
 * Where jobs run. The scheduler sees only this interface; the local process pool
 * implements it now, Lambda later.
 */
import type { Thunk } from '../thunk';
import type { JobResult } from '../worker';

export interface Backend {
  /** Shown in reports and progress: where a job ran. */
  readonly label: string;
  /** How many jobs may run at once. */
  readonly maxJobs: number;
  /** Runs a thunk whose inputs are all values. Rejects with TransientError for faults worth a retry. */
  execute(name: string, thunk: Thunk, signal: AbortSignal): Promise<JobResult>;
}
