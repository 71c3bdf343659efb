/**
 * The Burst panel in the webview: counts, the worker timeline, failures with
 * their diagnostics (a click opens the file at the line), jobs that ran
 * locally and why. It keeps the last run in the webview's state, so a hidden
 * and shown panel comes back as it was; the extension sends the run again when
 * the panel is opened anew.
 */
import { TimelineCanvas } from './timeline';
import { isHostMessage, type HostMessage, type PanelCommand, type PanelRun } from './protocol';

interface VsCodeApi {
  postMessage(message: PanelCommand): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
let run: PanelRun | undefined = (vscode.getState() as { run?: PanelRun } | undefined)?.run;
let scheduled = false;
/** What the page shows now: rebuilt whole when the run, its end or its failures change; otherwise only counts and timeline move. */
let shown: { runId: string; finished: boolean; failures: number; timeline: TimelineCanvas } | undefined;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) [n, i] = [n / 1024, i + 1];
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function elapsed(r: PanelRun): number {
  return r.finished ? (r.wallMs ?? 0) : Date.now() - r.startedAt;
}

/** Time left, from the pace so far: jobs done per second against jobs not yet done. */
function eta(r: PanelRun): string {
  if (r.finished) return 'done';
  const { total, done } = r.counts;
  const t = elapsed(r);
  if (done === 0 || total <= done) return '…';
  return `about ${seconds(((total - done) * t) / done)}`;
}

function counts(r: PanelRun): HTMLElement {
  const c = r.counts;
  const cell = (label: string, value: string, id: string): HTMLElement =>
    el('div', { class: `count${value !== '0' ? ' nonzero' : ''}`, id: `count-${id}` }, el('span', { class: 'value' }, value), el('span', { class: 'label' }, label));
  return el(
    'section',
    { class: 'counts', 'aria-label': 'Run counts' },
    cell('jobs', String(c.total), 'total'),
    cell('done', String(c.done), 'done'),
    cell('running', String(c.running), 'running'),
    cell('cached', String(c.cached), 'cached'),
    cell('failed', String(c.failed), 'failed'),
    cell('retried', String(c.retried), 'retried'),
    cell('duplicated', String(c.duplicated), 'duplicated'),
    cell('time left', eta(r), 'eta'),
    cell('up', formatBytes(r.bytesUp), 'up'),
    cell('down', formatBytes(r.bytesDown), 'down'),
    cell('cost on Lambda', r.costUsd !== undefined ? `$${r.costUsd.toFixed(4)}` : '—', 'cost'),
  );
}

function failures(r: PanelRun): HTMLElement {
  const section = el('section', { class: 'failures', 'aria-label': 'Failed jobs' }, el('h2', {}, `Failures (${r.failures.length})`));
  if (r.failures.length === 0) section.append(el('p', { class: 'quiet' }, r.finished ? 'No job failed.' : 'None so far.'));
  for (const f of r.failures) {
    const links = el('ul', { class: 'diagnostics' });
    for (const d of f.diagnostics) {
      const button = el('button', { class: 'link', 'data-file': d.file, 'data-line': String(d.line) }, `${d.file}:${d.line}:${d.column}`);
      button.addEventListener('click', () => vscode.postMessage({ type: 'open', file: d.file, line: d.line, column: d.column }));
      links.append(el('li', {}, button, ` ${d.severity}: ${d.message}`));
    }
    section.append(
      el('article', { class: 'failure' },
        el('div', { class: 'failure-head' }, el('strong', {}, f.program), ` on ${f.backend || '—'}: `, el('span', { class: 'first-error' }, f.firstError)),
        links,
        el('details', {}, el('summary', {}, 'stderr'), el('pre', {}, f.stderr || '(empty)'))),
    );
  }
  return section;
}

function fallbacks(r: PanelRun): HTMLElement {
  const section = el('section', { class: 'fallbacks', 'aria-label': 'Where jobs ran' }, el('h2', {}, 'Where jobs ran'));
  const where = new Map<string, number>();
  for (const j of r.jobs) if (j.state !== 'cached') where.set(j.backend, (where.get(j.backend) ?? 0) + 1);
  const ran = [...where].map(([b, n]) => `${n} on ${b}`).join(', ') || 'No job ran';
  section.append(el('p', {}, `${ran}. ${r.cachedOutputs} results came from the cache.`));
  if (r.ranLocally.length > 0) {
    const list = el('ul', {});
    for (const l of r.ranLocally) list.append(el('li', {}, el('strong', {}, l.program), ` ran here: ${l.reason}`));
    section.append(el('p', {}, `Ran on this machine instead of ${r.backend}:`), list);
  }
  return section;
}

function legend(): HTMLElement {
  const keys = ['compile', 'assemble', 'link', 'archive', 'test', 'other', 'running', 'failed', 'cached', 'lost', 'transfer'];
  return el('div', { class: 'legend' }, ...keys.map((k) => el('span', { class: `key key-${k}` }, k)));
}

function render(): void {
  scheduled = false;
  const began = performance.now();
  const root = document.getElementById('root') as HTMLElement;
  if (!run) {
    shown = undefined;
    root.replaceChildren(el('p', { class: 'quiet', id: 'empty' }, 'No run yet. Start a build with Burst: Build on Lambda or Burst: Build Locally.'));
    return;
  }
  const r = run;
  if (!shown || shown.runId !== r.runId || shown.finished !== r.finished || shown.failures !== r.failures.length) {
    const canvas = el('canvas', { id: 'timeline', role: 'img' });
    root.replaceChildren(
      el('header', {}, el('h1', {}, r.label), el('span', { id: 'state' })),
      el('div', { id: 'counts' }),
      el('section', { class: 'timeline', 'aria-label': 'Worker timeline' }, el('h2', {}, 'Workers'), legend(), canvas),
      failures(r),
      el('div', { id: 'where' }),
    );
    shown = { runId: r.runId, finished: r.finished, failures: r.failures.length, timeline: new TimelineCanvas(canvas) };
  }
  const state = r.finished ? (r.counts.failed > 0 ? 'failed' : 'finished') : 'running';
  const badge = document.getElementById('state') as HTMLElement;
  badge.className = `state state-${state}`;
  badge.textContent = `${state} on ${r.backend} · ${seconds(elapsed(r))}`;
  (document.getElementById('counts') as HTMLElement).replaceChildren(counts(r));
  (document.getElementById('where') as HTMLElement).replaceChildren(fallbacks(r));
  const drawn = shown.timeline.draw(r.jobs, elapsed(r));
  const canvas = shown.timeline.canvas;
  canvas.setAttribute('aria-label', `Timeline of ${r.jobs.length} jobs on ${drawn.rows} workers`);
  canvas.dataset.rows = String(drawn.rows);
  canvas.dataset.bars = String(drawn.bars);
  document.body.dataset.jobs = String(r.jobs.length);
  document.body.dataset.renderMs = (performance.now() - began).toFixed(1); // what a frame costs, for the tests' record
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(render);
}

function apply(message: HostMessage): void {
  if (message.type === 'none') run = undefined;
  else if (message.type === 'run') run = message.run;
  else if (run && message.runId === run.runId) {
    const byId = new Map(run.jobs.map((j, i) => [j.id, i]));
    for (const job of message.jobs) {
      const i = byId.get(job.id);
      if (i === undefined) run.jobs.push(job);
      else run.jobs[i] = job;
    }
    run.counts = message.counts;
    run.failures = message.failures;
    run.bytesUp = message.bytesUp;
    run.bytesDown = message.bytesDown;
    if (message.costUsd !== undefined) run.costUsd = message.costUsd;
  }
  vscode.setState({ run });
  schedule();
}

window.addEventListener('message', (event: MessageEvent) => {
  if (isHostMessage(event.data)) apply(event.data);
});
// A running run's clock and the timeline's right edge move on their own.
setInterval(() => run && !run.finished && schedule(), 500);
window.addEventListener('resize', () => {
  shown?.timeline.invalidate();
  schedule();
});
// VS Code marks the theme on <body>: colours are read again when it changes.
new MutationObserver(() => {
  shown?.timeline.invalidate();
  schedule();
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });
render();
vscode.postMessage({ type: 'ready' });
