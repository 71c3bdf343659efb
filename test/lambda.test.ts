/**
 * The Lambda backend against real servers on 127.0.0.1: s3rver for S3 and
 * serverless-offline for Invoke, running the worker bundle. Real builds
 * (lua, zlib) give the same bytes as plain make; results are shared through
 * the bucket; corrupt objects, throttling and dropped invocations are
 * survived; jobs Lambda cannot take run locally and say why; `burst deploy`
 * is checked against a loopback control-plane API (test/lib/fakeLambdaApi.ts:
 * no emulator implements CreateFunction).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { initHash, nameOfBytes, type RunReport } from '../engine/api';
import { hostArchitecture } from '../engine/aws/config';
import { GUARD_FILE } from '../engine/aws/guard';
import { LAUNCHER_FILE } from '../engine/aws/protocol';
import { readElf } from '../engine/exec/elf';
import { burst, copyTree, debianSource, differingFiles, placeholdersUnder, readJson, run, tempDir, type CliResult } from './helpers';
import { startFakeLambdaApi } from './lib/fakeLambdaApi';
import { startFaultyProxy } from './lib/faultyProxy';
import { startLocalAws, WORKER_BUNDLE, type LocalAws } from './lib/localAws';

const work = tempDir('burst-lambda-');
let aws: LocalAws;
let reportCount = 0;

async function lambdaBuild(
  tree: string,
  store: string,
  command: string[],
  extra: string[] = [],
  env: Record<string, string> = {},
): Promise<CliResult & { report: RunReport }> {
  const reportFile = join(work.path, `report-${reportCount++}.json`);
  const r = await burst(['build', '--report', reportFile, ...extra, '--', ...command], store, { cwd: tree, env: { ...aws.env, ...env } });
  let report: RunReport;
  try {
    report = readJson<RunReport>(reportFile);
  } catch {
    throw new Error(`no report; exit ${r.code}\n${r.stderr}`);
  }
  return { ...r, report };
}

/** The bytes the test bucket holds: every object (outputs the workers put included) and every shared result. */
function bucketObjectBytes(): number {
  return ['objects', 'reductions'].reduce((total, kind) => {
    const dir = join(aws.s3Dir, aws.bucket, kind);
    return readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('._S3rver_object'))
      .reduce((n, f) => n + statSync(join(dir, f)).size, total);
  }, 0);
}

function luaOutputs(tree: string): string[] {
  return [...readdirSync(join(tree, 'src')).filter((f) => f.endsWith('.o') || f.endsWith('.a')), 'lua', 'luac'].map((f) => join('src', f));
}

/** A two-file C program: small enough to build in a second, real enough to compile, assemble and link. */
function smallProject(dir: string, salt: string): string {
  execFileSync('mkdir', ['-p', dir]);
  writeFileSync(join(dir, 'greet.c'), `#include <stdio.h>\nvoid greet(const char *who) { printf("hello, %s (${salt})\\n", who); }\n`);
  writeFileSync(join(dir, 'main.c'), 'void greet(const char *who);\nint main(void) { greet("lambda"); return 0; }\n');
  return dir;
}
/** Every file the loopback S3 server keeps, with a digest of its bytes. */
function bucketSnapshot(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(aws.s3Dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const path = join(e.parentPath, e.name);
    out[path] = createHash('sha256').update(readFileSync(path)).digest('hex');
  }
  return out;
}

/** How many processes run this program now (Linux /proc). */
function processesRunning(program: string): number {
  let n = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readlinkSync(`/proc/${pid}/exe`) === program) n++;
    } catch {
      // gone, or not ours to read
    }
  }
  return n;
}

function unzipEntry(zip: string, entry: string): Buffer {
  return execFileSync('unzip', ['-p', zip, entry], { maxBuffer: 64 << 20 });
}

const SMALL_BUILD = ['gcc', '-O2', '-o', 'hello', 'main.c', 'greet.c'];

describe('the Lambda backend on loopback S3 and Lambda servers', () => {
  let plainLua: string;
  before(async () => {
    aws = await startLocalAws();
    plainLua = copyTree(debianSource('lua5.4'), join(work.path, 'lua-plain'));
    const made = await run('make', ['-j2', 'linux'], plainLua);
    assert.equal(made.code, 0, made.stderr);
  });
  after(async () => {
    await aws?.stop();
    work[Symbol.dispose]();
  });

  test('lua builds on Lambda, byte-identical to plain make', async () => {
    const tree = copyTree(debianSource('lua5.4'), join(work.path, 'lua'));
    const r = await lambdaBuild(tree, join(work.path, 'store-a'), ['make', '-j2', 'linux']);
    assert.equal(r.code, 0, r.stderr);
    const outputs = luaOutputs(plainLua);
    assert.equal(outputs.length, 37);
    assert.deepEqual(differingFiles(plainLua, tree, outputs), []);
    assert.deepEqual(placeholdersUnder(tree), []);
    // A straggler's slower copy may finish too: its results reach the bucket, and the job it fed is then a cache hit from there.
    assert.ok(
      (r.report.byBackend.lambda ?? 0) + r.report.cached >= 70,
      `jobs on Lambda: ${JSON.stringify(r.report.byBackend)}, from the bucket: ${r.report.cached}`,
    );
    assert.deepEqual(r.report.ranLocally, []);
    assert.ok(r.report.bytesUploaded > 0);
    // Each object leaves this machine about once (inside a request or put in the bucket), not once per job that needs it.
    const inBucket = bucketObjectBytes();
    assert.ok(r.report.bytesUploaded <= inBucket, `uploaded ${r.report.bytesUploaded} bytes; the bucket holds ${inBucket}`);
    // Each compile's assembly runs right after it, in the same invocation: one request per source file, not two.
    const followOns = r.report.jobs.filter((j) => j.ranWith !== undefined);
    assert.ok(
      followOns.length >= 30 && followOns.every((j) => j.program === 'as' && j.backend === 'lambda'),
      JSON.stringify(followOns.map((j) => j.program)),
    );
    assert.ok(r.report.cost && r.report.cost.usd > 0, JSON.stringify(r.report.cost));
    assert.ok(
      r.report.cost.lambdaRequests <= (r.report.byBackend.lambda ?? 0) - followOns.length + r.report.retried + r.report.duplicated,
      JSON.stringify(r.report.cost),
    );
    const onLambda = r.report.jobs.filter((j) => j.backend === 'lambda' && j.outcome === 'ok');
    assert.ok(
      onLambda.every((j) => j.transferMs !== undefined && j.transferMs >= 0 && j.transferMs <= j.end - j.start + 1),
      'each Lambda job says how long it spent moving data',
    );
    assert.ok(
      onLambda.some((j) => (j.transferMs ?? 0) > 0),
      'the first jobs upload the compiler',
    );
    const lua = await run(join(tree, 'src', 'lua'), ['-e', 'print(("x"):rep(3))'], tree);
    assert.equal(lua.stdout, 'xxx\n');
    assert.ok(
      processesRunning(realpathSync(join(aws.functionDir, LAUNCHER_FILE))) > 0,
      `the worker starts its jobs through the launcher its zip ships (${aws.launcher})`,
    );
    const secret = aws.env.AWS_SECRET_ACCESS_KEY as string;
    assert.equal(`${r.stdout}${r.stderr}${JSON.stringify(r.report)}`.includes(secret), false, 'no credential in the output or the report');
  });

  test('a clean tree with an empty local cache and the same bucket runs no job and uploads nothing', async () => {
    const tree = copyTree(debianSource('lua5.4'), join(work.path, 'lua-again'));
    const r = await lambdaBuild(tree, join(work.path, 'store-b'), ['make', '-j2', 'linux']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.report.executed, 0);
    assert.equal(r.report.bytesUploaded, 0);
    assert.ok(r.report.cached >= 70);
    assert.deepEqual(differingFiles(plainLua, tree, luaOutputs(plainLua)), []);
  });

  test('zlib: configure runs for real, the build runs on Lambda, and make test passes', async () => {
    const tree = copyTree(debianSource('zlib'), join(work.path, 'zlib'));
    assert.equal((await run('./configure', [], tree)).code, 0);
    const r = await lambdaBuild(tree, join(work.path, 'store-a'), ['make', '-j2']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok((r.report.byBackend.lambda ?? 0) > 0);
    const t = await run('make', ['test'], tree);
    assert.equal(t.code, 0, t.stdout + t.stderr);
    assert.match(t.stdout, /\*\*\* zlib test OK \*\*\*/);
    assert.match(t.stdout, /\*\*\* zlib shared test OK \*\*\*/);
  });

  test('an object corrupted in the bucket is found by the worker, named, and not used', async () => {
    const dir = smallProject(join(work.path, 'corrupt'), 'corrupt');
    const store = join(work.path, 'store-a');
    // The compiler is the largest object in the bucket: damage its middle, keeping its size.
    const objects = join(aws.s3Dir, aws.bucket, 'objects');
    const files = readdirSync(objects).filter((f) => f.endsWith('._S3rver_object'));
    const biggest = files.map((f) => ({ f, size: statSync(join(objects, f)).size })).sort((a, b) => b.size - a.size)[0];
    assert.ok(biggest && biggest.size > 10 << 20, 'the compiler was uploaded by the builds above');
    const name = biggest.f.replace('._S3rver_object', '');
    const fd = openSync(join(objects, biggest.f), 'r+');
    writeSync(fd, Buffer.from('corrupted by the test'), 0, 21, Math.floor(biggest.size / 2));
    closeSync(fd);
    // A worker with an empty cache, and no cached results: the compile must fetch the compiler from the bucket.
    const r = await lambdaBuild(dir, store, SMALL_BUILD, ['--no-cache'], { BURST_FUNCTION: aws.freshFunction });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`${name} is corrupt`));
    assert.ok(r.report.retried >= 1);
    assert.equal((await run(join(dir, 'hello'), [], dir)).stdout, 'hello, lambda (corrupt)\n');
    const repaired = readFileSync(join(objects, biggest.f));
    assert.equal(repaired.includes(Buffer.from('corrupted by the test')), false, 'the bad copy in the bucket was replaced');
  });

  test('an output kept only in the bucket and found corrupt there is made again', async () => {
    const first = smallProject(join(work.path, 'repair-a'), 'repair');
    const r1 = await lambdaBuild(first, join(work.path, 'store-a'), SMALL_BUILD);
    assert.equal(r1.code, 0, r1.stderr);
    await initHash();
    const name = nameOfBytes('V', readFileSync(join(first, 'hello')));
    const file = join(aws.s3Dir, aws.bucket, 'objects', `${name}._S3rver_object`);
    const bytes = readFileSync(file);
    bytes.write('corrupted', 100);
    writeFileSync(file, bytes);
    // Another machine: the same sources, an empty local cache, the same bucket. Every result is shared; the program's bytes are bad.
    const second = smallProject(join(work.path, 'repair-b'), 'repair');
    const r2 = await lambdaBuild(second, join(work.path, 'store-repair'), SMALL_BUILD);
    assert.equal(r2.code, 0, r2.stderr);
    assert.match(
      r2.stderr,
      new RegExp(
        `object ${name} is corrupt: the copy at s3://${aws.bucket}/objects/${name} does not match its name \\(the job that made it runs again\\)`,
      ),
    );
    assert.deepEqual(
      r2.report.jobs.map((j) => j.program),
      ['ld'],
      'only the link runs again',
    );
    assert.equal((await run(join(second, 'hello'), [], second)).stdout, 'hello, lambda (repair)\n');
    assert.ok(readFileSync(file).equals(readFileSync(join(first, 'hello'))), 'the bucket holds good bytes again');
  });

  test('an input held only in the bucket and lost there is made again by the job that made it', async () => {
    const first = smallProject(join(work.path, 'lost-a'), 'lost');
    const r1 = await lambdaBuild(first, join(work.path, 'store-a'), [
      'sh',
      '-c',
      'gcc -O2 -c main.c greet.c && gcc -o hello main.o greet.o',
    ]);
    assert.equal(r1.code, 0, r1.stderr);
    // greet.o (an ELF relocatable file with its string), gone from the bucket as an expiry rule or a clean-up would leave it
    const objects = join(aws.s3Dir, aws.bucket, 'objects');
    const lost = readdirSync(objects).find((f) => {
      if (!f.endsWith('._S3rver_object')) return false;
      const b = readFileSync(join(objects, f));
      return b.length > 18 && b.readUInt32BE(0) === 0x7f454c46 && b.readUInt16LE(16) === 1 && b.includes('hello, %s (lost)');
    });
    assert.ok(lost, 'the first build put greet.o in the bucket');
    for (const f of readdirSync(objects).filter((f) => f.startsWith(lost.replace('._S3rver_object', '')))) rmSync(join(objects, f));
    // Another machine links otherwise, twice (jobs never run), its compiles' results shared: both links need the lost object.
    const second = smallProject(join(work.path, 'lost-b'), 'lost');
    const links = 'gcc -O2 -c main.c greet.c && gcc -s -o hello main.o greet.o && gcc -Wl,-O1 -o hello-b main.o greet.o';
    const r2 = await lambdaBuild(second, join(work.path, 'store-lost'), ['sh', '-c', links], [], { BURST_FUNCTION: aws.freshFunction });
    assert.equal(r2.code, 0, r2.stderr);
    const name = lost.replace('._S3rver_object', '');
    assert.match(
      r2.stderr,
      new RegExp(
        `object ${name} is missing or damaged in s3://${aws.bucket}/, with no copy on this machine \\(the job that made it runs again\\)`,
      ),
    );
    assert.deepEqual(
      r2.report.jobs
        .filter((j) => j.outcome === 'ok')
        .map((j) => j.program)
        .sort(),
      ['as', 'ld', 'ld'],
      'greet.c is assembled again, once, then linked twice',
    );
    for (const program of ['hello', 'hello-b'])
      assert.equal((await run(join(second, program), [], second)).stdout, 'hello, lambda (lost)\n');
    assert.ok(readdirSync(objects).includes(lost), 'the bucket holds the object again');
    // Once more, linking otherwise again, every job too big for Lambda: the local pool looks for the lost object in the bucket.
    for (const f of readdirSync(objects).filter((f) => f.startsWith(name))) rmSync(join(objects, f));
    const third = smallProject(join(work.path, 'lost-c'), 'lost');
    const localLinks = links.replace('-s ', '-Wl,--as-needed ').replace('-Wl,-O1', '-Wl,-O2');
    const r3 = await lambdaBuild(third, join(work.path, 'store-lost-local'), ['sh', '-c', localLinks], ['--max-input-bytes', '1']);
    assert.equal(r3.code, 0, r3.stderr);
    assert.match(r3.stderr, new RegExp(`object ${name} is missing or damaged in s3://${aws.bucket}/`));
    assert.deepEqual(
      r3.report.ranLocally.map((j) => j.program).sort(),
      ['as', 'ld', 'ld'],
      'greet.c assembled again, here, then linked twice',
    );
    for (const program of ['hello', 'hello-b']) assert.equal((await run(join(third, program), [], third)).stdout, 'hello, lambda (lost)\n');
  });

  test('lost objects made again in a chain (an archive and the object in it), one job at a time', async () => {
    const makefile = [
      'greet.o: greet.c\n\tgcc -O2 -c greet.c',
      'main.o: main.c\n\tgcc -O2 -c main.c',
      'libg.a: greet.o\n\tar rcs libg.a greet.o && ranlib libg.a', // ranlib gives the bytes ar gave
      'hello: main.o libg.a\n\tgcc $(LDFLAGS) -o hello main.o libg.a',
      'hello-b: main.o libg.a\n\tgcc $(LDFLAGS) -Wl,-O1 -o hello-b main.o libg.a',
    ].join('\n');
    const project = (name: string): string => {
      const dir = smallProject(join(work.path, name), 'chain');
      writeFileSync(join(dir, 'Makefile'), `${makefile}\n`);
      return dir;
    };
    const first = project('chain-a');
    const r1 = await lambdaBuild(first, join(work.path, 'store-a'), ['make', 'hello']);
    assert.equal(r1.code, 0, r1.stderr);
    const objects = join(aws.s3Dir, aws.bucket, 'objects');
    const holding = (bytes: string): string[] =>
      readdirSync(objects).filter((f) => f.endsWith('._S3rver_object') && readFileSync(join(objects, f)).includes(bytes));
    const lost = [
      ...holding('!<arch>\n').filter((f) => readFileSync(join(objects, f)).includes('hello, %s (chain)')),
      ...holding('hello, %s (chain)'),
    ];
    assert.ok(lost.length >= 2, 'the archive and greet.o are in the bucket');
    for (const f of new Set(lost))
      for (const g of readdirSync(objects).filter((g) => g.startsWith(f.replace('._S3rver_object', '')))) rmSync(join(objects, g));
    const second = project('chain-b');
    const r2 = await lambdaBuild(second, join(work.path, 'store-chain'), ['make', 'LDFLAGS=-s', 'hello', 'hello-b'], [], {
      BURST_FUNCTION: aws.freshFunction,
      BURST_CONCURRENCY: '1',
    });
    assert.equal(r2.code, 0, r2.stderr);
    const ran = r2.report.jobs.filter((j) => j.outcome === 'ok').map((j) => j.program);
    for (const program of ['as', 'ar'])
      assert.equal(ran.filter((p) => p === program).length, 1, `${program} runs again once: ${ran.join(' ')}`);
    assert.ok(
      r2.report.executed + r2.report.cached <= r2.report.thunks,
      `a job made again counts once: ${r2.report.executed} run, ${r2.report.cached} cached of ${r2.report.thunks}`,
    );
    for (const program of ['hello', 'hello-b'])
      assert.equal((await run(join(second, program), [], second)).stdout, 'hello, lambda (chain)\n');
  });

  test('burst test runs each test as a Lambda job: a failure at its line, a pass, and the report says where they ran', async () => {
    const dir = join(work.path, 'tests-on-lambda');
    execFileSync('mkdir', ['-p', join(dir, 'test')]);
    writeFileSync(join(dir, 'test', 'ok.sh'), '[ "$(uname -s)" = Linux ]\n');
    writeFileSync(join(dir, 'test', 'bad.sh'), 'echo "test/bad.sh:2: expected 4, got 5"\nexit 1\n');
    writeFileSync(join(dir, '.burst.json'), JSON.stringify({ tests: [{ adapter: 'generic', files: 'test/*.sh', command: 'sh {file}' }] }));
    const file = join(work.path, 'tests-on-lambda.json');
    const r = await burst(['test', '--backend', 'lambda', '--report', file], join(work.path, 'store-tests'), { cwd: dir, env: aws.env });
    assert.equal(r.code, 1, r.stderr);
    const report = readJson<RunReport & { tests: Array<{ name: string; status: string; failureFile?: string; failureLine?: number }> }>(
      file,
    );
    const status = Object.fromEntries(report.tests.map((t) => [t.name, [t.status, t.failureFile, t.failureLine]]));
    assert.deepEqual(status, { 'test/bad.sh': ['failed', 'test/bad.sh', 2], 'test/ok.sh': ['passed', undefined, undefined] });
    assert.ok((report.byBackend.lambda ?? 0) >= 2 && report.ranLocally.length === 0, JSON.stringify([report.byBackend, report.ranLocally]));
  });

  test('a job past its timeout on Lambda is stopped by the worker, tried once more, then fails naming its limit', async () => {
    const store = join(work.path, 'store-timeout');
    const made = await burst(
      [
        'thunk',
        'create',
        '--exe',
        '/bin/sh',
        '--timeout',
        '2',
        '--output',
        'out',
        '--',
        'sh',
        '-c',
        'i=0; while [ $i -lt 100000000 ]; do i=$((i+1)); done; echo late > out',
      ],
      store,
    );
    assert.equal(made.code, 0, made.stderr);
    const file = join(work.path, 'timeout.json');
    const r = await burst(['force', '--backend', 'lambda', '--no-straggler', '--report', file, made.stdout.trim()], store, {
      env: aws.env,
    });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /on Lambda: timed out after 2\.0 s \(its timeout\), on two attempts/);
    const report = readJson<RunReport>(file);
    assert.deepEqual([report.failed, report.retried], [1, 1]);
  });

  test('a job the worker refuses (storage it does not serve) fails the run, counted, with the cause', async () => {
    const store = join(work.path, 'store-refused');
    const made = await burst(['thunk', 'create', '--exe', '/bin/sh', '--output', 'out', '--', 'sh', '-c', 'echo hi > out'], store);
    assert.equal(made.code, 0, made.stderr);
    const file = join(work.path, 'refused.json');
    // The same S3 server under another name: the worker serves only the endpoint it was deployed with.
    const elsewhere = (aws.env.BURST_S3_ENDPOINT as string).replace('127.0.0.1', 'localhost');
    const r = await burst(['force', '--backend', 'lambda', '--report', file, made.stdout.trim()], store, {
      env: { ...aws.env, BURST_S3_ENDPOINT: elsewhere },
    });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`the Lambda worker refused the job: this worker uses the S3 endpoint .*, not ${elsewhere}`));
    assert.match(r.stderr, /1 failed/);
    assert.equal(readJson<RunReport>(file).failed, 1);
  });

  test('a worker the runtime stops (X-Amz-Function-Error) is tried once more; stopped twice, the job fails naming why', async () => {
    const store = join(work.path, 'store-function-error');
    const made = await burst(['thunk', 'create', '--exe', '/bin/sh', '--output', 'out', '--', 'sh', '-c', 'echo survived > out'], store);
    assert.equal(made.code, 0, made.stderr);
    const once = await startFaultyProxy(aws.lambdaPort, ['timeout']);
    try {
      const r = await burst(['force', '--backend', 'lambda', '--cat', made.stdout.trim()], store, {
        env: { ...aws.env, BURST_LAMBDA_ENDPOINT: once.endpoint },
      });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'survived\n');
      assert.match(r.stderr, /retrying sh \(the Lambda worker failed \(Unhandled\): Task timed out after 300\.00 seconds\)/);
    } finally {
      await once.close();
    }
    const twice = await startFaultyProxy(aws.lambdaPort, ['timeout', 'timeout']);
    try {
      const r = await burst(['force', '--backend', 'lambda', '--no-cache', made.stdout.trim()], store, {
        env: { ...aws.env, BURST_LAMBDA_ENDPOINT: twice.endpoint },
      });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /Task timed out after 300\.00 seconds, on two attempts/);
      assert.deepEqual(twice.served, ['timeout', 'timeout'], 'not tried a third time');
    } finally {
      await twice.close();
    }
  });

  test('a read-only client builds with the shared results, runs what changed here, and leaves the bucket byte-for-byte unchanged', async () => {
    const writer = smallProject(join(work.path, 'ro-writer'), 'read-only');
    const w = await lambdaBuild(writer, join(work.path, 'store-ro-writer'), SMALL_BUILD);
    assert.equal(w.code, 0, w.stderr);
    const before = bucketSnapshot();
    const reader = smallProject(join(work.path, 'ro-reader'), 'read-only');
    const r = await lambdaBuild(reader, join(work.path, 'store-ro-reader'), SMALL_BUILD, ['--read-only']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.report.executed, 0, 'every job came from the shared cache');
    assert.deepEqual(readFileSync(join(reader, 'hello')), readFileSync(join(writer, 'hello')));
    writeFileSync(join(reader, 'greet.c'), `${readFileSync(join(reader, 'greet.c'), 'utf8')}/* changed here */\n`);
    const changed = await lambdaBuild(reader, join(work.path, 'store-ro-reader'), SMALL_BUILD, ['--read-only']);
    assert.equal(changed.code, 0, changed.stderr);
    assert.ok(changed.report.executed > 0 && (changed.report.byBackend.lambda ?? 0) === 0, JSON.stringify(changed.report.byBackend));
    assert.ok(changed.report.ranLocally.every((l) => /read-only/.test(l.reason)));
    assert.equal((await run(join(reader, 'hello'), [], reader)).stdout, 'hello, lambda (read-only)\n');
    assert.deepEqual(bucketSnapshot(), before, 'nothing in the bucket changed');
  });

  test('throttled, failing and dropped invocations are retried and the build completes', async () => {
    const proxy = await startFaultyProxy(aws.lambdaPort, ['throttle', 'error', 'drop', 'pass', 'throttle']);
    try {
      const dir = smallProject(join(work.path, 'faults'), 'faults');
      const r = await lambdaBuild(dir, join(work.path, 'store-a'), SMALL_BUILD, ['--no-cache', '--retries', '6'], {
        BURST_LAMBDA_ENDPOINT: proxy.endpoint,
      });
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.report.retried >= 4, `retried ${r.report.retried}; served ${proxy.served.join(',')}`);
      assert.equal((await run(join(dir, 'hello'), [], dir)).stdout, 'hello, lambda (faults)\n');
    } finally {
      await proxy.close();
    }
  });

  test('jobs whose inputs exceed the Lambda limit run locally, and the report says why', async () => {
    const dir = smallProject(join(work.path, 'limit'), 'limit');
    const r = await lambdaBuild(dir, join(work.path, 'store-a'), SMALL_BUILD, ['--no-cache', '--max-input-bytes', String(12 << 20)]);
    assert.equal(r.code, 0, r.stderr);
    const local = r.report.ranLocally;
    assert.equal(local.filter((l) => l.program === 'cc1').length, 2, JSON.stringify(local));
    assert.ok(
      local.every((l) => /its inputs are [\d.]+ MB, over the 12.0 MB/.test(l.reason)),
      JSON.stringify(local),
    );
    assert.ok(
      r.report.jobs.some((j) => j.backend === 'lambda' && j.program === 'as'),
      'the assembler still ran on Lambda',
    );
    assert.ok(r.report.jobs.filter((j) => j.program === 'cc1').every((j) => j.backend === 'local' && j.reason));
    assert.equal((await run(join(dir, 'hello'), [], dir)).stdout, 'hello, lambda (limit)\n');
    // With a limit nothing meets, even the link runs here, and explain says why.
    const all = smallProject(join(work.path, 'limit-all'), 'limit-all');
    const none = await lambdaBuild(all, join(work.path, 'store-a'), SMALL_BUILD, ['--max-input-bytes', '1']);
    assert.equal(none.code, 0, none.stderr);
    assert.ok(none.report.executed >= 3 && none.report.byBackend.lambda === undefined, JSON.stringify(none.report.byBackend));
    const explained = await burst(['explain', join(all, 'hello')], join(work.path, 'store-a'), { cwd: all });
    assert.match(explained.stdout, /why there: not on the chosen remote backend: its inputs are [\d.]+ MB, over the 0.0 MB/);
    // Those results went to the bucket too: a teammate with the same bucket and an empty cache runs nothing.
    rmSync(join(all, 'hello'));
    const teammate = await lambdaBuild(all, join(work.path, 'store-teammate'), SMALL_BUILD);
    assert.equal(teammate.code, 0, teammate.stderr);
    assert.equal(teammate.report.executed, 0, JSON.stringify(teammate.report.byBackend));
    assert.equal((await run(join(all, 'hello'), [], all)).stdout, 'hello, lambda (limit-all)\n');
  });

  test('a job for another architecture, or running a program it does not carry, runs locally and says why', async () => {
    const store = join(work.path, 'store-a');
    // An ELF header for aarch64 (e_machine 183): enough for the check, never run.
    const arm = Buffer.alloc(64);
    arm.writeUInt32BE(0x7f454c46, 0);
    arm[4] = 2;
    arm[5] = 1;
    arm.writeUInt16LE(183, 18);
    const armFile = join(work.path, 'tool-arm64');
    writeFileSync(armFile, arm, { mode: 0o755 });
    const create = async (args: string[]): Promise<string> => {
      const r = await burst(['thunk', 'create', ...args], store, { env: aws.env });
      assert.equal(r.code, 0, r.stderr);
      return r.stdout.trim();
    };
    const foreign = await create([
      '--exe',
      '/bin/sh',
      '--input',
      `tool=${armFile}`,
      '--executable',
      'tool',
      '--output',
      'out',
      '--',
      'sh',
      '-c',
      'echo foreign > out',
    ]);
    const unshipped = await create(['--output', 'out', '--', '/bin/sh', '-c', 'echo unshipped > out']);
    const reportFile = join(work.path, 'fallbacks.json');
    const r = await burst(['force', '--report', reportFile, '--cat', foreign, unshipped], store, { env: aws.env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /foreign/);
    assert.match(r.stdout, /unshipped/);
    const reasons = readJson<RunReport>(reportFile)
      .ranLocally.map((l) => l.reason)
      .sort();
    assert.equal(reasons.length, 2, JSON.stringify(reasons));
    assert.match(reasons[0] as string, /^it runs \/bin\/sh, a program of this machine that the job does not carry$/);
    assert.match(reasons[1] as string, /^tool is built for arm64; the function runs on x86_64$/);
  });

  test('a job that waits only for another runs in the same invocation, and its failure is its own', async () => {
    const store = join(work.path, 'store-follow-on');
    const create = async (args: string[]): Promise<string> => {
      const r = await burst(['thunk', 'create', '--exe', '/bin/sh', ...args], store, { env: aws.env });
      assert.equal(r.code, 0, r.stderr);
      return r.stdout.trim();
    };
    const force = async (job: string, report: string): Promise<CliResult & { report: RunReport }> => {
      const r = await burst(['force', '--report', report, '--cat', job], store, { env: aws.env });
      return { ...r, report: readJson<RunReport>(report) };
    };
    const fresh = `${process.pid}-${Date.now()}`; // jobs no earlier run put in the bucket
    const made = await create(['--output', 'out', '--', 'sh', '-c', `echo made ${fresh} > out`]);
    const doubled = await create(['--input', `in=${made}#out`, '--', 'sh', '-c', 'cat in in > out']);
    const ok = await force(doubled, join(work.path, 'follow-on.json'));
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, `made ${fresh}\nmade ${fresh}\n`);
    const second = ok.report.jobs.find((j) => j.program === 'sh' && j.ranWith !== undefined);
    assert.equal(second?.ranWith, made, JSON.stringify(ok.report.jobs));
    assert.equal(ok.report.executed, 2);
    assert.equal(ok.report.cost?.lambdaRequests, 1, 'both jobs in one invocation');
    // Results are shared under the names jobs run under: the bucket is asked for the first job's, and for neither name of the second.
    const s3Log = readFileSync(join(dirname(aws.s3Dir), 's3rver.log'), 'utf8');
    assert.match(s3Log, new RegExp(`reductions/${made} 404`));
    assert.doesNotMatch(s3Log, new RegExp(`reductions/${doubled} `), 'a name with a job among its inputs is never shared');
    assert.doesNotMatch(s3Log, new RegExp(`reductions/${second?.name} 404`), 'the worker runs the follow-on without asking first');

    const madeToo = await create(['--output', 'out', '--', 'sh', '-c', `echo made ${fresh} again > out`]);
    const failing = await create(['--input', `in=${madeToo}#out`, '--', 'sh', '-c', 'cat in >&2; exit 3']);
    const bad = await force(failing, join(work.path, 'follow-on-failed.json'));
    assert.equal(bad.code, 1, bad.stdout);
    assert.match(bad.stderr, new RegExp(`made ${fresh} again`));
    const failed = bad.report.jobs.find((j) => j.outcome === 'failed');
    assert.equal(failed?.exitCode, 3);
    assert.equal(failed?.ranWith, madeToo);
    assert.equal(bad.report.cost?.lambdaRequests, 1);

    // A feeder with job inputs of its own runs under another name once they are known (a compile of a generated header): it still takes its follow-on.
    const generated = await create(['--output', 'out', '--', 'sh', '-c', `echo generated ${fresh} > out`]);
    assert.equal((await force(generated, join(work.path, 'generated.json'))).code, 0);
    const compiled = await create(['--input', `g=${generated}#out`, '--output', 'out', '--', 'sh', '-c', 'cat g g > out']);
    const assembled = await create(['--input', `in=${compiled}#out`, '--', 'sh', '-c', 'cat in > out']);
    const chain = await force(assembled, join(work.path, 'follow-on-chain.json'));
    assert.equal(chain.code, 0, chain.stderr);
    assert.equal(chain.stdout, `generated ${fresh}\ngenerated ${fresh}\n`);
    assert.equal(chain.report.cost?.lambdaRequests, 1, JSON.stringify(chain.report.jobs));
    assert.ok(chain.report.jobs.some((j) => j.ranWith !== undefined));
  });

  test('burst deploy creates, then updates, then changes nothing; its zip holds the worker these tests ran', async () => {
    const api = await startFakeLambdaApi();
    const deployArgs = (extra: string[]): string[] => [
      'deploy',
      '--bucket',
      'deployed-bucket',
      '--function',
      'burst-worker',
      '--lambda-endpoint',
      api.endpoint,
      '--role',
      'arn:aws:iam::123456789012:role/burst',
      ...extra,
    ];
    const env = { ...aws.env, BURST_LAMBDA_ENDPOINT: '', BURST_FUNCTION: '', BURST_BUCKET: '' };
    const cache = join(work.path, 'store-deploy');
    try {
      const first = await burst(deployArgs([]), cache, { env });
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /bucket deployed-bucket: created/);
      assert.match(first.stdout, /function burst-worker: created \(nodejs22\.x, x86_64, 3008 MB, 300 s\)/);
      const created = api.requests.filter((q) => q.method === 'POST');
      assert.equal(created.length, 1);
      assert.equal(created[0]?.body.Handler, 'index.handler');
      assert.deepEqual(created[0]?.body.Architectures, ['x86_64']);
      assert.equal(created[0]?.body.Role, 'arn:aws:iam::123456789012:role/burst');
      assert.ok(
        api.requests.every((q) => q.authorization.includes('Credential=S3RVER/')),
        'signed with the default credential chain',
      );
      const zip = join(work.path, 'deployed.zip');
      writeFileSync(zip, api.code.get('burst-worker') as Buffer);
      const handler = unzipEntry(zip, 'index.js');
      assert.ok(handler.equals(readFileSync(WORKER_BUNDLE)), 'the deployed index.js is the worker bundle serverless-offline ran above');
      assert.match(first.stdout, /worker: jobs start through the job launcher, built into the zip/);
      const launcher = unzipEntry(zip, LAUNCHER_FILE);
      assert.ok(
        launcher.equals(readFileSync(join(aws.functionDir, LAUNCHER_FILE))),
        'the deployed launcher is the one the loopback Lambda ran',
      );
      assert.match(execFileSync('unzip', ['-Z', zip, LAUNCHER_FILE]).toString(), /^-rwxr-xr-x/, 'the launcher is executable once unpacked');
      assert.equal(readElf(join(aws.functionDir, LAUNCHER_FILE)).interpreter, undefined, 'linked statically: it needs no libc from Lambda');
      assert.ok(
        unzipEntry(zip, GUARD_FILE).equals(readFileSync(join(aws.functionDir, GUARD_FILE))),
        'the zip ships the guard that makes the handler unreadable to its jobs, the one the loopback Lambda loaded',
      );

      const changed = await burst(deployArgs(['--memory', '4096']), cache, { env });
      assert.equal(changed.code, 0, changed.stderr);
      assert.match(changed.stdout, /bucket deployed-bucket: exists/);
      assert.match(changed.stdout, /configuration updated/);
      assert.doesNotMatch(changed.stdout, /code updated/);
      assert.equal(api.functions.get('burst-worker')?.MemorySize, 4096);

      const writes = api.requests.filter((q) => q.method !== 'GET').length;
      const same = await burst(deployArgs(['--memory', '4096']), cache, { env });
      assert.equal(same.code, 0, same.stderr);
      assert.match(same.stdout, /up to date/);
      assert.match(same.stdout, /nothing to change/);
      assert.equal(api.requests.filter((q) => q.method !== 'GET').length, writes, 'the third deploy wrote nothing');

      const noRole = await burst(
        ['deploy', '--bucket', 'deployed-bucket', '--function', 'other', '--lambda-endpoint', api.endpoint],
        cache,
        { env },
      );
      assert.equal(noRole.code, 2);
      assert.match(noRole.stderr, /needs an execution role: pass --role ARN/);

      const pkg = join(work.path, 'package.zip');
      const only = await burst(['deploy', '--package-only', pkg], cache, { env: {} });
      assert.equal(only.code, 0, only.stderr);
      assert.ok(unzipEntry(pkg, 'index.js').equals(readFileSync(WORKER_BUNDLE)));
      assert.ok(unzipEntry(pkg, LAUNCHER_FILE).equals(launcher));

      // This machine cannot build the launcher for the other architecture: the zip goes without it, and says so.
      const [host, other] = hostArchitecture() === 'x86_64' ? ['x86_64', 'arm64'] : ['arm64', 'x86_64'];
      const otherPkg = join(work.path, `package-${other}.zip`);
      const foreign = await burst(['deploy', '--package-only', otherPkg, '--architecture', other], cache, { env: {} });
      assert.equal(foreign.code, 0, foreign.stderr);
      assert.ok(
        foreign.stdout.includes(
          `${other}); jobs start through Node (slower): the worker's C parts are built on this machine, which is ${host}, and the function is ${other}`,
        ),
        foreign.stdout,
      );
      assert.deepEqual(execFileSync('unzip', ['-Z1', otherPkg]).toString().trim().split('\n'), ['index.js']);
    } finally {
      await api.close();
    }
  });
});
