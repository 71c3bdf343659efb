/** Test cases and their results, as discovery and runs report them (the `tests` of a run report). */

export type TestStatus = 'passed' | 'failed' | 'skipped' | 'errored';

export interface TestCase {
  /** Stable across runs: adapter, where the test lives, its name. */
  id: string;
  /** As the framework names it (`Suite.Name` for GoogleTest, the file for the generic adapter). */
  name: string;
  /** Workspace-relative source file, when the framework says where the test is. */
  file?: string;
  line?: number;
}

export interface TestResult extends TestCase {
  status: TestStatus;
  /** The result came from the cache: nothing the test depends on changed since it ran. */
  cached: boolean;
  /** Failed, then passed when run again: the same job gave both answers. */
  flaky: boolean;
  durationMs: number;
  /** Why it failed, where it failed (workspace-relative), and the two sides of a comparison when the framework names them. */
  message?: string;
  failureFile?: string;
  failureLine?: number;
  expected?: string;
  actual?: string;
  /** The test's own output (stdout and stderr together), truncated. */
  output: string;
  /** Where its job ran (a backend label), when it ran in this run. */
  ranOn?: string;
}
