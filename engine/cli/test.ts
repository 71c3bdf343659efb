/**
 * `burst test`: builds the test binaries through Burst when a build command
 * is given, lists the workspace's tests (`.burst.json` "tests"), runs the
 * selected ones as jobs, and prints one line per test and each failure at
 * its file and line. The run report gains `tests`.
 */
import { join, relative } from 'node:path';
import {
  BurstError,
  WORKSPACE_CONFIG,
  discoverTests,
  formatDiagnostic,
  matchesFilter,
  readTestSuites,
  type Engine,
  type RunOptions,
  type RunReport,
  type TestResult,
} from '../api';

export interface TestCommandParams {
  root: string;
  filter: string | undefined;
  build: string[];
  list: boolean;
  quiet: boolean;
  /** How the build and the tests run (backend, cache, events...). */
  run: RunOptions;
  burstProgram: string;
}

export type TestReport = RunReport & { tests: TestResult[] };

export async function testCommand(engine: Engine, p: TestCommandParams): Promise<{ exitCode: number; report?: TestReport }> {
  if (p.build.length > 0) {
    const built = await engine.build(p.build, { ...p.run, root: p.root, burstProgram: p.burstProgram });
    for (const d of built.report.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
    if (built.commandStatus !== 0 || built.failures.length > 0) {
      process.stderr.write(`burst: the build failed (${p.build.join(' ')}); no test ran\n`);
      return { exitCode: built.commandStatus || 1 };
    }
  }
  const suites = readTestSuites(p.root);
  if (suites.length === 0)
    throw new BurstError(
      'usage',
      `no tests are configured: add a "tests" section to ${relative(process.cwd(), join(p.root, WORKSPACE_CONFIG)) || WORKSPACE_CONFIG} (see burst test --help)`,
    );
  const tests = (await discoverTests(p.root, suites)).filter((t) => matchesFilter(t, p.filter));
  if (p.list) {
    for (const t of tests) process.stdout.write(`${t.id}\t${t.file ?? ''}${t.line ? `:${t.line}` : ''}\n`);
    return { exitCode: 0 };
  }
  if (tests.length === 0)
    throw new BurstError(
      'usage',
      p.filter ? `no test matches ${JSON.stringify(p.filter)} (burst test --list shows them all)` : 'the configured suites hold no tests',
    );
  const run = await engine.runTests(tests, { ...p.run, root: p.root, ...(p.quiet ? {} : { onResult: printResult }) });
  for (const r of run.results) if (r.status === 'failed' || r.status === 'errored') printFailure(r);
  const count = (s: TestResult['status']): number => run.results.filter((r) => r.status === s).length;
  const cached = run.results.filter((r) => r.cached).length;
  const flaky = run.results.filter((r) => r.flaky).length;
  if (!p.quiet)
    process.stderr.write(
      `burst: ${run.results.length} tests: ${count('passed')} passed, ${count('failed')} failed, ${count('errored')} errored, ${count('skipped')} skipped; ${cached} cached${flaky ? `, ${flaky} flaky` : ''}\n`,
    );
  return { exitCode: count('failed') + count('errored') > 0 ? 1 : 0, report: { ...run.report, tests: run.results } };
}

function printResult(r: TestResult): void {
  const tags = [r.cached ? 'cached' : r.ranOn ? `on ${r.ranOn}` : '', r.flaky ? 'flaky' : ''].filter(Boolean).join(', ');
  process.stdout.write(`${r.status.toUpperCase().padEnd(7)} ${r.name}${tags ? ` (${tags})` : ''}\n`);
}

/** `file:line: error: message`, as compilers print, so terminals and problem matchers link it. */
function printFailure(r: TestResult): void {
  const file = r.failureFile ?? r.file;
  const line = r.failureLine ?? r.line;
  const where = file ? `${file}${line ? `:${line}` : ''}: ` : '';
  const [first = '', ...rest] = (r.message ?? r.status).split('\n');
  process.stderr.write(`${where}error: ${r.name}: ${first}\n${rest.map((l) => `  | ${l}\n`).join('')}`);
}
