/**
 * GoogleTest: a test binary lists its tests with their source lines
 * (`--gtest_list_tests --gtest_output=json`); each test is one job
 * (`--gtest_filter=Suite.Name`), its result read from the JSON report.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { BurstError } from '../model/errors';
import type { TestCase, TestResult } from './testTypes';
import { REPORT_FILE, type TestJobOutcome } from './testJob';
import { workspaceRelative } from './generic';

interface GtestEntry {
  name: string;
  file?: string;
  line?: number;
  result?: string;
  failures?: Array<{ failure: string }>;
  time?: string;
}

interface GtestReport {
  testsuites?: Array<{ name: string; testsuite?: GtestEntry[] }>;
}

export interface GtestCase extends TestCase {
  binary: string;
  disabled: boolean;
}

/** The tests a binary holds, with workspace-relative locations. */
export async function listGtests(root: string, binary: string): Promise<GtestCase[]> {
  const abs = resolve(root, binary);
  const out = join(await fs.mkdtemp(join(tmpdir(), 'burst-gtest-')), 'list.json');
  try {
    await new Promise<void>((ok, fail) =>
      execFile(
        abs,
        ['--gtest_list_tests', `--gtest_output=json:${out}`],
        { cwd: dirname(abs), timeout: 60_000, maxBuffer: 16 << 20 },
        (err, _o, stderr) =>
          err
            ? fail(new BurstError('usage', `${binary}: listing its tests failed: ${(stderr || err.message).trim().split('\n').pop()}`))
            : ok(),
      ),
    );
    const report = JSON.parse(await fs.readFile(out, 'utf8')) as GtestReport;
    const rel = relative(root, abs);
    return (report.testsuites ?? []).flatMap((suite) =>
      (suite.testsuite ?? []).map((t) => {
        const name = `${suite.name}.${t.name}`;
        const file = t.file ? workspaceFile(root, dirname(abs), t.file) : undefined;
        return {
          id: `gtest:${rel}:${name}`,
          name,
          binary: rel,
          disabled: suite.name.startsWith('DISABLED_') || t.name.startsWith('DISABLED_'),
          ...(file ? { file } : {}),
          ...(t.line ? { line: t.line } : {}),
        };
      }),
    );
  } catch (e) {
    if (e instanceof BurstError) throw e;
    throw new BurstError('usage', `${binary}: not a GoogleTest binary that lists its tests (${(e as Error).message})`);
  } finally {
    await fs.rm(dirname(out), { recursive: true, force: true });
  }
}

/** A source path as the compiler recorded it, made workspace-relative (from the binary's directory, else the root). */
export function workspaceFile(root: string, binaryDir: string, file: string): string | undefined {
  const candidates = isAbsolute(file) ? [file] : [resolve(binaryDir, file), resolve(root, file)];
  return candidates.map((c) => workspaceRelative(root, c)).find((r) => r !== undefined);
}

export function gtestArgs(name: string): string[] {
  return [`--gtest_filter=${name}`, `--gtest_output=json:${REPORT_FILE}`, '--gtest_color=no'];
}

type Verdict = Pick<TestResult, 'status' | 'message' | 'failureFile' | 'failureLine' | 'expected' | 'actual'>;

/** The test's result from its JSON report, or from its exit status when it died before writing one. */
export function gtestVerdict(root: string, binaryDir: string, test: GtestCase, outcome: TestJobOutcome): Verdict {
  const entry = findEntry(outcome.report, test.name);
  if (!entry) {
    const why =
      outcome.exitCode === 0
        ? 'the test binary did not run the test'
        : `the test binary exited with status ${outcome.exitCode} before reporting`;
    return { status: 'errored', message: `${why}\n${tail(outcome.output)}`.trim() };
  }
  if (entry.result === 'SKIPPED') return { status: 'skipped' };
  const failure = entry.failures?.[0]?.failure;
  if (!failure)
    return outcome.exitCode === 0
      ? { status: 'passed' }
      : { status: 'errored', message: `exited with status ${outcome.exitCode}\n${tail(outcome.output)}` };
  return { status: 'failed', ...parseFailure(root, binaryDir, failure, entry.failures?.length ?? 1) };
}

function findEntry(report: string | undefined, name: string): GtestEntry | undefined {
  if (!report) return undefined;
  let parsed: GtestReport;
  try {
    parsed = JSON.parse(report) as GtestReport;
  } catch {
    return undefined;
  }
  for (const suite of parsed.testsuites ?? []) for (const t of suite.testsuite ?? []) if (`${suite.name}.${t.name}` === name) return t;
  return undefined;
}

/** `file:line\nmessage`, as GoogleTest writes a failure; expected and actual where the assertion names them. */
export function parseFailure(root: string, binaryDir: string, text: string, count: number): Omit<Verdict, 'status'> {
  const [first = '', ...rest] = text.split('\n');
  const at = /^(.+):(\d+)$/.exec(first);
  const message = (at ? rest.join('\n') : text).trim() + (count > 1 ? `\n(and ${count - 1} more failure${count > 2 ? 's' : ''})` : '');
  const file = at ? workspaceFile(root, binaryDir, at[1] as string) : undefined;
  const expected = /^\s*Expected: (.*)$/m.exec(message)?.[1];
  const actual = /^\s*Actual: (.*)$/m.exec(message)?.[1] ?? /^\s*Which is: (.*)$/m.exec(message)?.[1];
  return {
    message,
    ...(file ? { failureFile: file, failureLine: Number(at?.[2]) } : {}),
    ...(expected !== undefined && actual !== undefined ? { expected, actual } : {}),
  };
}

function tail(text: string, lines = 20): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
