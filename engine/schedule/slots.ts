import { Heap } from '../model/heap';

interface Waiter {
  priority: number;
  /** Arrival order: among equal priorities, first come first served. */
  seq: number;
  signal: AbortSignal | undefined;
  grant: () => void;
  refuse: () => void;
  gone: boolean;
}

/**
 * A counting semaphore for backend slots, and an abortable sleep. Waiters with
 * a higher priority (the scheduler's longest path to the end of the run) get
 * a freed slot first.
 */
export class Slots {
  private free: number;
  private seq = 0;
  private readonly waiters = new Heap<Waiter>((a, b) => b.priority - a.priority || a.seq - b.seq);
  /** Waiters by the signal that cancels them: one listener per signal, where one per waiter made each new listener cost more. */
  private readonly bySignal = new Map<AbortSignal, Set<Waiter>>();

  constructor(size: number) {
    this.free = Math.max(1, size);
  }

  acquire(signal?: AbortSignal, priority = 0): Promise<void> {
    if (signal?.aborted) return Promise.reject(new Error('aborted'));
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { priority, seq: this.seq++, signal, grant: resolve, refuse: () => reject(new Error('aborted')), gone: false };
      if (signal) this.watch(signal).add(waiter);
      this.waiters.push(waiter);
    });
  }

  private watch(signal: AbortSignal): Set<Waiter> {
    const known = this.bySignal.get(signal);
    if (known) return known;
    const waiting = new Set<Waiter>();
    this.bySignal.set(signal, waiting);
    signal.addEventListener(
      'abort',
      () => {
        this.bySignal.delete(signal);
        for (const w of waiting) {
          w.gone = true; // left in the heap, skipped when its turn comes
          w.refuse();
        }
      },
      { once: true },
    );
    return waiting;
  }

  /** A slot if one is free now, without waiting. */
  tryAcquire(): boolean {
    if (this.free === 0) return false;
    this.free--;
    return true;
  }

  /**
   * The slot goes to a waiter on the next turn of the event loop, not at once: the jobs that the ending
   * job's outputs make ready (its dependents, often on the critical path) get to queue for it first.
   */
  release(): void {
    setImmediate(() => {
      for (let next = this.waiters.pop(); next; next = this.waiters.pop()) {
        if (next.gone) continue;
        if (next.signal) this.bySignal.get(next.signal)?.delete(next);
        next.grant();
        return;
      }
      this.free++;
    });
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error('aborted'));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
