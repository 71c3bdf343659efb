/**
 * Hostile jobs against the local engine: outputs that point outside the
 * sandbox, and inputs a job tries to rewrite. Each case runs as the test's
 * own user (root in CI: jobs then run as nobody) and as an unprivileged user
 * running the whole CLI (setpriv), with and without --isolate.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { initHash } from '../engine/api';
import { CLI, collect, everyObjectIntact, tempDir, type CliResult } from './helpers';

const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;

interface Runner {
  label: string;
  /** The user who owns the store and the "outside" files: whoever runs burst. */
  uid: number;
  burst(args: string[]): Promise<CliResult>;
}

function runners(store: string): Runner[] {
  const direct: Runner = {
    label: asRoot ? 'as root (jobs run as nobody)' : 'as this user',
    uid: process.getuid?.() ?? 0,
    burst: (args) => collect(spawn(process.execPath, [CLI, '--cache-dir', store, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })),
  };
  if (!asRoot) return [direct];
  const user: Runner = {
    label: 'as an unprivileged user',
    uid: NOBODY,
    burst: (args) =>
      collect(
        spawn(
          'setpriv',
          [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, CLI, '--cache-dir', `${store}-user`, ...args],
          {
            env: { ...process.env, HOME: `${store}-home` },
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        ),
      ),
  };
  return [direct, user];
}

async function thunk(r: Runner, script: string, opts: { inputs?: string[]; outputs?: string[] } = {}): Promise<string> {
  const args = ['thunk', 'create', '--exe', '/bin/sh'];
  for (const i of opts.inputs ?? []) args.push('--input', i);
  for (const o of opts.outputs ?? ['out']) args.push('--output', o);
  const made = await r.burst([...args, '--', 'sh', '-c', script]);
  assert.equal(made.code, 0, made.stderr);
  return made.stdout.trim();
}

/** Every entry under the store's objects is a plain file (no link, no pipe), and none is the outside file. */
function onlyRegularObjects(store: string, outsideInode: number): void {
  const objects = join(store, 'objects');
  for (const entry of readdirSync(objects, { recursive: true, withFileTypes: true })) {
    const st = lstatSync(join(entry.parentPath, entry.name));
    assert.ok(st.isFile() || st.isDirectory(), `${join(entry.parentPath, entry.name)} is a plain file`);
    assert.notEqual(st.ino, outsideInode, `${entry.name} is not the outside file`);
  }
}

describe('job outputs that point outside the sandbox', () => {
  const dir = tempDir('burst-sandbox-');
  chmodSync(dir.path, 0o777);
  after(() => dir[Symbol.dispose]());
  const store = join(dir.path, 'store');
  for (const r of runners(store)) {
    {
      // Outputs are collected the same way under --isolate; these tricks need the host's ln and mkfifo, which an isolated job lacks.
      test(`${r.label}: links, a linked parent, a hard link and a pipe each fail the job, naming the output; the outside file is untouched`, async () => {
        const outside = join(dir.path, `outside-${r.uid}`);
        mkdirSync(outside, { recursive: true });
        const secret = join(outside, 'credentials');
        writeFileSync(secret, 'aws_secret_access_key = hunter2\n');
        chmodSync(secret, 0o600);
        chownSync(outside, r.uid, r.uid);
        // The job user's own file: the one a hard link can reach (protected_hardlinks allows only one's own files).
        chownSync(secret, asRoot && r.uid === 0 ? NOBODY : r.uid, asRoot && r.uid === 0 ? NOBODY : r.uid);
        const before = { bytes: readFileSync(secret), mode: statSync(secret).mode, ino: statSync(secret).ino };
        const tools = '/bin/';
        const cases: Array<{ script: string; outputs?: string[]; expect: RegExp }> = [
          { script: `${tools}ln -s ${secret} out`, expect: /output out is a symbolic link/ },
          { script: `${tools}ln -s ../../../../../../../..${secret} out`, expect: /output out is a symbolic link/ },
          { script: `${tools}ln -s /nonexistent/nothing out`, expect: /output out is a symbolic link/ },
          {
            script: `${tools}rmdir sub && ${tools}ln -s ${outside} sub`,
            outputs: ['sub/credentials'],
            expect: /output sub\/credentials is reached through a symbolic link/,
          },
          { script: `${tools}ln ${secret} out`, expect: /output out is a file with 2 names/ },
          { script: `/usr/bin/mkfifo out`, expect: /output out is a named pipe/ },
        ];
        for (const c of cases) {
          const t = await thunk(r, c.script, c.outputs ? { outputs: c.outputs } : {});
          const ran = await r.burst(['force', '--no-cache', t]);
          assert.equal(ran.code, 1, `${c.script}: ${ran.stderr}`);
          assert.match(ran.stderr, c.expect, c.script);
          const after = statSync(secret);
          assert.deepEqual(
            { bytes: readFileSync(secret), mode: after.mode, ino: after.ino },
            before,
            `${c.script}: the outside file is as it was`,
          );
        }
        onlyRegularObjects(r.uid === NOBODY && asRoot ? `${store}-user` : store, before.ino);
      });
    }
  }
});

/** Makes its input writable, rewrites it with bytes of the same size, and puts its times and mode back: static, so it runs under --isolate too. */
const VANDAL_C = `
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
int main(int argc, char **argv) {
  struct stat st;
  if (stat(argv[1], &st) != 0) { perror("stat"); return 2; }
  if (chmod(argv[1], 0644) != 0) { perror("chmod"); return 3; }
  int fd = open(argv[1], O_WRONLY);
  if (fd < 0) { perror("open"); return 4; }
  if (write(fd, "tampered\\n", 9) != 9) { perror("write"); return 5; }
  close(fd);
  struct timespec times[2] = { st.st_atim, st.st_mtim };
  utimensat(AT_FDCWD, argv[1], times, 0);
  chmod(argv[1], st.st_mode & 07777);
  FILE *out = fopen("out", "w");
  fputs("done\\n", out);
  fclose(out);
  return 0;
}
`;

describe('jobs that rewrite their inputs', () => {
  before(() => initHash());
  const dir = tempDir('burst-vandal-');
  chmodSync(dir.path, 0o777);
  after(() => dir[Symbol.dispose]());
  const store = join(dir.path, 'store');
  const vandal = join(dir.path, 'vandal');
  writeFileSync(`${vandal}.c`, VANDAL_C);
  execFileSync('gcc', ['-static', '-O1', '-o', vandal, `${vandal}.c`]);
  chmodSync(vandal, 0o755);
  for (const r of runners(store)) {
    for (const isolate of [false, true]) {
      test(`${r.label}${isolate ? ', --isolate' : ''}: no later reader sees the changed bytes under the old name`, async () => {
        const data = join(dir.path, `data-${r.uid}-${isolate}.txt`);
        writeFileSync(data, 'original\n');
        chmodSync(data, 0o644);
        const flags = ['--no-cache', ...(isolate ? ['--isolate'] : [])];
        const made = await r.burst([
          'thunk',
          'create',
          '--exe',
          vandal,
          '--input',
          `data.txt=${data}`,
          '--output',
          'out',
          '--',
          'vandal',
          'data.txt',
        ]);
        assert.equal(made.code, 0, made.stderr);
        const ran = await r.burst(['force', ...flags, made.stdout.trim()]);
        // Run as nobody by a root engine, it cannot even make the file writable; run as the store's owner, it rewrites its own copy.
        assert.equal(ran.code, r.uid === 0 && asRoot ? 1 : 0, `${ran.stdout}${ran.stderr}`);
        everyObjectIntact(r.uid === NOBODY && asRoot ? `${store}-user` : store);
        const reader = await thunk(r, 'while IFS= read -r l; do echo "$l"; done < data.txt > out', { inputs: [`data.txt=${data}`] });
        const read = await r.burst(['force', '--cat', ...flags, reader]);
        assert.equal(read.code, 0, read.stderr);
        assert.equal(read.stdout, 'original\n', 'the reader gets the bytes the name stands for');
        assert.equal(readFileSync(data, 'utf8'), 'original\n', 'the tree file was never touched');
      });
    }
  }
});

describe('the shared tool tree', () => {
  const dir = tempDir('burst-tree-');
  chmodSync(dir.path, 0o777);
  after(() => dir[Symbol.dispose]());
  const store = join(dir.path, 'store');
  const user = runners(store).at(-1) as Runner;

  test(`${user.label}: a job that changes a shipped tool fails naming it, and the next job gets a tree made again`, async () => {
    const vandal = await thunk(user, 'for f in _burst/bin/*; do /bin/chmod u+w "$f" && echo "#" >> "$f"; break; done; echo done > out');
    const ran = await user.burst(['force', '--no-cache', vandal]);
    assert.equal(ran.code, 1, ran.stderr);
    if (user.uid !== 0) assert.match(ran.stderr, /the job changed _burst\/bin\/\S+ in the shared tool tree/);
    const plain = await thunk(user, 'echo fine > out');
    const ok = await user.burst(['force', '--cat', '--no-cache', plain]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, 'fine\n');
  });
});

describe('what a job leaves behind', () => {
  const dir = tempDir('burst-contain-');
  after(() => dir[Symbol.dispose]());
  const store = join(dir.path, 'store');
  const direct = runners(store)[0] as Runner;

  test('daemons a job starts (setsid, double fork, another process group) end with the job', async () => {
    const script =
      '/usr/bin/setsid /bin/sleep 97.31 & ' +
      "( /usr/bin/setsid /bin/sh -c '/bin/sleep 97.32 & exit 0' & ) ; " +
      "/bin/sh -c 'set -m; /bin/sleep 97.33 &' ; " +
      'echo started > out';
    const t = await thunk(direct, script);
    const r = await direct.burst(['force', '--no-cache', t]);
    assert.equal(r.code, 0, r.stderr);
    const left = execFileSync('ps', ['-eo', 'args'])
      .toString()
      .split('\n')
      .filter((l) => /sleep 97\.3/.test(l));
    assert.deepEqual(left, [], 'nothing of the job is running');
  });

  test('a job writing 1 GB to stdout: memory and disk stay bounded, and the report says how much was cut', async () => {
    const t = await thunk(direct, '/usr/bin/head -c 1000000000 /dev/zero; echo done > out');
    const report = join(dir.path, 'report.json');
    const timed = spawn(
      '/usr/bin/time',
      ['-f', '%M', process.execPath, CLI, '--cache-dir', store, 'force', '--no-cache', '--report', report, t],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const r = await collect(timed);
    assert.equal(r.code, 0, r.stderr.slice(-2000));
    const maxRssKb = Number(r.stderr.trim().split('\n').at(-1));
    assert.ok(maxRssKb < 400_000, `the engine stayed under 400 MB (${maxRssKb} KB)`);
    const job = JSON.parse(readFileSync(report, 'utf8')).jobs[0] as { cutBytes?: number };
    assert.equal(job.cutBytes, 1_000_000_000 - (4 << 20), 'all but the 4 MiB kept');
  });
});

describe('memory', () => {
  const dir = tempDir('burst-memory-');
  chmodSync(dir.path, 0o777);
  after(() => dir[Symbol.dispose]());
  const store = join(dir.path, 'store');
  const direct = runners(store)[0] as Runner;

  test(
    'a job past its memory limit is stopped, tried once more, then fails naming the limit; its cgroup is gone',
    { skip: asRoot ? false : 'a memory cgroup per job needs root, or a delegated cgroup' },
    async () => {
      const t = await thunk(direct, `${process.execPath} -e "Buffer.alloc(700e6).fill(1)"; echo done > out`);
      const report = join(dir.path, 'report.json');
      const r = await direct.burst(['force', '--no-straggler', '--memory-limit', '256M', '--report', report, t]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /ran out of memory \(its limit, 256 MiB\), on two attempts/);
      const rep = JSON.parse(readFileSync(report, 'utf8')) as { failed: number; retried: number };
      assert.deepEqual([rep.failed, rep.retried], [1, 1]);
      // A job's cgroup is named by its shepherd's pid: one whose shepherd is gone was left behind (others may be another run's).
      const left = execFileSync('find', ['/sys/fs/cgroup', '-maxdepth', '6', '-name', 'burst-job-*'])
        .toString()
        .split('\n')
        .filter((d) => d && existsSync(`/proc/${d.split('burst-job-')[1]}`) === false);
      assert.deepEqual(left, [], 'no job cgroup is left');
      assert.doesNotMatch(r.stderr, /memory limits are not enforced/);
      // An ordinary user here cannot make memory cgroups: jobs run without a limit, and the run says so.
      const user = runners(store).at(-1) as Runner;
      const plain = await thunk(user, 'echo hi > out');
      const unlimited = await user.burst(['force', '--no-cache', '--memory-limit', '256M', plain]);
      assert.equal(unlimited.code, 0, unlimited.stderr);
      assert.match(unlimited.stderr, /warning: memory limits are not enforced on this machine: no memory cgroup can be made/);
      const fits = await thunk(direct, `${process.execPath} -e "Buffer.alloc(20e6).fill(1)"; echo fits > out`);
      const ok = await direct.burst(['force', '--cat', '--memory-limit', '256M', fits]);
      assert.equal(ok.stdout, 'fits\n', ok.stderr);
    },
  );
});
