/**
 * Which objects a bucket already holds, as far as this machine knows: a list
 * of names per bucket and prefix in the local store, appended as objects go up
 * or come out of jobs, so no object is uploaded twice and no HEAD request is
 * needed for a known one. A name the bucket has lost (or holds corrupt) is
 * dropped when a worker says so. Each name may carry its SHA-256, which the
 * worker checks the bucket's copy against.
 */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nameOfBytes } from '../model/hash';
import type { LocalStore } from '../store/local';
import type { StorageTarget } from './protocol';

export class UploadRecord {
  /** Name → its SHA-256 where known ('' otherwise). */
  private readonly names = new Map<string, string>();
  private readonly file: string;

  constructor(store: LocalStore, target: StorageTarget, endpoint: string | undefined) {
    const key = nameOfBytes('V', Buffer.from(JSON.stringify([endpoint ?? 'aws', target.bucket, target.prefix]))).slice(1, 17);
    const dir = join(store.dir, 'remote');
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, `${key}.names`);
    try {
      for (const line of readFileSync(this.file, 'utf8').split('\n')) {
        const [name, sha256] = line.split(' ');
        if (name) this.names.set(name, sha256 ?? '');
      }
    } catch {
      // nothing known yet
    }
  }

  has(name: string): boolean {
    return this.names.has(name);
  }

  /** The object's SHA-256 as recorded when this machine put it or a worker made it. */
  digest(name: string): string | undefined {
    return this.names.get(name) || undefined;
  }

  add(name: string, sha256?: string): void {
    const known = this.names.get(name);
    if (known !== undefined && (known !== '' || !sha256)) return;
    this.names.set(name, sha256 ?? '');
    appendFileSync(this.file, sha256 ? `${name} ${sha256}\n` : `${name}\n`);
  }

  forget(name: string): void {
    if (!this.names.delete(name)) return;
    writeFileSync(this.file, [...this.names].map(([n, d]) => (d ? `${n} ${d}\n` : `${n}\n`)).join(''));
  }
}
