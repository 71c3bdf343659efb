/**
 * Which jobs the last run of a store ran or took from the cache, kept in
 * the store so that `burst audit` with no target audits that run. One file,
 * replaced whole by each run that ends.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../store/atomic';
import type { RunEvent } from '../schedule/scheduler';

const FILE = 'last-run.json';

export interface LastRun {
  what: string;
  endedAt: string;
  jobs: string[];
}

/** Collects job names from a run's events, passing every event on. */
export class RunJobs {
  private readonly names = new Set<string>();

  tee(onEvent?: (e: RunEvent) => void): (e: RunEvent) => void {
    return (e) => {
      if (e.type === 'job-start' || e.type === 'job-end' || e.type === 'job-cached') this.names.add(e.job);
      onEvent?.(e);
    };
  }

  async save(storeDir: string, tmpDir: string, what: string): Promise<void> {
    if (this.names.size === 0) return; // a run that did nothing leaves the last one to audit
    const run: LastRun = { what, endedAt: new Date().toISOString(), jobs: [...this.names] };
    await writeFileAtomic(join(storeDir, FILE), JSON.stringify(run), tmpDir);
  }
}

export function lastRun(storeDir: string): LastRun | undefined {
  try {
    const run = JSON.parse(readFileSync(join(storeDir, FILE), 'utf8')) as LastRun;
    return Array.isArray(run.jobs) ? run : undefined;
  } catch {
    return undefined;
  }
}
