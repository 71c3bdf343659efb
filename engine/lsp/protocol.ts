/**
 * The engine's language-server protocol: the custom requests and
 * notifications the extension and the engine exchange, one definition for
 * both sides. Standard LSP carries the rest (diagnostics, progress).
 * Imports no VS Code API: the engine uses it too.
 */
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import type { LambdaFlags } from '../aws/config';
import type { RunReport } from '../model/report';
import type { RunEvent } from '../schedule/scheduler';
import type { TestCase, TestResult } from '../testing/testTypes';

export type BackendName = 'local' | 'lambda';

export interface BuildParams {
  /** Chosen by the client, so it can cancel the run and match its events. */
  runId: string;
  /** The build command and where it runs (the workspace folder, or the task's cwd). */
  command: string[];
  cwd: string;
  backend: BackendName;
  /** Local jobs at once (default: the number of cores). */
  jobs?: number;
  isolate?: boolean;
  retries?: number;
  straggler?: { enabled?: boolean; factor?: number; minMs?: number };
  /** The Lambda backend's settings (bucket, region, endpoints...), as the CLI's flags name them. */
  aws?: LambdaFlags;
}

export interface BuildFailure {
  path: string;
  message: string;
}

export interface BuildOutcome {
  runId: string;
  /** The build command's own exit status. */
  commandStatus: number;
  failures: BuildFailure[];
  report: RunReport;
  cancelled: boolean;
}

/** Runs a build through the engine; answers when every output is written. */
export const BuildRequest = new RequestType<BuildParams, BuildOutcome, void>('burst/build');

/** Stops a run: its jobs are killed and its request answers with `cancelled`. */
export const CancelNotification = new NotificationType<{ runId: string }>('burst/cancel');

/** The scheduler's events for a run, as they happen (jobs started, ended, cached, retried...). */
export const RunEventNotification = new NotificationType<{ runId: string; event: RunEvent }>('burst/runEvent');

/** Lines for the engine's log (the output channel): what a terminal would show. */
export const LogNotification = new NotificationType<{ runId?: string; line: string }>('burst/log');

/** How to start one test by hand, here: for a debugger. Paths are absolute. */
export interface TestLaunch {
  program: string;
  args: string[];
  cwd: string;
}

export interface ListedTest extends TestCase {
  adapter: 'gtest' | 'ctest' | 'generic';
  launch: TestLaunch;
}

/** The workspace's tests (.burst.json "tests"), discovered in the engine; `error` when the configuration or a binary is wrong. */
export const ListTestsRequest = new RequestType<{ root: string }, { tests: ListedTest[]; error?: string }, void>('burst/listTests');

export interface RunTestsParams extends Omit<BuildParams, 'command'> {
  /** The tests to run (all when absent). */
  ids?: string[];
}

export interface RunTestsOutcome {
  runId: string;
  results: TestResult[];
  report: RunReport;
  cancelled: boolean;
}

/** Runs tests as jobs; each result also arrives on its own as a TestResultNotification. */
export const RunTestsRequest = new RequestType<RunTestsParams, RunTestsOutcome, void>('burst/runTests');

export const TestResultNotification = new NotificationType<{ runId: string; result: TestResult }>('burst/testResult');
