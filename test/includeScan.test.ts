/**
 * The include scan that stands in for cc1 -E -M when a compile runs remotely:
 * it must name every header gcc would read (a header it misses is missing
 * from the job's sandbox, and the remote compile fails or, through
 * __has_include, differs). Each case is checked against gcc -M itself.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { parseMakeDeps, searchChains } from '../engine/build/models/compilerDeps';
import { commandLineDefines, scanIncludes, type ScanResult } from '../engine/build/models/includeScan';
import { debianSource, tempDir } from './helpers';

function chainsFor(compiler: string, flags: string[], cwd: string) {
  const lang = compiler.endsWith('++') ? 'c++' : 'c';
  return searchChains(spawnSync(compiler, [...flags, '-E', '-v', '-x', lang, '/dev/null'], { cwd, encoding: 'utf8' }).stderr);
}

function gccHeaders(compiler: string, flags: string[], file: string, cwd: string): string[] {
  return parseMakeDeps(execFileSync(compiler, [...flags, '-M', file], { cwd, encoding: 'utf8' })).map((p) => resolve(cwd, p));
}

function scan(compiler: string, flags: string[], file: string, cwd: string): ScanResult {
  const forced = flags.flatMap((f, i) => (f === '-include' ? [flags[i + 1] as string] : []));
  return scanIncludes(file, forced, cwd, chainsFor(compiler, flags, cwd), commandLineDefines(flags));
}

/** Scans `file` and checks the list holds everything gcc -M names; returns the list. */
function scanCoversGcc(compiler: string, flags: string[], file: string, cwd: string): string[] {
  const r = scan(compiler, flags, file, cwd);
  assert.ok(r.ok, `${file}: ${r.ok ? '' : r.reason}`);
  const listed = new Set(r.files);
  const missed = gccHeaders(compiler, flags, file, cwd).filter((h) => !listed.has(h));
  assert.deepEqual(missed, [], `${file}: the scan misses headers gcc reads`);
  return r.files;
}

function writeTree(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

describe('the include scan', () => {
  test('names every header gcc reads for each file of lua, zlib, zstd and tinyxml2', () => {
    const projects: Array<{ dir: string; compiler: string; flags: string[]; ext: RegExp; subdirs?: string[] }> = [
      { dir: join(debianSource('lua5.4'), 'src'), compiler: 'gcc', flags: ['-O2', '-DLUA_COMPAT_5_3', '-DLUA_USE_LINUX'], ext: /\.c$/ },
      { dir: debianSource('zlib'), compiler: 'gcc', flags: ['-O2', '-D_LARGEFILE64_SOURCE=1', '-DHAVE_HIDDEN'], ext: /\.c$/ },
      { dir: join(debianSource('libzstd'), 'lib'), compiler: 'gcc', flags: ['-O3', '-I.', '-Icommon', '-DXXH_NAMESPACE=ZSTD_'], ext: /\.c$/, subdirs: ['common', 'compress', 'decompress', 'dictBuilder'] },
      { dir: debianSource('tinyxml2'), compiler: 'g++', flags: ['-O2'], ext: /\.cpp$/ },
    ];
    let files = 0;
    for (const p of projects) {
      for (const sub of p.subdirs ?? ['.']) {
        for (const f of readdirSync(join(p.dir, sub)).filter((n) => p.ext.test(n))) {
          scanCoversGcc(p.compiler, p.flags, sub === '.' ? f : `${sub}/${f}`, p.dir);
          files++;
        }
      }
    }
    assert.ok(files > 70, `only ${files} files checked`);
  });

  test('follows quote includes from the including header\'s own directory first, and #include_next', () => {
    using dir = tempDir();
    writeTree(dir.path, {
      'src/a.c': '#include "sub/b.h"\n#include <limits.h>\n#include \\\n  "split.h"\nint a;\n',
      'src/sub/b.h': '#include "c.h"\n',
      'src/sub/c.h': '/* the one gcc reads */\n',
      'inc/c.h': '#error "the decoy: a quote include looks beside its includer first"\n',
      'src/split.h': '\n',
      'inc/limits.h': '#include_next <limits.h>\n',
    });
    const files = scanCoversGcc('gcc', ['-I../inc'], 'a.c', join(dir.path, 'src'));
    assert.ok(files.includes(join(dir.path, 'src/sub/c.h')));
    assert.ok(files.includes(join(dir.path, 'inc/limits.h')));
    assert.ok(!files.includes(join(dir.path, 'inc/c.h')), 'the decoy is not what the include names');
    assert.ok(files.some((f) => f.startsWith('/usr/') && f.endsWith('/limits.h')), 'the system limits.h, through #include_next');
  });

  test('follows computed includes through macros of the command line and of headers, and skips those never defined', () => {
    using dir = tempDir();
    writeTree(dir.path, {
      'a.c': '#include "config.h"\n#include CONFIG_EXTRA\n#include USER_H\n#if defined(NOT_SET)\n#include NOT_SET\n#endif\n#if __has_include(<probe.h>)\n#endif\n/*\n#include COMMENTED(out)\n*/\n// #include ALSO(out)\n',
      'config.h': '#define CONFIG_EXTRA EXTRA_HEADER\n#define EXTRA_HEADER <extra.h>\n',
      'inc/extra.h': '\n',
      'inc/probe.h': '\n',
      'user.h': '\n',
    });
    const files = scanCoversGcc('gcc', ['-Iinc', '-DUSER_H="user.h"'], 'a.c', dir.path);
    for (const h of ['config.h', 'inc/extra.h', 'user.h', 'inc/probe.h']) assert.ok(files.includes(join(dir.path, h)), h);
  });

  test('-include files are found on the search path and scanned', () => {
    using dir = tempDir();
    writeTree(dir.path, { 'a.c': 'int a = FORCED;\n', 'inc/forced.h': '#include "more.h"\n', 'inc/more.h': '#define FORCED 1\n' });
    const files = scanCoversGcc('gcc', ['-Iinc', '-include', 'forced.h'], 'a.c', dir.path);
    assert.ok(files.includes(join(dir.path, 'inc/more.h')));
  });

  test('an include it cannot follow is an answer, naming the file, not a guess', () => {
    using dir = tempDir();
    writeTree(dir.path, { 'a.c': '#include "pick.h"\n', 'pick.h': '#define HEADER(x) <x.h>\n#define PICKED HEADER(stdio)\n#include PICKED\n' });
    const r = scan('gcc', [], 'a.c', dir.path);
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.reason, /pick\.h has `#include PICKED`/);
  });

  test('a header made after an earlier scan of its directory is found', () => {
    using dir = tempDir();
    writeTree(dir.path, { 'a.c': '#include "gen/made.h"\n', 'gen/keep.h': '\n' });
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(dir.path, 'gen'), old, old); // a settled directory, whose listing the scan keeps
    const before = scan('gcc', [], 'a.c', dir.path);
    assert.ok(before.ok && !before.files.includes(join(dir.path, 'gen/made.h')));
    writeFileSync(join(dir.path, 'gen/made.h'), '\n');
    const after = scan('gcc', [], 'a.c', dir.path);
    assert.ok(after.ok && after.files.includes(join(dir.path, 'gen/made.h')));
  });
});
