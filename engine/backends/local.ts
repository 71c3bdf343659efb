/** The local process pool: jobs run on this machine, in sandboxes under the store. */
import { availableParallelism, totalmem } from 'node:os';
import type { LocalStore } from '../store/local';
import type { Thunk } from '../model/thunk';
import { executeThunk, type JobResult } from '../exec/worker';
import type { Backend } from '../schedule/backend';
import { Slots } from '../schedule/slots';

export interface LocalBackendOptions {
  jobs?: number;
  isolate?: boolean;
  /** Bytes of memory each job may use (default: 80% of this machine's memory shared among the jobs at once, at least 1 GiB). */
  memoryLimit?: number;
}

/** Enough that one job running away cannot take the memory the others and the desktop need. */
export function defaultMemoryLimit(jobs: number): number {
  return Math.max(2 ** 30, Math.floor((totalmem() * 0.8) / Math.max(1, jobs)));
}

export class LocalBackend implements Backend {
  readonly label = 'local';
  /** Jobs in hand at once: twice the processes, so one job's sandbox is laid out or cleared while another's processes run. */
  readonly maxJobs: number;
  /** Jobs whose processes run at once: `-j`, the cores by default. */
  private readonly processes: Slots;
  private readonly isolate: boolean;
  private readonly memoryLimit: number;
  private readonly memoryLimitAsked: boolean;

  constructor(
    private readonly store: LocalStore,
    opts: LocalBackendOptions = {},
  ) {
    const jobs = opts.jobs ?? availableParallelism();
    this.maxJobs = 2 * jobs;
    this.processes = new Slots(jobs);
    this.isolate = opts.isolate ?? false;
    this.memoryLimit = opts.memoryLimit ?? defaultMemoryLimit(jobs);
    this.memoryLimitAsked = opts.memoryLimit !== undefined;
  }

  execute(_name: string, thunk: Thunk, signal: AbortSignal): Promise<JobResult> {
    return executeThunk(this.store, thunk, {
      isolate: this.isolate,
      signal,
      memoryLimit: this.memoryLimit,
      memoryLimitAsked: this.memoryLimitAsked,
      processSlot: this.processes,
    });
  }
}
