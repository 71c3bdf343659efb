/**
 * A store in memory: the scheduler's unit tests, and callers that must not
 * touch the disk. Objects are checked against their names when read, as the
 * local store checks them, so a test can plant a bad one.
 */
import { CorruptObjectError, MissingObjectError } from '../model/errors';
import { nameOfBytes, parseName, type ObjectType } from '../model/hash';
import type { ObjectStore, Reduction } from './objectStore';

export class MemoryStore implements ObjectStore {
  /** Open to tests, which damage or drop objects through it. */
  readonly objects = new Map<string, Buffer>();
  readonly reductions = new Map<string, Reduction>();

  has(name: string): boolean {
    return this.objects.has(name);
  }

  async readBytes(name: string): Promise<Buffer> {
    const bytes = this.objects.get(name);
    if (!bytes) throw new MissingObjectError(name);
    if (nameOfBytes(parseName(name).type, bytes) !== name) {
      this.objects.delete(name);
      throw new CorruptObjectError(name, `memory:${name}`);
    }
    return bytes;
  }

  async putBytes(type: ObjectType, bytes: Uint8Array): Promise<string> {
    const name = nameOfBytes(type, bytes);
    if (!this.objects.has(name)) this.objects.set(name, Buffer.from(bytes));
    return name;
  }

  async verify(name: string): Promise<void> {
    await this.readBytes(name);
  }

  async getReduction(thunk: string): Promise<Reduction | undefined> {
    const r = this.reductions.get(thunk);
    return r ? structuredClone(r) : undefined;
  }

  hasReduction(thunk: string): boolean {
    return this.reductions.has(thunk);
  }

  async putReduction(thunk: string, r: Reduction): Promise<void> {
    this.reductions.set(thunk, structuredClone(r));
  }

  async deleteReduction(thunk: string): Promise<void> {
    this.reductions.delete(thunk);
  }
}
