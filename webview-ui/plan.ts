/**
 * The run on Lambda: predicted time and cost against the number of workers,
 * drawn as two lines on a logarithmic axis of workers, with the critical path
 * (the time no number of workers beats) as a dashed floor. An SVG, so it
 * scales with the panel and reads well in any theme (colours from VS Code's).
 */
import type { PanelPlan } from './protocol';

const SVG = 'http://www.w3.org/2000/svg';
const W = 480;
const H = 200;
const PAD = { left: 56, right: 64, top: 12, bottom: 34 };

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function timeLabel(ms: number): string {
  return ms < 1000
    ? `${Math.round(ms)} ms`
    : ms < 120_000
      ? `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`
      : `${Math.round(ms / 60_000)} min`;
}

export function planChart(plan: PanelPlan): SVGSVGElement {
  const rows = plan.rows;
  const xs = rows.map((r) => Math.log10(r.workers));
  const [xMin, xMax] = [Math.min(...xs), Math.max(...xs, Math.min(...xs) + 1)];
  const tMax = Math.max(...rows.map((r) => r.predictedMs), plan.criticalPathMs) * 1.1 || 1;
  const cMax = Math.max(...rows.map((r) => r.costUsd)) * 1.1 || 1;
  const x = (workers: number): number => PAD.left + ((Math.log10(workers) - xMin) / (xMax - xMin)) * (W - PAD.left - PAD.right);
  const yT = (ms: number): number => H - PAD.bottom - (ms / tMax) * (H - PAD.top - PAD.bottom);
  const yC = (usd: number): number => H - PAD.bottom - (usd / cMax) * (H - PAD.top - PAD.bottom);
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'plan-chart', role: 'img' });
  chart.setAttribute('aria-label', `Predicted time and cost on 1 to ${rows[rows.length - 1]?.workers ?? 1} Lambda workers`);
  const base = H - PAD.bottom;
  chart.append(
    svg('line', { x1: PAD.left, y1: base, x2: W - PAD.right, y2: base, class: 'axis' }),
    svg('line', { x1: PAD.left, y1: PAD.top, x2: PAD.left, y2: base, class: 'axis' }),
    svg('line', { x1: W - PAD.right, y1: PAD.top, x2: W - PAD.right, y2: base, class: 'axis' }),
    svg('text', { x: PAD.left - 6, y: PAD.top + 8, class: 'tick end time' }, timeLabel(tMax)),
    svg('text', { x: W - PAD.right + 6, y: PAD.top + 8, class: 'tick cost' }, `$${cMax.toFixed(4)}`),
    svg('text', { x: (W + PAD.left - PAD.right) / 2, y: H - 4, class: 'tick middle' }, 'workers'),
  );
  for (const r of rows) chart.append(svg('text', { x: x(r.workers), y: base + 14, class: 'tick middle' }, String(r.workers)));
  const floor = yT(plan.criticalPathMs);
  chart.append(
    svg('line', { x1: PAD.left, y1: floor, x2: W - PAD.right, y2: floor, class: 'critical' }),
    svg(
      'text',
      { x: W - PAD.right - 4, y: floor - 4, class: 'tick end critical-label' },
      `critical path ${timeLabel(plan.criticalPathMs)}`,
    ),
  );
  const line = (points: Array<[number, number]>, cls: string): SVGPolylineElement =>
    svg('polyline', { points: points.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' '), class: cls });
  chart.append(
    line(
      rows.map((r) => [x(r.workers), yT(r.predictedMs)]),
      'time',
    ),
    line(
      rows.map((r) => [x(r.workers), yC(r.costUsd)]),
      'cost',
    ),
  );
  for (const r of rows) {
    const dot = svg('circle', { cx: x(r.workers), cy: yT(r.predictedMs), r: 3, class: 'time' });
    dot.append(svg('title', {}, `${r.workers} workers: ${timeLabel(r.predictedMs)}, $${r.costUsd.toFixed(4)}`));
    chart.append(dot, svg('circle', { cx: x(r.workers), cy: yC(r.costUsd), r: 2.5, class: 'cost' }));
  }
  return chart;
}

/** The fastest row, and the cheapest that is within a tenth of it: what a user would pick. */
export function planSummary(plan: PanelPlan): string {
  const fastest = plan.rows.reduce((a, b) => (b.predictedMs < a.predictedMs ? b : a));
  const enough = plan.rows.filter((r) => r.predictedMs <= fastest.predictedMs * 1.1).reduce((a, b) => (b.costUsd < a.costUsd ? b : a));
  return (
    `On Lambda this run would take about ${timeLabel(enough.predictedMs)} with ${enough.workers} worker${enough.workers === 1 ? '' : 's'} ` +
    `($${enough.costUsd.toFixed(4)}); no number of workers beats its critical path, ${timeLabel(plan.criticalPathMs)}.`
  );
}
