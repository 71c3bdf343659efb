/**
 * `burst test`: a GoogleTest project (Debian's libgtest-dev) built through
 * Burst, a CTest project, and Node test-runner files through the generic
 * adapter. Discovery
 * lists tests at their lines; a run gives the right verdict per test, each
 * failure at its assertion's line; a second run takes every result from the
 * cache; a test that fails and then passes is flaky, and stays marked.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { burst, readJson, tempDir, type CliResult } from './helpers';
import { failureLine } from '../engine/testing/generic';
import { parseFailure } from '../engine/testing/gtest';
import { matchesFilter } from '../engine/testing/runTests';
import type { TestReport } from '../engine/cli/test';

const work = tempDir('burst-tests-');
const store = join(work.path, 'store');
let reports = 0;

function ensureGtest(): void {
  if (existsSync('/usr/include/gtest/gtest.h')) return;
  execFileSync('apt-get', ['install', '-y', '-qq', 'libgtest-dev'], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

async function burstTest(dir: string, args: string[]): Promise<CliResult & { report: TestReport }> {
  const file = join(work.path, `report-${reports++}.json`);
  const r = await burst(['test', '--report', file, ...args], store, { cwd: dir });
  assert.ok(existsSync(file), `no report (exit ${r.code}): ${r.stderr}`);
  return { ...r, report: readJson<TestReport>(file) };
}

function byName(report: TestReport): Map<string, TestReport['tests'][number]> {
  return new Map(report.tests.map((t) => [t.name, t]));
}

const GTEST_SOURCE = `#include <gtest/gtest.h>

static int add(int a, int b) { return a + b; }

TEST(Calc, Adds) {
  EXPECT_EQ(add(2, 2), 4);
}

TEST(Calc, AddsWrongly) {
  EXPECT_EQ(add(2, 2), 5);
}

TEST(Flags, IsSet) {
  bool set = false;
  EXPECT_TRUE(set) << "the flag";
}

TEST(Calc, DISABLED_Later) {}
`;

describe('burst test', () => {
  after(() => work[Symbol.dispose]());

  describe('GoogleTest, built through Burst', () => {
    const dir = join(work.path, 'gtest');
    before(() => {
      ensureGtest();
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'calc_test.cpp'), GTEST_SOURCE);
      writeFileSync(
        join(dir, 'Makefile'),
        'calc_test: calc_test.cpp\n\tg++ -O1 -o calc_test calc_test.cpp -lgtest -lgtest_main -pthread\n',
      );
      writeFileSync(join(dir, '.burst.json'), JSON.stringify({ tests: [{ adapter: 'gtest', binaries: ['calc_test'] }] }));
    });

    test('builds the binary, then each test is a job with its own verdict; failures point at the assertion', async () => {
      const r = await burstTest(dir, ['--', 'make']);
      assert.equal(r.code, 1, 'failing tests fail the command');
      const tests = byName(r.report);
      assert.deepEqual([...tests.keys()].sort(), ['Calc.Adds', 'Calc.AddsWrongly', 'Calc.DISABLED_Later', 'Flags.IsSet']);
      assert.equal(tests.get('Calc.Adds')?.status, 'passed');
      assert.equal(tests.get('Calc.DISABLED_Later')?.status, 'skipped');
      const wrong = tests.get('Calc.AddsWrongly');
      assert.equal(wrong?.status, 'failed');
      assert.deepEqual([wrong?.file, wrong?.line, wrong?.failureFile, wrong?.failureLine], ['calc_test.cpp', 9, 'calc_test.cpp', 10]);
      assert.match(wrong?.message ?? '', /Expected equality of these values:\n\s+add\(2, 2\)\n\s+Which is: 4\n\s+5/);
      const flag = tests.get('Flags.IsSet');
      assert.equal(flag?.failureLine, 15);
      assert.deepEqual([flag?.expected, flag?.actual], ['true', 'false']);
      assert.match(r.stderr, /^calc_test\.cpp:10: error: Calc\.AddsWrongly: Expected equality of these values:$/m);
      assert.ok(r.report.tests.every((t) => !t.cached));
      assert.equal(r.report.executed >= 3, true, 'one job per test that ran');
    });

    test('--list shows every test at its file and line; a filter selects', async () => {
      const all = await burst(['test', '--list'], store, { cwd: dir });
      assert.equal(all.code, 0, all.stderr);
      assert.deepEqual(all.stdout.trim().split('\n'), [
        'gtest:calc_test:Calc.Adds\tcalc_test.cpp:5',
        'gtest:calc_test:Calc.AddsWrongly\tcalc_test.cpp:9',
        'gtest:calc_test:Calc.DISABLED_Later\tcalc_test.cpp:18',
        'gtest:calc_test:Flags.IsSet\tcalc_test.cpp:13',
      ]);
      const some = await burst(['test', '--list', 'Calc.Add*'], store, { cwd: dir });
      assert.deepEqual(
        some.stdout
          .trim()
          .split('\n')
          .map((l) => l.split('\t')[0]),
        ['gtest:calc_test:Calc.Adds', 'gtest:calc_test:Calc.AddsWrongly'],
      );
    });

    test('a second run takes every result, pass or fail, from the cache', async () => {
      const r = await burstTest(dir, []);
      assert.equal(r.code, 1);
      const ran = r.report.tests.filter((t) => t.status !== 'skipped');
      assert.equal(ran.length, 3);
      assert.ok(
        ran.every((t) => t.cached),
        JSON.stringify(ran.map((t) => [t.name, t.cached])),
      );
      assert.equal(r.report.executed, 0);
      assert.equal(byName(r.report).get('Calc.AddsWrongly')?.failureLine, 10, 'a cached failure still says where');
    });
  });

  describe('CTest', () => {
    const dir = join(work.path, 'ctest');
    before(() => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, 'calc.c'),
        '#include <stdio.h>\n#include <stdlib.h>\n\nint main(int argc, char **argv) {\n  int a = atoi(argv[1]), b = atoi(argv[2]), want = atoi(argv[3]);\n  if (a + b != want) {\n' +
          '    fprintf(stderr, "calc.c:8: error: %d + %d is %d, not %d\\n", a, b, a + b, want);\n    return 1;\n  }\n  return 0;\n}\n',
      );
      writeFileSync(
        join(dir, 'CMakeLists.txt'),
        'cmake_minimum_required(VERSION 3.13)\nproject(calc C)\nenable_testing()\nadd_executable(calc calc.c)\nadd_test(NAME adds COMMAND calc 2 2 4)\n' +
          'add_test(NAME adds_wrongly COMMAND calc 2 2 5)\nadd_test(NAME off COMMAND calc 1 1 2)\nset_tests_properties(off PROPERTIES DISABLED TRUE)\n',
      );
      writeFileSync(join(dir, '.burst.json'), JSON.stringify({ tests: [{ adapter: 'ctest', buildDir: 'build' }] }));
      // Configured and built by CMake itself: the adapter's part is reading CTest's list and running each test as a job.
      execFileSync('cmake', ['-S', '.', '-B', 'build'], { cwd: dir, stdio: 'ignore' });
      execFileSync('cmake', ['--build', 'build'], { cwd: dir, stdio: 'ignore' });
    });

    test('each CTest test is a job, located at its add_test(); a failure is at the line its output names; then all cached', async () => {
      const r = await burstTest(dir, []);
      assert.equal(r.code, 1);
      const tests = byName(r.report);
      assert.deepEqual([tests.get('adds')?.status, tests.get('adds')?.file, tests.get('adds')?.line], ['passed', 'CMakeLists.txt', 5]);
      assert.equal(tests.get('off')?.status, 'skipped');
      const wrong = tests.get('adds_wrongly');
      assert.deepEqual(
        [wrong?.status, wrong?.line, wrong?.failureFile, wrong?.failureLine, wrong?.message],
        ['failed', 6, 'calc.c', 8, '2 + 2 is 4, not 5'],
      );
      const again = await burstTest(dir, []);
      assert.ok(again.report.tests.filter((t) => t.status !== 'skipped').every((t) => t.cached));
      assert.equal(again.report.executed, 0);
    });
  });

  describe('the generic adapter: Node test-runner files', () => {
    const dir = join(work.path, 'node-project');
    before(() => {
      mkdirSync(join(dir, 'lib'), { recursive: true });
      mkdirSync(join(dir, 'test'), { recursive: true });
      writeFileSync(join(dir, 'lib', 'math.js'), 'exports.add = (a, b) => a + b;\nexports.mul = (a, b) => a * b;\n');
      const file = (name: string, body: string): void =>
        writeFileSync(
          join(dir, 'test', name),
          `const test = require('node:test');\nconst assert = require('node:assert');\nconst math = require('../lib/math');\n\n${body}\n`,
        );
      file('add.test.js', "test('adds', () => {\n  assert.strictEqual(math.add(2, 2), 4);\n});");
      file('mul.test.js', "test('multiplies', () => {\n  const product = math.mul(2, 3);\n  assert.strictEqual(product, 5);\n});");
      // Fails on its first attempt and passes on the second: a stand-in for a flaky test that is deterministic here.
      writeFileSync(
        join(dir, 'test', 'flaky.sh'),
        '[ "$BURST_TEST_ATTEMPT" = 2 ] || { echo "test/flaky.sh:1: failed this time"; exit 1; }\n',
      );
      writeFileSync(
        join(dir, '.burst.json'),
        JSON.stringify({
          tests: [
            { adapter: 'generic', files: 'test/*.test.js', command: 'node {file}', inputs: ['lib/**/*.js'] },
            { adapter: 'generic', files: 'test/*.sh', command: 'sh {file}' },
          ],
        }),
      );
    });

    test('each file is a job; the failure is at the assertion with expected and actual; the flaky test is marked', async () => {
      const r = await burstTest(dir, []);
      assert.equal(r.code, 1);
      const tests = byName(r.report);
      assert.equal(tests.get('test/add.test.js')?.status, 'passed');
      const mul = tests.get('test/mul.test.js');
      assert.equal(mul?.status, 'failed');
      assert.deepEqual([mul?.failureFile, mul?.failureLine, mul?.expected, mul?.actual], ['test/mul.test.js', 7, '5', '6']);
      assert.equal(mul?.message, 'Expected values to be strictly equal:');
      assert.doesNotMatch(mul?.output ?? '', /job-[A-Za-z0-9]{6}/, 'sandbox paths are mapped back to workspace paths');
      const flaky = tests.get('test/flaky.sh');
      assert.deepEqual([flaky?.status, flaky?.flaky], ['passed', true]);
    });

    test('a second run is all cached, and the flaky test is still marked flaky', async () => {
      const r = await burstTest(dir, []);
      assert.ok(
        r.report.tests.every((t) => t.cached),
        JSON.stringify(r.report.tests.map((t) => [t.name, t.cached])),
      );
      assert.equal(r.report.executed, 0);
      const flaky = byName(r.report).get('test/flaky.sh');
      assert.deepEqual([flaky?.status, flaky?.flaky], ['passed', true]);
    });

    test('changing a declared input runs again only the tests that read it', async () => {
      writeFileSync(join(dir, 'lib', 'math.js'), 'exports.add = (a, b) => a + b;\nexports.mul = (a, b) => a * b; // checked\n');
      const r = await burstTest(dir, []);
      const ran = r.report.tests
        .filter((t) => !t.cached)
        .map((t) => t.name)
        .sort();
      assert.deepEqual(ran, ['test/add.test.js', 'test/mul.test.js']);
    });

    test('a test whose runner is not installed is errored with the reason; the other tests still run', async () => {
      const mixed = join(work.path, 'mixed');
      mkdirSync(join(mixed, 'test'), { recursive: true });
      writeFileSync(join(mixed, 'test', 'ok.sh'), 'exit 0\n');
      writeFileSync(join(mixed, 'test', 'ok.py'), 'print("never run")\n');
      writeFileSync(
        join(mixed, '.burst.json'),
        JSON.stringify({
          tests: [
            { adapter: 'generic', files: 'test/*.sh', command: 'sh {file}' },
            { adapter: 'generic', files: 'test/*.py', command: 'no-such-runner {file}' },
          ],
        }),
      );
      const r = await burstTest(mixed, []);
      assert.equal(r.code, 1);
      const tests = byName(r.report);
      assert.equal(tests.get('test/ok.sh')?.status, 'passed');
      assert.equal(tests.get('test/ok.py')?.status, 'errored');
      assert.match(tests.get('test/ok.py')?.message ?? '', /could not prepare the test's job: .*no-such-runner/);
    });

    test('a suite without {file} in its command, or an unknown adapter, is a clear error naming .burst.json', async () => {
      const bad = join(work.path, 'bad-config');
      mkdirSync(bad, { recursive: true });
      writeFileSync(join(bad, '.burst.json'), JSON.stringify({ tests: [{ adapter: 'generic', files: '*.sh', command: 'sh' }] }));
      const r = await burst(['test'], store, { cwd: bad });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /\.burst\.json: tests\[0\]: "command" must name the test file as \{file\}/);
      writeFileSync(join(bad, '.burst.json'), JSON.stringify({ tests: [{ adapter: 'jest' }] }));
      const unknown = await burst(['test'], store, { cwd: bad });
      assert.match(unknown.stderr, /unknown adapter "jest" \(known: gtest, ctest, generic\)/);
    });
  });

  describe('parsers', () => {
    test('GoogleTest failures: location, message, expected and actual', () => {
      const f = parseFailure('/w', '/w', 'calc_test.cpp:15\nValue of: set\n  Actual: false\nExpected: true\nthe flag', 1);
      assert.deepEqual(f, {
        message: 'Value of: set\n  Actual: false\nExpected: true\nthe flag',
        failureFile: 'calc_test.cpp',
        failureLine: 15,
        expected: 'true',
        actual: 'false',
      });
    });

    test('the failing line of a test file: a stack frame before a mere mention', () => {
      const out = "location: 'test/a.test.js:3:1'\n  stack: |-\n    TestContext.<anonymous> (test/a.test.js:9:10)";
      assert.equal(failureLine(out, 'test/a.test.js'), 9);
      assert.equal(failureLine('at Object.<anonymous> (file:///tmp/x/test/a.test.js:4:2)', 'test/a.test.js'), 4);
      assert.equal(failureLine('test/a.test.js:12: oops', 'test/a.test.js'), 12);
      assert.equal(failureLine('other/test/a.test.jsx:5', 'test/a.test.js'), undefined);
    });

    test('filters: substrings and * wildcards over names and ids', () => {
      const t = { id: 'gtest:bin/t:Calc.Adds', name: 'Calc.Adds' };
      assert.ok(matchesFilter(t, 'Adds'));
      assert.ok(matchesFilter(t, 'Calc.*'));
      assert.ok(!matchesFilter(t, 'Str*'));
      assert.ok(matchesFilter(t, 'gtest:bin/*'));
      assert.ok(matchesFilter(t, undefined));
    });
  });
});
