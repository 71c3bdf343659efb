/**
 * The local content-addressed store, shared by every workspace of a user.
 *
 * Layout under the cache directory:
 *   objects/ab/<name>     the bytes of each object, read-only (0444)
 *   objects/ab/<name>.x   an executable (0555) copy, made on demand for inputs run as programs
 *   reductions/ab/<thunk> what a thunk reduced to (JSON)
 *   tmp/                  temporary files, renamed into place when complete
 *   sandbox/              job directories
 *   corrupt/              objects that failed verification, kept for inspection
 *   file-index.json       the file-state index
 * Every write is a temporary file renamed into place, so readers never see a
 * partial object and concurrent processes never corrupt each other's work.
 */
import {
  chmodSync,
  chownSync,
  closeSync,
  constants,
  existsSync,
  openSync,
  promises as fs,
  readFileSync,
  readSync,
  statSync,
  type BigIntStats,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BurstError, CorruptObjectError, MissingObjectError } from '../model/errors';
import { initHash, nameOfBytes, nameOfFile, parseName, type ObjectType } from '../model/hash';
import { JOB_UID, dropsPrivileges } from '../model/jobUser';
import { encodeThunk, looksLikeThunk, type Thunk } from '../model/thunk';
import { publishOnce, tempPath, writeFileAtomic, writeFileOnce } from './atomic';
import { FileIndex } from './fileIndex';
import { parseResult } from './resultCheck';
import type { ObjectStore, OutputEntry, Reduction, RemoteObjects } from './objectStore';

export type { ObjectStore, OutputEntry, Reduction, RemoteObjects, TaggedOutput } from './objectStore';

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BURST_CACHE_DIR) return resolve(env.BURST_CACHE_DIR);
  const base = env.XDG_CACHE_HOME ? resolve(env.XDG_CACHE_HOME) : join(homedir(), '.cache');
  return join(base, 'burst');
}

export class LocalStore implements ObjectStore {
  readonly objectsDir: string;
  readonly reductionsDir: string;
  readonly tmpDir: string;
  /** Where job directories go: in the store, or where an unprivileged job user can reach them. */
  sandboxDir: string;
  readonly corruptDir: string;
  readonly index: FileIndex;
  /** What this process knows of the directory, shared by every view of it (see over). */
  private readonly known: KnownState;

  /**
   * `remote`: where objects this store lacks are fetched from (a remote
   * backend's bucket, which keeps intermediate outputs), for the views that
   * `over` makes. Fetched objects are checked against their names like any other.
   */
  private constructor(
    readonly dir: string,
    private readonly remote?: RemoteObjects,
    shared?: { index: FileIndex; known: KnownState; sandboxDir: string },
  ) {
    this.objectsDir = join(dir, 'objects');
    this.reductionsDir = join(dir, 'reductions');
    this.tmpDir = join(dir, 'tmp');
    this.sandboxDir = shared?.sandboxDir ?? join(dir, 'sandbox');
    this.corruptDir = join(dir, 'corrupt');
    this.index = shared?.index ?? new FileIndex(join(dir, 'file-index.json'), this.tmpDir);
    this.known = shared?.known ?? { verified: new Map(), fetching: new Map(), present: new Set() };
  }

  /**
   * This store layered over a remote one for one run: objects it lacks are
   * fetched from `remote` when their bytes are needed. The directory and all
   * this process knows of it are shared with the store it is made from,
   * which itself never fetches.
   */
  over(remote: RemoteObjects): LocalStore {
    return new LocalStore(this.dir, remote, { index: this.index, known: this.known, sandboxDir: this.sandboxDir });
  }

  static async open(dir: string = defaultCacheDir()): Promise<LocalStore> {
    await initHash();
    const store = new LocalStore(resolve(dir));
    for (const d of [store.objectsDir, store.reductionsDir, store.tmpDir, store.sandboxDir, store.corruptDir]) {
      await fs.mkdir(d, { recursive: true });
    }
    store.sandboxDir = await sandboxParent(store);
    return store;
  }

  /**
   * Sixteen subdirectories per kind (objects, reductions, remembered calls):
   * few enough that a new store creates them at once, where 256 made a first
   * build create hundreds of directories; ext4's hashed directories keep
   * lookups fast however many files each holds.
   */
  objectPath(name: string): string {
    return join(this.objectsDir, parseName(name).hash.slice(0, 1), name);
  }

  /** After an object was removed (garbage collection in a long-lived process): this process must not think it is still there. */
  forgetObject(name: string): void {
    this.known.present.delete(name);
    this.known.verified.delete(name);
    this.known.verified.delete(`${name}.x`);
  }

  has(name: string): boolean {
    if (this.known.present.has(name)) return true;
    try {
      statSync(this.objectPath(name));
      this.known.present.add(name);
      return true;
    } catch {
      return false;
    }
  }

  async putBytes(type: ObjectType, bytes: Uint8Array): Promise<string> {
    const name = nameOfBytes(type, bytes);
    if (this.has(name)) return name;
    const target = this.objectPath(name);
    writeFileOnce(target, bytes, this.tmpDir, 0o444);
    this.markVerified(name, statSync(target, { bigint: true }));
    return name;
  }

  async putThunk(t: Thunk): Promise<string> {
    return this.putBytes('T', encodeThunk(t));
  }

  /**
   * Adds a file from outside the store (a source file, a tool). It is copied,
   * never linked: the original may be edited in place later. The file-state
   * index skips hashing and copying when the file has not changed.
   */
  async putFile(path: string, type: ObjectType = 'V', known?: BigIntStats): Promise<string> {
    const abs = resolve(path);
    const before = known ?? statSync(abs, { bigint: true });
    const indexed = this.index.lookup(abs, before);
    if (indexed && this.has(indexed)) return indexed;
    const tmp = tempPath(this.tmpDir, 'in');
    try {
      await fs.copyFile(abs, tmp, constants.COPYFILE_FICLONE);
      const name = await nameOfFile(type, tmp);
      await this.adopt(tmp, name);
      const after = await fs.stat(abs, { bigint: true });
      if (after.mtimeNs === before.mtimeNs && after.size === before.size) this.index.record(abs, after, name);
      return name;
    } finally {
      await fs.rm(tmp, { force: true });
    }
  }

  /** Moves a file this engine made (a compile run in place) into the store; its type is T if it holds a thunk. */
  async ingestOutput(path: string): Promise<OutputEntry> {
    const st = statSync(path);
    const name = await nameOfFile(typeOfFile(path), path);
    await this.adopt(path, name);
    return { name, executable: (st.mode & 0o111) !== 0 };
  }

  /**
   * A copy of `source` as an object: a job's output, which the caller opened
   * safely and names by its open descriptor (/proc/self/fd/N). Copied, never
   * linked or moved, so nothing of the job's directory, and nothing a job
   * could point at, becomes part of the store.
   */
  async ingestCopy(source: string): Promise<string> {
    const tmp = tempPath(this.tmpDir, 'out');
    try {
      await fs.copyFile(source, tmp, constants.COPYFILE_FICLONE);
      const name = await nameOfFile(typeOfFile(tmp), tmp);
      await this.adopt(tmp, name);
      return name;
    } finally {
      await fs.rm(tmp, { force: true });
    }
  }

  /**
   * Takes a file fetched from elsewhere (a bucket) as the object `name`, if its
   * bytes match the name; otherwise deletes it and throws, naming the object
   * and where it came from.
   */
  private async adoptFetched(file: string, name: string, from: string): Promise<void> {
    const actual = await nameOfFile(parseName(name).type, file);
    if (actual !== name) {
      await fs.rm(file, { force: true });
      const err = new CorruptObjectError(name, from);
      err.message = `object ${name} is corrupt: the copy at ${from} does not match its name`;
      throw err;
    }
    await this.adopt(file, name);
  }

  /** Renames a complete file, already hashed to `name`, into the store. */
  private async adopt(file: string, name: string): Promise<void> {
    if (this.has(name)) return;
    const target = this.objectPath(name);
    // Synchronous: metadata calls on one file, for every object a build makes.
    chmodSync(file, 0o444);
    if (dropsPrivileges()) chownSync(file, 0, 0); // a job's uid must not own what later jobs read
    publishOnce(file, target);
    this.markVerified(name, statSync(target, { bigint: true }));
  }

  /** Fetches a missing object from the remote, if there is one and it has it. */
  private fetchMissing(name: string): Promise<boolean> {
    const remote = this.remote;
    if (!remote) return Promise.resolve(false);
    if (this.has(name)) return Promise.resolve(true);
    // Keyed by where the object comes from: a fetch from another bucket or prefix that lacks it must not answer for this one.
    const key = remote.describe(name);
    const running = this.known.fetching.get(key);
    if (running) return running;
    const p = this.fetchInto(remote, name).finally(() => this.known.fetching.delete(key));
    this.known.fetching.set(key, p);
    return p;
  }

  private async fetchInto(remote: RemoteObjects, name: string): Promise<boolean> {
    const tmp = tempPath(this.tmpDir, 'fetch');
    try {
      if (!(await remote.fetch(name, tmp))) return false;
      await this.adoptFetched(tmp, name, remote.describe(name));
      return true;
    } finally {
      await fs.rm(tmp, { force: true });
    }
  }

  async readBytes(name: string): Promise<Buffer> {
    const path = this.objectPath(name);
    await this.fetchMissing(name);
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new MissingObjectError(name, this.remote?.describe(name));
      throw e;
    }
    if (nameOfBytes(parseName(name).type, bytes) !== name) {
      await this.quarantine(name);
      throw new CorruptObjectError(name, path);
    }
    return bytes;
  }

  /** The path of an object whose content has been checked against its name. */
  async verifiedPath(name: string): Promise<string> {
    const path = this.objectPath(name);
    // Checked once per process: objects are never rewritten in place, and a job cannot write them.
    if (this.known.verified.has(name)) return path;
    await this.fetchMissing(name);
    let st: BigIntStats;
    try {
      st = statSync(path, { bigint: true }); // synchronous: once per object per process, on every job's path
    } catch {
      throw new MissingObjectError(name, this.remote?.describe(name));
    }
    if (this.index.lookup(path, st, true) === name) {
      this.known.verified.set(name, stateKey(st));
      return path;
    }
    const actual = await nameOfFile(parseName(name).type, path);
    if (actual !== name) {
      await this.quarantine(name);
      throw new CorruptObjectError(name, path);
    }
    this.markVerified(name, st);
    return path;
  }

  async verify(name: string): Promise<void> {
    await this.verifiedPath(name);
  }

  /** A verified, executable copy of an object (hard links share the mode, so it is a copy). */
  async executablePath(name: string): Promise<string> {
    const plain = await this.verifiedPath(name);
    const exe = `${plain}.x`;
    if (this.known.verified.has(`${name}.x`)) return exe;
    try {
      // Checked by content once per process, like the object: a job running as the store's owner could have changed it.
      const st = statSync(exe, { bigint: true });
      if (
        this.index.lookup(exe, st, true) === name ||
        (st.size === BigInt(parseName(name).size) && (await nameOfFile(parseName(name).type, exe)) === name)
      ) {
        this.index.record(exe, st, name, true);
        this.known.verified.set(`${name}.x`, stateKey(st));
        return exe;
      }
      await fs.rm(exe, { force: true }); // a leftover of another size (a crash mid-copy long ago), or changed: made again below
    } catch {
      // made below
    }
    const tmp = tempPath(this.tmpDir, 'exe');
    try {
      await fs.copyFile(plain, tmp, constants.COPYFILE_FICLONE);
      await fs.chmod(tmp, 0o555);
      publishOnce(tmp, exe); // never over a copy another job may be linking this moment
    } finally {
      await fs.rm(tmp, { force: true });
    }
    return exe;
  }

  async quarantine(name: string): Promise<void> {
    const path = this.objectPath(name);
    this.known.verified.delete(name);
    this.known.verified.delete(`${name}.x`);
    this.known.present.delete(name);
    this.index.forget(path);
    await fs.rename(path, join(this.corruptDir, `${name}.${Date.now()}`)).catch(() => undefined);
    await fs.rm(`${path}.x`, { force: true });
  }

  private markVerified(name: string, st: BigIntStats): void {
    this.known.verified.set(name, stateKey(st));
    this.index.record(this.objectPath(name), st, name, true);
  }

  private reductionPath(thunk: string): string {
    return join(this.reductionsDir, parseName(thunk).hash.slice(0, 1), thunk);
  }

  /** The recorded result, checked (resultCheck.ts): a malformed one throws MalformedResultError. */
  async getReduction(thunk: string): Promise<Reduction | undefined> {
    const path = this.reductionPath(thunk);
    let text: string;
    try {
      text = readFileSync(path, 'utf8'); // synchronous: a few hundred bytes, read for every cached job
    } catch {
      return undefined;
    }
    return parseResult(thunk, text, path);
  }

  /** Whether a result is recorded for the thunk (not whether its outputs are intact: getReduction's caller checks that). */
  hasReduction(thunk: string): boolean {
    return existsSync(this.reductionPath(thunk));
  }

  async putReduction(thunk: string, r: Reduction): Promise<void> {
    const path = this.reductionPath(thunk);
    await writeFileAtomic(path, JSON.stringify(r), this.tmpDir);
  }

  async deleteReduction(thunk: string): Promise<void> {
    await fs.rm(this.reductionPath(thunk), { force: true });
  }

  /**
   * Before any job starts: when jobs run as another user, that user must be
   * able to reach the sandbox directory, or every job would fail on its own
   * with EACCES. Names the directory in the way and the ways out.
   */
  checkJobsCanReachSandboxes(): void {
    if (!dropsPrivileges()) return;
    const blocking = firstUnsearchable(this.sandboxDir, JOB_UID);
    if (!blocking) return;
    throw new BurstError(
      'usage',
      `jobs run as user ${JOB_UID} (Burst runs as root), who cannot reach the job directories under ${this.sandboxDir}: ` +
        `${blocking} is not searchable by that user. Fix one of: chmod o+x ${blocking}; set BURST_SANDBOX_DIR to a directory ` +
        `on the store's file system that every user can reach (e.g. under /tmp); or put the store there (BURST_CACHE_DIR)`,
    );
  }

  /** Saves what this process learned (file-state index); call at the end of a run. */
  async flush(): Promise<void> {
    await this.index.save();
  }
}

/** T for a file that holds an encoded thunk (a job may return thunks), else V. */
function typeOfFile(path: string): ObjectType {
  const head = Buffer.alloc(32);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  return looksLikeThunk(head) ? 'T' : 'V';
}

interface KnownState {
  /** Objects whose content was hashed by this process: name → the state it was hashed in. */
  verified: Map<string, string>;
  /** Fetches under way, so jobs that need the same object at once download it once. */
  fetching: Map<string, Promise<boolean>>;
  /** Objects seen in the store by this process; only quarantine removes one. */
  present: Set<string>;
}

/** Without ctime: linking an object into a sandbox changes it, writing to it changes mtime. */
function stateKey(st: BigIntStats): string {
  return `${st.ino}:${st.size}:${st.mtimeNs}`;
}

/** The first directory from / down to `dir` that `uid` may not search (enter), or undefined. */
function firstUnsearchable(dir: string, uid: number): string | undefined {
  const parts = resolve(dir).split('/').filter(Boolean);
  for (let i = 0; i <= parts.length; i++) {
    const d = `/${parts.slice(0, i).join('/')}`;
    let st;
    try {
      st = statSync(d);
    } catch {
      return d;
    }
    const bit = st.uid === uid ? 0o100 : 0o001; // groups: the job user is nobody, in no group of the store's
    if ((st.mode & bit) === 0) return d;
  }
  return undefined;
}

/**
 * Jobs that run as another user must be able to reach their sandbox by its
 * absolute path (programs such as node resolve their own script's path), and
 * the store may sit under a private home directory. Such sandboxes go to a
 * world-traversable directory in the system's temporary folder instead, when
 * that is on the store's file system, so inputs can still be hard links.
 */
async function sandboxParent(store: LocalStore): Promise<string> {
  const chosen = process.env.BURST_SANDBOX_DIR;
  if (chosen) {
    await fs.mkdir(resolve(chosen), { recursive: true, mode: 0o711 });
    return resolve(chosen);
  }
  if (!dropsPrivileges()) return store.sandboxDir;
  const shared = join(tmpdir(), `burst-sandboxes-${process.getuid?.() ?? 0}`);
  try {
    await fs.mkdir(shared, { recursive: true, mode: 0o711 });
    await fs.chmod(shared, 0o711);
    const [a, b] = await Promise.all([fs.stat(shared), fs.stat(store.dir)]);
    if (a.dev !== b.dev) return store.sandboxDir;
    await sweepSandboxesOfRemovedStores(shared);
    // One directory per store: `burst cache gc` of a store empties its own, and the trees of a removed store
    // (whose hard links would keep its objects' bytes on disk) are found and removed by the next run.
    const own = join(shared, nameOfBytes('V', Buffer.from(store.dir)).slice(1, 17));
    await fs.mkdir(own, { mode: 0o711 }).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e;
    });
    await fs.chmod(own, 0o711);
    await writeFileAtomic(join(own, STORE_MARK), store.dir, store.tmpDir);
    return own;
  } catch {
    return store.sandboxDir;
  }
}

/** Names, in a store's directory of sandboxes outside it, the store they belong to. */
export const STORE_MARK = 'store';

async function sweepSandboxesOfRemovedStores(shared: string): Promise<void> {
  for (const name of await fs.readdir(shared).catch(() => [] as string[])) {
    const dir = join(shared, name);
    const owner = await fs.readFile(join(dir, STORE_MARK), 'utf8').catch(() => undefined);
    if (owner !== undefined && existsSync(join(owner, 'objects'))) continue;
    if (owner === undefined && Date.now() - ((await fs.stat(dir).catch(() => undefined))?.mtimeMs ?? 0) < 24 * 3600_000) continue;
    await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}
