/**
 * Timeline rows without the DOM (unit-tested in Node): a job goes to the
 * first row of its backend that is free when it starts, else a new row, so
 * rows are workers. Heaps keep this fast for thousands of jobs on a thousand
 * workers.
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
  // Per backend: rows still busy, by end time; rows free again, by index (a job takes the lowest, so the picture stays packed at the top).
  const lanes = new Map<string, { rows: TimelineJob[][]; busy: RowHeap; free: RowHeap }>();
  const sorted = [...jobs].sort((a, b) => a.start - b.start || a.id - b.id);
  for (const job of sorted) {
    let lane = lanes.get(job.backend);
    if (!lane) lanes.set(job.backend, (lane = { rows: [], busy: new RowHeap(), free: new RowHeap() }));
    for (let top = lane.busy.peek(); top && top[0] <= job.start; top = lane.busy.peek()) {
      lane.busy.pop();
      lane.free.push([top[1], top[1]]);
    }
    const freed = lane.free.pop();
    const row = freed ? freed[1] : lane.rows.length;
    if (!freed) lane.rows.push([]);
    lane.rows[row]?.push(job);
    lane.busy.push([Math.max(job.end ?? now, job.start + 1), row]);
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
