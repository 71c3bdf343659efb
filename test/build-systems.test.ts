/**
 * Real projects built the way their own build systems configure them, tools
 * recorded by absolute path: CMake (Ninja and Unix Makefiles generators),
 * Meson (thin archives, gcc-ar), autotools with libtool (plain and with
 * CC=/usr/bin/gcc). Each is configured outside Burst, built through
 * `burst build`, checked with the project's own tests, and compared byte for
 * byte with a plain build of the same configured tree at the same path.
 */
import assert from 'node:assert/strict';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, test } from 'node:test';
import type { RunReport } from '../engine/api';
import { ROOT, burst, copyTree, debianSource, differingFiles, placeholdersUnder, readJson, run, tempDir } from './helpers';

/** Files a compiler, assembler, linker or archiver wrote: ELF objects, programs, libraries and archives (symbolic links left out). */
function builtFiles(dir: string): string[] {
  const found: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const p = join(e.parentPath, e.name);
    const head = Buffer.alloc(8);
    const fd = openSync(p, 'r');
    const n = readSync(fd, head, 0, 8, 0);
    closeSync(fd);
    const magic = head.subarray(0, n).toString('latin1');
    if (magic.startsWith('\x7fELF') || magic === '!<arch>\n' || magic === '!<thin>\n') found.push(relative(dir, p));
  }
  return found.sort();
}

interface Project {
  /** A configured tree, ready to build. */
  tree: string;
  store: string;
  report: string;
  /** A copy of the configured tree, for the plain build. */
  pristine: string;
}

/** Copies a Debian source tree and configures it (outside Burst); keeps a configured copy for the plain build. */
async function configured(work: string, pkg: string, configure: string[], env: NodeJS.ProcessEnv = {}): Promise<Project> {
  const tree = copyTree(debianSource(pkg), join(work, pkg));
  const [cmd, ...args] = configure as [string, ...string[]];
  const r = await run(cmd, args, tree, env);
  assert.equal(r.code, 0, `${configure.join(' ')}: ${r.stdout}${r.stderr}`);
  return { tree, store: join(work, 'store'), report: join(work, 'report.json'), pristine: copyTree(tree, join(work, `${pkg}.plain`)) };
}

/** `burst build` of the configured tree; returns the report after checking that every tool call became a thunk and no placeholder is left. */
async function burstBuild(
  p: Project,
  command: string[],
  env: NodeJS.ProcessEnv = {},
  compiler: 'gcc' | 'clang' = 'gcc',
): Promise<RunReport> {
  const built = await burst(['build', '--report', p.report, '--', ...command], p.store, { cwd: p.tree, env });
  assert.equal(built.code, 0, built.stdout + built.stderr);
  const report = readJson<RunReport>(p.report);
  assert.deepEqual(report.fallbacks, [], 'every compile, archive and link was a thunk');
  const programs = new Set(report.jobs.map((j) => j.program));
  // gcc compiles as cc1 and as jobs; clang's -cc1 job compiles and assembles in one.
  for (const tool of compiler === 'gcc' ? ['as', 'ld'] : ['clang', 'ld'])
    assert.ok(programs.has(tool), `${tool} jobs ran (${[...programs].join(', ')})`);
  if (compiler === 'gcc')
    assert.ok(
      [...programs].some((t) => /^cc1/.test(t)),
      'compiles ran as cc1 jobs',
    );
  else assert.ok(!programs.has('as') && ![...programs].some((t) => /^cc1/.test(t)), 'no gcc step ran');
  assert.deepEqual(placeholdersUnder(p.tree), []);
  return report;
}

/** Builds the configured copy plainly at the tree's own path (Burst's tree moved aside) and lists the built files that differ. */
async function differencesFromPlainBuild(p: Project, command: string[]): Promise<{ compared: number; differing: string[] }> {
  const burstTree = `${p.tree}.burst`;
  renameSync(p.tree, burstTree);
  renameSync(p.pristine, p.tree);
  const [cmd, ...args] = command as [string, ...string[]];
  const plain = await run(cmd, args, p.tree);
  assert.equal(plain.code, 0, plain.stdout + plain.stderr);
  const files = builtFiles(p.tree);
  assert.deepEqual(
    builtFiles(burstTree).filter((f) => !files.includes(f)),
    [],
    'Burst built nothing the plain build did not',
  );
  return { compared: files.length, differing: differingFiles(p.tree, burstTree, files) };
}

async function assertSameAsPlainBuild(p: Project, command: string[], atLeast: number): Promise<void> {
  const { compared, differing } = await differencesFromPlainBuild(p, command);
  assert.ok(compared >= atLeast, `${compared} built files compared`);
  assert.deepEqual(differing, []);
}

describe('CMake projects, compilers recorded by absolute path', () => {
  test('cJSON with the Ninja generator: every step a thunk, ctest passes, byte-identical to plain ninja', async () => {
    using work = tempDir('burst-cmake-ninja-');
    const p = await configured(work.path, 'cjson', ['cmake', '-S', '.', '-B', 'build', '-G', 'Ninja']);
    const report = await burstBuild(p, ['ninja', '-C', 'build']);
    assert.ok(
      report.jobs.some((j) => j.program === 'ar') && report.jobs.some((j) => j.program === 'ranlib'),
      'the static library was archived and indexed as jobs',
    );
    const tested = await run('ctest', ['--output-on-failure'], join(p.tree, 'build'));
    assert.equal(tested.code, 0, tested.stdout);
    assert.match(tested.stdout, /100% tests passed, 0 tests failed out of \d+/);
    await assertSameAsPlainBuild(p, ['ninja', '-C', 'build'], 40);
  });

  test('json-c with the Unix Makefiles generator through cmake --build: ctest passes, byte-identical', async () => {
    using work = tempDir('burst-cmake-make-');
    const p = await configured(work.path, 'json-c', ['cmake', '-S', '.', '-B', 'build']);
    await burstBuild(p, ['cmake', '--build', 'build', '-j2']);
    const tested = await run('ctest', ['--output-on-failure', '-j2'], join(p.tree, 'build'));
    assert.equal(tested.code, 0, tested.stdout);
    assert.match(tested.stdout, /100% tests passed, 0 tests failed out of \d+/);
    await assertSameAsPlainBuild(p, ['cmake', '--build', 'build', '-j2'], 80);
  });
});

describe('Meson projects', () => {
  test('fribidi (shared and static, archived by gcc-ar, compiled through ccache): meson test passes, byte-identical to plain ninja', async () => {
    using work = tempDir('burst-meson-');
    const p = await configured(work.path, 'fribidi', ['meson', 'setup', 'build', '-Ddefault_library=both']);
    // Meson puts ccache in front of the compiler where it is installed (setup-test-machine.sh installs it): each compile is still a job.
    assert.match(readFileSync(join(p.tree, 'build', 'build.ninja'), 'utf8'), /command = ccache cc /);
    const report = await burstBuild(p, ['ninja', '-C', 'build']);
    assert.ok(
      report.jobs.some((j) => j.program === 'ar'),
      'gcc-ar started ar, which ran as a job',
    );
    const tested = await run('meson', ['test', '-C', 'build'], p.tree);
    assert.equal(tested.code, 0, tested.stdout);
    assert.match(tested.stdout, /^Fail: +0/m);
    await assertSameAsPlainBuild(p, ['ninja', '-C', 'build'], 50);
  });

  test('an internal static library becomes a thin archive whose members the links read', async () => {
    using work = tempDir('burst-meson-thin-');
    const tree = copyTree(join(ROOT, 'test', 'fixtures', 'meson-thin'), join(work.path, 'thin'));
    assert.equal((await run('meson', ['setup', 'build'], tree)).code, 0);
    const p: Project = {
      tree,
      store: join(work.path, 'store'),
      report: join(work.path, 'report.json'),
      pristine: copyTree(tree, join(work.path, 'thin.plain')),
    };
    await burstBuild(p, ['ninja', '-C', 'build']);
    const head = Buffer.alloc(8);
    const fd = openSync(join(tree, 'build', 'libutil.a'), 'r');
    readSync(fd, head, 0, 8, 0);
    closeSync(fd);
    assert.equal(head.toString('latin1'), '!<thin>\n');
    const tested = await run('meson', ['test', '-C', 'build'], tree);
    assert.equal(tested.code, 0, tested.stdout);
    await assertSameAsPlainBuild(p, ['ninja', '-C', 'build'], 7);
  });
});

describe('autotools with libtool', () => {
  for (const cc of [undefined, '/usr/bin/gcc']) {
    test(`libogg, configured ${cc ? `with CC=${cc}` : 'plainly'}: shared and static libraries, make check passes, byte-identical`, async () => {
      using work = tempDir('burst-libtool-');
      const p = await configured(work.path, 'libogg', ['./configure'], cc ? { CC: cc } : {});
      const report = await burstBuild(p, ['make', '-j2']);
      assert.ok(
        report.jobs.some((j) => j.program === 'ar'),
        'the static library was archived as a job',
      );
      const checked = await run('make', ['check'], p.tree);
      assert.equal(checked.code, 0, checked.stdout + checked.stderr);
      assert.doesNotMatch(checked.stdout, /^(libtool: compile|gcc )/m, 'make check found everything built');
      assert.match(checked.stdout + checked.stderr, /Testing aligned writecopies \(LSb\): ok/, 'the self tests ran');
      await assertSameAsPlainBuild(p, ['make', '-j2'], 10);
    });
  }
});

describe('clang', () => {
  test('lua with CC=clang: every compile a clang -cc1 job, byte-identical to a plain clang build, lua runs', async () => {
    using work = tempDir('burst-clang-lua-');
    const p = await configured(work.path, 'lua5.4', ['true']);
    const make = ['make', '-j2', 'linux', 'CC=clang -std=gnu99'];
    const report = await burstBuild(p, make, {}, 'clang');
    assert.equal(report.jobs.filter((j) => j.program === 'clang').length, 34, 'one job per source file');
    assert.equal((await run('./src/lua', ['-e', 'print(6 * 7)'], p.tree)).stdout, '42\n');
    await assertSameAsPlainBuild(p, make, 36);
  });

  test('zlib configured with CC=clang: make test passes, byte-identical to a plain clang build', async () => {
    using work = tempDir('burst-clang-zlib-');
    const p = await configured(work.path, 'zlib', ['./configure'], { CC: 'clang' });
    await burstBuild(p, ['make', '-j2'], {}, 'clang');
    const tested = await run('make', ['test'], p.tree);
    assert.equal(tested.code, 0, tested.stdout + tested.stderr);
    assert.match(tested.stdout, /\*\*\* zlib shared test OK \*\*\*/);
    await assertSameAsPlainBuild(p, ['make', '-j2'], 40);
  });
});

/**
 * `burst build --no-cache -- make` of a fixture: every compile runs as a
 * sandboxed job, so its output is a placeholder until something reads it.
 */
async function sandboxedMake(work: string, fixture: string): Promise<{ tree: string; report: RunReport }> {
  const tree = copyTree(join(ROOT, 'test', 'fixtures', fixture), join(work, fixture));
  const reportFile = join(work, 'report.json');
  const built = await burst(['build', '--no-cache', '--report', reportFile, '--', 'make'], join(work, 'store'), { cwd: tree });
  assert.equal(built.code, 0, built.stderr);
  return { tree, report: readJson<RunReport>(reportFile) };
}

describe('programs Burst did not model', () => {
  test('cp, od, objcopy and ar t read real objects where a compile left a placeholder; ld -plugin is a job', async () => {
    using work = tempDir('burst-realtools-');
    const { tree, report } = await sandboxedMake(work.path, 'realtools');
    assert.deepEqual(
      report.fallbacks.map((f) => f.reason).sort(),
      ['-print-prog-name=cc1 is not modelled', 'ar t is not modelled'].sort(),
      'ld -plugin was a job',
    );
    assert.equal(report.jobs.filter((j) => j.program === 'ld').length, 2, 'the program and the relocatable link');
    const plugin = join(dirname((await run('gcc', ['-print-prog-name=cc1'], tree)).stdout.trim()), 'liblto_plugin.so');
    assert.equal((await run('/usr/bin/ld', ['-plugin', plugin, '-r', 'hello.o', 'world.o', '-o', 'plain-both.o'], tree)).code, 0);
    assert.equal((await run('cmp', ['both.o', 'plain-both.o'], tree)).code, 0, 'the same bytes as ld with its plugin');
    assert.equal((await run('cat', ['dump.txt'], tree)).stdout.trim(), '7f 45 4c 46', 'od read an ELF object');
    assert.equal((await run('cmp', ['copy.o', 'hello.o'], tree)).code, 0, 'cp copied the real object');
    assert.match((await run('nm', ['stripped.o'], tree)).stderr, /no symbols/, 'objcopy stripped a real object');
    assert.equal((await run('cat', ['members.txt'], tree)).stdout, 'hello.o\nworld.o\n');
    assert.equal((await run('./prog', [], tree)).stdout, 'hello, world\n');
    assert.deepEqual(placeholdersUnder(tree), []);
  });

  test('a program the build just linked runs through the running engine: its jobs are in the run and its report', async () => {
    using work = tempDir('burst-runs-own-');
    const { tree, report } = await sandboxedMake(work.path, 'generator');
    // gen is compiled, assembled and linked, then run by make to write table.h; then app.
    assert.equal(report.jobs.filter((j) => j.program === 'ld').length, 2, 'the link of gen and of app');
    assert.equal(report.executed, 6);
    assert.equal((await run('./app', [], tree)).stdout, '12 squares sum to 506\n');
  });

  test('a failed job whose output the build deleted still fails the build, and says which job', async () => {
    using work = tempDir('burst-failed-gone-');
    const tree = join(work.path, 'gone');
    mkdirSync(tree);
    writeFileSync(join(tree, 'bad.c'), 'int f(void) { return undeclared; }\n');
    // The compile's stand-in answers at once; its job fails later, after the command removed its placeholder.
    // The source is named absolutely, as CMake names sources: the message still names it in the tree.
    writeFileSync(join(tree, 'Makefile'), 'all:\n\tgcc -c $(CURDIR)/bad.c -o bad.o\n\trm -f bad.o\n');
    const built = await burst(['build', '--no-cache', '--', 'make'], join(work.path, 'store'), { cwd: tree });
    assert.notEqual(built.code, 0, 'a build with a failed job never exits 0');
    assert.match(built.stderr, /^bad\.c:1:\d+: error: .undeclared. undeclared/m);
    assert.doesNotMatch(built.stderr, /sandbox/, 'no sandbox path in the messages');
    assert.match(built.stderr, /1 failed/);
  });
});
