import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { writePlaceholder } from '../engine/model/placeholder';
import { burst, burstOk, shThunk, tempDir } from './helpers';

describe('burst CLI', () => {
  test('show prints a thunk as JSON, with its result once it has one', async () => {
    using dir = tempDir();
    const cache = join(dir.path, 'store');
    const t = await shThunk(cache, 'echo hi > out', { extra: ['--env', 'LANG=C', '--timeout', '5'] });
    const before = JSON.parse((await burstOk(['show', t], cache)).stdout);
    assert.equal(before.type, 'thunk');
    assert.deepEqual(before.env, { LANG: 'C' });
    assert.equal(before.timeoutMs, 5000);
    assert.deepEqual(before.outputs, ['out']);
    assert.equal(before.reduction, undefined);
    await burstOk(['force', '-q', t], cache);
    const after = JSON.parse((await burstOk(['show', t], cache)).stdout);
    assert.equal(after.reduction.outputs[0].tag, 'out');
    assert.equal(after.reduction.program, 'sh');
  });

  test('force writes outputs to a directory, and replaces a placeholder with the real file', async () => {
    using dir = tempDir();
    const cache = join(dir.path, 'store');
    const t = await shThunk(cache, 'mkdir -p bin; printf "#!/bin/sh\\necho built\\n" > bin/tool; chmod +x bin/tool', {
      outputs: ['bin/tool'],
    });
    await burstOk(['force', '-q', '-o', join(dir.path, 'outdir'), t], cache);
    const written = join(dir.path, 'outdir', 'bin', 'tool');
    assert.equal(readFileSync(written, 'utf8'), '#!/bin/sh\necho built\n');
    assert.ok(statSync(written).mode & 0o100, 'an executable output stays executable');

    const ph = join(dir.path, 'tree', 'tool');
    mkdirSync(join(dir.path, 'tree'));
    await writePlaceholder(ph, t, true);
    assert.equal(JSON.parse((await burstOk(['show', ph], cache)).stdout).name, t);
    await burstOk(['force', '-q', ph], cache);
    assert.equal(readFileSync(ph, 'utf8'), '#!/bin/sh\necho built\n');
  });

  test('inputs can be whole directories', async () => {
    using dir = tempDir();
    const cache = join(dir.path, 'store');
    mkdirSync(join(dir.path, 'src', 'sub'), { recursive: true });
    writeFileSync(join(dir.path, 'src', 'a.txt'), 'a\n');
    writeFileSync(join(dir.path, 'src', 'sub', 'b.txt'), 'b\n');
    const t = await shThunk(cache, 'cat tree/a.txt tree/sub/b.txt > out', { inputs: [`tree=${join(dir.path, 'src')}`] });
    assert.equal((await burstOk(['force', '--cat', t], cache)).stdout, 'a\nb\n');
  });

  test('bad input gets a clear message and exit status 2', async () => {
    using dir = tempDir();
    const cache = join(dir.path, 'store');
    const missing = await burst(['thunk', 'create', '--input', 'x=/no/such/file', '--', 'true'], cache);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /\/no\/such\/file is neither an object name nor a file/);
    const escape = await burst(['thunk', 'create', '--output', '../outside', '--', 'true'], cache);
    assert.equal(escape.code, 2);
    assert.match(escape.stderr, /output path must be a relative path inside the sandbox/);
    const notThunk = await burst(['force', 'nonsense'], cache);
    assert.equal(notThunk.code, 2);
    assert.match(notThunk.stderr, /nonsense: neither an object name nor a file/);
    const unknown = await burst(['force', `T${'0'.repeat(40)}`], cache);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /is not in the store/);
  });

  test('cache stats counts what is stored; gc with a size limit trims it and drops stale results', async () => {
    using dir = tempDir();
    const cache = join(dir.path, 'store');
    const t = await shThunk(cache, 'head -c 100000 /dev/zero > out');
    await burstOk(['force', '-q', t], cache);
    const stats = (await burstOk(['cache', 'stats'], cache)).stdout;
    assert.match(stats, /objects: +\d+ \(/);
    assert.match(stats, /reductions: 1/);
    const gc = (await burstOk(['cache', 'gc', '--max-size', '1'], cache)).stdout;
    assert.match(gc, /removed \d+ objects .* 1 reductions/);
    assert.match((await burstOk(['cache', 'stats'], cache)).stdout, /reductions: 0/);
  });

  test("a cloned workspace's .burst.json naming another endpoint is refused until burst trust, which says what it trusts", async () => {
    using dir = tempDir();
    const cache = join(dir.path, 'store');
    const ws = join(dir.path, 'clone');
    mkdirSync(ws);
    writeFileSync(join(ws, '.burst.json'), JSON.stringify({ aws: { bucket: 'their-bucket', s3Endpoint: 'http://127.0.0.1:9' } }));
    const env = { BURST_CONFIG_DIR: join(dir.path, 'config'), AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' };
    const t = await shThunk(cache, 'echo hi > out');
    const refused = await burst(['force', '--backend', 'lambda', t], cache, { cwd: ws, env });
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(
      refused.stderr,
      /aws\.bucket = "their-bucket", aws\.s3Endpoint = "http:\/\/127\.0\.0\.1:9"\), and this workspace is not trusted: run burst trust in/,
    );
    const trust = await burst(['trust'], cache, { cwd: ws, env });
    assert.equal(trust.code, 0, trust.stderr);
    assert.match(trust.stdout, /trusted .*clone with:\n  aws\.bucket = "their-bucket"\n  aws\.s3Endpoint = "http:\/\/127\.0\.0\.1:9"/);
    const after = await burst(['force', '--backend', 'lambda', '--retries', '0', t], cache, { cwd: ws, env });
    assert.doesNotMatch(after.stderr, /not trusted/, 'trusted now: it goes on to the endpoint (which is not there)');
  });
});
