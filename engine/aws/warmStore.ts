/**
 * The worker's store in /tmp outlives the invocation that filled it, and its
 * jobs run as the handler's user (Lambda offers no other), so a job can
 * rewrite any file in it, or add one under a name it has not earned. Nothing
 * there is believed on its name alone: this process remembers the SHA-256
 * and the file identity (inode, size, modification and change times) of each
 * object it checked, and checks again any object whose file changed, or
 * whose check was so recent that a job writing in the same clock tick would
 * have left the times as they were. Jobs cannot reach this memory: the
 * handler makes itself non-dumpable (guard.ts).
 */
import { promises as fs, statSync, type BigIntStats } from 'node:fs';
import { CorruptObjectError } from '../model/errors';
import { nameOfFile, parseName, sha256OfFile } from '../model/hash';
import { dropsPrivileges } from '../model/jobUser';
import type { LocalStore } from '../store/local';

/** Older than this, a file's change time would move if anything wrote to it (the kernel's clock is coarse, a few ms a tick). */
const SETTLE_NS = 50_000_000n;

interface Checked {
  sha256: string;
  identity: string;
  /** Its times were old enough, when checked, that any later write shows. */
  settled: boolean;
}

function identityOf(st: BigIntStats): string {
  return `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

function statOf(path: string): BigIntStats | undefined {
  try {
    return statSync(path, { bigint: true });
  } catch {
    return undefined;
  }
}

export class WarmStore {
  private readonly checked = new Map<string, Checked>();
  /**
   * Whether jobs run as this process's user, as on Lambda. A worker run as
   * root gives its jobs another user, who cannot write the store's read-only
   * files: there an object checked once stays as checked (and the times of
   * objects hard-linked into sandboxes change with every link).
   */
  private readonly jobsCanWrite = !dropsPrivileges();

  /**
   * Makes the object present and intact before a job uses it: a copy that
   * is not what this process checked is dropped and fetched again (from the
   * request's bytes or the bucket). `expected`: the SHA-256 the engine knows
   * it by; a copy from the bucket that does not match is refused as corrupt.
   */
  async admit(store: LocalStore, name: string, expected: string | undefined, fetch: () => Promise<void>): Promise<void> {
    const path = store.objectPath(name);
    let digest = await this.trusted(store, name, path);
    if (digest === undefined) {
      await fetch();
      digest = await this.check(store, name, path);
      if (digest === undefined) throw new CorruptObjectError(name, path);
    }
    if (expected !== undefined && digest !== expected) {
      await this.drop(store, name);
      throw new CorruptObjectError(
        name,
        `the bucket's copy of ${name}`,
        'its SHA-256 is not the one the engine knows it by (a crafted copy)',
      );
    }
  }

  /** An output a job just made, taken into the store: its SHA-256, once its copy there is checked. */
  async taken(store: LocalStore, name: string): Promise<string> {
    const digest = await this.check(store, name, store.objectPath(name));
    if (digest === undefined) throw new CorruptObjectError(name, store.objectPath(name), 'a job changed the worker store');
    return digest;
  }

  /** The SHA-256 of a copy still as checked (or checked now), or undefined when there is none or it was changed (then dropped). */
  private async trusted(store: LocalStore, name: string, path: string): Promise<string | undefined> {
    const st = statOf(path);
    if (!st) return undefined;
    const known = this.checked.get(name);
    if (!this.jobsCanWrite) return known?.sha256 ?? this.check(store, name, path);
    if (known && known.settled && known.identity === identityOf(st)) {
      await this.checkExecutableCopy(store, name, known);
      return known.sha256;
    }
    return this.check(store, name, path);
  }

  /** Hashes the copy: its SHA-256 if it matches its name; otherwise it is dropped and undefined returned. */
  private async check(store: LocalStore, name: string, path: string): Promise<string | undefined> {
    const before = statOf(path);
    if (!before) return undefined;
    if (!this.jobsCanWrite) {
      const sha256 = await sha256OfFile(await store.verifiedPath(name));
      this.checked.set(name, { sha256, identity: '', settled: true });
      return sha256;
    }
    const [actual, sha256] = await Promise.all([nameOfFile(parseName(name).type, path), sha256OfFile(path)]);
    if (actual !== name || identityOf(before) !== identityOf(statOf(path) ?? before)) {
      await this.drop(store, name);
      return undefined;
    }
    const settled = BigInt(Date.now()) * 1_000_000n - before.ctimeNs > SETTLE_NS;
    this.checked.set(name, { sha256, identity: identityOf(before), settled });
    await fs.rm(`${path}.x`, { force: true }); // its executable copy is made again from the checked one
    store.forgetObject(name);
    return sha256;
  }

  /** The executable copy of a settled object: kept while its identity is the one recorded, else made again. */
  private async checkExecutableCopy(store: LocalStore, name: string, known: Checked): Promise<void> {
    const exe = `${store.objectPath(name)}.x`;
    const st = statOf(exe);
    if (!st) return;
    const key = `${name}.x`;
    const seen = this.checked.get(key);
    if (seen?.settled && seen.identity === identityOf(st)) return;
    if ((await sha256OfFile(exe)) === known.sha256) {
      const settled = BigInt(Date.now()) * 1_000_000n - st.ctimeNs > SETTLE_NS;
      this.checked.set(key, { sha256: known.sha256, identity: identityOf(st), settled });
      return;
    }
    await fs.rm(exe, { force: true });
    this.checked.delete(key);
    store.forgetObject(name);
  }

  private async drop(store: LocalStore, name: string): Promise<void> {
    this.checked.delete(name);
    this.checked.delete(`${name}.x`);
    await store.quarantine(name);
  }
}
