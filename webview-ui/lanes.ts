/**
 * Timeline rows without the DOM (unit-tested in Node): a job goes to a row of
 * its backend that is free when it starts (the one free the longest), else a
 * new row, so rows are workers. A heap of row end times keeps this fast for
 * thousands of jobs on a thousand workers.
 */
import type { TimelineJob } from './protocol';

export interface Lane {
  backend: string;
  rows: TimelineJob[][];
}

/** A binary min-heap of [end time, row index]. */
class RowHeap {
  private readonly items: Array<[number, number]> = [];

  peek(): [number, number] | undefined {
    return this.items[0];
  }

  push(item: [number, number]): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(a[i] as [number, number], a[p] as [number, number])) break;
      [a[i], a[p]] = [a[p] as [number, number], a[i] as [number, number]];
      i = p;
    }
  }

  pop(): [number, number] | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && less(a[l] as [number, number], a[m] as [number, number])) m = l;
        if (r < a.length && less(a[r] as [number, number], a[m] as [number, number])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m] as [number, number], a[i] as [number, number]];
        i = m;
      }
    }
    return top;
  }
}

function less(x: [number, number], y: [number, number]): boolean {
  return x[0] < y[0] || (x[0] === y[0] && x[1] < y[1]);
}

export function packRows(jobs: TimelineJob[], now: number): Lane[] {
  const lanes = new Map<string, { rows: TimelineJob[][]; free: RowHeap }>();
  const sorted = [...jobs].sort((a, b) => a.start - b.start || a.id - b.id);
  for (const job of sorted) {
    let lane = lanes.get(job.backend);
    if (!lane) lanes.set(job.backend, (lane = { rows: [], free: new RowHeap() }));
    const end = Math.max(job.end ?? now, job.start + 1);
    const top = lane.free.peek();
    let row: number;
    if (top && top[0] <= job.start) {
      row = top[1];
      lane.free.pop();
    } else {
      row = lane.rows.length;
      lane.rows.push([]);
    }
    lane.rows[row]?.push(job);
    lane.free.push([end, row]);
  }
  return [...lanes].map(([backend, l]) => ({ backend, rows: l.rows }));
}

/** What a job is, by its program: the colour of its bar when it succeeded. */
export function kindOf(program: string): 'compile' | 'assemble' | 'link' | 'archive' | 'test' | 'other' {
  if (/^(cc1|cc1plus|cc1obj|clang)/.test(program)) return 'compile';
  if (program === 'as') return 'assemble';
  if (/^(ld|collect2|ld\.\w+)$/.test(program)) return 'link';
  if (/^(ar|ranlib|strip)$/.test(program)) return 'archive';
  if (/test|check/.test(program)) return 'test';
  return 'other';
}
