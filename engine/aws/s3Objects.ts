/**
 * The bucket as an object store: objects and results under the configured
 * prefix, keyed by their names. Every object read back is checked against its
 * name by the caller that stores it; this layer only moves bytes and counts
 * requests and bytes for the cost meter.
 */
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { parseName } from '../hash';
import type { Reduction, RemoteObjects } from '../store/local';
import { objectKey, reductionKey, type StorageTarget } from './protocol';

/** Objects at least this big go up in parts. */
const MULTIPART_BYTES = 16 << 20;

export interface TransferCounts {
  gets: number;
  puts: number;
  heads: number;
  bytesUp: number;
  bytesDown: number;
}

export class S3Objects {
  readonly counts: TransferCounts = { gets: 0, puts: 0, heads: 0, bytesUp: 0, bytesDown: 0 };

  constructor(readonly client: S3Client, readonly target: StorageTarget) {}

  /** Whether the bucket has the object; false also when S3 will not say (403: no s3:ListBucket), so the caller puts it. */
  async exists(name: string): Promise<boolean> {
    this.counts.heads++;
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.target.bucket, Key: objectKey(this.target.prefix, name) }));
      return true;
    } catch (e) {
      if (isNotFound(e) || statusOf(e) === 403) return false;
      throw e;
    }
  }

  /** Uploads a local file as the object `name`. */
  async putFile(name: string, path: string): Promise<void> {
    const size = parseName(name).size;
    const Key = objectKey(this.target.prefix, name);
    this.counts.puts++;
    if (size >= MULTIPART_BYTES) {
      await new Upload({ client: this.client, params: { Bucket: this.target.bucket, Key, Body: createReadStream(path) }, queueSize: 4, partSize: 8 << 20 }).done();
    } else {
      await this.client.send(new PutObjectCommand({ Bucket: this.target.bucket, Key, Body: await fs.readFile(path), ContentLength: size }));
    }
    this.counts.bytesUp += size;
  }

  async putBytes(name: string, bytes: Uint8Array): Promise<void> {
    this.counts.puts++;
    await this.client.send(new PutObjectCommand({ Bucket: this.target.bucket, Key: objectKey(this.target.prefix, name), Body: bytes, ContentLength: bytes.length }));
    this.counts.bytesUp += bytes.length;
  }

  /** Writes the object's bytes to `dest`; false if there is no such object. The caller checks the bytes against the name. */
  async getToFile(name: string, dest: string): Promise<boolean> {
    this.counts.gets++;
    let body: Readable;
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.target.bucket, Key: objectKey(this.target.prefix, name) }));
      body = r.Body as Readable;
    } catch (e) {
      // Without s3:ListBucket, S3 answers 403 for a key it does not have.
      if (isNotFound(e) || statusOf(e) === 403) return false;
      throw e;
    }
    await pipeline(body, createWriteStream(dest, { mode: 0o600 }));
    this.counts.bytesDown += (await fs.stat(dest)).size;
    return true;
  }

  async delete(name: string): Promise<void> {
    this.counts.puts++;
    await this.client.send(new DeleteObjectCommand({ Bucket: this.target.bucket, Key: objectKey(this.target.prefix, name) }));
  }

  /** This bucket as where a local store fetches the objects it lacks (each checked against its name there). */
  asRemote(): RemoteObjects {
    return { fetch: (name, dest) => this.getToFile(name, dest), describe: (name) => `s3://${this.target.bucket}/${objectKey(this.target.prefix, name)}` };
  }

  async getReduction(thunk: string): Promise<Reduction | undefined> {
    this.counts.gets++;
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.target.bucket, Key: reductionKey(this.target.prefix, thunk) }));
      const text = await (r.Body as { transformToString(): Promise<string> }).transformToString();
      this.counts.bytesDown += text.length;
      const parsed = JSON.parse(text) as Reduction;
      return Array.isArray(parsed.outputs) && parsed.outputs.length > 0 ? parsed : undefined;
    } catch (e) {
      if (isNotFound(e) || e instanceof SyntaxError) return undefined;
      throw e;
    }
  }

  async putReduction(thunk: string, r: Reduction): Promise<void> {
    const body = Buffer.from(JSON.stringify(r));
    this.counts.puts++;
    await this.client.send(new PutObjectCommand({ Bucket: this.target.bucket, Key: reductionKey(this.target.prefix, thunk), Body: body, ContentType: 'application/json' }));
    this.counts.bytesUp += body.length;
  }
}

function statusOf(e: unknown): number | undefined {
  return (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

export function isNotFound(e: unknown): boolean {
  if (e instanceof S3ServiceException) return e.$metadata.httpStatusCode === 404 || e.name === 'NotFound' || e.name === 'NoSuchKey';
  const name = (e as { name?: string }).name;
  return name === 'NotFound' || name === 'NoSuchKey';
}
