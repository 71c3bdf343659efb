/**
 * Object names: a type letter, a 128-bit content hash and the size.
 *
 * `V` names a value (any bytes), `T` a thunk (an encoded job). The hash is two
 * XXH64 passes with different seeds (xxhash-wasm), which gives 128 bits without a
 * cryptographic hash's cost; the size is part of the name so schedulers can plan
 * transfers without asking the store. Example: `V1f0c…9ab2` + `00000400`.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import xxhash from 'xxhash-wasm';

export type ObjectType = 'V' | 'T';

type XXHashAPI = Awaited<ReturnType<typeof xxhash>>;
let api: XXHashAPI | undefined;

const SEED_A = 0x6275727374n; // "burst"
const SEED_B = 0x9e3779b97f4a7c15n;
const HASH_HEX = 32;
const NAME_PATTERN = /^[VT][0-9a-f]{32}[0-9a-f]{8,}$/;

/** Loads the hash function; every other function here needs it done once. */
export async function initHash(): Promise<void> {
  api ??= await xxhash();
}

function hasher(): XXHashAPI {
  if (!api) throw new Error('initHash() must be awaited before hashing');
  return api;
}

function hex64(n: bigint): string {
  return n.toString(16).padStart(16, '0');
}

function formatName(type: ObjectType, a: bigint, b: bigint, size: number): string {
  return `${type}${hex64(a)}${hex64(b)}${size.toString(16).padStart(8, '0')}`;
}

export function nameOfBytes(type: ObjectType, bytes: Uint8Array): string {
  const h = hasher();
  return formatName(type, h.h64Raw(bytes, SEED_A), h.h64Raw(bytes, SEED_B), bytes.length);
}

const WHOLE_FILE_LIMIT = 8 << 20;
const SYNC_READ_LIMIT = 1 << 20;

export async function nameOfFile(type: ObjectType, path: string): Promise<string> {
  const h = hasher();
  const fileSize = statSync(path).size;
  // Small files (sources, headers, objects) are read synchronously: the thread pool's round trips cost more than the read.
  if (fileSize <= SYNC_READ_LIMIT) return nameOfBytes(type, readFileSync(path));
  if (fileSize <= WHOLE_FILE_LIMIT) return nameOfBytes(type, await readFile(path)); // one read beats a stream for most files
  const a = h.create64(SEED_A);
  const b = h.create64(SEED_B);
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const bytes = chunk as Buffer;
    a.update(bytes);
    b.update(bytes);
    size += bytes.length;
  }
  return formatName(type, a.digest(), b.digest(), size);
}

export function isName(s: string): boolean {
  return NAME_PATTERN.test(s);
}

export interface ParsedName {
  type: ObjectType;
  hash: string;
  size: number;
}

export function parseName(name: string): ParsedName {
  if (!isName(name)) throw new Error(`not an object name: ${JSON.stringify(name)}`);
  return {
    type: name[0] as ObjectType,
    hash: name.slice(1, 1 + HASH_HEX),
    size: parseInt(name.slice(1 + HASH_HEX), 16),
  };
}

/** The same content under the other type letter (a thunk's bytes are named T, not V). */
export function withType(name: string, type: ObjectType): string {
  return type + name.slice(1);
}

/**
 * SHA-256, beside the names: names are fast to compute but not made to resist
 * a crafted collision, so whatever crosses a trust boundary (a result in a
 * shared bucket, an input a worker fetches from it) is also bound by this.
 */
export function sha256OfBytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function sha256OfFile(path: string): Promise<string> {
  if (statSync(path).size <= WHOLE_FILE_LIMIT) return sha256OfBytes(await readFile(path));
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

export function isSha256(s: unknown): s is string {
  return typeof s === 'string' && /^[0-9a-f]{64}$/.test(s);
}
