/**
 * Tests for the editor's Testing panel: discovery and runs happen here, in
 * the engine process, never in the extension host; each result is sent as
 * soon as its job finishes.
 */
import type { Connection } from 'vscode-languageserver/node';
import { caseOf, discoverTests, errorMessage, launchOf, readTestSuites, type Engine, type RunOptions } from '../api';
import { reportForEditor } from './editorReport';
import { RunEventNotification, TestResultNotification, type ListedTest, type RunTestsOutcome, type RunTestsParams } from './protocol';

export async function listTests(root: string): Promise<{ tests: ListedTest[]; error?: string }> {
  try {
    const found = await discoverTests(root, readTestSuites(root));
    return { tests: found.map((t) => ({ ...caseOf(t), adapter: t.adapter, launch: launchOf(root, t) })) };
  } catch (e) {
    return { tests: [], error: errorMessage(e) };
  }
}

export async function runTestsFor(connection: Connection, engine: Engine, p: RunTestsParams, run: RunOptions): Promise<RunTestsOutcome> {
  const wanted = p.ids ? new Set(p.ids) : undefined;
  const tests = (await discoverTests(p.cwd, readTestSuites(p.cwd))).filter((t) => !wanted || wanted.has(t.id));
  const result = await engine.runTests(tests, {
    ...run,
    root: p.cwd,
    onEvent: (event) => void connection.sendNotification(RunEventNotification, { runId: p.runId, event }),
    onResult: (r) => void connection.sendNotification(TestResultNotification, { runId: p.runId, result: r }),
  });
  return { runId: p.runId, results: result.results, report: reportForEditor(result.report), cancelled: run.signal?.aborted ?? false };
}
