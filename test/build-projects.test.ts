/**
 * Other real builds through `burst build`: zlib (configure, then make; its own
 * tests pass with what Burst built), tinyxml2 (C++: g++ and the C++ runtime),
 * and a build that compiles and runs its own generator.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { RunReport } from '../engine/api';
import { ROOT, burst, copyTree, debianSource, placeholdersUnder, readJson, run, tempDir } from './helpers';

describe('real builds', () => {
  test('zlib: ./configure probes run for real, then make through burst; make test passes with its library', async () => {
    using work = tempDir('burst-zlib-');
    const tree = copyTree(debianSource('zlib'), join(work.path, 'zlib'));
    const configured = await run('./configure', [], tree);
    assert.equal(configured.code, 0, configured.stderr);
    const reportFile = join(work.path, 'report.json');
    const built = await burst(['build', '--report', reportFile, '--', 'make', '-j2'], join(work.path, 'store'), { cwd: tree });
    assert.equal(built.code, 0, built.stderr);
    const report = readJson<RunReport>(reportFile);
    assert.ok(report.executed >= 60, `${report.executed} jobs ran`);
    assert.deepEqual(report.fallbacks, []);
    assert.deepEqual(placeholdersUnder(tree), []);
    const tested = await run('make', ['test'], tree);
    assert.equal(tested.code, 0, tested.stdout + tested.stderr);
    assert.match(tested.stdout, /\*\*\* zlib test OK \*\*\*/);
    assert.match(tested.stdout, /\*\*\* zlib shared test OK \*\*\*/);
    assert.doesNotMatch(tested.stdout, /^(gcc|cc) /m, 'make test found everything built');
  });

  test('tinyxml2: a C++ library and test program link with the C++ runtime and pass their tests', async () => {
    using work = tempDir('burst-tinyxml2-');
    const tree = copyTree(debianSource('tinyxml2'), join(work.path, 'tinyxml2'));
    const reportFile = join(work.path, 'report.json');
    const built = await burst(['build', '--report', reportFile, '--', 'make', '-j2', 'xmltest'], join(work.path, 'store'), { cwd: tree });
    assert.equal(built.code, 0, built.stderr);
    const report = readJson<RunReport>(reportFile);
    assert.ok(
      report.jobs.some((j) => j.program === 'cc1plus'),
      'compiled as C++',
    );
    assert.deepEqual(report.fallbacks, []);
    const tested = await run('./xmltest', [], tree);
    assert.equal(tested.code, 0, tested.stdout);
    assert.match(tested.stdout, /Pass \d+, Fail 0/);
  });

  test('a build that compiles a generator and runs it during the build', async () => {
    using work = tempDir('burst-gen-');
    const tree = copyTree(join(ROOT, 'test', 'fixtures', 'generator'), join(work.path, 'gen'));
    const reportFile = join(work.path, 'report.json');
    const built = await burst(['build', '--report', reportFile, '--', 'make'], join(work.path, 'store'), { cwd: tree });
    assert.equal(built.code, 0, built.stderr);
    assert.match(readFileSync(join(tree, 'table.h'), 'utf8'), /squares\[TABLE_SIZE\] = \{0, 1, 4, 9/);
    const app = await run('./app', [], tree);
    assert.equal(app.stdout, '12 squares sum to 506\n');
    assert.ok(existsSync(join(tree, 'gen')));
    assert.deepEqual(placeholdersUnder(tree), []);

    const explained = await burst(['explain', 'app.o'], join(work.path, 'store'), { cwd: tree });
    assert.equal(explained.code, 0, explained.stderr);
    assert.match(explained.stdout, /made by: +as, thunk T[0-9a-f]+#app\.o/);
    assert.match(explained.stdout, /command: +as --64 .*-o \.\/app\.o/);
    assert.match(explained.stdout, /after: +_burst-scratch\/in0\.s ← T[0-9a-f]+#_burst-scratch\/out\.s/);
    assert.match(explained.stdout, /ran: +on the local backend in \d+ ms/);
    assert.match(explained.stdout, /why there: the local backend: no remote backend is configured/);
    const unknown = await burst(['explain', 'Makefile'], join(work.path, 'store'), { cwd: tree });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Makefile was not made by burst build/);
  });

  test('burst infer leaves placeholders that burst force makes real', async () => {
    using work = tempDir('burst-infer-');
    const tree = copyTree(join(ROOT, 'test', 'fixtures', 'generator'), join(work.path, 'gen'));
    const store = join(work.path, 'store');
    const inferred = await burst(['infer', '--', 'make'], store, { cwd: tree });
    assert.equal(inferred.code, 0, inferred.stderr);
    assert.deepEqual(
      placeholdersUnder(tree)
        .map((p) => p.slice(tree.length + 1))
        .sort(),
      ['app', 'app.o'],
    );
    const forced = await burst(['force', '-q', 'app'], store, { cwd: tree });
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal((await run('./app', [], tree)).stdout, '12 squares sum to 506\n');
  });
});

describe('debug information', () => {
  test('a -g object is the same bytes as the plain compile, run after run', async () => {
    using work = tempDir('burst-debug-');
    const tree = copyTree(join(ROOT, 'test', 'fixtures', 'generator'), join(work.path, 'tree'));
    const plain = await run('gcc', ['-g', '-O2', '-c', 'gen.c', '-o', 'plain.o'], tree);
    assert.equal(plain.code, 0, plain.stderr);
    for (const extra of [[], ['--no-cache']]) {
      // Each compile runs in a new sandbox directory, which must not show in the object.
      const r = await burst(['build', ...extra, '--', 'gcc', '-g', '-O2', '-c', 'gen.c', '-o', 'gen.o'], join(work.path, 'store'), {
        cwd: tree,
      });
      assert.equal(r.code, 0, r.stderr);
      assert.ok(
        readFileSync(join(tree, 'gen.o')).equals(readFileSync(join(tree, 'plain.o'))),
        `gen.o (${extra.join(' ') || 'first run'}) differs from the plain compile`,
      );
    }
  });
});

describe('assembly sources', () => {
  test('a .S file is preprocessed and assembled as thunks, the same bytes as gcc makes', async () => {
    using work = tempDir('burst-asm-');
    const tree = copyTree(join(ROOT, 'test', 'fixtures', 'asm'), join(work.path, 'asm'));
    const reportFile = join(work.path, 'report.json');
    const r = await burst(
      ['build', '--report', reportFile, '--', 'sh', '-c', 'gcc -c add.S -o add.o && gcc -o prog main.c add.o'],
      join(work.path, 'store'),
      { cwd: tree },
    );
    assert.equal(r.code, 0, r.stderr);
    const report = readJson<RunReport>(reportFile);
    assert.deepEqual(report.fallbacks, []);
    assert.deepEqual(report.jobs.map((j) => j.program).sort(), ['as', 'as', 'cc1', 'cc1', 'ld']);
    assert.equal((await run('./prog', [], tree)).stdout, '42\n');
    assert.equal((await run('gcc', ['-c', 'add.S', '-o', 'plain.o'], tree)).code, 0);
    assert.ok(readFileSync(join(tree, 'add.o')).equals(readFileSync(join(tree, 'plain.o'))));
  });
});
