/**
 * The worker timeline: one row per worker (a Lambda invocation slot or a
 * local slot), a bar per job, drawn on a canvas so thousands of jobs stay
 * smooth.
 */
import type { TimelineJob } from './protocol';
import { kindOf, packRows } from './lanes';

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

/** Draws the lanes; returns how many rows and bars it drew. The canvas grows to fit every row. */
export function drawTimeline(canvas: HTMLCanvasElement, jobs: TimelineJob[], now: number): DrawResult {
  const lanes = packRows(jobs, now);
  const rows = lanes.reduce((n, l) => n + l.rows.length, 0);
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || 600;
  const rowH = rowHeight(rows);
  const height = Math.max(40, rows * rowH + lanes.length * LANE_GAP + 4);
  canvas.style.height = `${height}px`;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  const ctx = canvas.getContext('2d');
  if (!ctx) return { rows, bars: 0 };
  ctx.scale(ratio, ratio);
  ctx.clearRect(0, 0, width, height);
  const style = getComputedStyle(canvas);
  const colour = (key: string): string => style.getPropertyValue(COLOUR_VARS[key] ?? '--vscode-foreground').trim() || '#888';
  const span = Math.max(1, now, ...jobs.map((j) => j.end ?? now));
  const x = (t: number): number => LABEL_WIDTH + ((width - LABEL_WIDTH - 4) * t) / span;
  ctx.font = `11px ${style.getPropertyValue('--vscode-font-family') || 'sans-serif'}`;
  let y = 2;
  let bars = 0;
  for (const lane of lanes) {
    ctx.fillStyle = colour('other');
    ctx.fillText(`${lane.backend} (${lane.rows.length})`, 2, y + 10);
    y += LANE_GAP;
    for (const row of lane.rows) {
      for (const job of row) {
        ctx.fillStyle = colour(colourKey(job));
        const left = x(job.start);
        const w = x(job.end ?? now) - left;
        ctx.fillRect(left, y, Math.max(1, w > 3 ? w - 1 : w), Math.max(1, rowH - (rowH > 3 ? 2 : 1)));
        bars++;
      }
      y += rowH;
    }
  }
  return { rows, bars };
}
