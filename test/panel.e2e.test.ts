/**
 * The Burst panel's page (dist/webview/panel.js) in headless Chromium, fed
 * the way the extension feeds it: real run events from builds of
 * examples/geom (one with a compile error, one all cached) go through the
 * extension's RunTracker into messages posted to the page. The page stands
 * in for VS Code's webview only in `acquireVsCodeApi` (recording what the
 * page posts) and in the theme's CSS variables. Screenshots of each state go
 * to test-output/panel/.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { Engine, type RunEvent, type RunReport } from '../engine/api';
import { reportForEditor } from '../engine/lsp/editorReport';
import { RunTracker } from '../extension/panelModel';
import type { HostMessage, PanelRun, TimelineJob } from '../webview-ui/protocol';
import { copyTree, ROOT, tempDir } from './helpers';

const E2E = join(ROOT, 'test', 'e2e', 'code-server');
const SHOTS = join(ROOT, 'test-output', 'panel');
const work = tempDir('burst-panel-');

/** A few of VS Code's dark theme colours: the panel uses theme variables only. */
const THEME = `
  --vscode-font-family: sans-serif; --vscode-font-size: 13px; --vscode-editor-font-family: monospace; --vscode-editor-font-size: 12px;
  --vscode-foreground: #cccccc; --vscode-editor-background: #1e1e1e; --vscode-descriptionForeground: #9d9d9d;
  --vscode-errorForeground: #f85149; --vscode-charts-blue: #3794ff; --vscode-charts-green: #89d185; --vscode-charts-purple: #b180d7;
  --vscode-charts-orange: #d18616; --vscode-charts-yellow: #cca700; --vscode-charts-red: #f14c4c; --vscode-charts-foreground: #cccccc;
  --vscode-progressBar-background: #0078d4; --vscode-disabledForeground: #6e7681; --vscode-badge-background: #616161; --vscode-badge-foreground: #f8f8f8;
  --vscode-textLink-foreground: #4daafc; --vscode-panel-border: #2b2b2b; --vscode-textBlockQuote-background: #2b2b2b; --vscode-textCodeBlock-background: #2b2b2b;
  --vscode-focusBorder: #0078d4; --vscode-inputValidation-errorBackground: #5a1d1d;`;

function pageHtml(): string {
  const dist = join(ROOT, 'dist', 'webview');
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><style>html { ${THEME} }</style>
<link rel="stylesheet" href="file://${join(dist, 'panel-style.css')}"></head>
<body><main id="root"></main>
<script>
  // As in VS Code, the page's state outlives a reload of the page.
  window.posted = [];
  window.acquireVsCodeApi = () => ({
    postMessage: (m) => window.posted.push(m),
    getState: () => JSON.parse(sessionStorage.getItem('state') || 'null') ?? undefined,
    setState: (s) => sessionStorage.setItem('state', JSON.stringify(s)),
  });
</script>
<script src="file://${join(dist, 'panel.js')}"></script></body></html>`;
}

/** A build of the geom example through the engine, its events recorded as they came, with their times. */
async function recordedBuild(tree: string, store: string): Promise<{ events: Array<{ at: number; event: RunEvent }>; report: RunReport }> {
  const engine = await Engine.open({ cacheDir: store });
  const events: Array<{ at: number; event: RunEvent }> = [];
  const result = await engine.build(['make', '-j2', '-k'], {
    root: tree,
    graph: true, // as the language server asks, for the plot of the run on Lambda
    onEvent: (event) => events.push({ at: Date.now(), event }),
  });
  return { events, report: result.report };
}

// Page-side code is given as text: these tests are typed for Node, not the DOM.
const NEXT_FRAME = 'new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))';
const POSTED = 'window.posted';

async function post(page: Page, message: HostMessage): Promise<void> {
  await page.evaluate(`window.postMessage(${JSON.stringify(message)}, '*')`);
  await page.evaluate(NEXT_FRAME);
}

async function text(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).first().innerText()).trim();
}

describe('the Burst panel page in Chromium', () => {
  let browser: Browser;
  let page: Page;
  let tree: string;
  const store = join(work.path, 'store');

  before(async () => {
    if (!existsSync(join(E2E, 'node_modules', 'playwright-core')) || !existsSync('/usr/bin/chromium'))
      execFileSync('bash', [join(ROOT, 'scripts', 'setup-test-machine.sh')], { stdio: 'inherit' });
    mkdirSync(SHOTS, { recursive: true });
    tree = copyTree(join(ROOT, 'examples', 'geom'), join(work.path, 'geom'));
    writeFileSync(join(work.path, 'panel.html'), pageHtml());
    const { chromium } = require(join(E2E, 'node_modules', 'playwright-core')) as typeof import('playwright-core');
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--allow-file-access-from-files'],
    });
    page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    await page.goto(`file://${join(work.path, 'panel.html')}`);
  });

  after(async () => {
    await browser?.close();
    work[Symbol.dispose]();
  });

  test('with no run yet it says how to start one, and asks the extension for the last run', async () => {
    assert.match(await text(page, '#empty'), /No run yet/);
    assert.deepEqual(await page.evaluate(POSTED), [{ type: 'ready' }]);
  });

  test('a failing build: live counts and timeline while it runs, then the failure with its diagnostic, which opens the file at the line', async () => {
    const file = join(tree, 'lib', 'bbox.c');
    writeFileSync(file, `int broken_here = ;\n${readFileSync(file, 'utf8')}`);
    const { events, report } = await recordedBuild(tree, store);
    assert.ok(report.failed >= 1, 'the build failed');
    const start = events[0]?.at ?? Date.now();
    const tracker = new RunTracker('run-1', 'make -j2', 'local', start);
    await post(page, { type: 'run', run: structuredClone(tracker.run) });
    // Replayed in the order they came; the page gets the batches the extension would send.
    const half = Math.floor(events.length / 2);
    for (const { at, event } of events.slice(0, half)) tracker.onEvent(event, at);
    await post(page, { type: 'jobs', runId: 'run-1', ...tracker.takeChanges() });
    assert.match(await text(page, '#state'), /^running on local/);
    assert.match(await text(page, '.fallbacks'), /^Where jobs ran\s+\d+ on local\./i, 'jobs run in place count too');
    assert.ok(Number(await page.locator('#timeline').getAttribute('data-bars')) > 0, 'bars on the timeline');
    await page.screenshot({ path: join(SHOTS, '1-running.png'), fullPage: true });

    for (const { at, event } of events.slice(half)) tracker.onEvent(event, at);
    await post(page, { type: 'jobs', runId: 'run-1', ...tracker.takeChanges() });
    tracker.finish(report);
    await post(page, { type: 'run', run: structuredClone(tracker.run) });
    assert.match(await text(page, '#state'), /^failed on local/);
    assert.equal(await text(page, '#count-total .value'), String(report.thunks));
    assert.equal(await text(page, '#count-failed .value'), String(report.failed));
    const link = page.locator('.failure button.link', { hasText: 'lib/bbox.c:1:' }).first();
    assert.match(await page.locator('.failure').first().innerText(), /cc1 on local: .*expected expression before ';' token/);
    await page.screenshot({ path: join(SHOTS, '2-failed.png'), fullPage: true });
    await link.focus();
    await page.keyboard.press('Enter'); // keyboard, as a user tabbing through the panel would
    const posted = (await page.evaluate(POSTED)) as unknown[];
    assert.deepEqual(posted.at(-1), { type: 'open', file: 'lib/bbox.c', line: 1, column: 19 });
    writeFileSync(file, readFileSync(file, 'utf8').replace('int broken_here = ;\n', ''));
  });

  test('an all-cached build shows every result from the cache and no failure; the state survives a reload', async () => {
    await recordedBuild(tree, store); // the fixed file compiles once
    execFileSync('make', ['clean'], { cwd: tree, stdio: 'ignore' });
    const { events, report } = await recordedBuild(tree, store);
    assert.equal(report.executed, 0);
    const tracker = new RunTracker('run-2', 'make -j2', 'local', events[0]?.at ?? Date.now());
    for (const { at, event } of events) tracker.onEvent(event, at);
    tracker.finish(reportForEditor(report));
    await post(page, { type: 'run', run: structuredClone(tracker.run) });
    assert.match(await text(page, '#state'), /^finished on local/);
    assert.equal(await text(page, '#count-cached .value'), String(report.cached));
    // The run on Lambda, from its cached jobs' recorded times: a line of time and one of cost against workers.
    assert.match(
      await text(page, '#plan-summary'),
      /^On Lambda this run would take about [\d.]+ m?s with \d+ workers? \(\$\d\.\d{4}\); no number of workers beats its critical path, [\d.]+ m?s\.$/,
    );
    assert.equal(await page.locator('#plan svg circle.time').count(), 10, 'a point per number of workers, 1 to 1,000');
    assert.equal(await page.locator('#plan svg circle.cost').count(), 10);
    assert.match((await page.locator('#plan svg').getAttribute('aria-label')) ?? '', /1 to 1000 Lambda workers/);
    assert.match(await text(page, '.failures'), /No job failed/);
    assert.match(
      await text(page, '.fallbacks'),
      new RegExp(`${report.cached} results came from the cache, saving [\\d.]+ m?s of job time`),
    );
    // Which files came from the cache: the program the tree builds and its objects, by their paths in the tree.
    await page.locator('#cache-files summary').click();
    const listed = await text(page, '#cache-files');
    assert.match(listed, /Files from the cache \(\d+\)/);
    assert.match(listed, /lib\/bbox\.o \(as, \d+ ms\)/);
    assert.match(listed, /\bgeomdemo \(ld, \d+ ms\)/);
    assert.doesNotMatch(listed, /_burst/, 'no scratch files of the engine');
    await page.screenshot({ path: join(SHOTS, '3-all-cached.png'), fullPage: true });
    const saved = await page.evaluate('document.body.dataset.jobs');
    await page.reload();
    await page.evaluate(NEXT_FRAME);
    assert.equal(await page.evaluate('document.body.dataset.jobs'), saved, 'the webview state brings the run back');
  });

  test('a replay of 5,000 jobs on 1,000 Lambda workers renders every bar; the time is measured and printed', async () => {
    const jobs: TimelineJob[] = Array.from({ length: 5000 }, (_, i) => ({
      id: i,
      job: `T${i}`,
      program: ['cc1', 'as', 'ld', 'ar'][i % 4] as string,
      backend: i % 50 === 0 ? 'local' : 'lambda',
      start: (i % 1000) * 3 + Math.floor(i / 1000) * 4000,
      end: (i % 1000) * 3 + Math.floor(i / 1000) * 4000 + 2500 + (i % 7) * 100,
      state: i % 97 === 0 ? 'failed' : 'ok',
      attempt: 1,
      duplicate: false,
      transferMs: i % 50 === 0 ? 0 : 300,
    }));
    const run: PanelRun = {
      runId: 'big',
      label: 'make -j1000',
      backend: 'lambda',
      startedAt: Date.now() - 25_000,
      finished: true,
      wallMs: 25_000,
      counts: { total: 5000, done: 5000, running: 0, cached: 0, failed: 52, retried: 0, duplicated: 0 },
      bytesUp: 1 << 30,
      bytesDown: 1 << 28,
      costUsd: 0.42,
      jobs,
      failures: [],
      ranLocally: [{ program: 'ld', reason: 'its inputs are 600.0 MB, over the 512.0 MB a Lambda job may take' }],
      cachedOutputs: 0,
    };
    const ms = (await page.evaluate(`(async () => {
      const t = performance.now();
      window.postMessage(${JSON.stringify({ type: 'run', run })}, '*');
      await ${NEXT_FRAME};
      return performance.now() - t;
    })()`)) as number;
    assert.equal(await page.locator('#timeline').getAttribute('data-bars'), '5000');
    assert.ok(Number(await page.locator('#timeline').getAttribute('data-rows')) >= 900, 'about one row per concurrent worker');
    assert.match(await text(page, '.fallbacks'), /ld ran here: its inputs are 600\.0 MB/);
    await page.screenshot({ path: join(SHOTS, '4-5000-jobs.png') });
    const renderMs = Number(await page.evaluate('document.body.dataset.renderMs'));

    // The same run while it runs: the last 1,000 jobs still running, then live batches as the extension sends them (100 jobs end, 100 start).
    const live: TimelineJob[] = jobs.map((j, i) => (i >= 4000 ? { ...j, state: 'running', end: undefined } : j));
    await post(page, { type: 'run', run: { ...run, runId: 'big-live', finished: false, startedAt: Date.now() - 20_000, jobs: live } });
    const rowsBefore = Number(await page.locator('#timeline').getAttribute('data-rows'));
    const liveTimes: number[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const now = 20_000 + batch * 50;
      const ended = live.slice(4000 + batch * 100, 4100 + batch * 100).map((j) => ({ ...j, state: 'ok' as const, end: now }));
      const started = Array.from({ length: 100 }, (_, k): TimelineJob => ({
        id: 5000 + batch * 100 + k,
        job: `N${batch}-${k}`,
        program: 'cc1',
        backend: ended[k]?.backend ?? 'lambda',
        start: now + 1,
        state: 'running',
        attempt: 1,
        duplicate: false,
      }));
      await post(page, {
        type: 'jobs',
        runId: 'big-live',
        jobs: [...ended, ...started],
        counts: run.counts,
        failures: [],
        bytesUp: run.bytesUp,
        bytesDown: run.bytesDown,
      });
      liveTimes.push(Number(await page.evaluate('document.body.dataset.renderMs')));
    }
    assert.equal(await page.locator('#timeline').getAttribute('data-bars'), '6000', 'every started job is drawn');
    assert.equal(
      Number(await page.locator('#timeline').getAttribute('data-rows')),
      rowsBefore,
      'the new jobs take the rows (workers) the ended ones freed',
    );
    liveTimes.sort((a, b) => a - b);
    const liveMs = liveTimes[Math.floor(liveTimes.length / 2)] as number;
    console.log(
      `# 5,000-job replay: ${renderMs.toFixed(1)} ms to lay out and draw the whole page; live updates of the running run (100 jobs end, 100 start) ${liveMs.toFixed(1)} ms median, ${liveTimes.at(-1)?.toFixed(1)} ms worst; ${ms.toFixed(1)} ms from message to the second painted frame`,
    );
  });
});
