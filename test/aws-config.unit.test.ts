/** Lambda settings: flags over .burst.json over the environment, with clear errors for bad values. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { explainAwsError } from '../engine/aws/awsErrors';
import { resolveLambdaSettings } from '../engine/aws/config';
import { recordTrust } from '../engine/aws/workspaceTrust';
import { tempDir } from './helpers';

test('flags win over .burst.json, which wins over the environment', () => {
  using dir = tempDir();
  writeFileSync(
    join(dir.path, '.burst.json'),
    JSON.stringify({ aws: { bucket: 'from-file', function: 'fn-file', concurrency: 50, prefix: 'team' } }),
  );
  const env = {
    BURST_BUCKET: 'from-env',
    BURST_FUNCTION: 'fn-env',
    BURST_CONCURRENCY: '7',
    AWS_REGION: 'eu-west-1',
    BURST_S3_ENDPOINT: 'http://127.0.0.1:9/',
    BURST_CONFIG_DIR: join(dir.path, 'config'),
  };
  recordTrust(dir.path, { bucket: 'from-file', function: 'fn-file' }, env);
  const s = resolveLambdaSettings({ bucket: 'from-flag' }, dir.path, env);
  assert.equal(s.bucket, 'from-flag');
  assert.equal(s.functionName, 'fn-file');
  assert.equal(s.concurrency, 50);
  assert.equal(s.prefix, 'team/');
  assert.equal(s.region, 'eu-west-1');
  assert.equal(s.s3Endpoint, 'http://127.0.0.1:9');
  assert.equal(s.runtime, 'nodejs22.x');
  assert.equal(s.maxInputBytes, 1024 * 2 ** 20, 'half of the default 2048 MB /tmp');
});

test('bad settings are named with what to do', () => {
  using dir = tempDir();
  assert.throws(
    () => resolveLambdaSettings({}, dir.path, {}),
    /no S3 bucket is configured for the Lambda backend: pass --bucket, set BURST_BUCKET/,
  );
  assert.throws(
    () => resolveLambdaSettings({ bucket: 'b', concurrency: 'many' }, dir.path, {}),
    /concurrency must be a whole number from 1 to 100000, not "many"/,
  );
  assert.throws(
    () => resolveLambdaSettings({ bucket: 'b', s3Endpoint: 'ftp://x' }, dir.path, {}),
    /the S3 endpoint must be an http\(s\) URL/,
  );
  writeFileSync(join(dir.path, '.burst.json'), JSON.stringify({ aws: { bukcet: 'typo' } }));
  assert.throws(() => resolveLambdaSettings({}, dir.path, {}), /\.burst\.json: unknown setting aws\.bukcet/);
  writeFileSync(join(dir.path, '.burst.json'), '{ not json');
  assert.throws(() => resolveLambdaSettings({}, dir.path, {}), /\.burst\.json: not valid JSON/);
});

test('a refused AWS request names the IAM action and the resource it was refused on', () => {
  const settings = resolveLambdaSettings({ region: 'us-east-1', bucket: 'team-cache', function: 'burst-worker' }, tmpdir());
  const denied = Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
  const e = explainAwsError(denied, settings, { action: 's3:GetObject', resource: 'arn:aws:s3:::team-cache/reductions/T0123' });
  assert.equal(e.code, 'aws');
  assert.match(e.message, /may not s3:GetObject on arn:aws:s3:::team-cache\/reductions\/T0123/);
  assert.doesNotMatch(e.message, /Access Denied.*Access Denied/, 'said once');
});

test("a workspace's .burst.json says where code goes only once the user trusts it, and again after it changes", () => {
  using dir = tempDir();
  const env = { BURST_CONFIG_DIR: join(dir.path, 'config'), AWS_REGION: 'us-east-1' };
  const config = (aws: Record<string, unknown>): void => writeFileSync(join(dir.path, '.burst.json'), JSON.stringify({ aws }));
  config({ bucket: 'strangers-bucket', s3Endpoint: 'https://s3.example.net', concurrency: 10 });
  assert.throws(
    () => resolveLambdaSettings({}, dir.path, env),
    /says where builds send code and which credentials they use \(aws\.bucket = "strangers-bucket", aws\.s3Endpoint = "https:\/\/s3\.example\.net"\), and this workspace is not trusted: run burst trust in/,
  );
  assert.equal(
    resolveLambdaSettings({ bucket: 'mine', s3Endpoint: 'https://s3.mine' }, dir.path, env).concurrency,
    10,
    'what the flags override needs no trust',
  );
  assert.equal(resolveLambdaSettings({}, dir.path, env, { trust: 'trusted' }).bucket, 'strangers-bucket', 'the editor vouches');
  recordTrust(dir.path, { bucket: 'strangers-bucket', s3Endpoint: 'https://s3.example.net' }, env);
  assert.equal(resolveLambdaSettings({}, dir.path, env).bucket, 'strangers-bucket');
  config({ bucket: 'strangers-bucket', s3Endpoint: 'https://elsewhere.example.net' });
  assert.throws(() => resolveLambdaSettings({}, dir.path, env), /not trusted/, 'a changed endpoint needs trust again');
});

test('plain http goes only to this machine unless the user allows it', () => {
  using dir = tempDir();
  assert.equal(
    resolveLambdaSettings({ bucket: 'b', s3Endpoint: 'http://localhost:9000' }, dir.path, {}).s3Endpoint,
    'http://localhost:9000',
  );
  assert.throws(
    () => resolveLambdaSettings({ bucket: 'b', lambdaEndpoint: 'http://10.0.0.5:3000' }, dir.path, {}),
    /the Lambda endpoint http:\/\/10\.0\.0\.5:3000 is plain http to another machine: .* set BURST_ALLOW_HTTP=1/,
  );
  assert.equal(
    resolveLambdaSettings({ bucket: 'b', lambdaEndpoint: 'http://10.0.0.5:3000' }, dir.path, { BURST_ALLOW_HTTP: '1' }).lambdaEndpoint,
    'http://10.0.0.5:3000',
  );
});

test("a workspace's file names trusted keys only when trusted, and never the signing key", () => {
  using dir = tempDir();
  const env = { BURST_CONFIG_DIR: join(dir.path, 'config'), AWS_REGION: 'us-east-1', BURST_BUCKET: 'mine' };
  const config = (aws: Record<string, unknown>): void => writeFileSync(join(dir.path, '.burst.json'), JSON.stringify({ aws }));
  config({ trustedKeys: ['keys/stranger.pub'] });
  assert.throws(
    () => resolveLambdaSettings({}, dir.path, env),
    /aws\.trustedKeys = \["keys\/stranger\.pub"\].*not trusted: run burst trust/,
  );
  assert.deepEqual(resolveLambdaSettings({}, dir.path, env, { trust: 'trusted' }).trustedKeyFiles, [join(dir.path, 'keys/stranger.pub')]);
  assert.deepEqual(
    resolveLambdaSettings({}, dir.path, { ...env, BURST_TRUSTED_KEYS: '/k/a.pub, /k/b.pub' }, { trust: 'trusted' }).trustedKeyFiles,
    [join(dir.path, 'keys/stranger.pub')],
    "a trusted workspace's own list wins over the environment, as every .burst.json setting does",
  );
  config({});
  assert.deepEqual(resolveLambdaSettings({}, dir.path, { ...env, BURST_TRUSTED_KEYS: '/k/a.pub, /k/b.pub' }).trustedKeyFiles, [
    '/k/a.pub',
    '/k/b.pub',
  ]);
  config({ signingKeyFile: '/tmp/key' });
  assert.throws(() => resolveLambdaSettings({}, dir.path, env), /aws\.signingKeyFile is not read from a workspace's file/);
  config({});
  assert.equal(resolveLambdaSettings({}, dir.path, { ...env, BURST_SIGNING_KEY_FILE: '/keys/ci.key' }).signingKeyFile, '/keys/ci.key');
});
