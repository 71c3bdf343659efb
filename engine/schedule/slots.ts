import { Heap } from '../model/heap';

interface Waiter {
  priority: number;
  /** Arrival order: among equal priorities, first come first served. */
  seq: number;
  grant: () => void;
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
      const waiter: Waiter = {
        priority,
        seq: this.seq++,
        gone: false,
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        waiter.gone = true; // left in the heap, skipped when its turn comes
        reject(new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
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
