/**
 * The worker timeline: one row per worker (a Lambda invocation slot or a
 * local slot), a bar per job, drawn on a canvas so thousands of jobs stay
 * smooth.
 */
import type { TimelineJob } from './protocol';
import { kindOf, type Lane } from './lanes';

const COLOUR_VARS: Record<string, string> = {
  compile: '--vscode-charts-blue',
  assemble: '--vscode-charts-green',
  link: '--vscode-charts-purple',
  archive: '--vscode-charts-orange',
  test: '--vscode-charts-yellow',
  other: '--vscode-charts-foreground',
  running: '--vscode-progressBar-background',
  failed: '--vscode-errorForeground',
  cached: '--vscode-disabledForeground',
  lost: '--vscode-charts-red',
  cancelled: '--vscode-disabledForeground',
};

export function colourKey(job: TimelineJob): string {
  return job.state === 'ok' ? kindOf(job.program) : job.state;
}

export interface DrawResult {
  rows: number;
  bars: number;
}

/** Rows get thinner as workers grow in number, so a thousand-worker run still fits a few screens. */
function rowHeight(rows: number): number {
  return rows > 300 ? 3 : rows > 100 ? 5 : 8;
}
const LANE_GAP = 14;
const LABEL_WIDTH = 70;

/**
 * Draws the lanes on one canvas, run after run: the canvas keeps its bitmap
 * while its size holds, and theme colours are read once per theme (style
 * lookups and bitmap reallocation cost more than thousands of bars).
 */
export class TimelineCanvas {
  private colours = new Map<string, string>();
  private width = 0;

  constructor(readonly canvas: HTMLCanvasElement) {}

  /** After a resize or a theme change. */
  invalidate(): void {
    this.colours.clear();
    this.width = 0;
  }

  private colour(key: string): string {
    let c = this.colours.get(key);
    if (c === undefined)
      this.colours.set(
        key,
        (c =
          getComputedStyle(this.canvas)
            .getPropertyValue(COLOUR_VARS[key] ?? '--vscode-foreground')
            .trim() || '#888'),
      );
    return c;
  }

  draw(lanes: Lane[], jobs: TimelineJob[], now: number): DrawResult {
    return drawTimeline(this, lanes, jobs, now);
  }

  /** The canvas sized for `height` CSS pixels; its context, scaled and cleared. */
  prepare(height: number): { ctx: CanvasRenderingContext2D | null; width: number; colour: (key: string) => string } {
    const canvas = this.canvas;
    const ratio = window.devicePixelRatio || 1;
    if (this.width === 0) this.width = canvas.clientWidth || 600;
    const pixelsWide = Math.round(this.width * ratio);
    const pixelsHigh = Math.round(height * ratio);
    if (canvas.width !== pixelsWide || canvas.height !== pixelsHigh) {
      canvas.style.height = `${height}px`;
      canvas.width = pixelsWide;
      canvas.height = pixelsHigh;
    }
    const ctx = canvas.getContext('2d');
    if (ctx) {
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.clearRect(0, 0, this.width, height);
    }
    return { ctx, width: this.width, colour: (key) => this.colour(key) };
  }
}

function drawTimeline(target: TimelineCanvas, lanes: Lane[], jobs: TimelineJob[], now: number): DrawResult {
  const rows = lanes.reduce((n, l) => n + l.rows.length, 0);
  const rowH = rowHeight(rows);
  const { ctx, width, colour } = target.prepare(Math.max(40, rows * rowH + lanes.length * LANE_GAP + 4));
  if (!ctx) return { rows, bars: 0 };
  const span = jobs.reduce((m, j) => Math.max(m, j.end ?? now), Math.max(1, now));
  const x = (t: number): number => LABEL_WIDTH + ((width - LABEL_WIDTH - 4) * t) / span;
  ctx.font = '11px sans-serif';
  let y = 2;
  let bars = 0;
  // Bars are drawn colour by colour: setting a fill style per bar costs more than the bar.
  const byColour = new Map<string, number[]>();
  const barHeight = Math.max(1, rowH - (rowH > 3 ? 2 : 1));
  for (const lane of lanes) {
    ctx.fillStyle = colour('other');
    ctx.fillText(`${lane.backend} (${lane.rows.length})`, 2, y + 10);
    y += LANE_GAP;
    for (const row of lane.rows) {
      for (const job of row) {
        const left = x(job.start);
        const w = x(job.end ?? now) - left;
        const key = colourKey(job);
        let rects = byColour.get(key);
        if (!rects) byColour.set(key, (rects = []));
        const width = Math.max(1, w > 3 ? w - 1 : w);
        // The job's transfer time (uploads, fetches) comes first on its bar and is drawn faint.
        const end = job.end ?? now;
        const moved = job.transferMs && end > job.start ? Math.min(width, (width * job.transferMs) / (end - job.start)) : 0;
        rects.push(left, y, width, moved);
        bars++;
      }
      y += rowH;
    }
  }
  for (const [key, rects] of byColour) {
    ctx.fillStyle = colour(key);
    for (let i = 0; i < rects.length; i += 4) {
      const [left, top, width, moved] = [rects[i] as number, rects[i + 1] as number, rects[i + 2] as number, rects[i + 3] as number];
      if (moved > 0) {
        ctx.globalAlpha = 0.35;
        ctx.fillRect(left, top, moved, barHeight);
        ctx.globalAlpha = 1;
      }
      ctx.fillRect(left + moved, top, width - moved, barHeight);
    }
  }
  return { rows, bars };
}
