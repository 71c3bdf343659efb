/**
 * One store, several processes: garbage collection looping beside a real
 * build, and a root engine whose job user cannot reach the job directories.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { initHash, type RunReport } from '../engine/api';
import {
  burst,
  copyTree,
  debianSource,
  differingFiles,
  everyObjectIntact,
  placeholdersUnder,
  readJson,
  run,
  shThunk,
  startBurst,
  collect,
  tempDir,
} from './helpers';

describe('a store shared by several processes', () => {
  before(() => initHash());
  test('gc --max-size 1 looping during a -j1 build of zlib: the build succeeds with its outputs and true counts', async () => {
    using dir = tempDir();
    const store = join(dir.path, 'store');
    const plain = copyTree(debianSource('zlib'), join(dir.path, 'plain'));
    const tree = copyTree(debianSource('zlib'), join(dir.path, 'tree'));
    for (const t of [plain, tree]) assert.equal((await run('./configure', [], t)).code, 0);
    assert.equal((await run('make', ['-j1'], plain)).code, 0);
    const report = join(dir.path, 'report.json');
    const build = collect(startBurst(['build', '--report', report, '--', 'make', '-j1'], store, { cwd: tree }));
    let ended = false;
    void build.then(() => (ended = true));
    const gcs: Array<{ code: number | null; stdout: string; stderr: string }> = [];
    while (!ended) gcs.push(await burst(['cache', 'gc', '--max-size', '1'], store));
    const built = await build;
    assert.equal(built.code, 0, built.stderr);
    assert.ok(gcs.length > 0, 'gc ran during the build');
    assert.ok(
      gcs.some((g) => g.code === 1 && /no object was removed: 1 run \(process \d+\) using this store/.test(g.stderr)),
      `gc said why it removed nothing: ${JSON.stringify(gcs.slice(0, 2))}`,
    );
    const files = ['libz.a', 'example', 'minigzip', 'adler32.o', 'inflate.o'];
    assert.deepEqual(differingFiles(plain, tree, files), []);
    assert.deepEqual(placeholdersUnder(tree), []);
    const r = readJson<RunReport>(report);
    assert.equal(r.failed, 0);
    assert.equal(r.executed + r.cached, r.thunks, 'every job ran or came from the cache');
    assert.equal((await run('make', ['test'], tree)).code, 0, "the project's own tests pass");
    // With the build over (perhaps already in the loop's last round), gc does what it is asked.
    const after = await burst(['cache', 'gc', '--max-size', '1'], store);
    assert.equal(after.code, 0, after.stderr);
    assert.ok([...gcs, after].some((g) => g.code === 0 && /removed [1-9]\d* objects/.test(g.stdout)));
  });

  test(
    "job directories outside the store: gc empties a store's own, and the next run removes those of a removed store",
    { skip: process.getuid?.() === 0 ? false : 'job directories leave the store only when Burst runs as root' },
    async () => {
      using dir = tempDir();
      const sandboxes = join(tmpdir(), `burst-sandboxes-${process.getuid?.() ?? 0}`);
      const ownedBy = (store: string): string | undefined =>
        readdirSync(sandboxes).find((d) => {
          try {
            return readFileSync(join(sandboxes, d, 'store'), 'utf8') === store;
          } catch {
            return false;
          }
        });
      const first = join(dir.path, 'first');
      assert.equal((await burst(['force', await shThunk(first, 'echo one > out')], first)).code, 0);
      const own = ownedBy(first);
      assert.ok(own, `the first store's job directories are under ${sandboxes}`);
      const trees = (): string[] => readdirSync(join(sandboxes, own)).filter((n) => n !== 'store');
      assert.ok(
        trees().some((n) => n.startsWith('shared-')),
        `the shipped sh is laid out once: ${trees().join(' ')}`,
      );
      const gc = await burst(['cache', 'gc'], first);
      assert.equal(gc.code, 0, gc.stderr);
      assert.deepEqual(trees(), [], 'with no run on the store, gc removes its job directories');
      assert.equal((await burst(['force', await shThunk(first, 'echo two > out')], first)).code, 0);
      assert.ok(trees().length > 0);
      rmSync(first, { recursive: true, force: true });
      const second = join(dir.path, 'second');
      assert.equal((await burst(['force', await shThunk(second, 'echo three > out')], second)).code, 0);
      assert.equal(ownedBy(first), undefined, 'a run on another store removed the job directories of the removed one');
      assert.ok(ownedBy(second));
    },
  );

  test(
    'a root engine whose job user cannot reach the job directories says so, with the fix, before any job runs',
    { skip: process.getuid?.() === 0 ? false : 'jobs run as another user only when Burst runs as root' },
    async () => {
      using dir = tempDir();
      const store = join(dir.path, 'store');
      chmodSync(dir.path, 0o711);
      const hidden = join(dir.path, 'private');
      mkdirSync(hidden);
      chmodSync(hidden, 0o700);
      const t = await shThunk(store, 'echo hi > out');
      const report = join(dir.path, 'report.json');
      const r = await burst(['force', '--report', report, t], store, { env: { BURST_SANDBOX_DIR: join(hidden, 'sandboxes') } });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`cannot reach the job directories under ${hidden}/sandboxes: ${hidden} is not searchable`));
      assert.match(r.stderr, new RegExp(`chmod o\\+x ${hidden}`));
      assert.throws(() => readFileSync(report), 'no run started, so no report');
    },
  );

  test(
    'a full disk: a clear error naming where, nothing half-written in the store, and the run after freeing space succeeds',
    { skip: process.getuid?.() === 0 ? false : 'mounting a small file system needs root' },
    async () => {
      using dir = tempDir();
      chmodSync(dir.path, 0o711);
      const disk = join(dir.path, 'disk');
      mkdirSync(disk);
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=32m', 'tmpfs', disk]);
      try {
        const store = join(disk, 'store');
        const t = await shThunk(store, '/usr/bin/head -c 6000000 /dev/zero > out');
        // Room for the job's output in its directory, not for its copy in the store.
        const { bavail, bsize } = statfsSync(disk);
        writeFileSync(join(disk, 'blocker'), Buffer.alloc(Math.max(0, bavail * bsize - 9_000_000)));
        const full = await burst(['force', '--cat', t], store);
        assert.equal(full.code, 1, full.stderr);
        assert.match(full.stderr, new RegExp(`no space left on the device holding ${store}`));
        assert.match(full.stderr, /1 failed/);
        assert.deepEqual(readdirSync(join(store, 'tmp')), [], 'no temporary file is left');
        assert.ok(everyObjectIntact(store) > 0);
        rmSync(join(disk, 'blocker'));
        const again = await burst(['force', '--cat', t], store);
        assert.equal(again.code, 0, again.stderr);
        assert.equal(again.stdout.length, 6_000_000);
      } finally {
        execFileSync('umount', [disk]);
      }
    },
  );
});
