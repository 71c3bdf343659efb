/**
 * The file-state index: path + size + mtime + ctime + inode → object name, so a
 * file that has not changed is not hashed again (ccache's direct mode, gg's
 * hash_cache). One JSON file per store, merged and replaced atomically on save,
 * so concurrent processes can lose each other's entries but never corrupt it.
 */
import { readFileSync, type BigIntStats } from 'node:fs';
import { writeFileAtomic } from './atomic';

type Entry = [size: string, mtimeNs: string, ctimeNs: string, ino: string, name: string];

/** Files changed this recently may change again within the clock's granularity: never trust them. */
const RACY_WINDOW_NS = 2_000_000_000n;

export class FileIndex {
  private entries: Map<string, Entry> | undefined;
  private readonly dirty = new Map<string, Entry>();

  constructor(
    private readonly file: string,
    private readonly tmpDir: string,
  ) {}

  /**
   * `ignoreCtime` is for store objects: hard-linking them into sandboxes changes
   * their ctime, while any write to them changes their mtime.
   */
  lookup(path: string, st: BigIntStats, ignoreCtime = false): string | undefined {
    const e = this.load().get(path) ?? this.dirty.get(path);
    if (!e) return undefined;
    return sameState(e, st, ignoreCtime) ? e[4] : undefined;
  }

  /** `trusted` skips the racy-timestamp guard, for files whose content this process wrote itself. */
  record(path: string, st: BigIntStats, name: string, trusted = false): void {
    if (!trusted && BigInt(Date.now()) * 1_000_000n - st.mtimeNs < RACY_WINDOW_NS) return;
    const e: Entry = [String(st.size), String(st.mtimeNs), String(st.ctimeNs), String(st.ino), name];
    this.load().set(path, e);
    this.dirty.set(path, e);
  }

  forget(path: string): void {
    this.load().delete(path);
    this.dirty.delete(path);
  }

  async save(): Promise<void> {
    if (this.dirty.size === 0) return;
    const merged = readEntries(this.file);
    for (const [k, v] of this.dirty) merged.set(k, v);
    await writeFileAtomic(this.file, JSON.stringify({ version: 1, entries: Object.fromEntries(merged) }), this.tmpDir);
    this.dirty.clear();
  }

  private load(): Map<string, Entry> {
    this.entries ??= readEntries(this.file);
    return this.entries;
  }
}

function sameState(e: Entry, st: BigIntStats, ignoreCtime: boolean): boolean {
  return e[0] === String(st.size) && e[1] === String(st.mtimeNs) && (ignoreCtime || e[2] === String(st.ctimeNs)) && e[3] === String(st.ino);
}

function readEntries(file: string): Map<string, Entry> {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { version?: number; entries?: Record<string, Entry> };
    if (parsed.version !== 1 || typeof parsed.entries !== 'object' || parsed.entries === null) return new Map();
    return new Map(Object.entries(parsed.entries));
  } catch {
    // A missing or unreadable index only costs re-hashing.
    return new Map();
  }
}
