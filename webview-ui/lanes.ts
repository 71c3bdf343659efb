/**
 * Timeline rows without the DOM (unit-tested in Node): a job goes to the
 * first row of its backend that is free when it starts, else a new row, so
 * rows are workers. Heaps keep this fast for thousands of jobs on a thousand
 * workers, and the layout grows with the run instead of being redone.
 */
import { Heap } from '../engine/model/heap';
import type { TimelineJob } from './protocol';

export interface Lane {
  backend: string;
  rows: TimelineJob[][];
}

/** A min-heap of [end time, row index]. */
class RowHeap extends Heap<[number, number]> {
  constructor() {
    super((x, y) => (less(x, y) ? -1 : less(y, x) ? 1 : 0));
  }
}

function less(x: [number, number], y: [number, number]): boolean {
  return x[0] < y[0] || (x[0] === y[0] && x[1] < y[1]);
}

interface LaneState {
  backend: string;
  rows: TimelineJob[][];
  /** When each row is free again: its last job's end, or Infinity while that job runs. */
  until: number[];
  /** Rows whose last job ended, by end time; rows free again, by index (a job takes the lowest, so the picture stays packed at the top). */
  busy: RowHeap;
  free: RowHeap;
  latestStart: number;
}

/**
 * The rows of a run, kept as jobs arrive rather than recomputed per frame: a
 * live update places only the new jobs and frees the rows of the ones that
 * ended. Rows are workers: a job goes to the lowest row of its backend that
 * is free when it starts. The heaps may hold stale entries (a row reused
 * since); each is checked against `until` when it comes out.
 */
export class LaneLayout {
  private readonly byBackend = new Map<string, LaneState>();
  /** The row of each placed job, and whether it was running when placed. */
  private readonly placed = new Map<number, { lane: LaneState; row: number; running: boolean }>();

  /** The rows of jobs known at once (a run restored or settled), placed in start order. */
  static of(jobs: TimelineJob[]): LaneLayout {
    const layout = new LaneLayout();
    for (const job of [...jobs].sort((a, b) => a.start - b.start || a.id - b.id)) layout.add(job);
    return layout;
  }

  /** Places a new job, or notes that a placed one has ended. `job` is the object later updates change in place. */
  add(job: TimelineJob): void {
    const seen = this.placed.get(job.id);
    if (seen) {
      if (seen.running && job.end !== undefined) this.ended(seen, job);
      return;
    }
    let lane = this.byBackend.get(job.backend);
    if (!lane)
      this.byBackend.set(
        job.backend,
        (lane = { backend: job.backend, rows: [], until: [], busy: new RowHeap(), free: new RowHeap(), latestStart: -Infinity }),
      );
    const row = job.start >= lane.latestStart ? this.nextRow(lane, job.start) : this.firstFreeRow(lane, job.start);
    lane.latestStart = Math.max(lane.latestStart, job.start);
    if (row === lane.rows.length) lane.rows.push([]);
    lane.rows[row]?.push(job);
    const place = { lane, row, running: job.end === undefined };
    this.placed.set(job.id, place);
    lane.until[row] = Infinity;
    if (!place.running) this.ended(place, job);
  }

  lanes(): Lane[] {
    return [...this.byBackend.values()].map((l) => ({ backend: l.backend, rows: l.rows }));
  }

  private ended(place: { lane: LaneState; row: number; running: boolean }, job: TimelineJob): void {
    place.running = false;
    const end = Math.max(job.end ?? job.start, job.start + 1);
    const lane = place.lane;
    // A row's last job is the one that frees it: an earlier job placed late (run in place, reported when done) must not.
    if (lane.rows[place.row]?.at(-1) !== job) return;
    lane.until[place.row] = end;
    lane.busy.push([end, place.row]);
  }

  /** For jobs arriving in start order: the heaps answer in about log(rows). */
  private nextRow(lane: LaneState, start: number): number {
    for (let top = lane.busy.peek(); top && top[0] <= start; top = lane.busy.peek()) {
      lane.busy.pop();
      lane.free.push([top[1], top[1]]);
    }
    for (let freed = lane.free.pop(); freed; freed = lane.free.pop()) {
      const until = lane.until[freed[1]] ?? Infinity;
      if (until <= start) return freed[1];
      if (until !== Infinity) lane.busy.push([until, freed[1]]); // reused since it was freed; busy again until then
    }
    return lane.rows.length;
  }

  /** For a job that started before the latest placed one: the lowest row free at its start. */
  private firstFreeRow(lane: LaneState, start: number): number {
    const row = lane.until.findIndex((until) => until <= start);
    return row === -1 ? lane.rows.length : row;
  }
}

/** The rows of a whole run at once. */
export function packRows(jobs: TimelineJob[]): Lane[] {
  return LaneLayout.of(jobs).lanes();
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
