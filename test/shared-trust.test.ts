/**
 * A shared bucket nobody can poison, on the loopback S3 and Lambda servers:
 * results are shared signed, and a reader uses only those signed by a key it
 * trusts; results planted or copied in the bucket are refused with a warning
 * and the build stays right; a job on the worker cannot make a later
 * invocation use bytes it changed in the warm store; and no secret reaches
 * an output, a report or a store.
 */
import assert from 'node:assert/strict';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHash, createPrivateKey } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { initHash, nameOfBytes, type RunReport } from '../engine/api';
import { GUARD_FILE } from '../engine/aws/guard';
import { generateSigningKeys, signResult, signingKeyFromPem } from '../engine/store/signing';
import { burst, readJson, run, shThunk, tempDir, type CliResult } from './helpers';
import { startLocalAws, TEST_CREDENTIALS, type LocalAws } from './lib/localAws';

const work = tempDir('burst-trust-');
let aws: LocalAws;
let reports = 0;

/** A two-file C program; `salt` makes its jobs this test's own. */
function smallProject(dir: string, salt: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'greet.c'), `#include <stdio.h>\nvoid greet(const char *who) { printf("hello, %s (${salt})\\n", who); }\n`);
  writeFileSync(join(dir, 'main.c'), `/* ${salt} */\nvoid greet(const char *who);\nint main(void) { greet("lambda"); return 0; }\n`);
  return dir;
}

const BUILD = ['gcc', '-O2', '-o', 'hello', 'main.c', 'greet.c'];

async function build(tree: string, store: string, env: Record<string, string>): Promise<CliResult & { report: RunReport }> {
  const file = join(work.path, `report-${reports++}.json`);
  const r = await burst(['build', '--report', file, '--', ...BUILD], store, { cwd: tree, env: { ...aws.env, ...env } });
  try {
    return { ...r, report: readJson<RunReport>(file) };
  } catch {
    throw new Error(`no report; exit ${r.code}\n${r.stderr}`);
  }
}

/** Every shared result in the bucket, with a digest of its bytes. */
function sharedResults(): Record<string, string> {
  const dir = join(aws.s3Dir, aws.bucket, 'reductions');
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir))
    out[f] = createHash('sha256')
      .update(readFileSync(join(dir, f)))
      .digest('hex');
  return out;
}

function resultText(job: string): string {
  return readFileSync(join(aws.s3Dir, aws.bucket, 'reductions', `${job}._S3rver_object`), 'utf8');
}

/** Writes into the bucket as anyone holding write access would: the S3 API, no condition. */
async function plant(key: string, body: Buffer | string): Promise<void> {
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: aws.s3Endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: TEST_CREDENTIALS.AWS_ACCESS_KEY_ID, secretAccessKey: TEST_CREDENTIALS.AWS_SECRET_ACCESS_KEY },
  });
  await s3.send(new PutObjectCommand({ Bucket: aws.bucket, Key: key, Body: body }));
  s3.destroy();
}

function occurrences(text: string, pattern: RegExp): number {
  return text.split('\n').filter((l) => pattern.test(l)).length;
}

describe('a shared cache nobody can poison, on loopback S3 and Lambda servers', () => {
  let stranger: { keyFile: string; publicFile: string; id: string };
  before(async () => {
    aws = await startLocalAws();
    await initHash();
    const dir = join(work.path, 'stranger-keys');
    mkdirSync(dir, { mode: 0o700 });
    stranger = generateSigningKeys(dir);
  });
  after(async () => {
    await aws?.stop();
    work[Symbol.dispose]();
  });

  test('a reader that trusts the writer runs nothing; one that trusts another key, or none, runs everything and writes no result', async () => {
    const writer = await build(smallProject(join(work.path, 'w'), 'share'), join(work.path, 'store-w'), {});
    assert.equal(writer.code, 0, writer.stderr);
    assert.ok(writer.report.executed >= 4, JSON.stringify(writer.report.byBackend));
    assert.doesNotMatch(writer.stderr, /warning/);
    const shared = sharedResults();

    const readerEnv = { BURST_SIGNING_KEY_FILE: '', BURST_TRUSTED_KEYS: aws.publicKeyFile };
    const reader = await build(smallProject(join(work.path, 'r'), 'share'), join(work.path, 'store-r'), readerEnv);
    assert.equal(reader.code, 0, reader.stderr);
    assert.equal(reader.report.executed, 0, 'every result comes from the writer');
    assert.ok(reader.report.cached >= writer.report.executed);
    assert.equal((await run(join(work.path, 'r', 'hello'), [], work.path)).stdout, 'hello, lambda (share)\n');

    const strangerEnv = { BURST_SIGNING_KEY_FILE: '', BURST_TRUSTED_KEYS: stranger.publicFile };
    const other = await build(smallProject(join(work.path, 's'), 'share'), join(work.path, 'store-s'), strangerEnv);
    assert.equal(other.code, 0, other.stderr);
    assert.equal(other.report.executed, writer.report.executed, 'a client trusting another key runs every job');
    const untrusted = new RegExp(`signed by ed25519:[0-9a-f]{16}, a key this client does not trust`);
    assert.equal(occurrences(other.stderr, untrusted), 1, `one warning names the key:\n${other.stderr}`);
    assert.equal(occurrences(other.stderr, /this client has no signing key, so the results it makes are not shared/), 1, other.stderr);

    const none = await build(smallProject(join(work.path, 'n'), 'share'), join(work.path, 'store-n'), { BURST_SIGNING_KEY_FILE: '' });
    assert.equal(none.code, 0, none.stderr);
    assert.equal(none.report.executed, writer.report.executed);
    assert.equal(
      occurrences(none.stderr, /no signing key is trusted, so shared results in .* are neither used nor written/),
      1,
      none.stderr,
    );
    assert.deepEqual(sharedResults(), shared, 'no client without a signing key wrote a result');

    // The writer audits its last run on Lambda itself: every job run again there makes the same bytes, and nothing is shared anew.
    const audited = await burst(['audit', '--all', '--backend', 'lambda', '-q'], join(work.path, 'store-w'), { env: aws.env });
    assert.equal(audited.code, 0, `${audited.stdout}${audited.stderr}`);
    assert.match(audited.stdout, /audited (\d+) of \1 cached jobs of the last run \(build gcc .*\): every output is the same/);
    assert.deepEqual(sharedResults(), shared, 'an audit records nothing');
  });

  test('forged results planted in the bucket are refused with a warning, and the build is byte-identical to a clean local build', async () => {
    const genuine = await build(smallProject(join(work.path, 'fw'), 'forge'), join(work.path, 'store-fw'), {});
    assert.equal(genuine.code, 0, genuine.stderr);
    const ran = (program: string): string[] =>
      genuine.report.jobs.filter((j) => j.program === program && j.outcome === 'ok' && !j.duplicate).map((j) => j.name);
    const [as1, as2] = ran('as');
    const [, cc1b] = ran('cc1');
    const link = genuine.report.jobs.find((j) => !['as', 'cc1'].includes(j.program) && j.outcome === 'ok')?.name;
    assert.ok(as1 && as2 && cc1b && link, JSON.stringify(genuine.report.jobs.map((j) => j.program)));

    // 1. Genuine, signed results copied under another job's name: the two assemblies' results swapped.
    const [as1Text, as2Text] = [resultText(as1), resultText(as2)];
    await plant(`reductions/${as1}`, as2Text);
    await plant(`reductions/${as2}`, as1Text);
    // 2. A result pointing at a planted object, signed by a key the reader does not trust.
    const planted = Buffer.from('int planted;\n');
    const plantedName = nameOfBytes('V', planted);
    await plant(`objects/${plantedName}`, planted);
    const tag = (JSON.parse(resultText(cc1b)) as { result: { outputs: Array<{ tag: string }> } }).result.outputs[0]?.tag as string;
    const plantedResult = {
      outputs: [{ tag, name: plantedName, executable: false }],
      program: 'cc1',
      durationMs: 1,
      sha256: { [plantedName]: createHash('sha256').update(planted).digest('hex') },
    };
    const strangerKey = signingKeyFromPem(readFileSync(stranger.keyFile, 'utf8'), 'the stranger key');
    await plant(`reductions/${cc1b}`, signResult(cc1b, plantedResult, strangerKey));
    // 3. The link's result replaced by an unsigned one (the format of results before they were signed) naming the planted object.
    const linkTag = (JSON.parse(resultText(link)) as { result: { outputs: Array<{ tag: string }> } }).result.outputs[0]?.tag as string;
    await plant(
      `reductions/${link}`,
      JSON.stringify({ ...plantedResult, outputs: [{ tag: linkTag, name: plantedName, executable: true }] }),
    );

    const tree = smallProject(join(work.path, 'fr'), 'forge');
    const reader = await build(tree, join(work.path, 'store-fr'), { BURST_SIGNING_KEY_FILE: '', BURST_TRUSTED_KEYS: aws.publicKeyFile });
    assert.equal(reader.code, 0, reader.stderr);
    assert.match(reader.stderr, /whose signatures do not match \(altered, or copied from another job\) are ignored/);
    assert.match(reader.stderr, new RegExp(`signed by ${strangerKey.id}, a key this client does not trust`));
    assert.match(reader.stderr, /unsigned results in s3:\/\/burst-test\/ are ignored/);
    assert.ok(reader.report.executed >= 3, 'the jobs whose results were forged ran');

    const plain = smallProject(join(work.path, 'fp'), 'forge');
    execFileSync(BUILD[0] as string, BUILD.slice(1), { cwd: plain });
    assert.ok(readFileSync(join(tree, 'hello')).equals(readFileSync(join(plain, 'hello'))), 'byte-identical to a clean local build');
    assert.equal((await run(join(tree, 'hello'), [], tree)).stdout, 'hello, lambda (forge)\n');
  });

  test('a job on the worker that rewrites its warm-store input cannot make a later invocation use the changed bytes', async () => {
    const store = join(work.path, 'store-warm');
    const env = { ...aws.env, BURST_FUNCTION: aws.ownUserFunction };
    const data = Buffer.from(`GENUINE-${Date.now().toString(16).padStart(16, '0')}\n`);
    const forgedData = Buffer.from(`FORGED!-${'0'.repeat(16)}\n`);
    assert.equal(forgedData.length, data.length, 'the same size: only the content tells them apart');
    const file = join(work.path, 'data.txt');
    writeFileSync(file, data);
    const name = nameOfBytes('V', data);
    const inWorker = join(aws.ownUserStore, 'objects', name.slice(1, 2), name);
    const force = async (thunk: string): Promise<string> => {
      const r = await burst(['force', '--backend', 'lambda', '--cat', thunk], store, { env });
      assert.equal(r.code, 0, r.stderr);
      return r.stdout;
    };
    const catThunk = (script: string): Promise<string> =>
      shThunk(store, script, { inputs: [`data.txt=${file}`], extra: ['--env', 'PATH=/usr/bin:/bin'] });

    assert.equal(await force(await catThunk('cat data.txt > out')), data.toString());
    assert.equal(await force(await catThunk('cat data.txt data.txt > out')), `${data}${data}`);
    assert.ok(readFileSync(inWorker).equals(data), 'the input is in the warm store');

    // As on Lambda, the job runs as the worker's own user: it can rewrite the store's copy in place, size and times kept.
    const vandal = await shThunk(
      store,
      `f=${inWorker}; t=$(stat -c %Y "$f"); chmod u+w "$f"; printf '${forgedData.toString().trim()}\\n' > "$f"; touch -d "@$t" "$f"; echo done > out`,
      { extra: ['--env', 'PATH=/usr/bin:/bin'] },
    );
    assert.equal(await force(vandal), 'done\n');
    assert.ok(readFileSync(inWorker).equals(forgedData), 'the job did change the warm store (so this test can fail)');

    assert.equal(await force(await catThunk('cat < data.txt > out')), data.toString(), 'the next invocation used the genuine bytes');
    assert.ok(!readFileSync(inWorker).equals(forgedData), 'the changed copy is gone from the warm store');
  });

  test("with the guard its zip ships, the worker's own-user jobs cannot read its credentials; without it they could", async () => {
    // Run as an ordinary user, as Lambda runs the worker (root could read any process's environment).
    using scratch = tempDir('burst-guard-');
    const dir = scratch.path;
    chmodSync(dir, 0o755); // the user below must reach it
    copyFileSync(join(aws.functionDir, GUARD_FILE), join(dir, GUARD_FILE));
    const script = join(dir, 'handler.js');
    writeFileSync(
      script,
      `if (process.argv[2] === 'guard') process.dlopen({ exports: {} }, ${JSON.stringify(join(dir, GUARD_FILE))});
const r = require('node:child_process').spawnSync('/bin/sh', ['-c', 'cat /proc/' + process.pid + '/environ'], { env: {}, encoding: 'utf8' });
process.stdout.write(r.stdout.includes('CANARY_SECRET=') ? 'read' : 'refused');`,
    );
    const asUser = (mode: string): string =>
      execFileSync(
        process.getuid?.() === 0 ? 'setpriv' : process.execPath,
        [...(process.getuid?.() === 0 ? ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath] : []), script, mode],
        { env: { PATH: '/usr/bin:/bin', CANARY_SECRET: 'canary' }, encoding: 'utf8' },
      );
    assert.equal(asUser('plain'), 'read', 'a process of the same user reads the environment of one not guarded (so this test can fail)');
    assert.equal(asUser('guard'), 'refused');
  });

  test('no secret reaches an output, a report or a store: canary credentials and a fresh signing key, a failing job', async () => {
    const canary = { secret: `canarySecret${Date.now()}`, token: `canaryToken${Date.now()}` };
    const keys = join(work.path, 'canary-keys');
    mkdirSync(keys, { mode: 0o700 });
    const { keyFile } = generateSigningKeys(keys);
    const pem = readFileSync(keyFile, 'utf8');
    const seed = createPrivateKey(pem).export({ format: 'der', type: 'pkcs8' }).subarray(-32);
    const pemBody = pem
      .split('\n')
      .filter((l) => l && !l.startsWith('-----'))
      .join('');

    const tree = smallProject(join(work.path, 'canary'), 'canary');
    writeFileSync(join(tree, 'greet.c'), 'void greet(const char *who) { undefined_call(who) }\n'); // fails to compile
    const store = join(work.path, 'store-canary');
    // s3rver checks only the access key id (S3RVER, not a secret: AWS logs it too); the secret key and the session token are canaries.
    const r = await build(tree, store, {
      AWS_SECRET_ACCESS_KEY: canary.secret,
      AWS_SESSION_TOKEN: canary.token,
      BURST_SIGNING_KEY_FILE: keyFile,
    });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /greet\.c:1:\d+: error/);
    assert.ok(
      r.report.jobs.some((j) => j.backend === 'lambda'),
      'jobs ran on the loopback Lambda with these credentials',
    );

    const needles: Array<[string, Buffer]> = [
      ['the secret key', Buffer.from(canary.secret)],
      ['the session token', Buffer.from(canary.token)],
      ['the signing key (PEM)', Buffer.from(pemBody)],
      ['the signing key (raw)', seed],
    ];
    const haystacks: Array<[string, Buffer]> = [
      ['stdout', Buffer.from(r.stdout)],
      ['stderr', Buffer.from(r.stderr)],
      ['the report', Buffer.from(JSON.stringify(r.report))],
    ];
    for (const dir of [store, aws.s3Dir])
      for (const e of readdirSync(dir, { recursive: true, withFileTypes: true }))
        if (e.isFile()) haystacks.push([join(e.parentPath, e.name), readFileSync(join(e.parentPath, e.name))]);
    assert.ok(haystacks.length > 20);
    const found = haystacks.flatMap(([where, bytes]) =>
      needles.filter(([, n]) => bytes.includes(n)).map(([what]) => `${what} in ${where}`),
    );
    assert.deepEqual(found, []);
  });
});
