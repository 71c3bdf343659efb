/**
 * Tests as jobs: discovery through each suite's adapter, one job per test
 * case (GoogleTest, CTest) or per test file (generic), run on the chosen backend
 * like any other job and cached like one, with results parsed back and
 * reported as each finishes. A test that fails is run once more (a job of its
 * own, so the first answer stays on record); failing then passing makes it
 * flaky, remembered for later runs, and its passing result is the one kept.
 */
import { existsSync, promises as fs } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Backend } from '../schedule/backend';
import { BurstError, errorMessage } from '../model/errors';
import type { RunReport } from '../model/report';
import { Scheduler, type RunEvent, type SchedulerOptions } from '../schedule/scheduler';
import type { LocalStore } from '../store/local';
import { writeFileAtomic } from '../store/atomic';
import { resultOrNone } from '../store/objectStore';
import { packExecutable } from '../exec/toolchain';
import { ctestVerdict, listCtests, type CtestCase } from './ctest';
import { filesMatching, genericArgs, genericVerdict, listGenericTests, type GenericCase } from './generic';
import { gtestArgs, gtestVerdict, listGtests, type GtestCase } from './gtest';
import { createTestJob, parseOutcome, testOutputs, type TestJobSpec } from './testJob';
import type { TestSuite } from './testConfig';
import type { TestCase, TestResult } from './testTypes';

export type DiscoveredTest =
  (GtestCase & { adapter: 'gtest'; inputs: string[] }) | (GenericCase & { adapter: 'generic' }) | (CtestCase & { adapter: 'ctest' });

export async function discoverTests(root: string, suites: TestSuite[]): Promise<DiscoveredTest[]> {
  const found: DiscoveredTest[] = [];
  for (const suite of suites) {
    if (suite.adapter === 'gtest') {
      for (const binary of suite.binaries) {
        if (!existsSync(resolve(root, binary)))
          throw new BurstError(
            'usage',
            `the test binary ${binary} does not exist: build it first (burst test -- BUILD COMMAND builds it through Burst)`,
          );
        for (const t of await listGtests(root, binary)) found.push({ ...t, adapter: 'gtest', inputs: suite.inputs });
      }
    } else if (suite.adapter === 'ctest') {
      for (const t of await listCtests(root, suite)) found.push({ ...t, adapter: 'ctest' });
    } else {
      for (const t of await listGenericTests(root, suite)) found.push({ ...t, adapter: 'generic' });
    }
  }
  return found;
}

/** `Calc.*`, `*Wrong*`, or a plain substring of a test's name or id. */
export function matchesFilter(test: TestCase, filter: string | undefined): boolean {
  if (!filter) return true;
  if (!filter.includes('*')) return test.name.includes(filter) || test.id.includes(filter);
  const re = new RegExp(
    `^${filter
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(test.name) || re.test(test.id);
}

export interface TestRunOptions extends Omit<SchedulerOptions, 'backend' | 'onEvent'> {
  root: string;
  backend: Backend;
  onEvent?: (e: RunEvent) => void;
  /** Each result as soon as it is known. */
  onResult?: (r: TestResult) => void;
  /** Put the run's job graph in the report. */
  graph?: boolean;
}

export interface TestRun {
  results: TestResult[];
  report: RunReport;
}

interface Job {
  test: DiscoveredTest;
  thunk: string;
  spec: TestJobSpec;
}

export async function runTests(store: LocalStore, tests: DiscoveredTest[], opts: TestRunOptions): Promise<TestRun> {
  const scheduler = new Scheduler(store, { ...opts, keepGoing: true });
  const results: TestResult[] = [];
  const done = (r: TestResult): void => {
    results.push(r);
    opts.onResult?.(r);
  };
  const flaky = new FlakyRecord(store);
  const suiteInputs = new SuiteInputs(store, opts.root);
  await Promise.all(
    tests.map(async (test) => {
      if (test.adapter !== 'generic' && test.disabled)
        return done({
          ...caseOf(test),
          status: 'skipped',
          cached: false,
          flaky: false,
          durationMs: 0,
          output: '',
          message: test.adapter === 'gtest' ? 'disabled (DISABLED_ prefix)' : 'disabled (the DISABLED property)',
        });
      let job: Job;
      try {
        job = await prepare(store, opts.root, test, suiteInputs);
      } catch (e) {
        // One test that cannot be made a job (its program is gone, an input unreadable) is that test's error, not the run's.
        return done({
          ...caseOf(test),
          status: 'errored',
          cached: false,
          flaky: false,
          durationMs: 0,
          output: '',
          message: `could not prepare the test's job: ${errorMessage(e)}`,
        });
      }
      let result = await runJob(store, scheduler, opts.root, job);
      if (result.status === 'failed' && !result.cached) {
        const retry = await retryOf(store, job);
        const again = await runJob(store, scheduler, opts.root, retry);
        if (again.status === 'passed') {
          result = { ...again, flaky: true, cached: false };
          await flaky.mark(job.thunk, again);
          await adoptRetry(store, job, retry);
        }
      }
      if (!result.flaky && flaky.has(job.thunk)) result.flaky = true;
      done(result);
    }),
  );
  const order = new Map(tests.map((t, i) => [t.id, i]));
  results.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  await store.flush();
  const report = scheduler.report();
  if (opts.graph) report.graph = await scheduler.graph();
  return { results, report };
}

export function caseOf(t: DiscoveredTest): TestCase {
  return { id: t.id, name: t.name, ...(t.file ? { file: t.file } : {}), ...(t.line ? { line: t.line } : {}) };
}

/**
 * The files a suite's globs name, at their workspace paths, stored once per
 * run: every test of a suite shares them (a binary's 300 cases, one glob).
 */
class SuiteInputs {
  private readonly bySuite = new Map<string[], Promise<Record<string, string>>>();

  constructor(
    private readonly store: LocalStore,
    private readonly root: string,
  ) {}

  of(globs: string[]): Promise<Record<string, string>> {
    let found = this.bySuite.get(globs);
    if (!found) this.bySuite.set(globs, (found = this.stored(globs)));
    return found;
  }

  private async stored(globs: string[]): Promise<Record<string, string>> {
    const into: Record<string, string> = {};
    for (const f of await filesMatching(this.root, globs)) into[f] = await this.store.putFile(resolve(this.root, f));
    return into;
  }
}

async function prepare(store: LocalStore, root: string, test: DiscoveredTest, suiteInputs: SuiteInputs): Promise<Job> {
  let spec: TestJobSpec;
  if (test.adapter === 'gtest') {
    const cwd = dirOf(test.binary);
    const inputs = { ...(await suiteInputs.of(test.inputs)) };
    const program = await packExecutable(store, resolve(root, test.binary));
    spec = { program, argv0: `./${test.binary.split('/').pop()}`, args: gtestArgs(test.name), inputs, cwd, writesReport: true };
  } else if (test.adapter === 'ctest') {
    const inputs = { ...(await suiteInputs.of(test.suite.inputs)) };
    const program = await packExecutable(store, resolve(root, test.program));
    spec = { program, argv0: test.program.split('/').pop() as string, args: test.args, inputs, cwd: test.cwd, writesReport: false };
  } else {
    const { suite } = test;
    const file = test.file as string;
    const inputs = { [file]: await store.putFile(resolve(root, file)), ...(await suiteInputs.of(suite.inputs)) };
    const program = await packExecutable(store, suite.command[0] as string);
    spec = {
      program,
      argv0: suite.command[0] as string,
      args: genericArgs(suite, relative(suite.cwd || '.', file)),
      inputs,
      cwd: suite.cwd,
      writesReport: false,
    };
  }
  return { test, spec, thunk: await createTestJob(store, spec) };
}

function dirOf(path: string): string {
  const d = dirname(path);
  return d === '.' ? '' : d;
}

/** The same test as a new job: its first answer stays recorded under the first job's name. */
async function retryOf(store: LocalStore, job: Job): Promise<Job> {
  const spec = { ...job.spec, env: { ...job.spec.env, BURST_TEST_ATTEMPT: '2' } };
  return { test: job.test, spec, thunk: await createTestJob(store, spec) };
}

async function runJob(store: LocalStore, scheduler: Scheduler, root: string, job: Job): Promise<TestResult> {
  const outputs = testOutputs(job.spec.cwd);
  const refs = [outputs.status, outputs.log, ...(job.spec.writesReport ? [outputs.report] : [])].map((tag) => `${job.thunk}#${tag}`);
  const forced = await scheduler.force(refs);
  const base = { ...caseOf(job.test), flaky: false };
  const record = scheduler.jobRecords(job.thunk).find((j) => j.outcome === 'ok');
  const cached = !record;
  const durationMs = record ? record.end - record.start : ((await resultOrNone(store, job.thunk))?.durationMs ?? 0);
  if (forced.failures.length > 0) {
    const why = forced.failures[0]?.error;
    return {
      ...base,
      status: 'errored',
      cached: false,
      durationMs,
      output: '',
      message: `the test's job did not finish: ${errorMessage(why)}`,
    };
  }
  const read = async (ref: string | undefined): Promise<Buffer | undefined> => {
    const entry = ref ? forced.values.get(ref) : undefined;
    return entry ? store.readBytes(entry.name) : undefined;
  };
  const outcome = parseOutcome(
    ((await read(refs[0])) ?? Buffer.from('')).toString('utf8'),
    (await read(refs[1])) ?? Buffer.from(''),
    await read(refs[2]),
  );
  const verdict =
    job.test.adapter === 'gtest'
      ? gtestVerdict(root, resolve(root, dirOf(job.test.binary)), job.test, outcome)
      : job.test.adapter === 'ctest'
        ? ctestVerdict(root, job.test, outcome)
        : genericVerdict(job.test, outcome);
  return { ...base, ...verdict, cached, durationMs, output: outcome.output, ...(record ? { ranOn: record.backend } : {}) };
}

/** A flaky test's passing result becomes its job's result, so the next run takes it from the cache. */
async function adoptRetry(store: LocalStore, job: Job, retry: Job): Promise<void> {
  const reduction = await resultOrNone(store, retry.thunk);
  if (reduction) await store.putReduction(job.thunk, reduction);
}

/** Jobs seen failing then passing: a file per job name, so cached results still say so. */
class FlakyRecord {
  private readonly dir: string;
  private readonly known = new Set<string>();

  constructor(private readonly store: LocalStore) {
    this.dir = join(store.dir, 'flaky');
  }

  has(thunk: string): boolean {
    return this.known.has(thunk) || existsSync(join(this.dir, thunk));
  }

  async mark(thunk: string, passed: TestResult): Promise<void> {
    this.known.add(thunk);
    await fs.mkdir(this.dir, { recursive: true });
    await writeFileAtomic(join(this.dir, thunk), JSON.stringify({ test: passed.id, seen: new Date().toISOString() }), this.store.tmpDir);
  }
}
