/**
 * The Testing panel: a TestController fed by the engine (discovery and runs
 * happen in the engine process), with "Run on Lambda" (the default),
 * "Run Locally", and "Debug", which starts the test itself under a debugger
 * where one is installed. Items load per file; results stream in as each
 * test's job finishes, failures at their file and line.
 */
import * as vscode from 'vscode';
import type { BackendName, ListedTest, TestResult } from '../engine/lsp/protocol';
import type { EngineClient } from './engineClient';
import type { Log } from './log';
import { readSettings } from './runs';
import { withSigningKey } from './signingKey';
import { runSettings } from './settingsModel';
import { failureMessage, groupByFile, outputBlock, resultDescription } from './testModel';

let nextRun = 1;

export class BurstTests implements vscode.Disposable {
  private readonly controller = vscode.tests.createTestController('burst', 'Burst');
  /** File item id → the tests in that file, from the last discovery. */
  private readonly byFile = new Map<string, ListedTest[]>();
  private readonly listed = new Map<string, ListedTest>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly engine: EngineClient,
    private readonly log: Log,
  ) {
    this.controller.resolveHandler = (item) => (item ? this.resolveFile(item) : this.discover());
    this.controller.refreshHandler = () => this.discover();
    this.controller.createRunProfile('Run on Lambda', vscode.TestRunProfileKind.Run, (r, t) => this.run(r, t, 'lambda'), true);
    this.controller.createRunProfile('Run Locally', vscode.TestRunProfileKind.Run, (r, t) => this.run(r, t, 'local'), false);
    this.controller.createRunProfile('Debug', vscode.TestRunProfileKind.Debug, (r) => this.debug(r), true);
    const watcher = vscode.workspace.createFileSystemWatcher('**/.burst.json');
    for (const on of [watcher.onDidChange, watcher.onDidCreate, watcher.onDidDelete]) this.disposables.push(on(() => void this.discover()));
    this.disposables.push(watcher);
  }

  private get root(): string | undefined {
    return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  }

  private async discover(): Promise<void> {
    const root = this.root;
    if (!root) return;
    let found: { tests: ListedTest[]; error?: string };
    try {
      found = await this.engine.listTests(root);
    } catch (e) {
      this.log.line(`listing tests failed: ${(e as Error).message}`);
      return;
    }
    if (found.error) this.log.line(`tests: ${found.error}`);
    this.byFile.clear();
    this.listed.clear();
    const items: vscode.TestItem[] = [];
    for (const [file, tests] of groupByFile(found.tests)) {
      const uri = file.startsWith('(') ? undefined : vscode.Uri.joinPath(vscode.Uri.file(root), file);
      const item = this.controller.createTestItem(`file:${file}`, file, uri);
      item.canResolveChildren = true;
      this.byFile.set(item.id, tests);
      for (const t of tests) this.listed.set(t.id, t);
      items.push(item);
    }
    this.controller.items.replace(items);
  }

  /** A file's tests become items when the panel opens the file's node (large suites load lazily). */
  private resolveFile(item: vscode.TestItem): void {
    const tests = this.byFile.get(item.id);
    if (!tests) return;
    item.children.replace(tests.map((t) => this.testItem(t, item.uri)));
    item.canResolveChildren = false;
  }

  private testItem(t: ListedTest, uri: vscode.Uri | undefined): vscode.TestItem {
    const item = this.controller.createTestItem(t.id, t.name, uri);
    if (t.line) item.range = new vscode.Range(t.line - 1, 0, t.line - 1, 0);
    return item;
  }

  /** The test items a request covers, every file's tests made items first. */
  private selected(request: vscode.TestRunRequest): vscode.TestItem[] {
    const roots: vscode.TestItem[] = [];
    if (request.include) roots.push(...request.include);
    else this.controller.items.forEach((i) => roots.push(i));
    const excluded = new Set((request.exclude ?? []).map((i) => i.id));
    const out: vscode.TestItem[] = [];
    for (const item of roots) {
      if (excluded.has(item.id)) continue;
      if (this.byFile.has(item.id)) {
        if (item.canResolveChildren) this.resolveFile(item);
        item.children.forEach((c) => void (excluded.has(c.id) || out.push(c)));
      } else if (this.listed.has(item.id)) out.push(item);
    }
    return out;
  }

  private async run(request: vscode.TestRunRequest, token: vscode.CancellationToken, backend: BackendName): Promise<void> {
    const root = this.root;
    if (!root) return;
    if (this.listed.size === 0) await this.discover();
    const items = this.selected(request);
    const run = this.controller.createTestRun(request, `Burst (${backend})`);
    const byId = new Map(items.map((i) => [i.id, i]));
    for (const item of items) run.started(item);
    const runId = `tests-${Date.now()}-${nextRun++}`;
    token.onCancellationRequested(() => this.engine.cancel(runId));
    try {
      const { settings: plain, errors } = runSettings(readSettings(root), backend);
      if (errors.length > 0) throw new Error(`Burst settings: ${errors.join('; ')}`);
      const settings = await withSigningKey(plain);
      const seen = new Set<string>();
      const report = (r: TestResult): void => {
        const item = byId.get(r.id);
        if (!item || seen.has(r.id)) return;
        seen.add(r.id);
        this.report(run, item, r);
      };
      const outcome = await this.engine.runTests(
        { runId, cwd: root, ids: [...byId.keys()], ...settings },
        { onEvent: () => undefined, onOutput: () => undefined, onTestResult: report },
      );
      for (const r of outcome.results) report(r); // any the notifications did not deliver
    } catch (e) {
      const message = (e as Error).message;
      this.log.line(`test run failed: ${message}`);
      for (const item of items) run.errored(item, new vscode.TestMessage(message));
    } finally {
      run.end();
    }
  }

  private report(run: vscode.TestRun, item: vscode.TestItem, r: TestResult): void {
    item.description = resultDescription(r);
    run.appendOutput(outputBlock(r), undefined, item);
    if (r.status === 'passed') return run.passed(item, r.durationMs);
    if (r.status === 'skipped') return run.skipped(item);
    const f = failureMessage(r);
    const message =
      f.expected !== undefined && f.actual !== undefined
        ? vscode.TestMessage.diff(f.message, f.expected, f.actual)
        : new vscode.TestMessage(f.message);
    const root = this.root;
    if (f.file && root) {
      message.location = new vscode.Location(
        vscode.Uri.joinPath(vscode.Uri.file(root), f.file),
        new vscode.Position(Math.max(0, (f.line ?? 1) - 1), 0),
      );
      // Output with a location is what the editor shows inline, at the failing line; the message itself opens in the peek view.
      run.appendOutput(`${f.message.replace(/\r?\n/g, '\r\n')}\r\n`, message.location, item);
    }
    if (r.status === 'failed') run.failed(item, message, r.durationMs);
    else run.errored(item, message, r.durationMs);
  }

  /** Starts the selected test under a debugger, here: js-debug for Node tests, the C/C++ or CodeLLDB extension for compiled ones. */
  private async debug(request: vscode.TestRunRequest): Promise<void> {
    const item = this.selected(request)[0];
    const test = item ? this.listed.get(item.id) : undefined;
    if (!test) return;
    const folder = vscode.workspace.workspaceFolders?.[0];
    const { program, args, cwd } = test.launch;
    const name = `Debug ${test.name}`;
    if (test.adapter === 'generic' && /(^|\/)node$/.test(program)) {
      await vscode.debug.startDebugging(folder, {
        type: 'node',
        request: 'launch',
        name,
        runtimeExecutable: program,
        program: args.find((a) => !a.startsWith('-')),
        args: [],
        cwd,
      });
      return;
    }
    if (vscode.extensions.getExtension('ms-vscode.cpptools')) {
      await vscode.debug.startDebugging(folder, { type: 'cppdbg', request: 'launch', name, program, args, cwd, MIMode: 'gdb' });
    } else if (vscode.extensions.getExtension('vadimcn.vscode-lldb')) {
      await vscode.debug.startDebugging(folder, { type: 'lldb', request: 'launch', name, program, args, cwd });
    } else {
      void vscode.window.showErrorMessage(
        `Debugging ${test.name} needs a debugger for compiled programs: install the C/C++ extension (ms-vscode.cpptools) or CodeLLDB (vadimcn.vscode-lldb). Run on Lambda and Run Locally need neither.`,
      );
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.controller.dispose();
  }
}
