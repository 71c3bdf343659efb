/**
 * Lua 5.4 (Debian's upstream tarball) built by `burst build -- make -j2 linux`:
 * byte-identical to plain make, cached after make clean and in a copy of the
 * tree elsewhere, header changes re-run exactly the jobs that read them,
 * compile errors land at the failing line, and the build passes --isolate.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunReport } from '../engine/api';
import { burst, copyTree, debianSource, differingFiles, placeholdersUnder, readJson, run, tempDir } from './helpers';

const work = tempDir('burst-lua-');
const store = join(work.path, 'store');
let plain: string;
let outputs: string[];

function buildOutputs(tree: string): string[] {
  return [...readdirSync(join(tree, 'src')).filter((f) => f.endsWith('.o') || f.endsWith('.a')), 'lua', 'luac'].map((f) => join('src', f));
}

async function burstBuild(
  tree: string,
  extra: string[] = [],
): Promise<{ code: number | null; stdout: string; stderr: string; report: RunReport }> {
  const reportFile = join(work.path, `report-${Date.now()}.json`);
  const r = await burst(['build', '--report', reportFile, ...extra, '--', 'make', '-j2', 'linux'], store, { cwd: tree });
  return { code: r.code, stdout: r.stdout, stderr: r.stderr, report: readJson<RunReport>(reportFile) };
}

describe('lua 5.4 through burst build', () => {
  let tree: string;
  before(async () => {
    const source = debianSource('lua5.4');
    plain = copyTree(source, join(work.path, 'plain'));
    const made = await run('make', ['-j2', 'linux'], plain);
    assert.equal(made.code, 0, made.stderr);
    outputs = buildOutputs(plain);
    tree = copyTree(source, join(work.path, 'tree'));
  });
  after(() => work[Symbol.dispose]());

  test('builds lua and luac, byte-identical to plain make, with no placeholder left', async () => {
    const { code, stderr, report } = await burstBuild(tree);
    assert.equal(code, 0, stderr);
    assert.equal(outputs.length, 37, '34 objects, liblua.a, lua and luac');
    assert.deepEqual(differingFiles(plain, tree, outputs), []);
    assert.deepEqual(placeholdersUnder(tree), []);
    assert.equal(report.failed, 0);
    assert.deepEqual(report.fallbacks, []);
    assert.deepEqual([...new Set(report.jobs.map((j) => j.program))].sort(), ['ar', 'as', 'cc1', 'ld', 'ranlib']);
    const script = join(work.path, 'hello.lua');
    writeFileSync(script, 'local t = {} for i = 1, 10 do t[#t + 1] = i * i end print(table.concat(t, ","))\n');
    const lua = await run(join(tree, 'src', 'lua'), [script], tree);
    assert.equal(lua.stdout, '1,4,9,16,25,36,49,64,81,100\n');
  });

  test('after make clean, a second build runs no job and restores the same files', async () => {
    assert.equal((await run('make', ['clean'], tree)).code, 0);
    const { code, report } = await burstBuild(tree);
    assert.equal(code, 0);
    assert.equal(report.executed, 0);
    assert.deepEqual(differingFiles(plain, tree, outputs), []);
  });

  test('a fresh copy of the tree at another path builds without running a job', async () => {
    const elsewhere = copyTree(debianSource('lua5.4'), join(work.path, 'elsewhere'));
    const { code, report } = await burstBuild(elsewhere);
    assert.equal(code, 0);
    assert.equal(report.executed, 0);
    assert.deepEqual(differingFiles(plain, elsewhere, outputs), []);
  });

  test('touching a header without changing it re-runs nothing', async () => {
    const future = new Date(Date.now() + 5000);
    utimesSync(join(tree, 'src', 'lstate.h'), future, future);
    const { code, stdout, report } = await burstBuild(tree);
    assert.equal(code, 0);
    assert.match(stdout, /-c -o lstate\.o lstate\.c/, 'make did ask for the recompiles');
    assert.equal(report.executed, 0);
  });

  test('changing a header re-runs exactly the compiles that include it', async () => {
    const header = join(tree, 'src', 'lualib.h');
    writeFileSync(header, `${readFileSync(header, 'utf8')}\n#define BURST_TEST_MARK 1\n`);
    const includers = (
      await run('sh', ['-c', 'for f in *.c; do gcc -MM -DLUA_USE_LINUX $f | grep -q lualib.h && echo $f; done'], join(tree, 'src'))
    ).stdout
      .trim()
      .split('\n');
    assert.ok(includers.length >= 10, `lualib.h is read by ${includers.length} files`);
    const { code, report } = await burstBuild(tree);
    assert.equal(code, 0);
    assert.equal(
      report.executed,
      includers.length,
      'one cc1 job per file that includes the header; their assembly is unchanged, so nothing after them runs',
    );
    assert.deepEqual([...new Set(report.jobs.map((j) => j.program))], ['cc1']);
  });

  test('a compile error is reported at its line, workspace-relative, and the fix re-runs only that file', async () => {
    const file = join(tree, 'src', 'lcorolib.c');
    const original = readFileSync(file, 'utf8');
    const lines = original.split('\n');
    const at = lines.findIndex((l) => l.startsWith('static int luaB_cocreate'));
    lines.splice(at + 2, 0, '  int broken = ;');
    writeFileSync(file, lines.join('\n'));
    const failed = await burstBuild(tree);
    assert.notEqual(failed.code, 0);
    const line = at + 3;
    assert.match(failed.stderr, new RegExp(`^src/lcorolib\\.c:${line}:\\d+: error: expected expression`, 'm'));
    assert.ok(failed.report.diagnostics.some((d) => d.file === 'src/lcorolib.c' && d.line === line && d.severity === 'error'));

    lines[at + 2] = '  /* fixed */';
    writeFileSync(file, lines.join('\n'));
    const fixed = await burstBuild(tree);
    assert.equal(fixed.code, 0, fixed.stderr);
    assert.deepEqual(
      fixed.report.jobs.map((j) => j.program),
      ['cc1'],
      'only the fixed file compiles again; its object is unchanged',
    );
    writeFileSync(file, original);
  });

  test('the whole build passes with every job isolated in a root of its own inputs', async () => {
    const isolated = copyTree(debianSource('lua5.4'), join(work.path, 'isolated'));
    const { code, stderr, report } = await burstBuild(isolated, ['--isolate', '--no-cache']);
    assert.equal(code, 0, stderr);
    assert.equal(report.executed, 72);
    assert.deepEqual(differingFiles(plain, isolated, outputs), []);
  });
});
