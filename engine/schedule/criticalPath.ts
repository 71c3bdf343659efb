/**
 * Each job's longest way to the end of the run (its "tail"): its own
 * expected time plus the longest tail of the jobs that read its outputs. The
 * scheduler gives a freed slot to the waiting job with the longest tail, and
 * duplicates a straggler sooner when nothing still to do has a longer one.
 *
 * The graph is learned as the run asks for jobs: a job's dependents are
 * known before its inputs are asked for, so tails grow downwards as jobs are
 * registered; a dependent found later makes them grow again.
 */
import { parseThunkRef, thunkDependencies, type Thunk } from '../model/thunk';
import type { JobTimes } from './jobTimes';

/** A job never run before counts as this long: the order of a compile. */
export const UNKNOWN_JOB_MS = 1000;

export class CriticalPath {
  private readonly own = new Map<string, number>();
  /** The longest tail among the job's dependents. */
  private readonly after = new Map<string, number>();
  private readonly inputs = new Map<string, string[]>();
  /** The name a job runs under (its inputs resolved to values) → the name it was asked for by. */
  private readonly runNames = new Map<string, string>();
  /** Jobs waiting for a slot or running, with their tails when they started waiting. */
  private readonly active = new Map<string, number>();
  private activeMax: number | undefined;

  constructor(private readonly times: JobTimes) {}

  /** A job about to run: its expected time, and the jobs whose outputs it reads. */
  job(name: string, thunk: Thunk): void {
    this.own.set(name, this.times.estimate(thunk) ?? UNKNOWN_JOB_MS);
    const deps = thunkDependencies(thunk).map((ref) => parseThunkRef(ref).thunk);
    this.inputs.set(name, deps);
    for (const dep of deps) this.raise(dep, this.tail(name));
  }

  runsAs(runName: string, name: string): void {
    if (runName !== name) this.runNames.set(runName, name);
  }

  tail(name: string): number {
    const asked = this.runNames.get(name) ?? name;
    return (this.own.get(asked) ?? UNKNOWN_JOB_MS) + (this.after.get(asked) ?? 0);
  }

  /** The job waits for a slot, then runs, until `ended`. */
  started(name: string): number {
    const t = this.tail(name);
    this.active.set(name, t);
    if (this.activeMax !== undefined) this.activeMax = Math.max(this.activeMax, t);
    return t;
  }

  ended(name: string): void {
    const t = this.active.get(name);
    this.active.delete(name);
    if (t !== undefined && t === this.activeMax) this.activeMax = undefined;
  }

  /** Whether no job still waiting or running has a longer way to the end. */
  isCritical(name: string): boolean {
    this.activeMax ??= Math.max(0, ...this.active.values());
    return (this.active.get(name) ?? this.tail(name)) >= this.activeMax;
  }

  private raise(dep: string, tail: number): void {
    const stack: Array<[string, number]> = [[dep, tail]];
    while (stack.length > 0) {
      const [job, t] = stack.pop() as [string, number];
      if (t <= (this.after.get(job) ?? 0)) continue;
      this.after.set(job, t);
      const longer = this.tail(job);
      for (const d of this.inputs.get(job) ?? []) stack.push([d, longer]);
    }
  }
}
