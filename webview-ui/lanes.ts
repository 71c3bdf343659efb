/**
 * Timeline rows without the DOM (unit-tested in Node): a job takes the first
 * row of its backend that is free when it starts, so rows are workers.
 */
import type { TimelineJob } from './protocol';

export interface Lane {
  backend: string;
  rows: TimelineJob[][];
}

export function packRows(jobs: TimelineJob[], now: number): Lane[] {
  const lanes = new Map<string, { rows: TimelineJob[][]; ends: number[] }>();
  const sorted = [...jobs].sort((a, b) => a.start - b.start || a.id - b.id);
  for (const job of sorted) {
    let lane = lanes.get(job.backend);
    if (!lane) lanes.set(job.backend, (lane = { rows: [], ends: [] }));
    const end = job.end ?? now;
    let row = lane.ends.findIndex((e) => e <= job.start);
    if (row < 0) {
      row = lane.rows.length;
      lane.rows.push([]);
      lane.ends.push(0);
    }
    lane.rows[row]?.push(job);
    lane.ends[row] = Math.max(end, job.start + 1);
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
