/**
 * The Burst panel in the webview: counts, the worker timeline, failures with
 * their diagnostics (a click opens the file at the line), jobs that ran
 * locally and why. It keeps the last run in the webview's state, so a hidden
 * and shown panel comes back as it was; the extension sends the run again when
 * the panel is opened anew.
 */
import { TimelineCanvas } from './timeline';
import { LaneLayout } from './lanes';
import { planChart, planSummary } from './plan';
import { isHostMessage, type HostMessage, type PanelCommand, type PanelFromCache, type PanelRun, type TimelineJob } from './protocol';

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
let shown: { runId: string; finished: boolean; failures: number; timeline: TimelineCanvas; cachedFiles: number } | undefined;
/** The run's jobs by id and their timeline rows, kept up to date as messages arrive rather than rebuilt per frame. */
let index: { byId: Map<number, TimelineJob>; layout: LaneLayout } | undefined;
let saveTimer: ReturnType<typeof setTimeout> | undefined;

function indexOf(r: PanelRun): NonNullable<typeof index> {
  index ??= { byId: new Map(r.jobs.map((j) => [j.id, j])), layout: LaneLayout.of(r.jobs) };
  return index;
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
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

/** A job's duration: milliseconds under a second, where tenths of a second would say 0.0. */
function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : seconds(ms);
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
    el(
      'div',
      { class: `count${value !== '0' ? ' nonzero' : ''}`, id: `count-${id}` },
      el('span', { class: 'value' }, value),
      el('span', { class: 'label' }, label),
    );
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
      el(
        'article',
        { class: 'failure' },
        el(
          'div',
          { class: 'failure-head' },
          el('strong', {}, f.program),
          ` on ${f.backend || '—'}: `,
          el('span', { class: 'first-error' }, f.firstError),
        ),
        links,
        el('details', {}, el('summary', {}, 'stderr'), el('pre', {}, f.stderr || '(empty)')),
      ),
    );
  }
  return section;
}

function fallbacks(r: PanelRun): HTMLElement {
  const section = el(
    'section',
    { class: 'fallbacks', 'aria-label': 'Where jobs ran' },
    el('h2', {}, 'Where jobs ran'),
    el('p', { id: 'ran' }),
  );
  if (r.ranLocally.length > 0) {
    const list = el('ul', {});
    for (const l of r.ranLocally) list.append(el('li', {}, el('strong', {}, l.program), ` ran here: ${l.reason}`));
    section.append(el('p', {}, `Ran on this machine instead of ${r.backend}:`), list);
  }
  section.append(el('details', { id: 'cache-files' }, el('summary', {}), el('ul', { class: 'cached-files' })));
  return section;
}

function planSection(r: PanelRun): HTMLElement[] {
  if (!r.finished || !r.plan || r.plan.rows.length === 0) return [];
  return [
    el(
      'section',
      { class: 'plan', id: 'plan', 'aria-label': 'On Lambda' },
      el('h2', {}, 'On Lambda'),
      el('p', { id: 'plan-summary' }, planSummary(r.plan)),
      planChart(r.plan),
      el(
        'p',
        { class: 'quiet plan-key' },
        el('span', { class: 'time' }, '● predicted time'),
        ' · ',
        el('span', { class: 'cost' }, '● cost'),
        ' · dashed: the critical path. From the run’s jobs and their times (burst plan).',
      ),
    ),
  ];
}

/** Where jobs ran and what came from the cache: text every frame, the file list only when it grew (an open list stays open). */
function updateWhere(r: PanelRun): void {
  const where = new Map<string, number>();
  for (const j of r.jobs) if (j.state !== 'cached') where.set(j.backend, (where.get(j.backend) ?? 0) + 1);
  const ran = [...where].map(([b, n]) => `${n} on ${b}`).join(', ') || 'No job ran';
  const cache = r.fromCache;
  const saved = cache && cache.savedMs > 0 ? `, saving ${duration(cache.savedMs)} of job time` : '';
  (document.getElementById('ran') as HTMLElement).textContent =
    `${ran}. ${r.cachedOutputs} ${r.cachedOutputs === 1 ? 'result' : 'results'} came from the cache${saved}.`;
  const details = document.getElementById('cache-files') as HTMLDetailsElement;
  const files = cache?.files ?? [];
  details.hidden = files.length === 0;
  const total = files.length + (cache?.more ?? 0);
  if (!shown || shown.cachedFiles === total) return;
  shown.cachedFiles = total;
  (details.querySelector('summary') as HTMLElement).textContent = `Files from the cache (${total})`;
  const items = files.map((f) => el('li', {}, el('code', {}, f.file), ` (${f.program}, ${duration(f.savedMs)})`));
  if (cache && cache.more > 0) items.push(el('li', { class: 'quiet' }, `… and ${cache.more} more`));
  (details.querySelector('ul') as HTMLElement).replaceChildren(...items);
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
    root.replaceChildren(
      el('p', { class: 'quiet', id: 'empty' }, 'No run yet. Start a build with Burst: Build on Lambda or Burst: Build Locally.'),
    );
    return;
  }
  const r = run;
  if (!shown || shown.runId !== r.runId || shown.finished !== r.finished || shown.failures !== r.failures.length) {
    const canvas = el('canvas', { id: 'timeline', role: 'img' });
    const listOpen = (document.getElementById('cache-files') as HTMLDetailsElement | null)?.open ?? false;
    root.replaceChildren(
      el('header', {}, el('h1', {}, r.label), el('span', { id: 'state' })),
      el('div', { id: 'counts' }),
      el('section', { class: 'timeline', 'aria-label': 'Worker timeline' }, el('h2', {}, 'Workers'), legend(), canvas),
      failures(r),
      fallbacks(r),
      ...planSection(r),
    );
    shown = { runId: r.runId, finished: r.finished, failures: r.failures.length, timeline: new TimelineCanvas(canvas), cachedFiles: -1 };
    if (shown.runId === (document.body.dataset.runId ?? '')) (document.getElementById('cache-files') as HTMLDetailsElement).open = listOpen;
    document.body.dataset.runId = r.runId;
  }
  const state = r.finished ? (r.counts.failed > 0 ? 'failed' : 'finished') : 'running';
  const badge = document.getElementById('state') as HTMLElement;
  badge.className = `state state-${state}`;
  badge.textContent = `${state} on ${r.backend} · ${seconds(elapsed(r))}`;
  (document.getElementById('counts') as HTMLElement).replaceChildren(counts(r));
  updateWhere(r);
  const drawn = shown.timeline.draw(indexOf(r).layout.lanes(), r.jobs, elapsed(r));
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
  if (message.type === 'none' || message.type === 'run') {
    run = message.type === 'run' ? message.run : undefined;
    index = undefined;
    saveState(true);
  } else if (run && message.runId === run.runId) {
    const { byId, layout } = indexOf(run);
    for (const job of message.jobs) {
      const known = byId.get(job.id);
      // Updated in place: the timeline's rows hold these objects.
      if (known) Object.assign(known, job);
      else {
        run.jobs.push(job);
        byId.set(job.id, job);
      }
      layout.add(known ?? job);
    }
    run.counts = message.counts;
    run.failures.push(...message.failures);
    run.bytesUp = message.bytesUp;
    run.bytesDown = message.bytesDown;
    if (message.costUsd !== undefined) run.costUsd = message.costUsd;
    if (message.fromCache) run.fromCache = mergeFromCache(run.fromCache, message.fromCache);
    saveState(false);
  }
  schedule();
}

function mergeFromCache(had: PanelFromCache | undefined, update: PanelFromCache): PanelFromCache {
  return { files: [...(had?.files ?? []), ...update.files], more: update.more, savedMs: update.savedMs };
}

/**
 * The run goes into the webview's state (what a hidden panel comes back
 * with) at once when it starts or ends, and at most once a second while it
 * runs: VS Code serialises the whole state on every call.
 */
function saveState(now: boolean): void {
  if (now) {
    clearTimeout(saveTimer);
    saveTimer = undefined;
    vscode.setState({ run });
    return;
  }
  saveTimer ??= setTimeout(() => {
    saveTimer = undefined;
    vscode.setState({ run });
  }, 1000);
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
