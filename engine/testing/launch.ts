/** How to start one discovered test by hand, outside Burst: what a debugger launches. */
import { resolve } from 'node:path';
import { genericArgs } from './generic';
import { gtestArgs } from './gtest';
import type { DiscoveredTest } from './runTests';

export interface TestLaunch {
  /** Absolute paths. */
  program: string;
  args: string[];
  cwd: string;
}

/** The real binary and arguments, not the job. */
export function launchOf(root: string, t: DiscoveredTest): TestLaunch {
  if (t.adapter === 'gtest')
    return { program: resolve(root, t.binary), args: gtestArgs(t.name).slice(0, 1), cwd: resolve(root, t.binary, '..') };
  if (t.adapter === 'ctest') return { program: resolve(root, t.program), args: t.args, cwd: resolve(root, t.cwd) };
  const cwd = resolve(root, t.suite.cwd);
  return { program: t.suite.command[0] as string, args: genericArgs(t.suite, resolve(root, t.file as string)), cwd };
}
