/**
 * The extension in a real VS Code: code-server 4.100.3 driven by Playwright
 * in Debian's Chromium, with the Lambda backend pointed at the loopback S3
 * and Lambda servers. A small C project with a tasks.json build task (make)
 * is built with "Burst: Build on Lambda"; a compile error then shows in the
 * Problems panel at its file and line; the status bar shows each result.
 * Screenshots of each step go to test-output/e2e/.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { ROOT, tempDir } from './helpers';
import { generateSigningKeys } from '../engine/store/signing';
import { freePort, startLocalAws, type LocalAws } from './lib/localAws';
import { startFakeLambdaApi } from './lib/fakeLambdaApi';

const E2E = join(ROOT, 'test', 'e2e', 'code-server');
const SHOTS = join(ROOT, 'test-output', 'e2e');
const work = tempDir('burst-e2e-');

function ensureInstalled(): void {
  if (existsSync(join(E2E, 'node_modules', '.bin', 'code-server')) && existsSync('/usr/bin/chromium')) return;
  execFileSync('bash', [join(ROOT, 'scripts', 'setup-test-machine.sh')], { stdio: 'inherit' });
}

function project(dir: string, aws: LocalAws): void {
  mkdirSync(join(dir, '.vscode'), { recursive: true });
  writeFileSync(join(dir, 'main.c'), 'void greet(const char *who);\nint main(void) { greet("code-server"); return 0; }\n');
  writeFileSync(join(dir, 'greet.c'), '#include <stdio.h>\nvoid greet(const char *who) { printf("hello, %s\\n", who); }\n');
  writeFileSync(
    join(dir, 'Makefile'),
    'hello: main.o greet.o\n\tcc -o hello main.o greet.o\nhi: main.c greet.c\n\tcc -O1 -o hi main.c greet.c\ncheck: hello\n\t./hello > check.txt\n',
  );
  const tasks = [
    { label: 'build', type: 'shell', command: 'make', group: { kind: 'build', isDefault: true } },
    { label: 'check', type: 'shell', command: 'make check', group: 'test' },
    { label: 'greeting', type: 'burst', command: 'make hi', group: 'build' },
  ];
  writeFileSync(join(dir, '.vscode', 'tasks.json'), JSON.stringify({ version: '2.0.0', tasks }, null, 2));
  // A GoogleTest binary for the Testing panel, built by g++ itself: building through Burst is what the tests above check.
  writeFileSync(
    join(dir, 'calc_test.cpp'),
    '#include <gtest/gtest.h>\n\nstatic int add(int a, int b) { return a + b; }\n\nTEST(Calc, Adds) {\n  EXPECT_EQ(add(2, 2), 4);\n}\n\nTEST(Calc, AddsWrongly) {\n  EXPECT_EQ(add(2, 2), 5);\n}\n',
  );
  execFileSync('g++', ['-O1', '-o', 'calc_test', 'calc_test.cpp', '-lgtest', '-lgtest_main', '-pthread'], { cwd: dir });
  writeFileSync(join(dir, '.burst.json'), JSON.stringify({ tests: [{ adapter: 'gtest', binaries: ['calc_test'] }] }));
  writeFileSync(
    join(dir, '.vscode', 'settings.json'),
    JSON.stringify({
      'burst.backend': 'lambda',
      'burst.aws.region': 'us-east-1',
      'burst.aws.bucket': aws.bucket,
      'burst.aws.function': aws.functionName,
      'burst.aws.s3Endpoint': aws.s3Endpoint,
      'burst.aws.lambdaEndpoint': aws.lambdaEndpoint,
    }),
  );
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function exactly(text: string): RegExp {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
}

/** Runs a palette command once the extension host has registered it (the row appears). */
async function runCommand(page: Page, title: string): Promise<void> {
  let attempt = 0;
  await waitFor(
    `the command "${title}" in the palette`,
    async () => {
      // A key pressed while a webview (the Burst panel) has focus can be lost: after a miss, focus the side bar first, as a user clicking elsewhere would.
      if (attempt > 0)
        await page
          .locator('.part.sidebar .composite.title')
          .first()
          .click({ timeout: 2000 })
          .catch(() => undefined);
      await page.keyboard.press('Escape');
      await page.keyboard.press(attempt++ % 2 === 0 ? 'F1' : 'Control+Shift+P');
      const input = page.locator('.quick-input-widget input');
      if (
        !(await input.waitFor({ state: 'visible', timeout: 5000 }).then(
          () => true,
          () => false,
        ))
      )
        return false;
      // The palette can close again before the text goes in (a panel or notification taking focus as the engine restarts): try again.
      if (
        !(await input.fill(`>${title}`, { timeout: 3000 }).then(
          () => true,
          () => false,
        ))
      )
        return false;
      // Exactly this command: fuzzy matching may rank another first ("Tasks: Restart Running Task" for "Tasks: Run Task").
      const row = page
        .locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: exactly(title) }) })
        .first();
      try {
        await row.waitFor({ state: 'visible', timeout: 2000 });
      } catch {
        return false;
      }
      await row.click();
      return true;
    },
    60_000,
  );
}

/** "Tasks: Run Task", then each quick-pick entry in turn, as a user picks them. */
async function runTask(page: Page, picks: string[]): Promise<void> {
  await runCommand(page, 'Tasks: Run Task');
  for (const pick of picks) {
    const input = page.locator('.quick-input-widget input');
    await input.fill(pick);
    const row = page
      .locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: exactly(pick) }) })
      .first();
    try {
      await row.waitFor({ state: 'visible', timeout: 30_000 });
    } catch (e) {
      await page.screenshot({ path: join(SHOTS, `failed-pick-${pick}.png`) });
      throw e;
    }
    await row.click();
  }
  // VS Code asks how to scan the output of a provided task; Burst's own diagnostics reach Problems either way.
  const noScan = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Continue without scanning the task output' }).first();
  if (
    await noScan.waitFor({ state: 'visible', timeout: 3000 }).then(
      () => true,
      () => false,
    )
  )
    await noScan.click();
}

async function clickToastButton(page: Page, message: string | RegExp, button: string, timeoutMs: number): Promise<void> {
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: message }).first();
  await toast.waitFor({ timeout: timeoutMs });
  await toast.locator('.monaco-button', { hasText: button }).click();
}

function countFiles(dir: string): number {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;
}

/** A session token no log, panel or store may show (the loopback servers take any token; the secret key must stay S3RVER for s3rver). */
const SESSION_CANARY = `canarySessionToken${process.pid}x${Date.now()}`;

function codeServerEnv(aws: LocalAws, name: string): NodeJS.ProcessEnv {
  const home = join(work.path, `home-${name}`);
  mkdirSync(home, { recursive: true });
  return {
    ...process.env,
    ...aws.env,
    AWS_SESSION_TOKEN: SESSION_CANARY,
    BURST_CACHE_DIR: join(work.path, 'store'),
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local'),
    XDG_CACHE_HOME: join(home, '.cache'),
    EXTENSIONS_GALLERY: '{"serviceUrl":"http://127.0.0.1:9/"}',
  };
}

const CODE_SERVER = join(E2E, 'node_modules', '.bin', 'code-server');

/** The key "Burst: Set Signing Key" puts in the editor's secret storage (a test below sets it). */
let editorKey: { keyFile: string; id: string } | undefined;

/** `askTrust`: Workspace Trust on, as VS Code ships (the other tests turn it off, to open their folder without the question). */
async function startCodeServer(aws: LocalAws, name: string, askTrust = false): Promise<{ server: ChildProcess; port: number }> {
  const port = await freePort();
  const server = spawn(
    CODE_SERVER,
    [
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--auth',
      'none',
      '--disable-telemetry',
      '--disable-update-check',
      ...(askTrust ? [] : ['--disable-workspace-trust']),
      '--disable-getting-started-override',
      '--user-data-dir',
      join(work.path, `ud-${name}`),
      '--extensions-dir',
      join(work.path, `ext-${name}`),
    ],
    { env: codeServerEnv(aws, name), stdio: 'ignore', detached: true },
  );
  await waitFor('code-server', async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok === true, 60_000);
  return { server, port };
}

function stopCodeServer(server: ChildProcess | undefined): void {
  if (!server?.pid) return;
  try {
    process.kill(-server.pid, 'SIGTERM');
  } catch {
    // gone
  }
}

async function statusText(page: Page): Promise<string> {
  const item = page.locator('.part.statusbar .statusbar-item', { hasText: 'Burst' }).first();
  return (await item.innerText({ timeout: 1000 }).catch(() => '')).trim();
}

describe('the extension in code-server (Lambda backend on loopback servers)', () => {
  let aws: LocalAws;
  let server: ChildProcess;
  let port: number;
  let context: BrowserContext;
  let page: Page;
  const folder = join(work.path, 'hello');
  let shot = 0;
  const screenshot = async (name: string): Promise<void> => {
    await page.screenshot({ path: join(SHOTS, `${String(++shot).padStart(2, '0')}-${name}.png`) });
  };

  before(async () => {
    ensureInstalled();
    mkdirSync(SHOTS, { recursive: true });
    aws = await startLocalAws();
    project(folder, aws);
    const started = await startCodeServer(aws, 'dev');
    server = started.server;
    port = started.port;
    const { chromium } = require(join(E2E, 'node_modules', 'playwright-core')) as typeof import('playwright-core');
    context = await chromium.launchPersistentContext(join(work.path, 'browser'), {
      executablePath: '/usr/bin/chromium',
      headless: true,
      viewport: { width: 1400, height: 900 },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    const payload = encodeURIComponent(JSON.stringify([['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${port}${ROOT}`]]));
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}&payload=${payload}`);
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 60_000 });
  });

  after(async () => {
    await context?.close().catch(() => undefined);
    stopCodeServer(server);
    await aws?.stop();
    work[Symbol.dispose]();
  });

  test('Build on Lambda builds the program; a compile error lands in Problems at its line; the status bar tells each result', async (t) => {
    t.after(() => screenshot('last'));
    await waitFor('the Burst status bar item', async () => /Burst: lambda/.test(await statusText(page)), 60_000);
    await screenshot('workbench');

    await runCommand(page, 'Burst: Build on Lambda');
    await waitFor('the built program', () => existsSync(join(folder, 'hello')), 180_000);
    await waitFor('the status bar result', async () => /Burst lambda: \d+ ran, \d+ cached/.test(await statusText(page)), 30_000);
    await screenshot('built');
    assert.equal(execFileSync(join(folder, 'hello')).toString(), 'hello, code-server\n');
    assert.match(await statusText(page), /Burst lambda: 5 ran, 0 cached/, 'cc1 and as for each file, then the link');

    writeFileSync(join(folder, 'greet.c'), '#include <stdio.h>\nvoid greet(const char *who) { printf("hello, %s\\n", who) }\n');
    await runCommand(page, 'Burst: Build on Lambda');
    await waitFor(
      'the failed run in the status bar',
      async () => /failed|ran/.test(await statusText(page)) && !/starting|jobs/.test(await statusText(page)),
      120_000,
    );
    // The Problems tab, as a user would click it (again if the task's terminal takes the panel back as the run ends).
    const problem = page.locator('.markers-panel .monaco-list-row', { hasText: "expected ';' before '}' token" }).first();
    await waitFor(
      'the compile error in the Problems panel',
      async () => {
        await page
          .getByRole('tab', { name: /^Problems/ })
          .first()
          .click({ timeout: 2000 })
          .catch(() => undefined);
        return problem.isVisible();
      },
      60_000,
    );
    await screenshot('problem');
    const row = (await problem.getAttribute('aria-label')) ?? (await problem.innerText());
    assert.match(row, /expected .;. before .\}. token at line 2 and character \d+\. generated by burst/, row);
    const fileRow = page.locator('.markers-panel .monaco-list-row', { hasText: 'greet.c' }).first();
    await fileRow.waitFor({ timeout: 10_000 });
  });

  test('Set Signing Key keeps a key in the secret storage, and what Build on Lambda then shares is signed with it', async (t) => {
    t.after(() => screenshot('signing-last'));
    const keys = join(work.path, 'editor-keys');
    mkdirSync(keys, { mode: 0o700 });
    editorKey = generateSigningKeys(keys);
    await runCommand(page, 'Burst: Set Signing Key');
    // code-server's file dialog is a path in the quick input.
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    const keyFile = editorKey.keyFile;
    const accepted = page.locator('.notifications-toasts .notification-toast', { hasText: 'now signed with this key and shared' }).first();
    await waitFor(
      'the key accepted',
      async () => {
        // The dialog fills in its starting folder when it is ready, which can be after a path was typed: type it again then.
        if ((await input.isVisible()) && (await input.inputValue().catch(() => keyFile)) !== keyFile) await input.fill(keyFile);
        // OK, as a user would click it once the dialog has caught up with the typed path.
        await page
          .locator('.quick-input-widget .monaco-button', { hasText: /^OK$/ })
          .first()
          .click({ timeout: 1000 })
          .catch(() => undefined);
        return accepted.isVisible();
      },
      30_000,
    ).catch(async (e: Error) => {
      const toasts = await page.locator('.notifications-toasts .notification-toast').allInnerTexts();
      const typed = await input.inputValue().catch(() => '(no dialog)');
      throw new Error(`${e.message}; the dialog holds ${JSON.stringify(typed)}; notifications: ${JSON.stringify(toasts)}`);
    });
    await screenshot('signing-key-set');

    const source = join(folder, 'greet.c');
    const saved = readFileSync(source, 'utf8');
    try {
      writeFileSync(source, '#include <stdio.h>\nvoid greet(const char *who) { printf("signed, %s\\n", who); }\n');
      rmSync(join(folder, 'hello'), { force: true });
      await runCommand(page, 'Burst: Build on Lambda');
      // A placeholder stands in for it until the build has made it real.
      const says = (): string => spawnSync(join(folder, 'hello'), { encoding: 'utf8' }).stdout ?? '';
      await waitFor('the rebuilt program', () => says() === 'signed, code-server\n', 180_000);
      const results = join(aws.s3Dir, aws.bucket, 'reductions');
      const keysUsed = (): string[] =>
        readdirSync(results)
          .filter((f) => f.endsWith('._S3rver_object'))
          .map((f) => (JSON.parse(readFileSync(join(results, f), 'utf8')) as { key: string }).key);
      await waitFor(`a result signed by ${editorKey.id}`, () => keysUsed().includes(editorKey?.id ?? ''), 30_000);
    } finally {
      writeFileSync(source, saved);
    }
  });

  test('a missing Lambda function is one clear message with the button that fixes it', async () => {
    const settingsFile = join(folder, '.vscode', 'settings.json');
    writeFileSync(settingsFile, readFileSync(settingsFile, 'utf8').replace(aws.functionName, 'no-such-function'));
    writeFileSync(join(folder, 'greet.c'), '#include <stdio.h>\nvoid greet(const char *who) { printf("hi, %s\\n", who); }\n');
    await runCommand(page, 'Burst: Build on Lambda');
    const toast = page
      .locator('.notifications-toasts .notification-toast', { hasText: 'the Lambda function no-such-function does not exist' })
      .first();
    await toast.waitFor({ timeout: 120_000 });
    await toast.locator('.monaco-button', { hasText: 'Deploy Lambda Worker' }).waitFor({ timeout: 5000 });
    assert.doesNotMatch(await toast.innerText(), /was not run/, 'the reason itself, not the chain of jobs that did not run');
    await screenshot('missing-function');
    writeFileSync(settingsFile, readFileSync(settingsFile, 'utf8').replace('no-such-function', aws.functionName));
  });

  test('a "burst" task of tasks.json and a test-group task run through the engine from Tasks: Run Task', async (t) => {
    t.after(() => screenshot('tasks-last'));
    await runTask(page, ['greeting']);
    await waitFor('the program the burst task builds', () => existsSync(join(folder, 'hi')), 120_000);
    assert.equal(execFileSync(join(folder, 'hi')).toString(), 'hi, code-server\n');
    await screenshot('burst-task');

    await runTask(page, ['burst', 'burst: check']);
    await waitFor("the test task's output", () => existsSync(join(folder, 'check.txt')), 120_000);
    await waitFor("the test task's result in the status bar", async () => /Burst lambda: \d+ ran/.test(await statusText(page)), 30_000);
    assert.equal(readFileSync(join(folder, 'check.txt'), 'utf8'), 'hi, code-server\n');
    await screenshot('test-task');
  });

  /** The engine processes (language servers) of this test's extension. */
  const enginePids = (): string[] => {
    const r = spawnSync('pgrep', ['-f', join(ROOT, 'dist', 'server.js')], { encoding: 'utf8' });
    return r.stdout.split('\n').filter(Boolean);
  };

  test('a killed engine is reported with a Restart button; after the restart, builds run again', async (t) => {
    t.after(() => screenshot('engine-last'));
    execFileSync('pkill', ['-KILL', '-f', join(ROOT, 'dist', 'server.js')]);
    await clickToastButton(page, 'The Burst engine stopped', 'Restart Engine', 30_000);
    await screenshot('engine-restarted');
    rmSync(join(folder, 'hello'), { force: true });
    await runCommand(page, 'Burst: Build Locally');
    await waitFor('the program, built by the restarted engine', () => existsSync(join(folder, 'hello')), 120_000);
    await waitFor('the local run in the status bar', async () => /Burst local: \d+ ran, \d+ cached/.test(await statusText(page)), 30_000);

    const before = enginePids();
    assert.equal(before.length, 1, `one engine before Restart Engine: ${before.join(' ')}`);
    await runCommand(page, 'Burst: Restart Engine');
    await waitFor(
      'a new engine process after Restart Engine',
      async () => {
        const now = enginePids();
        return now.length === 1 && now[0] !== before[0];
      },
      30_000,
    );
    rmSync(join(folder, 'hello'), { force: true });
    await runCommand(page, 'Burst: Build Locally');
    await waitFor('the program, built after Restart Engine', () => existsSync(join(folder, 'hello')), 120_000);
    assert.notEqual(enginePids()[0], before[0], 'the new engine answered the build');
  });

  test('Clear Local Cache asks first, then empties the store', async () => {
    const objects = join(work.path, 'store', 'objects');
    assert.ok(countFiles(objects) > 0, 'the builds above stored objects');
    await runCommand(page, 'Burst: Clear Local Cache');
    const dialog = page.locator('.monaco-dialog-box', { hasText: 'Remove every object and cached result' });
    await dialog.waitFor({ timeout: 10_000 });
    await screenshot('clear-cache-asks');
    await dialog.locator('.monaco-button', { hasText: 'Clear Cache' }).click();
    await page
      .locator('.notifications-toasts .notification-toast', { hasText: 'Clearing the local Burst cache: done.' })
      .first()
      .waitFor({ timeout: 60_000 });
    assert.equal(countFiles(objects), 0, 'no object is left in the local store');
  });

  test("Deploy Lambda Worker creates the function with the settings' role, against a loopback Lambda API", async (t) => {
    t.after(() => screenshot('deploy-last'));
    const api = await startFakeLambdaApi();
    const settingsFile = join(folder, '.vscode', 'settings.json');
    const saved = readFileSync(settingsFile, 'utf8');
    try {
      const settings = JSON.parse(saved) as Record<string, unknown>;
      settings['burst.aws.lambdaEndpoint'] = api.endpoint;
      settings['burst.aws.role'] = 'arn:aws:iam::123456789012:role/burst-e2e';
      // The backend changes too, only so that the status bar shows when VS Code has read the new file.
      settings['burst.backend'] = 'local';
      writeFileSync(settingsFile, JSON.stringify(settings));
      await waitFor('the new settings', async () => /Burst: local/.test(await statusText(page)), 30_000);
      await runCommand(page, 'Burst: Deploy Lambda Worker');
      const done = page
        .locator('.notifications-toasts .notification-toast', { hasText: 'Deploying the Burst Lambda worker: done.' })
        .first();
      await done.waitFor({ timeout: 120_000 });
      assert.match(await done.innerText(), new RegExp(`function ${aws.functionName}: created \\(nodejs22\\.x, x86_64`));
      await screenshot('deployed');
      const fn = api.functions.get(aws.functionName);
      assert.ok(fn, `the function ${aws.functionName} was created`);
      assert.equal(fn.Role, 'arn:aws:iam::123456789012:role/burst-e2e');
      assert.equal(fn.Handler, 'index.handler');
    } finally {
      writeFileSync(settingsFile, saved);
      await waitFor('the settings restored', async () => /Burst: lambda/.test(await statusText(page)), 30_000).catch(() => undefined);
      await api.close();
    }
  });

  test('the Testing panel lists the GoogleTest tests; Run on Lambda marks pass and fail; the failure shows at its line', async (t) => {
    t.after(() => screenshot('testing-last'));
    // The test file open in the editor, as a user reading it would have it.
    await runCommand(page, 'View: Show Explorer');
    await page
      .locator('.explorer-folders-view .monaco-list-row', { has: page.locator('.label-name', { hasText: exactly('calc_test.cpp') }) })
      .first()
      .click();
    await page.locator('.monaco-editor .view-line', { hasText: 'EXPECT_EQ(add(2, 2), 5);' }).first().waitFor({ timeout: 30_000 });
    await runCommand(page, 'Testing: Focus on Test Explorer View');
    const fileRow = page.locator('.test-explorer .monaco-list-row', { hasText: 'calc_test.cpp' }).first();
    await fileRow.waitFor({ timeout: 60_000 });
    await runCommand(page, 'Test: Run All Tests');
    const row = (name: string) => page.locator('.test-explorer .monaco-list-row', { hasText: name }).first();
    await waitFor(
      'the test results in the tree',
      async () => {
        if (!(await row('Calc.Adds').isVisible())) await fileRow.click().catch(() => undefined);
        return (await row('Calc.AddsWrongly').locator('.codicon-testing-failed-icon').count()) > 0;
      },
      180_000,
    );
    assert.equal(await row('Calc.Adds').locator('.codicon-testing-passed-icon').count(), 1, 'Calc.Adds passed');
    await waitFor(
      'where the test ran, beside it in the tree',
      async () =>
        /ran on lambda/.test(
          await row('Calc.AddsWrongly')
            .innerText()
            .catch(() => ''),
        ),
      10_000,
    );
    await screenshot('testing-results');

    const inline = page.locator('.test-message-inline-content', { hasText: 'Expected equality of these values' }).first();
    await inline.waitFor({ timeout: 30_000 });
    const messageBox = await inline.boundingBox();
    const lineTen = await page.locator('.margin-view-overlays .line-numbers', { hasText: /^10$/ }).first().boundingBox();
    assert.ok(
      messageBox && lineTen && Math.abs(messageBox.y - lineTen.y) < lineTen.height,
      `the message sits on line 10, the failing EXPECT_EQ (${JSON.stringify([messageBox, lineTen])})`,
    );
    await screenshot('testing-inline-failure');

    // Debug starts the test itself under a debugger; this code-server has none for C++, and says which to install.
    await runCommand(page, 'Test: Debug All Tests');
    await page
      .locator('.notifications-toasts .notification-toast', { hasText: 'needs a debugger for compiled programs' })
      .first()
      .waitFor({ timeout: 30_000 });
    await screenshot('testing-debug-needs-extension');
  });

  test("a run opens the Burst panel; its counts reach the run's numbers; clicking the failure opens the file at the line", async (t) => {
    t.after(() => screenshot('panel-last'));
    const source = join(folder, 'greet.c');
    const saved = readFileSync(source, 'utf8');
    writeFileSync(source, '#include <stdio.h>\nvoid greet(const char *who) { printf("hello, %s\\n", who) }\n');
    try {
      await runCommand(page, 'Burst: Build Locally');
      const panel = page.frameLocator('iframe.webview.ready[src*="extensionId=burst."]').frameLocator('#active-frame');
      await panel.locator('#state', { hasText: 'failed on local' }).waitFor({ timeout: 120_000 });
      assert.equal((await panel.locator('#count-failed .value').innerText()).trim(), '1');
      const total = Number((await panel.locator('#count-total .value').innerText()).trim());
      const done = Number((await panel.locator('#count-done .value').innerText()).trim());
      assert.ok(total >= 1 && done >= 1, `counts: ${done} of ${total}`);
      await screenshot('panel-failed');
      await panel
        .locator('.failure button.link', { hasText: /^greet\.c:2:\d+$/ })
        .first()
        .click();
      await waitFor(
        'greet.c open at line 2',
        async () => {
          const tab = await page
            .locator('.tabs-container .tab.active')
            .first()
            .innerText()
            .catch(() => '');
          const cursor = await page
            .locator('.statusbar-item[id="status.editor.selection"]')
            .first()
            .innerText()
            .catch(() => '');
          return /greet\.c/.test(tab) && /^Ln 2, Col \d+/.test(cursor.trim());
        },
        30_000,
      );
      await screenshot('panel-opened-failure');
      // Fixed, the build runs its jobs, and the language server sends the plan of the run on Lambda with the report.
      writeFileSync(source, saved);
      await runCommand(page, 'Burst: Build Locally');
      await panel.locator('#state', { hasText: 'finished on local' }).waitFor({ timeout: 120_000 });
      assert.match(await panel.locator('#plan-summary').innerText({ timeout: 10_000 }), /^On Lambda this run would take about /);
      assert.equal(await panel.locator('#plan svg circle.time').count(), 10);
      await screenshot('panel-plan');
    } finally {
      writeFileSync(source, saved);
    }
  });

  test("no secret reaches the Burst log, the panel or the store: the session token and the signing key's bytes", async () => {
    const keyBody = (file: string): string =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l && !l.startsWith('-----'))
        .join('');
    // The environment's key, and the one the editor keeps in its secret storage (set above).
    assert.ok(editorKey, 'the signing key test ran');
    const needles = [SESSION_CANARY, keyBody(aws.signingKeyFile), keyBody(editorKey.keyFile)];
    await runCommand(page, 'Burst: Show Panel');
    const panel = page.frameLocator('iframe.webview.ready[src*="extensionId=burst."]').frameLocator('#active-frame');
    const shown = await panel.locator('body').innerText({ timeout: 30_000 });
    assert.match(shown, /(failed|finished) on local/, 'the panel still shows the runs above');
    const files: Array<[string, string]> = [];
    for (const dir of [join(work.path, 'ud-dev'), join(work.path, 'store')])
      for (const e of readdirSync(dir, { recursive: true, withFileTypes: true }))
        if (e.isFile()) files.push([join(e.parentPath, e.name), readFileSync(join(e.parentPath, e.name), 'latin1')]);
    // VS Code keeps each output channel in a file: the Burst log is among them, with the runs above.
    assert.ok(
      files.some(([path, text]) => /Burst/.test(path) && text.includes('[run-')),
      `the Burst log among ${files
        .filter(([p]) => p.endsWith('.log'))
        .map(([p]) => p)
        .join(', ')}`,
    );
    const found = [['the panel', shown] as [string, string], ...files].flatMap(([where, text]) =>
      needles.filter((n) => text.includes(n)).map((n) => `${n === SESSION_CANARY ? 'the session token' : 'a signing key'} in ${where}`),
    );
    assert.deepEqual(found, []);
  });

  test("in Restricted Mode, Burst says which of the workspace's settings it ignores", async () => {
    const stranger = join(work.path, 'stranger');
    project(stranger, aws);
    // A stranger's clone: its settings would send builds to another bucket and endpoint.
    writeFileSync(
      join(stranger, '.vscode', 'settings.json'),
      JSON.stringify({
        'burst.backend': 'lambda',
        'burst.aws.bucket': 'strangers-bucket',
        'burst.aws.s3Endpoint': 'https://s3.stranger.example',
        'burst.aws.lambdaEndpoint': 'https://lambda.stranger.example',
      }),
    );
    const started = await startCodeServer(aws, 'restricted', true);
    const restricted = await context.newPage();
    try {
      const payload = encodeURIComponent(
        JSON.stringify([['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${started.port}${ROOT}`]]),
      );
      await restricted.goto(`http://127.0.0.1:${started.port}/?folder=${encodeURIComponent(stranger)}&payload=${payload}`);
      const no = restricted.locator('.monaco-dialog-box .monaco-button', { hasText: "No, I don't trust the authors" }).first();
      await no.waitFor({ timeout: 60_000 });
      await restricted.screenshot({ path: join(SHOTS, `${String(++shot).padStart(2, '0')}-trust-question.png`) });
      await no.click();
      const toast = restricted.locator('.notifications-toasts .notification-toast', { hasText: 'Restricted Mode: Burst ignores' }).first();
      await toast.waitFor({ timeout: 60_000 });
      const text = await toast.innerText();
      assert.match(
        text,
        /this workspace's burst\.aws\.bucket, burst\.aws\.s3Endpoint, burst\.aws\.lambdaEndpoint \(where builds send code/,
      );
      assert.match(text, /builds use your user settings instead/);
      assert.match(text, /Manage Workspace Trust/);
      await restricted.waitForTimeout(1000); // the toast's fade-in, for the screenshot
      await restricted.screenshot({ path: join(SHOTS, `${String(++shot).padStart(2, '0')}-restricted-mode.png`) });
    } finally {
      await restricted.close();
      stopCodeServer(started.server);
    }
  });

  test('npm run package makes a .vsix that installs with --install-extension and activates', async () => {
    execFileSync('npm', ['run', 'package'], { cwd: ROOT, stdio: 'ignore' });
    const vsix = join(ROOT, 'burst.vsix');
    const env = codeServerEnv(aws, 'vsix');
    const installed = execFileSync(
      CODE_SERVER,
      ['--extensions-dir', join(work.path, 'ext-vsix'), '--user-data-dir', join(work.path, 'ud-vsix'), '--install-extension', vsix],
      { env },
    ).toString();
    assert.match(installed, /was successfully installed/);
    const started = await startCodeServer(aws, 'vsix');
    const vsixPage = await context.newPage();
    try {
      await vsixPage.goto(`http://127.0.0.1:${started.port}/?folder=${encodeURIComponent(folder)}`);
      await vsixPage.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 60_000 });
      await waitFor("the installed extension's status bar item", async () => /Burst: lambda/.test(await statusText(vsixPage)), 60_000);
      await vsixPage.screenshot({ path: join(SHOTS, `${String(++shot).padStart(2, '0')}-installed-vsix.png`) });
    } finally {
      await vsixPage.close();
      stopCodeServer(started.server);
    }
  });
});
