/**
 * How long jobs took in earlier runs, so the scheduler can start first the
 * jobs with the longest way to the end of the run. A job that is not cached
 * has a new name each time its inputs change, so times are kept by what the
 * job is rather than by its name: its command line, what it writes and where
 * it runs (a compile of src/lvm.c keeps its key across edits of lvm.c). Kept in
 * the store as one small file, rewritten at the end of each run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nameOfBytes } from '../model/hash';
import type { Thunk } from '../model/thunk';
import { writeFileAtomic } from '../store/atomic';

const FILE = 'job-times.json';
/** Enough for the jobs of several large builds; the least recently run are dropped first. */
const MAX_ENTRIES = 200_000;
/** A new time counts this much against the kept one: recent runs matter most, one odd run does not decide. */
const WEIGHT = 0.5;

/** The job's command line, directory and outputs: what stays when only the contents of its inputs change. */
function keyOf(thunk: Thunk): string {
  return nameOfBytes('V', Buffer.from(JSON.stringify([thunk.cwd, thunk.args, thunk.outputs]))).slice(1, 17);
}

export class JobTimes {
  private changed = false;

  private constructor(private readonly ms: Map<string, number>) {}

  static empty(): JobTimes {
    return new JobTimes(new Map());
  }

  /** The times kept in a store; none when the file is missing or unreadable (they are only a hint). */
  static load(storeDir: string): JobTimes {
    try {
      const entries = JSON.parse(readFileSync(join(storeDir, FILE), 'utf8')) as unknown;
      if (!Array.isArray(entries)) return JobTimes.empty();
      const valid = entries.filter(
        (e): e is [string, number] => Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'number' && e[1] >= 0,
      );
      return new JobTimes(new Map(valid));
    } catch {
      return JobTimes.empty();
    }
  }

  /** The job's time in earlier runs, if it ran before. */
  estimate(thunk: Thunk): number | undefined {
    return this.ms.get(keyOf(thunk));
  }

  record(thunk: Thunk, ms: number): void {
    const key = keyOf(thunk);
    const before = this.ms.get(key);
    this.ms.delete(key); // to the end: the oldest entries are the first dropped
    this.ms.set(key, before === undefined ? ms : before + WEIGHT * (ms - before));
    if (this.ms.size > MAX_ENTRIES) this.ms.delete(this.ms.keys().next().value as string);
    this.changed = true;
  }

  async save(storeDir: string, tmpDir: string): Promise<void> {
    if (!this.changed) return;
    this.changed = false;
    const rounded = [...this.ms].map(([k, v]) => [k, Math.round(v)]);
    await writeFileAtomic(join(storeDir, FILE), JSON.stringify(rounded), tmpDir);
  }
}
