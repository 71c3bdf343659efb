/**
 * The bucket as an object store: objects and results under the configured
 * prefix, keyed by their names. Every object read back is checked against its
 * name by the caller that stores it; this layer only moves bytes and counts
 * requests and bytes for the cost meter.
 */
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { parseName } from '../model/hash';
import type { RemoteObjects } from '../store/local';
import { objectKey, reductionKey, type StorageTarget } from './protocol';
import {
  SignedWire,
  agents as keepAliveAgents,
  encodeKey,
  errorOf,
  readBody,
  withRetries,
  type WireAgents,
  type WireRequest,
  type WireResponse,
} from './wire';

/** Objects at least this big go up in parts, through the SDK. */
const MULTIPART_BYTES = 16 << 20;
const REQUEST_TIMEOUT_MS = 300_000;

export interface TransferCounts {
  gets: number;
  puts: number;
  heads: number;
  bytesUp: number;
  bytesDown: number;
}

/**
 * One wire per client and bucket, kept for the process: a warm Lambda worker
 * makes a new S3Objects per invocation (for its counts) but keeps its
 * sockets and signer.
 */
const wires = new WeakMap<S3Client, Map<string, Promise<SignedWire>>>();
const clientAgents = new WeakMap<S3Client, WireAgents>();

export class S3Objects {
  readonly counts: TransferCounts = { gets: 0, puts: 0, heads: 0, bytesUp: 0, bytesDown: 0 };

  /** `agents` for a client made with them (clients.ts); otherwise the client gets keep-alive agents of its own. */
  constructor(
    readonly client: S3Client,
    readonly target: StorageTarget,
    agents?: WireAgents,
  ) {
    if (agents) clientAgents.set(client, agents);
  }

  /** Whether the bucket has the object; false also when S3 will not say (403: no s3:ListBucket), so the caller puts it. */
  async exists(name: string): Promise<boolean> {
    this.counts.heads++;
    return withRetries(async () => {
      const res = await this.request({ method: 'HEAD', path: this.path(objectKey(this.target.prefix, name)) });
      if (res.status === 200 || res.status === 404 || res.status === 403) return (await readBody(res.body), res.status === 200);
      throw await errorOf(res);
    });
  }

  /** Uploads a local file as the object `name`. */
  async putFile(name: string, path: string): Promise<void> {
    const size = parseName(name).size;
    const Key = objectKey(this.target.prefix, name);
    if (size >= MULTIPART_BYTES) {
      this.counts.puts++;
      await new Upload({
        client: this.client,
        params: { Bucket: this.target.bucket, Key, Body: createReadStream(path) },
        queueSize: 4,
        partSize: 8 << 20,
      }).done();
      this.counts.bytesUp += size;
      return;
    }
    await this.putBytes(name, await fs.readFile(path));
  }

  async putBytes(name: string, bytes: Uint8Array): Promise<void> {
    await this.put(
      objectKey(this.target.prefix, name),
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      'application/octet-stream',
    );
  }

  /** Writes the object's bytes to `dest`; false if there is no such object. The caller checks the bytes against the name. */
  async getToFile(name: string, dest: string): Promise<boolean> {
    this.counts.gets++;
    return withRetries(async () => {
      const res = await this.request({ method: 'GET', path: this.path(objectKey(this.target.prefix, name)) });
      // Without s3:ListBucket, S3 answers 403 for a key it does not have.
      if (res.status === 404 || res.status === 403) return (await readBody(res.body), false);
      if (res.status !== 200) throw await errorOf(res);
      await pipeline(res.body, createWriteStream(dest, { mode: 0o600 }));
      this.counts.bytesDown += (await fs.stat(dest)).size;
      return true;
    });
  }

  async delete(name: string): Promise<void> {
    this.counts.puts++;
    await withRetries(async () => {
      const res = await this.request({ method: 'DELETE', path: this.path(objectKey(this.target.prefix, name)) });
      if (res.status >= 300 && res.status !== 404) throw await errorOf(res);
      await readBody(res.body);
    });
  }

  /** The bucket and prefix, for messages. */
  where(): string {
    return `s3://${this.target.bucket}/${this.target.prefix}`;
  }

  /** This bucket as where a local store fetches the objects it lacks (each checked against its name there). */
  asRemote(): RemoteObjects {
    return {
      fetch: (name, dest) => this.getToFile(name, dest),
      describe: (name) => `s3://${this.target.bucket}/${objectKey(this.target.prefix, name)}`,
    };
  }

  /** The shared result's text as the bucket holds it (signed: the reader checks it), or undefined. */
  async getResultText(thunk: string): Promise<string | undefined> {
    this.counts.gets++;
    const text = await withRetries(async () => {
      const res = await this.request({ method: 'GET', path: this.path(reductionKey(this.target.prefix, thunk)) });
      if (res.status === 404) return (await readBody(res.body), undefined);
      if (res.status !== 200) throw await errorOf(res);
      return (await readBody(res.body)).toString('utf8');
    });
    if (text !== undefined) this.counts.bytesDown += text.length;
    return text;
  }

  /**
   * Shares a result unless the bucket has one for the job already: a result
   * is never overwritten (If-None-Match), so a writer cannot replace another's.
   * S3 answers 412 when one exists, and 409 when another write races this one.
   */
  async putResultText(thunk: string, text: string): Promise<'written' | 'exists'> {
    this.counts.puts++;
    const body = Buffer.from(text);
    const key = reductionKey(this.target.prefix, thunk);
    const outcome = await withRetries(async () => {
      const res = await this.request({
        method: 'PUT',
        path: this.path(key),
        body,
        headers: { 'content-type': 'application/json', 'if-none-match': '*' },
      });
      if (res.status === 412 || res.status === 409) return (await readBody(res.body), 'exists' as const);
      if (res.status !== 200) throw await errorOf(res);
      await readBody(res.body);
      return 'written' as const;
    });
    if (outcome === 'written') this.counts.bytesUp += body.length;
    return outcome;
  }

  private async put(key: string, body: Buffer, contentType: string): Promise<void> {
    this.counts.puts++;
    await withRetries(async () => {
      const res = await this.request({ method: 'PUT', path: this.path(key), body, headers: { 'content-type': contentType } });
      if (res.status !== 200) throw await errorOf(res);
      await readBody(res.body);
    });
    this.counts.bytesUp += body.length;
  }

  private path(key: string): string {
    return `/${encodeKey(key)}`;
  }

  private async request(req: WireRequest): Promise<WireResponse> {
    const wire = await this.wire();
    return wire.send({ ...req, headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...req.headers } });
  }

  private wire(): Promise<SignedWire> {
    let byBucket = wires.get(this.client);
    if (!byBucket) wires.set(this.client, (byBucket = new Map()));
    const bucket = this.target.bucket;
    let wire = byBucket.get(bucket);
    if (!wire) {
      let agents = clientAgents.get(this.client);
      if (!agents) clientAgents.set(this.client, (agents = keepAliveAgents(64)));
      wire = SignedWire.forCommand(this.client.config, GetObjectCommand, { Bucket: bucket, Key: 'k' }, 's3', agents, REQUEST_TIMEOUT_MS);
      byBucket.set(bucket, wire);
      wire.catch(() => byBucket.delete(bucket)); // resolved again next time (credentials may appear)
    }
    return wire;
  }
}

export function isNotFound(e: unknown): boolean {
  if (e instanceof S3ServiceException) return e.$metadata.httpStatusCode === 404 || e.name === 'NotFound' || e.name === 'NoSuchKey';
  const name = (e as { name?: string }).name;
  return name === 'NotFound' || name === 'NoSuchKey';
}
