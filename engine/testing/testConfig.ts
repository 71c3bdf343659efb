/**
 * Which tests a workspace has: the "tests" section of `.burst.json`, a list of
 * suites, each one adapter:
 *
 *   { "tests": [
 *       { "adapter": "gtest", "binaries": ["build/calc_test"], "inputs": ["testdata/**"] },
 *       { "adapter": "ctest", "buildDir": "build" },
 *       { "adapter": "generic", "files": "test/*.test.js", "command": "node {file}", "inputs": ["lib/**"] }
 *   ] }
 */
import { BurstError } from '../model/errors';
import { workspaceSection } from '../model/workspaceConfig';
import type { CtestSuite } from './ctest';
import type { GenericSuite } from './generic';

export interface GtestSuite {
  adapter: 'gtest';
  /** Test binaries, workspace-relative (built by the project, through Burst or not). */
  binaries: string[];
  /** Files the tests read at run time (test data): globs, workspace-relative. */
  inputs: string[];
}

export type TestSuite = GtestSuite | GenericSuite | CtestSuite;

export function readTestSuites(root: string): TestSuite[] {
  const found = workspaceSection(root, 'tests');
  if (!found) return [];
  const { file, value: tests } = found;
  if (!Array.isArray(tests)) throw new BurstError('usage', `${file}: "tests" must be a list of test suites`, { file });
  return tests.map((t, i) => parseSuite(t, `${file}: tests[${i}]`, file));
}

function parseSuite(raw: unknown, where: string, file: string): TestSuite {
  const fail = (why: string): never => {
    throw new BurstError('usage', `${where}: ${why}`, { file });
  };
  if (typeof raw !== 'object' || raw === null) return fail('must be an object with an "adapter"');
  const t = raw as Record<string, unknown>;
  const strings = (key: string, required: boolean): string[] => {
    const v = t[key];
    if (v === undefined && !required) return [];
    if (typeof v === 'string') return [v];
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
    return fail(`"${key}" must be a string or a list of strings`);
  };
  if (t.adapter === 'gtest') {
    const binaries = strings('binaries', true);
    if (binaries.length === 0) fail('"binaries" lists no test binary');
    return { adapter: 'gtest', binaries, inputs: strings('inputs', false) };
  }
  if (t.adapter === 'generic') {
    if (typeof t.files !== 'string') fail('"files" must be a glob of test files, such as "test/*.test.js"');
    const command = typeof t.command === 'string' ? t.command.trim().split(/\s+/) : strings('command', true);
    if (command.length === 0 || command[0] === '') fail('"command" is empty');
    if (!command.some((w) => w.includes('{file}'))) fail(`"command" must name the test file as {file}, as in "node {file}"`);
    const cwd = t.cwd === undefined ? '' : typeof t.cwd === 'string' ? t.cwd.replace(/^\.\/?|\/$/g, '') : fail('"cwd" must be a path');
    return { adapter: 'generic', files: t.files as string, command, inputs: strings('inputs', false), cwd };
  }
  if (t.adapter === 'ctest') {
    if (typeof t.buildDir !== 'string' || t.buildDir === '') fail('"buildDir" must be the CMake build directory, such as "build"');
    return { adapter: 'ctest', buildDir: (t.buildDir as string).replace(/\/$/, ''), inputs: strings('inputs', false) };
  }
  return fail(`unknown adapter ${JSON.stringify(t.adapter)} (known: gtest, ctest, generic)`);
}
