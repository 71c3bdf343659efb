/**
 * Tests for the editor's Testing panel: discovery and runs happen here, in
 * the engine process, never in the extension host; each result is sent as
 * soon as its job finishes.
 */
import { resolve } from 'node:path';
import type { Connection } from 'vscode-languageserver/node';
import { errorMessage } from '../model/errors';
import type { LocalStore } from '../store/local';
import { readTestSuites } from '../testing/testConfig';
import { caseOf, discoverTests, runTests, type DiscoveredTest } from '../testing/runTests';
import { gtestArgs } from '../testing/gtest';
import { genericArgs } from '../testing/generic';
import { backendFor } from './runBackend';
import { RunEventNotification, TestResultNotification, type ListedTest, type RunTestsOutcome, type RunTestsParams, type TestLaunch } from './protocol';

export async function listTests(root: string): Promise<{ tests: ListedTest[]; error?: string }> {
  try {
    const found = await discoverTests(root, readTestSuites(root));
    return { tests: found.map((t) => listed(root, t)) };
  } catch (e) {
    return { tests: [], error: errorMessage(e) };
  }
}

function listed(root: string, t: DiscoveredTest): ListedTest {
  return { ...caseOf(t), adapter: t.adapter, launch: launchOf(root, t) };
}

/** The test as one would start it by hand, for a debugger: the real binary, not the job. */
function launchOf(root: string, t: DiscoveredTest): TestLaunch {
  if (t.adapter === 'gtest') return { program: resolve(root, t.binary), args: gtestArgs(t.name).slice(0, 1), cwd: resolve(root, t.binary, '..') };
  if (t.adapter === 'ctest') return { program: resolve(root, t.program), args: t.args, cwd: resolve(root, t.cwd) };
  const cwd = resolve(root, t.suite.cwd);
  return { program: t.suite.command[0] as string, args: genericArgs(t.suite, resolve(root, t.file as string)), cwd };
}

export async function runTestsFor(connection: Connection, store: LocalStore, p: RunTestsParams, signal: AbortSignal): Promise<RunTestsOutcome> {
  const wanted = p.ids ? new Set(p.ids) : undefined;
  const tests = (await discoverTests(p.cwd, readTestSuites(p.cwd))).filter((t) => !wanted || wanted.has(t.id));
  const run = await runTests(store, tests, {
    root: p.cwd,
    backend: await backendFor(store, p),
    useCache: true,
    ...(p.retries !== undefined ? { retries: p.retries } : {}),
    ...(p.straggler ? { straggler: p.straggler } : {}),
    signal,
    onEvent: (event) => void connection.sendNotification(RunEventNotification, { runId: p.runId, event }),
    onResult: (result) => void connection.sendNotification(TestResultNotification, { runId: p.runId, result }),
  });
  return { runId: p.runId, results: run.results, report: run.report, cancelled: signal.aborted };
}
