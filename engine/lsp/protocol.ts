/**
 * The engine's language-server protocol: the custom requests and
 * notifications the extension and the engine exchange, with every type they
 * carry, one definition for both sides. Self-contained: it imports nothing of
 * the engine, so the extension depends on this file alone. Standard LSP
 * carries the rest (diagnostics, progress). The engine checks each request's
 * params (parseBuildParams, parseRunTestsParams) before acting on them, and
 * server.ts asserts at compile time that what it sends has these shapes.
 */
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';

// ---- What runs carry ------------------------------------------------------

export const BACKEND_NAMES = ['local', 'lambda'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** The Lambda backend's settings, as the CLI's flags name them; every field optional. */
export interface AwsSettings {
  region?: string;
  profile?: string;
  bucket?: string;
  prefix?: string;
  function?: string;
  concurrency?: number | string;
  s3Endpoint?: string;
  lambdaEndpoint?: string;
  memory?: number | string;
  timeout?: number | string;
  ephemeralStorage?: number | string;
  runtime?: string;
  architecture?: string;
  role?: string;
  maxInputBytes?: number | string;
  readOnly?: boolean | string;
  /** Public key files whose signed results a run uses, comma-separated. */
  trustedKeys?: string;
  /** The editor's signing key (from its secret storage): never logged, never written. */
  signingKeyPem?: string;
}

export interface Diagnostic {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based; 0 when the tool gave none. */
  column: number;
  severity: 'error' | 'warning' | 'note';
  message: string;
  job?: string;
}

/** The scheduler's events, as they happen. */
export type RunEvent =
  | { type: 'job-start'; job: string; program: string; backend: string; attempt: number; duplicate: boolean }
  | { type: 'job-end'; job: string; program: string; backend: string; exitCode: number; durationMs: number; transferMs?: number }
  | { type: 'job-cached'; job: string; program: string; outputs: string[]; savedMs: number }
  | { type: 'job-retry'; job: string; program: string; reason: string; delayMs: number }
  | { type: 'job-duplicate'; job: string; program: string; elapsedMs: number }
  | { type: 'job-failed'; job: string; program: string; message: string; stderr: string; diagnostics: Diagnostic[] }
  | { type: 'warning'; message: string }
  | {
      type: 'progress';
      thunks: number;
      done: number;
      running: number;
      cached: number;
      failed: number;
      bytesUp?: number;
      bytesDown?: number;
      costUsd?: number;
    };

export interface JobRecord {
  name: string;
  program: string;
  backend: string;
  /** Milliseconds since the run started. */
  start: number;
  end: number;
  exitCode: number | null;
  attempt: number;
  duplicate: boolean;
  outcome: 'ok' | 'failed' | 'lost' | 'cancelled';
  error?: string;
  reason?: string;
  transferMs?: number;
  ranWith?: string;
  cutBytes?: number;
}

/** The run report (as `burst --report` writes it). */
export interface RunReport {
  thunks: number;
  executed: number;
  cached: number;
  failed: number;
  retried: number;
  duplicated: number;
  byBackend: Record<string, number>;
  fallbacks: Array<{ job?: string; what: string; reason: string }>;
  wallMs: number;
  criticalPathMs: number;
  bytesUploaded: number;
  bytesDownloaded: number;
  /** Jobs that ran on this machine although a remote backend was chosen, and why. */
  ranLocally: Array<{ job: string; program: string; reason: string }>;
  cost?: { lambdaRequests: number; lambdaGbSeconds: number; s3Requests: number; usd: number };
  diagnostics: Diagnostic[];
  jobs: JobRecord[];
  /** What the run would take, and cost, on Lambda with each number of workers (burst plan of its job graph). */
  plan?: { criticalPathMs: number; rows: Array<{ workers: number; predictedMs: number; costUsd: number }> };
}

export interface TestCase {
  id: string;
  name: string;
  file?: string;
  line?: number;
}

export interface TestResult extends TestCase {
  status: 'passed' | 'failed' | 'skipped' | 'errored';
  cached: boolean;
  flaky: boolean;
  durationMs: number;
  message?: string;
  failureFile?: string;
  failureLine?: number;
  expected?: string;
  actual?: string;
  output: string;
  ranOn?: string;
}

// ---- Builds (client → engine) -----------------------------------------------

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
  /** The Lambda backend's settings (bucket, region, endpoints...). */
  aws?: AwsSettings;
  /** The editor trusts the folder (Workspace Trust): its .burst.json may say where code goes. */
  workspaceTrusted?: boolean;
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

/** client → engine: runs a build; answers when every output is written. */
export const BuildRequest = new RequestType<BuildParams, BuildOutcome, void>('burst/build');

/** client → engine: stops a run; its jobs are killed and its request answers with `cancelled`. */
export const CancelNotification = new NotificationType<{ runId: string }>('burst/cancel');

/** engine → client: the scheduler's events for a run, as they happen. */
export const RunEventNotification = new NotificationType<{ runId: string; event: RunEvent }>('burst/runEvent');

/** engine → client: lines for the engine's log (the output channel), what a terminal would show. */
export const LogNotification = new NotificationType<{ runId?: string; line: string }>('burst/log');

// ---- Tests -------------------------------------------------------------------

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

/** client → engine: the workspace's tests (.burst.json "tests"); `error` when the configuration or a binary is wrong. */
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

/** client → engine: runs tests as jobs; each result also arrives on its own as a TestResultNotification. */
export const RunTestsRequest = new RequestType<RunTestsParams, RunTestsOutcome, void>('burst/runTests');

/** engine → client: one test's result, as soon as its job ends. */
export const TestResultNotification = new NotificationType<{ runId: string; result: TestResult }>('burst/testResult');

// ---- Audit ---------------------------------------------------------------------

export interface AuditParams extends Omit<BuildParams, 'command'> {
  /** How many cached jobs of the last run to run again (default 10); all of them with `all`. */
  sample?: number;
  all?: boolean;
}

export interface AuditOutcome {
  runId: string;
  /** What was found, as `burst audit` prints it. */
  text: string;
  audited: number;
  /** Jobs whose outputs differ from the cached ones. */
  differing: number;
  notChecked: number;
  cancelled: boolean;
}

/** client → engine: runs cached jobs of the last run again with no cache, isolated, and compares. */
export const AuditRequest = new RequestType<AuditParams, AuditOutcome, void>('burst/audit');

// ---- Checking what arrives -----------------------------------------------------

/** A request's params that do not have the protocol's shape: the message says which field. */
export class BadParams extends Error {}

type Fields = Record<string, unknown>;

function object(v: unknown, what: string): Fields {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new BadParams(`${what} must be an object`);
  return v as Fields;
}

function str(o: Fields, k: string, optional = false): void {
  if (optional && o[k] === undefined) return;
  if (typeof o[k] !== 'string') throw new BadParams(`${k} must be a string`);
}

function num(o: Fields, k: string, min: number): void {
  if (o[k] === undefined) return;
  const n = o[k];
  if (typeof n !== 'number' || !Number.isFinite(n) || n < min) throw new BadParams(`${k} must be a number of at least ${min}`);
}

function runFields(o: Fields): void {
  str(o, 'runId');
  str(o, 'cwd');
  if (!(BACKEND_NAMES as readonly unknown[]).includes(o.backend)) throw new BadParams(`backend must be one of ${BACKEND_NAMES.join(', ')}`);
  num(o, 'jobs', 0);
  num(o, 'retries', 0);
  if (o.isolate !== undefined && typeof o.isolate !== 'boolean') throw new BadParams('isolate must be true or false');
  if (o.workspaceTrusted !== undefined && typeof o.workspaceTrusted !== 'boolean')
    throw new BadParams('workspaceTrusted must be true or false');
  if (o.straggler !== undefined) {
    const s = object(o.straggler, 'straggler');
    if (s.enabled !== undefined && typeof s.enabled !== 'boolean') throw new BadParams('straggler.enabled must be true or false');
    num(s, 'factor', 1);
    num(s, 'minMs', 0);
  }
  if (o.aws !== undefined) {
    const aws = object(o.aws, 'aws');
    for (const [k, v] of Object.entries(aws))
      if (v !== undefined && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')
        throw new BadParams(`aws.${k} must be a string, a number or true/false`);
  }
}

export function parseBuildParams(v: unknown): BuildParams {
  const o = object(v, 'the params');
  runFields(o);
  if (!Array.isArray(o.command) || o.command.length === 0 || !o.command.every((w) => typeof w === 'string'))
    throw new BadParams('command must be a non-empty list of words');
  return o as unknown as BuildParams;
}

export function parseRunTestsParams(v: unknown): RunTestsParams {
  const o = object(v, 'the params');
  runFields(o);
  if (o.ids !== undefined && (!Array.isArray(o.ids) || !o.ids.every((i) => typeof i === 'string')))
    throw new BadParams('ids must be a list of test ids');
  return o as unknown as RunTestsParams;
}

export function parseAuditParams(v: unknown): AuditParams {
  const o = object(v, 'the params');
  runFields(o);
  num(o, 'sample', 1);
  if (o.all !== undefined && typeof o.all !== 'boolean') throw new BadParams('all must be true or false');
  return o as unknown as AuditParams;
}

export function parseListTestsParams(v: unknown): { root: string } {
  const o = object(v, 'the params');
  str(o, 'root');
  return o as { root: string };
}
