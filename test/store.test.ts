import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, linkSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CorruptObjectError, Engine } from '../engine/api';
import { LocalStore } from '../engine/store/local';
import { burst, burstOk, shThunk, tempDir } from './helpers';

function corrupt(store: LocalStore, name: string): void {
  const path = store.objectPath(name);
  chmodSync(path, 0o644);
  const size = statSync(path).size;
  writeFileSync(path, 'X'.repeat(size));
}

describe('store', () => {
  test('jobs starting together with the same executable input all get a copy they can link', async () => {
    // Several jobs ask for an object's executable copy at once and hard-link it into their sandboxes, as populateSandbox does.
    using dir = tempDir();
    const store = await LocalStore.open(join(dir.path, 'store'));
    let failures = 0;
    for (let round = 0; round < 100; round++) {
      const file = join(dir.path, `lib${round}.so`);
      writeFileSync(file, Buffer.alloc(64 * 1024, round), { mode: 0o755 });
      const name = await store.putFile(file);
      await Promise.all(
        Array.from({ length: 4 }, async (_, i) => {
          const exe = await store.executablePath(name);
          try {
            linkSync(exe, join(dir.path, `sandbox-${round}-${i}`));
          } catch {
            failures++;
          }
        }),
      );
    }
    assert.equal(failures, 0, 'a copy made for one job is never replaced under another');
  });

  test('objects are read-only files named by content, and a value is stored once', async () => {
    using dir = tempDir();
    const store = await LocalStore.open(join(dir.path, 'store'));
    const a = await store.putBytes('V', Buffer.from('same bytes'));
    const b = await store.putBytes('V', Buffer.from('same bytes'));
    assert.equal(a, b);
    assert.equal(statSync(store.objectPath(a)).mode & 0o777, 0o444);
    assert.equal((await store.readBytes(a)).toString(), 'same bytes');
  });

  test('a corrupted object is an error naming it, and is moved out of the store', async () => {
    using dir = tempDir();
    const store = await LocalStore.open(join(dir.path, 'store'));
    const name = await store.putBytes('V', Buffer.from('precious'));
    corrupt(store, name);
    await assert.rejects(store.readBytes(name), (e: unknown) => e instanceof CorruptObjectError && e.message.includes(name));
    assert.equal(store.has(name), false);
    assert.equal(readdirSync(store.corruptDir).length, 1);
  });

  test('jobs that need the same remote object at once download it once', async () => {
    using dir = tempDir();
    const source = await LocalStore.open(join(dir.path, 'remote'));
    const name = await source.putBytes('V', Buffer.alloc(256 * 1024, 7));
    let downloads = 0;
    const store = (await LocalStore.open(join(dir.path, 'store'))).over({
      fetch: async (n, dest) => {
        downloads++;
        await new Promise((r) => setTimeout(r, 50)); // a download takes a while: the other jobs ask meanwhile
        copyFileSync(source.objectPath(n), dest);
        return true;
      },
      describe: (n) => `remote:${n}`,
    });
    const paths = await Promise.all(Array.from({ length: 8 }, () => store.verifiedPath(name)));
    assert.equal(downloads, 1);
    assert.ok(paths.every((p) => readFileSync(p).equals(Buffer.alloc(256 * 1024, 7))));
  });

  test('a fetch from a bucket that lacks an object does not answer for another that has it', async () => {
    // The Lambda worker layers its store over each request's bucket and prefix; invocations can overlap in one process.
    using dir = tempDir();
    const source = await LocalStore.open(join(dir.path, 'remote'));
    const name = await source.putBytes('V', Buffer.from('only in the second bucket'));
    const store = await LocalStore.open(join(dir.path, 'store'));
    const overEmpty = store.over({ fetch: () => new Promise((r) => setTimeout(() => r(false), 50)), describe: (n) => `s3://empty/${n}` });
    const fromEmpty = overEmpty.verifiedPath(name).then(
      () => 'found',
      (e: Error) => e.name,
    );
    const overFull = store.over({
      fetch: async (n, dest) => (copyFileSync(source.objectPath(n), dest), true),
      describe: (n) => `s3://full/${n}`,
    });
    assert.equal(readFileSync(await overFull.verifiedPath(name), 'utf8'), 'only in the second bucket');
    assert.equal(await fromEmpty, 'found', 'by the time the first ends, the object is here');
  });

  test('a file added twice is not hashed again while unchanged, and is when changed', async () => {
    using dir = tempDir();
    const store = await LocalStore.open(join(dir.path, 'store'));
    const file = join(dir.path, 'src.c');
    writeFileSync(file, 'int x;\n');
    const old = new Date(Date.now() - 60_000);
    const { utimesSync } = await import('node:fs');
    utimesSync(file, old, old);
    const first = await store.putFile(file);
    await store.flush();
    const reopened = await LocalStore.open(join(dir.path, 'store'));
    const st = statSync(file, { bigint: true });
    assert.equal(reopened.index.lookup(file, st), first, 'the index knows the unchanged file');
    writeFileSync(file, 'int y;\n');
    utimesSync(file, old, old);
    const second = await reopened.putFile(file);
    assert.notEqual(second, first);
    assert.equal((await reopened.readBytes(second)).toString(), 'int y;\n');
  });

  test('a corrupted cached output is not used: the job runs again and the result is right', async () => {
    using dir = tempDir();
    const cache = join(dir.path, 'store');
    const t = await shThunk(cache, 'echo fresh > out');
    const first = (await burstOk(['force', '-q', t], cache)).stdout.trim().split('\t')[1] as string;
    corrupt(await LocalStore.open(cache), first);
    const again = await burstOk(['force', '--cat', t, '--report', join(dir.path, 'r.json')], cache);
    assert.equal(again.stdout, 'fresh\n');
    assert.match(again.stderr, new RegExp(`object ${first} is corrupt`));
    const report = JSON.parse((await import('node:fs')).readFileSync(join(dir.path, 'r.json'), 'utf8'));
    assert.equal(report.executed, 1);
  });

  test('a corrupted input fails the run with the object named, and nothing is produced from it', async () => {
    using dir = tempDir();
    const cache = join(dir.path, 'store');
    const engine = await Engine.open({ cacheDir: cache });
    const input = await engine.addBytes('input data\n');
    const t = await shThunk(cache, 'cat in > out', { inputs: [`in=${input}`] });
    corrupt(engine.store, input);
    const r = await burst(['force', '--cat', t], cache);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, new RegExp(`object ${input} is corrupt`));
    assert.equal(await engine.reductionOf(t), undefined);
  });
});
