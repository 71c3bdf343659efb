/** Lambda settings: flags over .burst.json over the environment, with clear errors for bad values. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { explainAwsError } from '../engine/aws/awsErrors';
import { resolveLambdaSettings } from '../engine/aws/config';
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
  };
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
