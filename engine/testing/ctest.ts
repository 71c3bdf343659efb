/**
 * CTest: `ctest --show-only=json-v1` in a build directory gives each test's
 * command, working directory, properties and the add_test() line that made
 * it; each test is one job, its verdict its exit status (with WILL_FAIL,
 * SKIP_RETURN_CODE and DISABLED as CTest reads them), and its failure line
 * the first `file:line` of a workspace file in its output.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { BurstError } from '../model/errors';
import type { TestCase, TestResult } from './testTypes';
import type { TestJobOutcome } from './testJob';
import { workspaceRelative } from './generic';

export interface CtestSuite {
  adapter: 'ctest';
  /** The CMake build directory, workspace-relative. */
  buildDir: string;
  /** Files the tests read at run time: globs, workspace-relative. */
  inputs: string[];
}

interface CtestJson {
  backtraceGraph?: { files?: string[]; nodes?: Array<{ file?: number; line?: number }> };
  tests?: Array<{ name: string; command?: string[]; backtrace?: number; properties?: Array<{ name: string; value: unknown }> }>;
}

export interface CtestCase extends TestCase {
  suite: CtestSuite;
  /** The program, workspace-relative when it is in the workspace (else as CTest gives it). */
  program: string;
  /** Its arguments, workspace paths made relative to `cwd`. */
  args: string[];
  /** Workspace-relative working directory. */
  cwd: string;
  disabled: boolean;
  willFail: boolean;
  skipCode: number | undefined;
}

export async function listCtests(root: string, suite: CtestSuite): Promise<CtestCase[]> {
  const buildDir = resolve(root, suite.buildDir);
  if (!existsSync(buildDir))
    throw new BurstError(
      'usage',
      `the CTest build directory ${suite.buildDir} does not exist: configure and build it first (burst test -- BUILD COMMAND)`,
    );
  const text = await new Promise<string>((ok, fail) =>
    execFile('ctest', ['--show-only=json-v1'], { cwd: buildDir, maxBuffer: 64 << 20, timeout: 60_000 }, (err, stdout, stderr) =>
      err
        ? fail(
            new BurstError(
              'usage',
              `ctest --show-only=json-v1 failed in ${suite.buildDir}: ${(stderr || err.message).trim().split('\n').pop()}`,
            ),
          )
        : ok(stdout),
    ),
  );
  const info = JSON.parse(text) as CtestJson;
  const files = info.backtraceGraph?.files ?? [];
  const nodes = info.backtraceGraph?.nodes ?? [];
  const inRoot = (p: string): string | undefined => workspaceRelative(root, resolve(buildDir, p));
  return (info.tests ?? []).flatMap((t) => {
    if (!t.command || t.command.length === 0) return []; // a test with no command (NOT_AVAILABLE): nothing to run
    const prop = (name: string): unknown => t.properties?.find((p) => p.name === name)?.value;
    const cwd = inRoot(String(prop('WORKING_DIRECTORY') ?? buildDir)) ?? suite.buildDir;
    const node = t.backtrace !== undefined ? nodes[t.backtrace] : undefined;
    const file = node?.file !== undefined && files[node.file] ? inRoot(files[node.file] as string) : undefined;
    const [program = '', ...args] = t.command;
    const skip = Number(prop('SKIP_RETURN_CODE'));
    return [
      {
        id: `ctest:${suite.buildDir}:${t.name}`,
        name: t.name,
        suite,
        program: inRoot(program) ?? program,
        args: args.map((a) => (isAbsolute(a) && inRoot(a) !== undefined ? relative(cwd || '.', inRoot(a) as string) || '.' : a)),
        cwd: cwd === '.' ? '' : cwd,
        disabled: prop('DISABLED') === true || prop('DISABLED') === 'ON' || prop('DISABLED') === 'TRUE',
        willFail: prop('WILL_FAIL') === true || prop('WILL_FAIL') === 'ON' || prop('WILL_FAIL') === 'TRUE',
        skipCode: Number.isInteger(skip) ? skip : undefined,
        ...(file ? { file } : {}),
        ...(node?.line ? { line: node.line } : {}),
      },
    ];
  });
}

type Verdict = Pick<TestResult, 'status' | 'message' | 'failureFile' | 'failureLine'>;

export function ctestVerdict(root: string, test: CtestCase, outcome: TestJobOutcome): Verdict {
  if (test.skipCode !== undefined && outcome.exitCode === test.skipCode)
    return { status: 'skipped', message: `exited with SKIP_RETURN_CODE ${test.skipCode}` };
  const passed = (outcome.exitCode === 0) !== test.willFail;
  if (passed) return { status: 'passed' };
  const at = workspaceLocation(root, outcome.output);
  const message = at?.text ?? (test.willFail ? 'passed, but WILL_FAIL is set' : `exited with status ${outcome.exitCode}`);
  return { status: 'failed', message, ...(at ? { failureFile: at.file, failureLine: at.line } : {}) };
}

/** The first `path:line` in the output that names a file of the workspace, and the rest of that line. */
export function workspaceLocation(root: string, output: string): { file: string; line: number; text: string } | undefined {
  for (const m of output.matchAll(/^(?:.*?\s)?([^\s:'"()]+):(\d+)(?::\d+)?:?\s*(.*)$/gm)) {
    const path = m[1] as string;
    const file = workspaceRelative(root, resolve(root, path));
    if (file === undefined || !existsSync(resolve(root, file))) continue;
    return {
      file,
      line: Number(m[2]),
      text: (m[3] as string).replace(/^(error|failure|fatal):\s*/i, '').trim() || (m[0] as string).trim(),
    };
  }
  return undefined;
}
