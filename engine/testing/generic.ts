/**
 * The generic adapter: test files found by a glob, each run as one job by a
 * command template (`node {file}`, `sh {file}`, `python3 -m pytest {file}`),
 * with the files it reads declared by globs. Its exit status is its verdict;
 * the first `file:line` of the test file in its output is where it failed.
 */
import { isAbsolute, relative } from 'node:path';
import fg from 'fast-glob';
import type { TestCase, TestResult } from './testTypes';
import type { TestJobOutcome } from './testJob';

export interface GenericSuite {
  adapter: 'generic';
  /** Test files: a glob, workspace-relative. */
  files: string;
  /** The command for one file, as words; `{file}` is the test file's path from `cwd`. */
  command: string[];
  /** Files the tests read besides themselves (sources, fixtures): globs, workspace-relative. */
  inputs: string[];
  /** Where the command runs, workspace-relative ('' for the root). */
  cwd: string;
}

export interface GenericCase extends TestCase {
  suite: GenericSuite;
}

const IGNORED = ['**/node_modules/**', '**/.git/**'];

export async function listGenericTests(root: string, suite: GenericSuite): Promise<GenericCase[]> {
  const files = (await fg(suite.files, { cwd: root, ignore: IGNORED, onlyFiles: true, dot: false })).sort();
  return files.map((file) => ({ id: `generic:${file}`, name: file, file, line: 1, suite }));
}

/** A path inside the workspace, relative to its root; undefined for one outside it. */
export function workspaceRelative(root: string, abs: string): string | undefined {
  const r = relative(root, abs);
  return r.startsWith('..') || isAbsolute(r) ? undefined : r;
}

/** The workspace files declared inputs by globs (any adapter's `inputs`), workspace-relative. */
export async function filesMatching(root: string, globs: string[]): Promise<string[]> {
  if (globs.length === 0) return [];
  return (await fg(globs, { cwd: root, ignore: IGNORED, onlyFiles: true, dot: true })).sort();
}

/** The command's arguments with the file in place of {file} (the config requires one). */
export function genericArgs(suite: GenericSuite, fileFromCwd: string): string[] {
  return suite.command.slice(1).map((w) => w.replaceAll('{file}', fileFromCwd));
}

type Verdict = Pick<TestResult, 'status' | 'message' | 'failureFile' | 'failureLine' | 'expected' | 'actual'>;

export function genericVerdict(test: GenericCase, outcome: TestJobOutcome): Verdict {
  if (outcome.exitCode === 0) return { status: 'passed' };
  const line = failureLine(outcome.output, test.file as string);
  const expected = /^\s*expected: (.*)$/m.exec(outcome.output)?.[1];
  const actual = /^\s*actual: (.*)$/m.exec(outcome.output)?.[1];
  return {
    status: 'failed',
    message: failureMessage(outcome.output) ?? `exited with status ${outcome.exitCode}`,
    ...(line ? { failureFile: test.file as string, failureLine: line } : {}),
    ...(expected !== undefined && actual !== undefined ? { expected, actual } : {}),
  };
}

/**
 * The line of the test file where it failed: a stack frame's `(file:line` or
 * `at file:line` first (the failing statement), else any mention (a TAP location).
 */
export function failureLine(output: string, file: string): number | undefined {
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const frame = new RegExp(`(?:\\(|\\bat )(?:file://)?(?:[^\\s()]*/)?${escaped}:(\\d+)`, 'm').exec(output);
  if (frame) return Number(frame[1]);
  const any = new RegExp(`(?:^|[\\s('"/])${escaped}:(\\d+)`, 'm').exec(output);
  return any ? Number(any[1]) : undefined;
}

/** The most telling line of a failure: a TAP error block's first line, an assertion's message, else the last line. */
function failureMessage(output: string): string | undefined {
  const lines = output.split('\n').map((l) => l.trim());
  const block = lines.findIndex((l) => /^error: [|>]-?$/.test(l));
  if (block >= 0) {
    const first = lines.slice(block + 1).find(Boolean);
    if (first) return first;
  }
  const inline = lines.map((l) => /^error: '(.*)'$/.exec(l)?.[1]).find((m) => m !== undefined);
  if (inline) return inline;
  const nonEmpty = lines.filter(Boolean);
  return nonEmpty.find((l) => /^(AssertionError|Error\b|assert|FAIL)/.test(l) || /\berror:/i.test(l)) ?? nonEmpty.at(-1);
}
