/**
 * Signed results: what a shared bucket holds for a job, so that a reader can
 * tell a result a trusted writer made from one planted by anyone else who
 * can write to the bucket. Ed25519, asymmetric on purpose: readers hold only
 * public keys, so a build that verifies (a pull request's) cannot forge. The
 * signature covers the job's name and the whole result, including the
 * SHA-256 of every object it names, so a result copied under another job's
 * name fails, and so does an object crafted to share a name with the real one.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BurstError, errorMessage } from '../model/errors';
import { objectsOf, type Reduction } from './objectStore';
import { parseResult } from './resultCheck';

export const SIGNED_RESULT_FORMAT = 'burst-signed-result/1';
export const PRIVATE_KEY_FILE = 'burst-signing.key';
export const PUBLIC_KEY_FILE = 'burst-signing.pub';

export interface SigningKey {
  id: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** Public keys by id. */
export type TrustedKeys = Map<string, KeyObject>;

/** A short, stable name for a public key, shown in warnings: `ed25519:` and 16 hex digits of its SHA-256. */
export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return `ed25519:${createHash('sha256').update(der).digest('hex').slice(0, 16)}`;
}

/** Writes a new key pair into `dir`; refuses to overwrite one. */
export function generateSigningKeys(dir: string): { keyFile: string; publicFile: string; id: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const keyFile = join(dir, PRIVATE_KEY_FILE);
  const publicFile = join(dir, PUBLIC_KEY_FILE);
  // Checked for both before either is written, so a refusal leaves no half of a pair.
  const existing = [keyFile, publicFile].find((f) => existsSync(f));
  if (existing)
    throw new BurstError('usage', `${existing} exists: remove it first, or pass --out with another directory`, { file: existing });
  writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  chmodSync(keyFile, 0o600); // whatever the umask
  writeFileSync(publicFile, publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644, flag: 'wx' });
  return { keyFile, publicFile, id: keyIdOf(publicKey) };
}

/** A private key from its PEM text; `from` names where it came from, never the key. */
export function signingKeyFromPem(pem: string, from: string): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (e) {
    throw new BurstError('usage', `${from} is not a private key (${errorMessage(e).split('\n')[0]}): make one with burst keys generate`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new BurstError(
      'usage',
      `${from} is a ${privateKey.asymmetricKeyType ?? 'secret'} key; Burst signs with Ed25519 (burst keys generate)`,
    );
  const publicKey = createPublicKey(privateKey);
  return { id: keyIdOf(publicKey), privateKey, publicKey };
}

/** The signing key in `file`, which only its owner may read (as ssh insists for its keys). */
export function loadSigningKey(file: string): SigningKey {
  let mode: number;
  let pem: string;
  try {
    mode = statSync(file).mode;
    pem = readFileSync(file, 'utf8');
  } catch (e) {
    throw new BurstError('usage', `cannot read the signing key ${file}: ${errorMessage(e)}`, { file });
  }
  if ((mode & 0o077) !== 0)
    throw new BurstError(
      'usage',
      `the signing key ${file} may be read by others (mode ${(mode & 0o777).toString(8)}): run chmod 600 ${file}; anyone who reads it can sign results every reader trusts`,
      { file },
    );
  return signingKeyFromPem(pem, `the signing key ${file}`);
}

/** Public keys from files (PEM; a private key file gives its public half). */
export function loadTrustedKeys(files: string[]): TrustedKeys {
  const keys: TrustedKeys = new Map();
  for (const file of files) {
    let key: KeyObject;
    try {
      key = createPublicKey(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new BurstError('usage', `the trusted key ${file} cannot be read as a public key: ${errorMessage(e).split('\n')[0]}`, { file });
    }
    if (key.asymmetricKeyType !== 'ed25519')
      throw new BurstError(
        'usage',
        `the trusted key ${file} is ${key.asymmetricKeyType ?? 'not'} an Ed25519 key (burst keys generate makes one)`,
        {
          file,
        },
      );
    keys.set(keyIdOf(key), key);
  }
  return keys;
}

/** JSON with object keys sorted at every level: the bytes a signature covers must not depend on how a writer ordered fields. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function signedBytes(thunk: string, result: Reduction): Buffer {
  return Buffer.from(canonicalJson([SIGNED_RESULT_FORMAT, thunk, result]));
}

/** The text a shared bucket holds for the job: its result, signed. Every object the result names must have its SHA-256. */
export function signResult(thunk: string, result: Reduction, key: SigningKey): string {
  const missing = objectsOf(result).filter((n) => !result.sha256?.[n]);
  if (missing.length > 0) throw new Error(`cannot sign the result of ${thunk}: no SHA-256 for ${missing.join(', ')}`);
  const signature = sign(null, signedBytes(thunk, result), key.privateKey).toString('base64');
  return JSON.stringify({ format: SIGNED_RESULT_FORMAT, key: key.id, signature, result });
}

/**
 * A shared result that is not signed by a key this client trusts. Its
 * message names the place, the key and the reason but not the job, so that
 * one warning stands for every such result.
 */
export class UntrustedResultError extends BurstError {
  constructor(
    readonly thunk: string,
    readonly keyId: string | undefined,
    message: string,
  ) {
    super('bad-result', message, { job: thunk });
  }
}

/** The result in a shared store's `text`, once its signature is checked; throws UntrustedResultError or MalformedResultError. */
export function openSignedResult(thunk: string, text: string, where: string, trusted: TrustedKeys): Reduction {
  let envelope: Record<string, unknown>;
  try {
    envelope = JSON.parse(text) as Record<string, unknown>;
  } catch {
    envelope = {};
  }
  const ignored = `are ignored and their jobs run here`;
  if (typeof envelope !== 'object' || envelope === null || envelope.format !== SIGNED_RESULT_FORMAT || typeof envelope.key !== 'string')
    throw new UntrustedResultError(
      thunk,
      undefined,
      `unsigned results in ${where} ${ignored} (only results signed by a trusted key are used)`,
    );
  const keyId = envelope.key;
  const key = trusted.get(keyId);
  if (!key)
    throw new UntrustedResultError(
      thunk,
      keyId,
      `results in ${where} signed by ${keyId}, a key this client does not trust, ${ignored} (to trust it, add its .pub file to BURST_TRUSTED_KEYS)`,
    );
  const result = parseResult(thunk, JSON.stringify(envelope.result ?? null), where);
  const signature = typeof envelope.signature === 'string' ? Buffer.from(envelope.signature, 'base64') : Buffer.alloc(0);
  if (!verify(null, signedBytes(thunk, result), key, signature))
    throw new UntrustedResultError(
      thunk,
      keyId,
      `results in ${where} that claim ${keyId} but whose signatures do not match (altered, or copied from another job) ${ignored}`,
    );
  if (objectsOf(result).some((n) => !result.sha256?.[n]))
    throw new UntrustedResultError(thunk, keyId, `results in ${where} signed by ${keyId} without the SHA-256 of every object ${ignored}`);
  return result;
}
