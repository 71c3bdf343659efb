import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { spawn } from 'node:child_process';
import { CLI, burst, collect, sharedScratch, shThunk, tempDir } from './helpers';

// Shell builtins only: under --isolate nothing but the declared inputs exists, not even cat.
const COPY = (from: string) => `while IFS= read -r line; do echo "$line"; done < ${from} > out`;

describe('--isolate', () => {
  test('a job reading a file it did not declare fails, with the job named', async () => {
    using dir = tempDir();
    using scratch = sharedScratch();
    const cache = join(dir.path, 'store');
    const secret = join(scratch.path, 'undeclared.txt');
    writeFileSync(secret, 'found it\n');
    chmodSync(secret, 0o644);
    const t = await shThunk(cache, COPY(secret));

    const loose = await burst(['force', '--cat', '--no-cache', t], cache);
    assert.equal(loose.code, 0, 'without isolation the host file leaks in');
    assert.equal(loose.stdout, 'found it\n');

    const strict = await burst(['force', '--isolate', '--no-cache', t], cache);
    assert.equal(strict.code, 1);
    assert.match(strict.stderr, new RegExp(`FAILED sh \\(job ${t}\\)`));
    assert.match(strict.stderr, /undeclared\.txt/);
  });

  test('a job whose inputs are declared passes under isolation', async () => {
    using dir = tempDir();
    const cache = join(dir.path, 'store');
    const data = join(dir.path, 'data.txt');
    writeFileSync(data, 'declared\n');
    const t = await shThunk(cache, COPY('data.txt'), { inputs: [`data.txt=${data}`] });
    const r = await burst(['force', '--isolate', '--cat', t], cache);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'declared\n');
  });

  test('a job cannot change the store through its inputs', async () => {
    using dir = tempDir();
    const cache = join(dir.path, 'store');
    const data = join(dir.path, 'data.txt');
    writeFileSync(data, 'original\n');
    const vandal = await shThunk(cache, 'echo vandal >> data.txt && echo done > out', { inputs: [`data.txt=${data}`] });
    const r = await burst(['force', vandal], cache);
    assert.equal(r.code, 1, 'the write to an input fails, so the job fails');
    assert.match(r.stderr, /data.txt: Permission denied/);
    const reader = await shThunk(cache, COPY('data.txt'), { inputs: [`data.txt=${data}`] });
    const after = await burst(['force', '--cat', reader], cache);
    assert.equal(after.stdout, 'original\n');
  });
});

describe('--isolate without root', () => {
  const asRoot = process.getuid?.() === 0;
  test(
    'runs the job in an unprivileged user namespace',
    { skip: asRoot ? false : 'already unprivileged: the tests above cover it' },
    async () => {
      using dir = tempDir();
      chmodSync(dir.path, 0o777);
      const data = join(dir.path, 'data.txt');
      writeFileSync(data, 'from a user namespace\n');
      chmodSync(data, 0o644);
      const cache = join(dir.path, 'store');
      const env = { HOME: dir.path };
      // setpriv drops to nobody for the whole CLI, the way an ordinary user runs it.
      const asNobody = (args: string[]) =>
        collect(
          spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, '--cache-dir', cache, ...args], {
            env: { ...process.env, ...env },
            stdio: ['ignore', 'pipe', 'pipe'],
          }),
        );
      const created = await asNobody([
        'thunk',
        'create',
        '--exe',
        '/bin/sh',
        '--input',
        `data.txt=${data}`,
        '--',
        'sh',
        '-c',
        COPY('data.txt'),
      ]);
      assert.equal(created.code, 0, created.stderr);
      const r = await asNobody(['force', '--isolate', '--cat', created.stdout.trim()]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'from a user namespace\n');
    },
  );
});
