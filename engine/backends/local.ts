/** The local process pool: jobs run on this machine, in sandboxes under the store. */
import { availableParallelism } from 'node:os';
import type { LocalStore } from '../store/local';
import type { Thunk } from '../model/thunk';
import { executeThunk, type JobResult } from '../exec/worker';
import type { Backend } from '../schedule/backend';

export interface LocalBackendOptions {
  jobs?: number;
  isolate?: boolean;
}

export class LocalBackend implements Backend {
  readonly label = 'local';
  readonly maxJobs: number;
  private readonly isolate: boolean;

  constructor(
    private readonly store: LocalStore,
    opts: LocalBackendOptions = {},
  ) {
    this.maxJobs = opts.jobs ?? availableParallelism();
    this.isolate = opts.isolate ?? false;
  }

  execute(_name: string, thunk: Thunk, signal: AbortSignal): Promise<JobResult> {
    return executeThunk(this.store, thunk, { isolate: this.isolate, signal });
  }
}
