/**
 * The signed wire that carries every job's S3 and Invoke requests, checked
 * against a loopback server that verifies AWS Signature Version 4 from the
 * published algorithm (s3rver accepts any v4 signature). The server is
 * checked first against the SDK's own requests, so it cannot pass the wire
 * by sharing its mistakes.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { explainAwsError } from '../engine/aws/awsErrors';
import { s3Client } from '../engine/aws/clients';
import type { LambdaSettings } from '../engine/aws/config';
import { S3Objects } from '../engine/aws/s3Objects';
import { NodeSha256, SignedWire, agents, readBody } from '../engine/aws/wire';
import { SignatureV4 } from '@smithy/signature-v4';
import { request } from 'node:http';
import { initHash, nameOfBytes } from '../engine/model/hash';
import { startSigV4Server, type SigV4Server } from './lib/sigv4Server';
import { tempDir } from './helpers';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const credentials = (secretAccessKey = SECRET) => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey, sessionToken: 'token/with+chars=' });
const BUCKET = 'burst-bucket';

describe('signed wire', () => {
  let server: SigV4Server;
  before(async () => {
    await initHash();
    server = await startSigV4Server('AKIDEXAMPLE', SECRET, 'eu-west-1');
  });
  after(() => server.close());

  const s3 = (secret?: string): S3Client =>
    new S3Client({
      region: 'eu-west-1',
      endpoint: server.endpoint,
      forcePathStyle: true,
      credentials: credentials(secret),
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  const objectsIn = (client: S3Client, prefix: string): S3Objects =>
    new S3Objects(client, { bucket: BUCKET, prefix, region: 'eu-west-1', endpoint: server.endpoint });
  const failedChecks = (from: number): typeof server.verdicts => server.verdicts.slice(from).filter((v) => !v.ok);

  test("the checking server accepts the SDK's own signatures and refuses a wrong secret", async () => {
    const from = server.verdicts.length;
    await s3().send(new PutObjectCommand({ Bucket: BUCKET, Key: 'sdk/a b(1)!', Body: Buffer.from('sdk') }));
    const got = await s3().send(new GetObjectCommand({ Bucket: BUCKET, Key: 'sdk/a b(1)!' }));
    assert.equal(await got.Body?.transformToString(), 'sdk');
    assert.deepEqual(failedChecks(from), []);
    await assert.rejects(
      s3('not-the-secret').send(new GetObjectCommand({ Bucket: BUCKET, Key: 'sdk/a b(1)!' })),
      /SignatureDoesNotMatch|signature/i,
    );
    assert.equal(failedChecks(from).length, 1);
  });

  test('object and result requests are signed as AWS checks them, keys with any characters', async () => {
    const from = server.verdicts.length;
    const objects = objectsIn(s3(), 'team a/(x)!/');
    const bytes = Buffer.from('int main(void) { return 0; }\n');
    const name = nameOfBytes('V', bytes);
    assert.equal(await objects.exists(name), false);
    await objects.putBytes(name, bytes);
    assert.equal(await objects.exists(name), true);
    using dir = tempDir('burst-wire-');
    assert.equal(await objects.getToFile(name, join(dir.path, 'copy')), true);
    assert.deepEqual(readFileSync(join(dir.path, 'copy')), bytes);
    assert.equal(await objects.getToFile(nameOfBytes('V', Buffer.from('absent')), join(dir.path, 'none')), false);
    assert.equal(await objects.getResultText('T0123'), undefined);
    assert.equal(await objects.putResultText('T0123', '{"signed":"first"}'), 'written');
    assert.equal(await objects.putResultText('T0123', '{"signed":"second"}'), 'exists', 'a result is never overwritten');
    assert.equal(await objects.getResultText('T0123'), '{"signed":"first"}');
    await objects.delete(name);
    assert.equal(await objects.exists(name), false);
    assert.ok(server.objects.has(`/${BUCKET}/team a/(x)!/reductions/T0123`), [...server.objects.keys()].join(', '));
    assert.deepEqual(failedChecks(from), []);
    assert.ok(server.verdicts.length - from >= 10);
  });

  test('an Invoke is signed for Lambda, the function name escaped twice as Lambda checks it', async () => {
    const from = server.verdicts.length;
    const lambda = new LambdaClient({ region: 'eu-west-1', endpoint: server.endpoint, credentials: credentials() });
    const path = `/2015-03-31/functions/${encodeURIComponent('burst-worker:live')}/invocations`;
    const body = Buffer.from(JSON.stringify({ job: 1 }));
    const wire = await SignedWire.forCommand(
      lambda.config,
      InvokeCommand,
      { FunctionName: 'burst-worker:live' },
      'lambda',
      agents(4),
      10_000,
    );
    const res = await wire.send({ method: 'POST', path, headers: { 'x-amz-invocation-type': 'RequestResponse' }, body });
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse((await readBody(res.body)).toString('utf8')), { echoed: { job: 1 } });
    assert.deepEqual(failedChecks(from), []);
    // The checker tells: the same request with its path escaped once, as S3 signs, is refused.
    const host = new URL(server.endpoint).host;
    const once = new SignatureV4({
      credentials: credentials(),
      region: 'eu-west-1',
      service: 'lambda',
      sha256: NodeSha256,
      uriEscapePath: false,
    });
    const signed = await once.sign({
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      path,
      query: {},
      headers: { host, 'content-length': String(body.length) },
      body,
    });
    const status = await new Promise<number>((resolve, reject) => {
      const r = request(`${server.endpoint}${path}`, { method: 'POST', headers: signed.headers }, (answer) =>
        answer.resume().on('end', () => resolve(answer.statusCode ?? 0)),
      );
      r.on('error', reject);
      r.end(body);
    });
    assert.equal(status, 403);
    assert.match(failedChecks(from)[0]?.why ?? '', /signature does not match/);
  });

  test('over HTTPS, the certificate is checked and the extra CA file (BURST_EXTRA_CA_CERTS) trusted', async () => {
    using dir = tempDir('burst-wire-tls-');
    const key = join(dir.path, 'key.pem');
    const cert = join(dir.path, 'cert.pem');
    const made = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(made.status, 0, made.stderr);
    const tls = await startSigV4Server('AKIDEXAMPLE', SECRET, 'eu-west-1', {
      key: readFileSync(key, 'utf8'),
      cert: readFileSync(cert, 'utf8'),
    });
    const saved = {
      BURST_EXTRA_CA_CERTS: process.env.BURST_EXTRA_CA_CERTS,
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY,
    };
    try {
      // The product's own clients (clients.ts), which take credentials from the SDK's default chain.
      process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
      process.env.AWS_SECRET_ACCESS_KEY = SECRET;
      const settings = { region: 'eu-west-1', s3Endpoint: tls.endpoint, concurrency: 8, bucket: BUCKET } as LambdaSettings;
      const target = { bucket: BUCKET, prefix: 'tls/', region: 'eu-west-1', endpoint: tls.endpoint };
      const bytes = Buffer.from('over tls');
      const name = nameOfBytes('V', bytes);
      // Without the CA, the self-signed certificate is refused: the check is on.
      delete process.env.BURST_EXTRA_CA_CERTS;
      const untrusted = agents(2);
      await assert.rejects(
        new S3Objects(s3Client(settings, untrusted), target, untrusted).putBytes(name, bytes),
        /self-signed|certificate/i,
      );
      process.env.BURST_EXTRA_CA_CERTS = cert;
      const trusted = agents(2);
      const objects = new S3Objects(s3Client(settings, trusted), target, trusted);
      await objects.putBytes(name, bytes);
      assert.equal(await objects.exists(name), true);
      assert.deepEqual(
        tls.verdicts.filter((v) => !v.ok),
        [],
      );
      assert.ok(tls.objects.has(`/${BUCKET}/tls/objects/${name}`));
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await tls.close();
    }
  });

  test('throttling and server faults are retried, and a refusal is named', async () => {
    const objects = objectsIn(s3(), 'retries/');
    const bytes = Buffer.from('retried');
    const name = nameOfBytes('V', bytes);
    server.failNext(2, 503, 'SlowDown');
    await objects.putBytes(name, bytes);
    assert.ok(server.objects.has(`/${BUCKET}/retries/objects/${name}`));
    server.failNext(2, 500, 'InternalError');
    assert.equal(await objects.exists(name), true);
    server.failNext(1, 403, 'AccessDenied');
    const refused = await objects.putResultText('T1', '{}').then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.equal((refused as Error | undefined)?.name, 'AccessDenied');
    const settings = { bucket: BUCKET, functionName: 'burst-worker' } as LambdaSettings;
    assert.match(explainAwsError(refused, settings).message, /access denied by AWS \(AccessDenied\).*s3:PutObject on burst-bucket/);
    server.failNext(3, 500, 'InternalError');
    await assert.rejects(objects.putBytes(name, bytes), (e: Error) => e.name === 'InternalError');
    // A bucket in another region: S3 answers a HEAD with 301 and no body, the region in a header.
    server.failNext(1, 301, 'PermanentRedirect', { 'x-amz-bucket-region': 'us-west-2' });
    const moved = await objects.exists(name).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.equal((moved as Error | undefined)?.name, 'PermanentRedirect');
    assert.match(
      explainAwsError(moved, { ...settings, region: 'eu-west-1' }).message,
      /bucket burst-bucket is in us-west-2, not eu-west-1: pass --region us-west-2/,
    );
  });

  test('a clock an hour off is corrected for requests already in flight, and put right again when the clock is', async () => {
    const objects = objectsIn(s3(), 'clock/');
    const bytes = Buffer.from('clock');
    const name = nameOfBytes('V', bytes);
    await objects.putBytes(name, bytes);
    const from = server.verdicts.length;
    server.setClockSkew(3_600_000);
    try {
      // Eight requests signed with this machine's clock at once: each is refused once, then signed again with the server's.
      assert.deepEqual(await Promise.all(Array.from({ length: 8 }, () => objects.exists(name))), Array(8).fill(true));
      assert.equal(server.verdicts.slice(from).filter((v) => v.skewed).length, 8);
      const learnt = server.verdicts.length;
      assert.equal(await objects.getResultText('Tnone'), undefined);
      assert.deepEqual(
        server.verdicts.slice(learnt).map((v) => v.skewed ?? false),
        [false],
        'signed with the learnt offset at once',
      );
    } finally {
      server.setClockSkew(0);
    }
    assert.equal(await objects.exists(name), true, 'the offset goes back to zero');
    assert.deepEqual(failedChecks(from), []);
  });
});
