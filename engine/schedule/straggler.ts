/**
 * When a job is a straggler: running far past what jobs of the same program
 * usually take in this run. With too few finished jobs to judge, a job gets a
 * duplicate only after a long wait (or half its timeout, if that is sooner).
 * A copy that carries a follow-on is judged on both jobs' usual times: it
 * runs both before it answers.
 */
export interface StragglerOptions {
  enabled: boolean;
  /** A job is straggling past `factor` × the median duration of its program... */
  factor: number;
  /** ...and never before this. */
  minMs: number;
  /** Finished jobs of a program needed before its median counts. */
  minSamples: number;
  /** The wait before duplicating a job of a program with too few samples. */
  noHistoryMs: number;
}

/** A job one copy runs: the job itself, then the follow-on it carries, if any. */
export interface CopyWork {
  program: string;
  timeoutMs: number;
}

export const DEFAULT_STRAGGLER: StragglerOptions = {
  enabled: true,
  factor: 3,
  minMs: 1000,
  minSamples: 3,
  noHistoryMs: 30_000,
};

export class StragglerPolicy {
  readonly options: StragglerOptions;
  private readonly samples = new Map<string, number[]>();

  constructor(opts: Partial<StragglerOptions> = {}) {
    this.options = { ...DEFAULT_STRAGGLER, ...opts };
  }

  get checkEveryMs(): number {
    return Math.max(20, Math.min(250, this.options.minMs / 4));
  }

  recordDuration(program: string, ms: number): void {
    let s = this.samples.get(program);
    if (!s) this.samples.set(program, (s = []));
    s.push(ms);
  }

  /** Each job's allowance added up: `factor` × its median, or the long wait for a program with too little history. */
  thresholdMs(work: CopyWork[]): number {
    const allowance = (w: CopyWork): number => {
      const median = this.medianOf(w.program);
      return median === undefined ? Math.min(this.options.noHistoryMs, w.timeoutMs / 2) : this.options.factor * median;
    };
    return Math.max(
      this.options.minMs,
      work.reduce((sum, w) => sum + allowance(w), 0),
    );
  }

  /** A job on the critical path (nothing left to do has a longer way to the end) is given half the allowance. */
  isStraggling(work: CopyWork[], elapsedMs: number, critical = false): boolean {
    const threshold = this.thresholdMs(work);
    return this.options.enabled && elapsedMs > (critical ? Math.max(this.options.minMs, threshold / 2) : threshold);
  }

  private medianOf(program: string): number | undefined {
    const s = this.samples.get(program) ?? [];
    return s.length < this.options.minSamples ? undefined : median(s);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}
