import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { archiveMembers, thinArchiveMembers } from '../engine/infer/models/arMembers';
import { toolNameOf } from '../engine/infer/interception';
import { parseMakeDeps, searchList } from '../engine/infer/models/compilerDeps';
import { isTempFile } from '../engine/infer/models/common';
import { probeReason } from '../engine/infer/models/gcc';
import { PathMap } from '../engine/infer/pathMap';
import { encodeAnswer, FrameReader, parseAnyRequest } from '../engine/infer/protocol';
import { splitCommandLine } from '../engine/infer/shellWords';
import { readPlaceholder, writePlaceholder } from '../engine/model/placeholder';
import { ROOT, burst, copyTree, run, tempDir } from './helpers';

const call = (args: string[], env: Record<string, string> = {}) => ({
  tool: 'gcc',
  argv0: 'gcc',
  cwd: '/w',
  args,
  env: new Map(Object.entries(env)),
});

describe('reading what compilers print', () => {
  test('gcc -### command lines, quoted and escaped', () => {
    assert.deepEqual(splitCommandLine(' /usr/lib/cc1 -quiet -D "X=a b" "-mtune=generic" -o /tmp/ccA1b2C3.s'), [
      '/usr/lib/cc1',
      '-quiet',
      '-D',
      'X=a b',
      '-mtune=generic',
      '-o',
      '/tmp/ccA1b2C3.s',
    ]);
    assert.deepEqual(splitCommandLine(' as "a\\"b"'), ['as', 'a"b']);
  });

  test('make rules from cc -M, with continuation lines and escaped spaces', () => {
    assert.deepEqual(parseMakeDeps('lapi.o: lapi.c lprefix.h \\\n /usr/include/stdio.h my\\ dir/x.h\n'), [
      'lapi.c',
      'lprefix.h',
      '/usr/include/stdio.h',
      'my dir/x.h',
    ]);
  });

  test('the system include directories from cc1 -v', () => {
    const stderr =
      '#include "..." search starts here:\n#include <...> search starts here:\n /usr/lib/gcc/x86_64-linux-gnu/12/include\n /usr/include\nEnd of search list.\n';
    assert.deepEqual(searchList(stderr), ['/usr/lib/gcc/x86_64-linux-gnu/12/include', '/usr/include']);
  });

  test('archive members in order, long names included', () => {
    using dir = tempDir();
    for (const n of ['a.o', 'a_rather_long_member_name.o']) writeFileSync(join(dir.path, n), 'x');
    execFileSync('ar', ['rc', 'lib.a', 'a_rather_long_member_name.o', 'a.o'], { cwd: dir.path });
    assert.deepEqual(archiveMembers(join(dir.path, 'lib.a')), ['a_rather_long_member_name.o', 'a.o']);
    assert.equal(archiveMembers(join(dir.path, 'a.o')), undefined);
  });

  test('thin archive members, as paths beside the archive', () => {
    using dir = tempDir();
    mkdirSync(join(dir.path, 'lib.a.p'));
    for (const n of ['lib.a.p/one.o', 'lib.a.p/a_rather_long_member_name.o']) writeFileSync(join(dir.path, n), 'x');
    execFileSync('ar', ['csrDT', 'lib.a', 'lib.a.p/one.o', 'lib.a.p/a_rather_long_member_name.o'], { cwd: dir.path });
    assert.deepEqual(thinArchiveMembers(join(dir.path, 'lib.a')), [
      join(dir.path, 'lib.a.p/one.o'),
      join(dir.path, 'lib.a.p/a_rather_long_member_name.o'),
    ]);
    assert.equal(archiveMembers(join(dir.path, 'lib.a')), undefined, 'a thin archive is not a regular one');
  });
});

describe('the compiler model', () => {
  test('probes are told apart from build steps, with the reason', () => {
    assert.match(probeReason(call(['-E', 'x.c'])) ?? '', /asks the compiler \(-E\)/);
    assert.match(probeReason(call(['--version'])) ?? '', /--version/);
    assert.match(probeReason(call(['-print-file-name=libc.so'])) ?? '', /not modelled/);
    assert.match(probeReason(call(['-c', 'conftest.c', '-o', '/dev/null'])) ?? '', /device/);
    assert.match(probeReason(call(['-c', 'x.c'], { CPATH: '/opt/inc' })) ?? '', /CPATH is set/);
    assert.equal(probeReason(call(['-O2', '-c', '-o', 'x.o', 'x.c'])), undefined);
  });

  test('intercepted programs are known by the name the build ran them under', () => {
    const names: Array<[string, string | undefined]> = [
      ['/usr/bin/c++', 'c++'],
      ['cc', 'cc'],
      ['/usr/bin/gcc-12', 'gcc'],
      ['x86_64-linux-gnu-gcc-12', 'gcc'],
      ['aarch64-linux-gnu-g++', 'g++'],
      ['/usr/lib/llvm-14/bin/clang', 'clang'],
      ['clang++-14', 'clang++'],
      ['x86_64-linux-gnu-ld.bfd', 'ld'],
      ['/usr/bin/ar', 'ar'],
      ['ccache', 'ccache'],
      ['gcc-ar-12', undefined],
      ['x86_64-linux-gnu-gcc-ranlib-12', undefined],
      ['llvm-bitcode-strip-14', undefined],
      ['clang-cpp', undefined],
      ['objcopy', undefined],
    ];
    for (const [program, tool] of names) assert.equal(toolNameOf(program), tool, program);
  });

  test('driver temporaries are recognised', () => {
    assert.ok(isTempFile('/tmp/ccAb12Cd.s'));
    assert.ok(!isTempFile('/tmp/project/x.s'));
    assert.ok(isTempFile('/tmp/lapi-3f9a1c.o'), "clang's temporaries");
  });

  test('tree paths keep their spelling; other paths move under _burst/sys', () => {
    const m = new PathMap('/w/proj');
    assert.equal(m.sandboxPath('/w/proj/src/a.c'), 'src/a.c');
    assert.equal(m.sandboxPath('/usr/include/stdio.h'), '_burst/sys/usr/include/stdio.h');
    assert.equal(m.argPath('/w/proj/src', 'a.c', 'src'), 'a.c');
    assert.equal(m.argPath('/w/proj/src', '/usr/include', 'src'), '../_burst/sys/usr/include');
    assert.equal(m.argPath('/w/proj/src', '/w/proj', 'src'), '..', 'the root named absolutely from below it');
    assert.equal(m.argPath('/w/proj', '/w/proj', ''), '.');
    assert.equal(m.sandboxCwd('/elsewhere'), undefined);
  });

  test('placeholders name their output and are read back', async () => {
    using dir = tempDir();
    const p = join(dir.path, 'x.o');
    const ref = `T${'1'.repeat(40)}#src/x.o`;
    await writePlaceholder(p, ref, false);
    assert.equal(await readPlaceholder(p), ref);
    writeFileSync(p, 'not a placeholder');
    assert.equal(await readPlaceholder(p), undefined);
  });

  test('stand-in requests and answers survive the wire format', () => {
    const fields = ['burst-standin/2', 'gcc', '', '/w', '3', 'gcc', '-c', 'a.c', '1', 'PATH=/bin'];
    const body = Buffer.from(fields.map((f) => `${f}\0`).join(''));
    const head = Buffer.alloc(4);
    head.writeUInt32LE(body.length);
    const reader = new FrameReader();
    const frames = [...reader.push(Buffer.concat([head, body.subarray(0, 5)])), ...reader.push(body.subarray(5))];
    assert.equal(frames.length, 1);
    assert.deepEqual(parseAnyRequest(frames[0] as Buffer), {
      kind: 'tool',
      call: { tool: 'gcc', argv0: 'gcc', cwd: '/w', args: ['-c', 'a.c'], env: new Map([['PATH', '/bin']]) },
    });
    const intercepted = ['burst-standin/2', 'c++', '/usr/bin/c++', '/w', '2', '/usr/bin/c++', '-c', '0'];
    assert.deepEqual(parseAnyRequest(Buffer.from(intercepted.map((f) => `${f}\0`).join(''))), {
      kind: 'tool',
      call: { tool: 'c++', execPath: '/usr/bin/c++', argv0: '/usr/bin/c++', cwd: '/w', args: ['-c'], env: new Map() },
    });
    assert.deepEqual(parseAnyRequest(Buffer.from('burst-materialize/1\0/w\x002\0a.o\0/w/b.o\0')), {
      kind: 'materialize',
      request: { cwd: '/w', paths: ['a.o', '/w/b.o'] },
    });
    const answer = encodeAnswer({ kind: 'exec', path: '/usr/bin/gcc', pathVar: '/usr/bin', argv: ['gcc', '-v'] });
    assert.equal(answer.subarray(4).toString(), 'exec\0/usr/bin/gcc\0/usr/bin\x002\0gcc\0-v\0');
  });
});

describe('the portable stand-in', () => {
  test('builds with the Node client where no C compiler builds the fast one', async () => {
    using dir = tempDir();
    const tree = copyTree(join(ROOT, 'test', 'fixtures', 'generator'), join(dir.path, 'gen'));
    const r = await burst(['build', '--', 'make'], join(dir.path, 'store'), { cwd: tree, env: { BURST_STANDIN_CLIENT: 'node' } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await run('./app', [], tree)).stdout, '12 squares sum to 506\n');
  });
});
