/** The local process pool: jobs run on this machine, in sandboxes under the store. */
import { availableParallelism, totalmem } from 'node:os';
import type { LocalStore } from '../store/local';
import type { Thunk } from '../model/thunk';
import { executeThunk, type JobResult } from '../exec/worker';
import type { Backend } from '../schedule/backend';

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
  readonly maxJobs: number;
  private readonly isolate: boolean;
  private readonly memoryLimit: number;
  private readonly memoryLimitAsked: boolean;

  constructor(
    private readonly store: LocalStore,
    opts: LocalBackendOptions = {},
  ) {
    this.maxJobs = opts.jobs ?? availableParallelism();
    this.isolate = opts.isolate ?? false;
    this.memoryLimit = opts.memoryLimit ?? defaultMemoryLimit(this.maxJobs);
    this.memoryLimitAsked = opts.memoryLimit !== undefined;
  }

  execute(_name: string, thunk: Thunk, signal: AbortSignal): Promise<JobResult> {
    return executeThunk(this.store, thunk, {
      isolate: this.isolate,
      signal,
      memoryLimit: this.memoryLimit,
      memoryLimitAsked: this.memoryLimitAsked,
    });
  }
}
