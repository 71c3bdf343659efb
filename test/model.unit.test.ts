import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseDiagnostics } from '../engine/model/diagnostics';
import { StragglerPolicy } from '../engine/schedule/straggler';
import { programOf } from '../engine/model/thunk';
import { parseSize } from '../engine/store/maintenance';
import { relativeFrom } from '../engine/exec/toolchain';

describe('straggler policy', () => {
  test("duplicates a job far past its program's median, never before the floor", () => {
    const p = new StragglerPolicy({ factor: 3, minMs: 100, minSamples: 3 });
    for (const ms of [50, 60, 70]) p.recordDuration('cc1', ms);
    const cc1 = { program: 'cc1', timeoutMs: 60_000 };
    assert.equal(p.thresholdMs([cc1]), 180);
    assert.equal(p.isStraggling([cc1], 150), false);
    assert.equal(p.isStraggling([cc1], 200), true);
    for (const ms of [1, 1, 1]) p.recordDuration('as', ms);
    assert.equal(p.thresholdMs([{ program: 'as', timeoutMs: 60_000 }]), 100);
  });

  test("a copy carrying a follow-on is allowed both jobs' usual times", () => {
    const p = new StragglerPolicy({ factor: 3, minMs: 100, minSamples: 3 });
    for (const ms of [50, 60, 70]) p.recordDuration('cc1', ms);
    const carrying = [
      { program: 'cc1', timeoutMs: 60_000 },
      { program: 'as', timeoutMs: 60_000 },
    ];
    // The follow-on's program has no history yet: the long wait for it, on top of the compile's allowance.
    assert.equal(p.thresholdMs(carrying), 30_180);
    for (const ms of [40, 40, 40]) p.recordDuration('as', ms);
    assert.equal(p.thresholdMs(carrying), 300);
    assert.equal(p.isStraggling(carrying, 250), false, "past the compile's threshold alone, within both");
    assert.equal(p.isStraggling(carrying, 310), true);
  });

  test('with no history waits long, or half the timeout if that is sooner; off means never', () => {
    const p = new StragglerPolicy({ minMs: 100, noHistoryMs: 30_000 });
    assert.equal(p.thresholdMs([{ program: 'ld', timeoutMs: 600_000 }]), 30_000);
    assert.equal(p.thresholdMs([{ program: 'ld', timeoutMs: 4_000 }]), 2_000);
    assert.equal(new StragglerPolicy({ enabled: false }).isStraggling([{ program: 'ld', timeoutMs: 1 }], 1e9), false);
  });
});

describe('diagnostics', () => {
  test('reads gcc messages, relative to the sandbox root', () => {
    const stderr = [
      "lapi.c: In function 'lua_foo':",
      "lapi.c:101:7: error: 'x' undeclared (first use in this function)",
      'lapi.h:3:1: warning: data definition has no type',
      'ld: cannot find -lfoo',
      'In file included from /usr/include/stdio.h:28,',
      '/usr/include/stdio.h:9: note: something',
      '@{sandbox}/lib/api.c:5:2: error: a source named by its absolute path',
    ].join('\n');
    assert.deepEqual(parseDiagnostics(stderr, 'src', 'T1'), [
      { file: 'src/lapi.c', line: 101, column: 7, severity: 'error', message: "'x' undeclared (first use in this function)", job: 'T1' },
      { file: 'src/lapi.h', line: 3, column: 1, severity: 'warning', message: 'data definition has no type', job: 'T1' },
      { file: '/usr/include/stdio.h', line: 9, column: 0, severity: 'note', message: 'something', job: 'T1' },
      { file: 'lib/api.c', line: 5, column: 2, severity: 'error', message: 'a source named by its absolute path', job: 'T1' },
    ]);
  });
});

describe('small helpers', () => {
  test('the program behind a loader launch is the name it was given', () => {
    const t = {
      args: [
        './_burst/lib/ld-linux-x86-64.so.2',
        '--inhibit-cache',
        '--library-path',
        './_burst/lib',
        '--argv0',
        'gcc',
        './_burst/bin/gcc-12',
        '-c',
      ],
      env: {},
      inputs: {},
      executables: [],
      outputs: ['o'],
      cwd: '',
      timeoutMs: 1,
    };
    assert.equal(programOf(t), 'gcc');
    assert.equal(programOf({ ...t, args: ['/bin/true'] }), 'true');
  });

  test('paths from a working directory stay inside the sandbox spelling', () => {
    assert.equal(relativeFrom('', '_burst/bin/sh'), './_burst/bin/sh');
    assert.equal(relativeFrom('src/lib', '_burst/bin/sh'), '../../_burst/bin/sh');
  });

  test('sizes', () => {
    assert.equal(parseSize('10G'), 10 * 2 ** 30);
    assert.equal(parseSize('512k'), 512 * 1024);
    assert.equal(parseSize('100'), 100);
    assert.throws(() => parseSize('lots'), /not a size/);
  });
});
