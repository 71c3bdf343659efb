/**
 * One test as one job. The test program runs under the machine's shell,
 * shipped with the job like any other program, which records its exit status
 * and output as files: the job itself succeeds whether the test passes or
 * fails, so a failure is a result, cached like a pass, and the same job runs
 * on Lambda or here.
 */
import { posix } from 'node:path';
import type { LocalStore } from '../store/local';
import { canonicalThunk, encodeThunk } from '../model/thunk';
import { packExecutable, type PackedExecutable } from '../exec/toolchain';

export const STATUS_FILE = 'burst-test.status';
export const LOG_FILE = 'burst-test.log';
/** Where a framework writes its own report (GoogleTest's JSON), next to the status. */
export const REPORT_FILE = 'burst-test.report';

export interface TestJobSpec {
  program: PackedExecutable;
  /** The name the program sees as argv[0]. */
  argv0: string;
  args: string[];
  /** Sandbox path → value name: the files the test reads, at their workspace-relative paths. */
  inputs: Record<string, string>;
  executables?: string[];
  /** The job's working directory, workspace-relative ('' for the root). */
  cwd: string;
  env?: Record<string, string>;
  /** The framework writes REPORT_FILE (its path is among `args`). */
  writesReport: boolean;
  timeoutMs?: number;
}

/** The job's three outputs, by sandbox path. */
export function testOutputs(cwd: string): { status: string; log: string; report: string } {
  const at = (f: string): string => (cwd ? posix.join(cwd, f) : f);
  return { status: at(STATUS_FILE), log: at(LOG_FILE), report: at(REPORT_FILE) };
}

// $1 is whether a report is expected; the rest is the test's command line. An empty report stands for a test that died before writing one.
const SCRIPT = `r=$1; shift; if [ "$r" = 1 ]; then : > ${REPORT_FILE}; fi; "$@" > ${LOG_FILE} 2>&1; echo $? > ${STATUS_FILE}`;

export async function createTestJob(store: LocalStore, spec: TestJobSpec): Promise<string> {
  const sh = await packExecutable(store, '/bin/sh');
  const outputs = testOutputs(spec.cwd);
  const thunk = canonicalThunk({
    args: [
      ...sh.launch(spec.cwd, 'sh'),
      '-c',
      SCRIPT,
      'sh',
      spec.writesReport ? '1' : '0',
      ...spec.program.launch(spec.cwd, spec.argv0),
      ...spec.args,
    ],
    env: { LC_ALL: 'C', ...spec.env },
    inputs: { ...spec.inputs, ...sh.inputs, ...spec.program.inputs },
    executables: [...new Set([...sh.executables, ...spec.program.executables, ...(spec.executables ?? [])])],
    outputs: [outputs.status, outputs.log, ...(spec.writesReport ? [outputs.report] : [])],
    cwd: spec.cwd,
    timeoutMs: spec.timeoutMs ?? 10 * 60_000,
  });
  return store.putBytes('T', encodeThunk(thunk));
}

/** What a finished test job left: its exit status, output and report. */
export interface TestJobOutcome {
  exitCode: number;
  output: string;
  report: string | undefined;
}

export const OUTPUT_LIMIT = 64 * 1024;

/** A job's directory, here or on a worker (`…/job-XXXXXX/`): the workspace root, as the test saw it. */
const SANDBOX_ROOT = /(?:\/[^\s'"()]*)?\/job-[A-Za-z0-9]{6}\//g;

export function parseOutcome(status: string, log: Buffer, report: Buffer | undefined): TestJobOutcome {
  const exitCode = Number.parseInt(status.trim(), 10);
  const text =
    log.length > OUTPUT_LIMIT
      ? `${log.subarray(0, OUTPUT_LIMIT).toString('utf8')}\n[output truncated: ${log.length} bytes]`
      : log.toString('utf8');
  return { exitCode: Number.isNaN(exitCode) ? -1 : exitCode, output: text.replace(SANDBOX_ROOT, ''), report: report?.toString('utf8') };
}
