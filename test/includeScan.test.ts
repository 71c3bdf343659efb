/**
 * The include scan that stands in for cc1 -E -M when a compile runs remotely:
 * it must name every header gcc would read (a header it misses is missing
 * from the job's sandbox, and the remote compile fails or, through
 * __has_include, differs). Each case is checked against gcc -M itself.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseMakeDeps, predefinedMacros, searchChains } from '../engine/infer/models/compilerDeps';
import { commandLineDefines, headersAskedBy, scanIncludes, type ScanResult } from '../engine/infer/models/includeScan';
import { burst, debianSource, readJson, tempDir } from './helpers';

/** What the engine's probe learns: the search chains and the predefined macros. */
function probe(compiler: string, flags: string[], cwd: string) {
  const lang = compiler.endsWith('++') ? 'c++' : 'c';
  const r = spawnSync(compiler, [...flags, '-E', '-dM', '-v', '-x', lang, '/dev/null'], { cwd, encoding: 'utf8' });
  return { chains: searchChains(r.stderr), predefined: predefinedMacros(r.stdout) };
}

function gccHeaders(compiler: string, flags: string[], file: string, cwd: string): string[] {
  return parseMakeDeps(execFileSync(compiler, [...flags, '-M', file], { cwd, encoding: 'utf8' })).map((p) => resolve(cwd, p));
}

function scan(compiler: string, flags: string[], file: string, cwd: string): ScanResult {
  const forced = flags.flatMap((f, i) => (f === '-include' ? [flags[i + 1] as string] : []));
  const { chains, predefined } = probe(compiler, flags, cwd);
  return scanIncludes(file, forced, cwd, chains, commandLineDefines(flags), predefined);
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
      {
        dir: join(debianSource('libzstd'), 'lib'),
        compiler: 'gcc',
        flags: ['-O3', '-I.', '-Icommon', '-DXXH_NAMESPACE=ZSTD_'],
        ext: /\.c$/,
        subdirs: ['common', 'compress', 'decompress', 'dictBuilder'],
      },
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

  test("follows quote includes from the including header's own directory first, and #include_next", () => {
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
    assert.ok(
      files.some((f) => f.startsWith('/usr/') && f.endsWith('/limits.h')),
      'the system limits.h, through #include_next',
    );
  });

  test("#include_next from a wrapper header reached beside its includer (gnulib's way) reaches the system header", () => {
    using dir = tempDir();
    writeTree(dir.path, { 'fnmatch.c': '#include "fnmatch.h"\n', 'fnmatch.h': '#include_next <fnmatch.h>\n' });
    const files = scanCoversGcc('gcc', ['-I.'], 'fnmatch.c', dir.path);
    assert.ok(files.includes('/usr/include/fnmatch.h'));
    // from a file found beside its includer, gcc looks on from the start of the chain, -iquote directories too
    writeTree(dir.path, { 'w.c': '#include "w.h"\n', 'w.h': '#include_next <x.h>\n', 'q/x.h': '\n' });
    assert.ok(scanCoversGcc('gcc', ['-iquote', 'q'], 'w.c', dir.path).includes(join(dir.path, 'q/x.h')));
  });

  test('reads sources as gcc does: byte-order marks, CR line ends, form feeds, digraphs, raw strings, digit separators', () => {
    using dir = tempDir();
    writeTree(dir.path, {
      'bom.c': '\uFEFF#define PICK "one.h"\n#include PICK\n',
      'cr.c': '// a comment\r#include "two.h"\r',
      'ff.c': '\f#\finclude "three.h"\n%:include "four.h"\n',
      'raw.cpp': 'const char *s = R"x(a"/*)x";\n#include "five.h"\n/* a comment */\n',
      'sep.cpp': 'int n = 1\'0; const char *t = "x\'/*";\n#include "six.h"\n/* a comment */\n',
      'nospace.c': '#define HDR"seven.h"\n#include HDR\n',
      'has.cpp': '#define HAVE_EIGHT __has_include(<eight.h>)\n',
      'one.h': '\n',
      'two.h': '\n',
      'three.h': '\n',
      'four.h': '\n',
      'five.h': '\n',
      'six.h': '\n',
      'seven.h': '\n',
      'inc/eight.h': '\n',
    });
    const has = (compiler: string, file: string, header: string): void =>
      assert.ok(scanCoversGcc(compiler, ['-Iinc'], file, dir.path).includes(join(dir.path, header)), `${file}: ${header}`);
    has('gcc', 'bom.c', 'one.h');
    has('gcc', 'cr.c', 'two.h');
    has('gcc', 'ff.c', 'three.h');
    has('gcc', 'ff.c', 'four.h');
    has('g++', 'raw.cpp', 'five.h');
    has('g++', 'sep.cpp', 'six.h');
    has('gcc', 'nospace.c', 'seven.h');
    has('g++', 'has.cpp', 'inc/eight.h');
  });

  test('follows computed includes through macros of the command line and of headers, and skips those never defined', () => {
    using dir = tempDir();
    writeTree(dir.path, {
      'a.c':
        '#include "config.h"\n#include CONFIG_EXTRA\n#include USER_H\n#if defined(NOT_SET)\n#include NOT_SET\n#endif\n#if __has_include(<probe.h>)\n#endif\n/*\n#include COMMENTED(out)\n*/\n// #include ALSO(out)\n',
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
    writeTree(dir.path, {
      'a.c': '#include "pick.h"\n',
      'pick.h': '#define HEADER(x) <x.h>\n#define PICKED HEADER(stdio)\n#include PICKED\n',
    });
    const r = scan('gcc', [], 'a.c', dir.path);
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.reason, /pick\.h has `#include PICKED`/);
  });

  test('trigraphs read both ways, __has_include through a function-like macro, #pragma GCC dependency, u8 character literals', () => {
    using dir = tempDir();
    writeTree(dir.path, {
      'tri.c': '// why??/\n#include "a.h"\n', // trigraphs are off by default: the comment ends at the line's end
      'has.c': '#define HAS(x) __has_include(x)\n#define FOO_H <foo.h>\n#if HAS(<probe.h>) && HAS(FOO_H)\nint have = 1;\n#endif\n',
      'dep.c': '#pragma GCC dependency "grammar.y"\n',
      'u8.cpp': "char c = u8'0' + '/*';\n#include \"a.h\"\n/* a comment */\n",
      'a.h': '\n',
      'grammar.y': '\n',
      'inc/probe.h': '\n',
      'inc/foo.h': '\n',
    });
    assert.ok(scanCoversGcc('gcc', [], 'tri.c', dir.path).includes(join(dir.path, 'a.h')));
    // gcc -M lists neither a header only __has_include asks about nor a #pragma GCC dependency file: the sandbox needs them all the same
    const has = scan('gcc', ['-Iinc'], 'has.c', dir.path);
    assert.ok(
      has.ok && has.files.includes(join(dir.path, 'inc/probe.h')) && has.files.includes(join(dir.path, 'inc/foo.h')),
      JSON.stringify(has),
    );
    const dep = scan('gcc', [], 'dep.c', dir.path);
    assert.ok(dep.ok && dep.files.includes(join(dir.path, 'grammar.y')));
    assert.ok(scanCoversGcc('g++', ['-std=c++17'], 'u8.cpp', dir.path).includes(join(dir.path, 'a.h')));
  });

  test('gives up, saying why, where the text cannot tell what gcc opens', () => {
    using dir = tempDir();
    writeTree(dir.path, {
      'arch.c': '#define HDR <ARCH/a.h>\n#include HDR\n', // ARCH is replaced inside <...> from a macro
      'pre.c': '#define HDR <linux/types.h>\n#include HDR\n', // and so is linux, which gcc predefines as 1
      'call.c': '#define HDR(x) <x.h>\n#if __has_include(HDR(foo))\n#endif\n',
      'real/sub/x.h': '#include "../up.h"\n',
      'real/up.h': '\n',
      'proj/m.c': '#include "link/x.h"\n',
      'inc/x86/a.h': '\n',
    });
    symlinkSync('../real/sub', join(dir.path, 'proj/link'));
    const refused = (flags: string[], file: string, cwd: string, why: RegExp, unlistable = false): void => {
      const r = scan('gcc', flags, file, cwd);
      assert.equal(r.ok, false, file);
      assert.match(r.ok ? '' : r.reason, why);
      assert.equal(!r.ok && r.unlistable === true, unlistable, `${file}: whether cc1 -M could list it instead`);
    };
    refused(['-Iinc', '-DARCH=x86'], 'arch.c', dir.path, /`#include HDR`/);
    refused([], 'pre.c', dir.path, /`#include HDR`/);
    refused([], 'call.c', dir.path, /__has_include\(HDR\(\.\.\.\)\)/, true);
    // gcc opens link/../up.h, which is real/up.h: a sandbox of plain directories cannot show that
    refused([], 'm.c', join(dir.path, 'proj'), /`\.\.` after a symbolic link/);
  });

  test('paths the system will not follow are headers not found, as for gcc, never a crash', () => {
    using dir = tempDir();
    writeTree(dir.path, {
      'a.c': `#if 0\n#include "loop/x.h"\n#include "a.c/sub/x.h"\n#include "${'n'.repeat(300)}/x.h"\n#endif\n#include "x.h"\n`,
      'inc/x.h': '#ifndef X\n#define X\n#include "proj/y.h"\n#endif\n',
      'inc/y.h': '#ifndef Y\n#define Y\n#include "proj/x.h"\n#endif\n',
      'deep.c': `${Array.from({ length: 300 }, (_, i) => `#define A${i} A${i + 1}`).join('\n')}\n#define A300 <stdio.h>\n#include A0\n`,
    });
    symlinkSync('loop', join(dir.path, 'loop'));
    symlinkSync('.', join(dir.path, 'inc/proj')); // a compatibility link: proj/x.h is x.h
    assert.ok(scanCoversGcc('gcc', ['-Iinc'], 'a.c', dir.path).includes(join(dir.path, 'inc/x.h')));
    const deep = scan('gcc', [], 'deep.c', dir.path);
    assert.equal(deep.ok, false, 'a chain of macros past any real depth is one the scan cannot follow');
  });

  test('a header made after an earlier scan of its directory is found', async () => {
    using dir = tempDir();
    writeTree(dir.path, { 'a.c': '#include "gen/made.h"\n', 'gen/keep.h': '\n' });
    await sleep(2100); // a settled directory, whose listing the scan keeps
    const before = scan('gcc', [], 'a.c', dir.path);
    assert.ok(before.ok && !before.files.includes(join(dir.path, 'gen/made.h')));
    writeFileSync(join(dir.path, 'gen/made.h'), '\n');
    const after = scan('gcc', [], 'a.c', dir.path);
    assert.ok(after.ok && after.files.includes(join(dir.path, 'gen/made.h')));
  });

  test('a compile asking __has_include about a header the scan cannot work out runs where its headers are, and says so', async () => {
    using dir = tempDir();
    using store = tempDir();
    writeTree(dir.path, {
      'inc/foo.h': '\n',
      'c.c': '#define HDR(x) <x.h>\n#if __has_include(HDR(foo))\nint have = 1;\n#else\nint have = 0;\n#endif\n',
    });
    const report = join(store.path, 'report.json');
    const r = await burst(['build', '--no-cache', '--report', report, '--', 'gcc', '-Iinc', '-c', 'c.c'], store.path, { cwd: dir.path });
    assert.equal(r.code, 0, r.stderr);
    const { fallbacks } = readJson<{ fallbacks: Array<{ reason: string }> }>(report);
    assert.ok(
      fallbacks.some((f) => /__has_include\(HDR/.test(f.reason)),
      JSON.stringify(fallbacks),
    );
    assert.match(execFileSync('nm', ['c.o'], { cwd: dir.path, encoding: 'utf8' }), / D have$/m, 'have = 1, as gcc run here makes it');
  });

  test('the headers asked about by files gcc -M lists are found, for compiles the scan leaves to cc1 -M', () => {
    using dir = tempDir();
    writeTree(dir.path, {
      'inc/foo.h': '\n',
      'inc/bar.h': '\n',
      'inc/baz.h': '\n',
      'inc/dep.txt': '\n',
      'inc/unused.h': '\n',
      'inc/has.h': '#define HAS(h) __has_include(h)\n#define BAR <bar.h>\n',
      'c.c':
        '#include "has.h"\n#if __has_include(<foo.h>) && __has_include(BAR) && HAS(<baz.h>)\n#pragma GCC dependency "inc/dep.txt"\n#endif\n#if 0\n#include <unused.h>\n#endif\n',
      'u.c': '#define H(x) <x.h>\n#if __has_include(H(foo))\n#endif\n',
    });
    const { chains, predefined } = probe('gcc', ['-Iinc'], dir.path);
    const asked = headersAskedBy(gccHeaders('gcc', ['-Iinc'], 'c.c', dir.path), dir.path, chains, [], predefined);
    assert.ok(asked.ok, asked.ok ? '' : asked.reason);
    assert.deepEqual(
      asked.asked.map((p) => resolve(dir.path, p)).sort(),
      ['bar.h', 'baz.h', 'dep.txt', 'foo.h'].map((f) => join(dir.path, 'inc', f)),
    );
    const unknown = headersAskedBy(gccHeaders('gcc', ['-Iinc'], 'u.c', dir.path), dir.path, chains, [], predefined);
    assert.ok(!unknown.ok && unknown.unlistable === true);
  });

  test('a compile the scan leaves to cc1 -M keeps the headers __has_include asks about in its sandbox', async () => {
    using dir = tempDir();
    using store = tempDir();
    writeTree(dir.path, {
      'inc/x86/a.h': '\n',
      'inc/foo.h': '\n',
      'c.c': '#define HDR <ARCH/a.h>\n#include HDR\n#if __has_include(<foo.h>)\nint have = 1;\n#else\nint have = 0;\n#endif\n',
    });
    const flags = ['-Iinc', '-DARCH=x86'];
    assert.equal(scan('gcc', flags, 'c.c', dir.path).ok, false, 'the scan does not follow <ARCH/a.h>: cc1 -M lists this compile');
    // --no-cache: sandboxed, as on a remote backend, with only the headers listed
    const r = await burst(['build', '--no-cache', '--', 'gcc', ...flags, '-c', 'c.c'], store.path, { cwd: dir.path });
    assert.equal(r.code, 0, r.stderr);
    assert.match(execFileSync('nm', ['c.o'], { cwd: dir.path, encoding: 'utf8' }), / D have$/m, 'have = 1, as gcc run here makes it');
  });

  test("headers the command line's definitions ask __has_include about are listed", () => {
    using dir = tempDir();
    writeTree(dir.path, {
      'inc/foo.h': '\n',
      'inc/bar.h': '\n',
      'inc/baz.h': '\n',
      'inc/qux.h': '\n',
      // macros handing their argument on to one that asks: from a header, and from the command line through it
      'c.c': '#define HAS_FWD(y) (HAS(y))\n#if HAVE_FOO && HAS(<bar.h>) && HAS_FWD(<baz.h>) && HAS_CL(<qux.h>)\n#endif\n',
    });
    const flags = ['-Iinc', '-DHAVE_FOO=__has_include(<foo.h>)', '-DHAS(x)=__has_include(x)', '-DHAS_CL(w)=HAS_FWD(w)'];
    const r = scan('gcc', flags, 'c.c', dir.path);
    assert.ok(r.ok, r.ok ? '' : r.reason);
    assert.deepEqual(
      r.asked.map((p) => resolve(dir.path, p)).sort(),
      ['bar.h', 'baz.h', 'foo.h', 'qux.h'].map((f) => join(dir.path, 'inc', f)),
    );
  });

  test('__has_include through definitions of the command line and of headers, and _next from a header found beside its includer, as gcc answers it', async () => {
    using dir = tempDir();
    using store = tempDir();
    const have = (cond: string): string => `#if ${cond}\nint have = 1;\n#else\nint have = 0;\n#endif\n`;
    const unfollowable = '#define HDR(x) <x.h>\n#include HDR(w)\n'; // leaves the compile to cc1 -M
    writeTree(dir.path, {
      'a/w.h': '\n',
      'a/z.h': '\n',
      'b/y.h': '#include "x.h"\n',
      'b/x.h': have('__has_include_next(<z.h>)'),
      'c/extra.h': '\n',
      'c/config.h': '#define CFG_H "extra.h"\n',
      'c/x.h': '\n',
      'd/cfg.h': '#define HAVE_NEXT_Z __has_include_next(<z.h>)\n',
      'e/use.h': `#include <cfg.h>\n${have('HAVE_NEXT_Z')}`,
      'e/z.h': '\n',
      'f/z.h': '\n',
      'beside.c': `${unfollowable}#include <y.h>\n`,
      'cfg.c': `${unfollowable}#include <config.h>\n${have('HAVE_CFG')}`,
      'probe.c': have('HAVE_X'),
      'next.c': '#include <use.h>\n',
    });
    const cases: Array<[string, string[]]> = [
      ['beside.c', ['-Ia', '-Ib']],
      ['cfg.c', ['-Ia', '-Ic', '-DHAVE_CFG=__has_include(CFG_H)']],
      ['probe.c', ['-Ic', '-DUSE_Y(a)=__has_include(a)', '-DHAVE_X=USE_Y("x.h")']],
      ['next.c', ['-Id', '-Ie', '-If']],
    ];
    for (const [file, flags] of cases) {
      const object = file.replace('.c', '.o');
      execFileSync('gcc', [...flags, '-c', file, '-o', 'direct.o'], { cwd: dir.path });
      assert.match(
        execFileSync('nm', ['direct.o'], { cwd: dir.path, encoding: 'utf8' }),
        / D have$/m,
        `${file}: gcc here finds the header`,
      );
      const r = await burst(['build', '--no-cache', '--', 'gcc', ...flags, '-c', file], store.path, { cwd: dir.path });
      assert.equal(r.code, 0, r.stderr);
      assert.match(execFileSync('nm', [object], { cwd: dir.path, encoding: 'utf8' }), / D have$/m, `${file}: as gcc run here makes it`);
    }
  });

  test('a macro\'s __has_include("...") is looked for beside the file that uses it, as gcc does', async () => {
    using dir = tempDir();
    using store = tempDir();
    writeTree(dir.path, {
      'x.h': '\n',
      'cfg/config.h': '#define HAVE_X __has_include("x.h")\n',
      'c.c': '#include "cfg/config.h"\n#if HAVE_X\nint have = 1;\n#else\nint have = 0;\n#endif\n',
    });
    const r = scan('gcc', [], 'c.c', dir.path);
    assert.ok(r.ok && r.asked.includes('x.h'), JSON.stringify(r));
    const built = await burst(['build', '--no-cache', '--', 'gcc', '-c', 'c.c'], store.path, { cwd: dir.path });
    assert.equal(built.code, 0, built.stderr);
    assert.match(execFileSync('nm', ['c.o'], { cwd: dir.path, encoding: 'utf8' }), / D have$/m, 'have = 1, as gcc run here makes it');
  });

  test('in compiles left to cc1 -M, __has_include_next looks on from where its file was found, and -I- stops "..." looking beside it', async () => {
    using dir = tempDir();
    using store = tempDir();
    const have = '#if HAS\nint have = 1;\n#else\nint have = 0;\n#endif\n';
    writeTree(dir.path, {
      'inc/x86/a.h': '\n',
      'inc2/foo.h': '\n',
      'x.h': '\n',
      'q/x.h': '\n',
      'b/keep.h': '\n',
      'inc1/foo.h': have.replace('HAS', '__has_include_next(<foo.h>)'), // a wrapper, as gnulib writes them
      'next.c': '#define HDR <ARCH/a.h>\n#include HDR\n#include <foo.h>\n',
      'quote.c': `#define HDR <ARCH/a.h>\n#include HDR\n${have.replace('HAS', '__has_include("x.h")')}`,
    });
    const gccSays = (flags: string[], file: string): string => {
      execFileSync('gcc', [...flags, '-c', file, '-o', 'direct.o'], { cwd: dir.path });
      return execFileSync('nm', ['direct.o'], { cwd: dir.path, encoding: 'utf8' });
    };
    for (const [flags, file] of [
      [['-Iinc', '-Iinc1', '-Iinc2', '-DARCH=x86'], 'next.c'],
      [['-Iq', '-I-', '-Iinc', '-Ib', '-DARCH=x86'], 'quote.c'],
    ] as const) {
      assert.equal(scan('gcc', [...flags], file, dir.path).ok, false, `${file}: cc1 -M lists this compile`);
      const r = await burst(['build', '--no-cache', '--', 'gcc', ...flags, '-c', file], store.path, { cwd: dir.path });
      assert.equal(r.code, 0, r.stderr);
      const object = file.replace('.c', '.o');
      assert.match(gccSays([...flags], file), / D have$/m, 'gcc here finds the header');
      assert.match(execFileSync('nm', [object], { cwd: dir.path, encoding: 'utf8' }), / D have$/m, `${file}: as gcc run here makes it`);
    }
  });

  test('a -MD file listing a header only __has_include asks about gives it an empty rule: removing the header rebuilds', async () => {
    using dir = tempDir();
    using store = tempDir();
    writeTree(dir.path, {
      'inc/x86/a.h': '\n',
      'inc/foo.h': '\n',
      'c.c': '#define HDR <ARCH/a.h>\n#include HDR\n#if __has_include(<foo.h>)\nint have = 1;\n#else\nint have = 0;\n#endif\n',
      Makefile: 'c.o: c.c\n\tgcc -Iinc -DARCH=x86 -MD -c c.c\n-include c.d\n',
    });
    for (const backend of [[], ['--isolate']]) {
      rmSync(join(dir.path, 'c.o'), { force: true });
      writeFileSync(join(dir.path, 'inc/foo.h'), '\n');
      const first = await burst(['build', ...backend, '--', 'make'], store.path, { cwd: dir.path });
      assert.equal(first.code, 0, first.stderr);
      rmSync(join(dir.path, 'inc/foo.h'));
      const again = await burst(['build', ...backend, '--', 'make'], store.path, { cwd: dir.path });
      assert.equal(again.code, 0, `${backend.join(' ') || 'in place'}: ${again.stderr}`);
      assert.match(execFileSync('nm', ['c.o'], { cwd: dir.path, encoding: 'utf8' }), / B have$/m, 'compiled again without foo.h');
    }
  });

  test('a local compile whose header __has_include asks about is removed compiles again, not replayed from the cache', async () => {
    const cases: Record<string, [string, string[]]> = {
      'the header is among its inputs': ['__has_include(<foo.h>)', []],
      'the command line asks, and the header is among its inputs': ['HAVE_FOO', ['-DHAVE_FOO=__has_include(<foo.h>)']],
      'no scan can work out the header, so no result is kept': ['__has_include(H(foo))', []],
    };
    for (const [why, [asks, flags]] of Object.entries(cases)) {
      using dir = tempDir();
      using store = tempDir();
      writeTree(dir.path, { 'inc/foo.h': '\n', 'c.c': `#define H(x) <x.h>\n#if ${asks}\nint have = 1;\n#else\nint have = 0;\n#endif\n` });
      const compile = async (): Promise<string> => {
        rmSync(join(dir.path, 'c.o'), { force: true });
        const r = await burst(['build', '--backend', 'local', '--', 'gcc', '-Iinc', ...flags, '-c', 'c.c'], store.path, { cwd: dir.path });
        assert.equal(r.code, 0, r.stderr);
        return execFileSync('nm', ['c.o'], { cwd: dir.path, encoding: 'utf8' });
      };
      assert.match(await compile(), / D have$/m, why);
      rmSync(join(dir.path, 'inc/foo.h'));
      assert.match(await compile(), / B have$/m, `${why}: as gcc makes it without foo.h`);
    }
  });

  test('an -I directory made during the build is searched by the compiles after it', async () => {
    using dir = tempDir();
    using store = tempDir();
    writeTree(dir.path, {
      'b.c': 'int b;\n',
      'a.c': '#include <made.h>\nint a = MADE;\n',
      Makefile:
        'all: b.o a.o\nb.o: b.c\n\tgcc -Igen -c b.c\ngen/made.h: b.o\n\tmkdir -p gen && echo "#define MADE 1" > gen/made.h\na.o: a.c gen/made.h\n\tgcc -Igen -c a.c\n',
    });
    // --no-cache: every compile sandboxed, its headers from the scan, as on a remote backend
    const r = await burst(['build', '--no-cache', '--', 'make'], store.path, { cwd: dir.path });
    assert.equal(r.code, 0, r.stderr);
  });
});
