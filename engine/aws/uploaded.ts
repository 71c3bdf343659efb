/**
 * Which objects a bucket already holds, as far as this machine knows: a list
 * of names per bucket and prefix in the local store, appended as objects go up
 * or come out of jobs, so no object is uploaded twice and no HEAD request is
 * needed for a known one. A name the bucket has lost (or holds corrupt) is
 * dropped when a worker says so.
 */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nameOfBytes } from '../model/hash';
import type { LocalStore } from '../store/local';
import type { StorageTarget } from './protocol';

export class UploadRecord {
  private readonly names = new Set<string>();
  private readonly file: string;

  constructor(store: LocalStore, target: StorageTarget, endpoint: string | undefined) {
    const key = nameOfBytes('V', Buffer.from(JSON.stringify([endpoint ?? 'aws', target.bucket, target.prefix]))).slice(1, 17);
    const dir = join(store.dir, 'remote');
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, `${key}.names`);
    try {
      for (const line of readFileSync(this.file, 'utf8').split('\n')) if (line) this.names.add(line);
    } catch {
      // nothing known yet
    }
  }

  has(name: string): boolean {
    return this.names.has(name);
  }

  add(name: string): void {
    if (this.names.has(name)) return;
    this.names.add(name);
    appendFileSync(this.file, `${name}\n`);
  }

  forget(name: string): void {
    if (!this.names.delete(name)) return;
    writeFileSync(this.file, [...this.names].map((n) => `${n}\n`).join(''));
  }
}
