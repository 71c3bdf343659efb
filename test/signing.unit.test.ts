/**
 * Signed results, without a bucket: what a reader accepts and refuses, and
 * the key files `burst keys generate` writes.
 */
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, statSync } from 'node:fs';
import { test } from 'node:test';
import { initHash, nameOfBytes, sha256OfBytes } from '../engine/model/hash';
import type { Reduction } from '../engine/store/objectStore';
import {
  generateSigningKeys,
  loadSigningKey,
  loadTrustedKeys,
  openSignedResult,
  signResult,
  UntrustedResultError,
} from '../engine/store/signing';
import { tempDir } from './helpers';

const WHERE = 's3://bucket/';

async function aResult(): Promise<Reduction> {
  await initHash();
  const bytes = Buffer.from('an object file');
  const name = nameOfBytes('V', bytes);
  return { outputs: [{ tag: 'a.o', name, executable: false }], program: 'cc1', durationMs: 12, sha256: { [name]: sha256OfBytes(bytes) } };
}

test('keys generate writes a private key only its owner reads and a public key; it never overwrites them', () => {
  using dir = tempDir();
  const { keyFile, publicFile, id } = generateSigningKeys(dir.path);
  assert.equal(statSync(keyFile).mode & 0o777, 0o600);
  assert.match(readFileSync(publicFile, 'utf8'), /^-----BEGIN PUBLIC KEY-----/);
  assert.match(id, /^ed25519:[0-9a-f]{16}$/);
  assert.equal(loadSigningKey(keyFile).id, id);
  assert.deepEqual([...loadTrustedKeys([publicFile]).keys()], [id]);
  assert.throws(() => generateSigningKeys(dir.path), /exists: remove it first/);
  chmodSync(keyFile, 0o644);
  assert.throws(() => loadSigningKey(keyFile), /may be read by others \(mode 644\): run chmod 600/);
  assert.throws(() => loadTrustedKeys([keyFile.replace('.key', '.nope')]), /cannot be read as a public key/);
});

test('a reader accepts a result signed by a trusted key, and refuses a copy, an alteration, another key and no signature', async () => {
  using dir = tempDir();
  const writer = generateSigningKeys(`${dir.path}`);
  const key = loadSigningKey(writer.keyFile);
  const trusted = loadTrustedKeys([writer.publicFile]);
  const result = await aResult();
  const text = signResult('Tjob', result, key);
  assert.deepEqual(openSignedResult('Tjob', text, WHERE, trusted), result);

  const refusal = (t: string, job = 'Tjob', keys = trusted): string => {
    try {
      openSignedResult(job, t, WHERE, keys);
    } catch (e) {
      assert.ok(e instanceof UntrustedResultError);
      return e.message;
    }
    assert.fail('accepted');
  };
  assert.match(refusal(text, 'Tother'), /signatures do not match \(altered, or copied from another job\)/);
  const altered = JSON.parse(text) as { result: Reduction };
  altered.result.durationMs = 13;
  assert.match(refusal(JSON.stringify(altered)), /signatures do not match/);
  assert.match(refusal(text, 'Tjob', new Map()), new RegExp(`signed by ${key.id}, a key this client does not trust`));
  assert.match(refusal(JSON.stringify(result)), /unsigned results in s3:\/\/bucket\/ are ignored/);
  assert.throws(() => signResult('Tjob', { ...result, sha256: {} }, key), /no SHA-256 for V/);
});
