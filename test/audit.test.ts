/**
 * `burst audit`: cached jobs run again with no cache, isolated, and their
 * outputs compared with the cached ones. A job that writes the date is
 * found, with its output and the first differing byte; lua's real build is
 * deterministic, and the audit says so.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { burst, copyTree, debianSource, shThunk, tempDir } from './helpers';

describe('burst audit', () => {
  test('finds a job that writes the date: its output, the first differing byte, exit status 1', async () => {
    using dir = tempDir('burst-audit-');
    const store = join(dir.path, 'store');
    // date, run through the loader and libc shipped with sh: the job carries all it needs, so it runs isolated too.
    const clock = await shThunk(store, './_burst/lib/ld-linux-x86-64.so.2 --library-path ./_burst/lib ./date +%s%N > out', {
      inputs: ['date=/usr/bin/date'],
      extra: ['--executable', 'date'],
    });
    const steady = await shThunk(store, 'echo same > out');
    const forced = await burst(['force', '-q', clock, steady], store);
    assert.equal(forced.code, 0, forced.stderr);

    const r = await burst(['audit', '--all'], store);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, new RegExp(`^DIFFERS ${clock} \\(sh\\): its output out$`, 'm'));
    assert.match(r.stdout, /first difference at byte \d+: cached "\d/);
    assert.doesNotMatch(r.stdout, new RegExp(`DIFFERS ${steady}`));
    assert.match(r.stdout, /audited 2 of 2 cached jobs of the last run \(force.*\): 1 job made different outputs/);

    const one = await burst(['audit', '--json', steady], store);
    assert.equal(one.code, 0, one.stdout);
    const report = JSON.parse(one.stdout) as { audited: Array<{ job: string; same: boolean }>; differences: unknown[] };
    assert.deepEqual(report.audited, [{ job: steady, program: 'sh', same: true }]);
    assert.deepEqual(report.differences, []);
  });

  test("passes on lua's build: every job run again makes the same bytes", async () => {
    using dir = tempDir('burst-audit-lua-');
    const tree = copyTree(debianSource('lua5.4'), join(dir.path, 'lua'));
    const store = join(dir.path, 'store');
    const built = await burst(['build', '-q', '--', 'make', '-j2', 'linux'], store, { cwd: tree });
    assert.equal(built.code, 0, built.stderr);
    const r = await burst(['audit', '--all', '-q'], store, { cwd: tree });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const m = /audited (\d+) of (\d+) cached jobs of the last run \(build make -j2 linux, .*\): every output is the same/.exec(r.stdout);
    assert.ok(m, r.stdout);
    assert.equal(m[1], m[2]);
    assert.ok(Number(m[1]) >= 70, `${m[1]} jobs audited`);
  });
});
