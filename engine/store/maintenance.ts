/** `burst cache stats` and `burst cache gc`: what the store holds, and trimming it. */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { otherLeaseHolders } from './leases';
import { STORE_MARK, type LocalStore } from './local';

export interface CacheStats {
  dir: string;
  objects: number;
  bytes: number;
  reductions: number;
  corrupt: number;
}

interface FileInfo {
  path: string;
  size: number;
  mtimeMs: number;
}

async function listFiles(dir: string): Promise<FileInfo[]> {
  const out: FileInfo[] = [];
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true, recursive: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!e.isFile()) continue;
    const path = join(e.parentPath, e.name);
    const st = await fs.stat(path).catch(() => undefined);
    if (st) out.push({ path, size: st.size, mtimeMs: st.mtimeMs });
  }
  return out;
}

export async function cacheStats(store: LocalStore): Promise<CacheStats> {
  const objects = await listFiles(store.objectsDir);
  return {
    dir: store.dir,
    objects: objects.filter((o) => !o.path.endsWith('.x')).length,
    bytes: objects.reduce((n, o) => n + o.size, 0),
    reductions: (await listFiles(store.reductionsDir)).length,
    corrupt: (await listFiles(store.corruptDir)).length,
  };
}

export interface GcResult {
  removedObjects: number;
  removedBytes: number;
  removedReductions: number;
  removedTemporary: number;
  /** Processes running builds on this store: while there are any, no object or result is removed. */
  busy: number[];
}

/** Temporary files and sandboxes this old belong to no live run. */
const STALE_MS = 24 * 3600_000;

/**
 * Removes leftovers of interrupted runs and quarantined objects; with a size
 * limit, also the least recently written objects until the store fits, and then
 * every reduction that names a removed object, unless another process is
 * running a build on the store (see leases.ts).
 */
export async function collectGarbage(store: LocalStore, maxBytes?: number): Promise<GcResult> {
  const result: GcResult = { removedObjects: 0, removedBytes: 0, removedReductions: 0, removedTemporary: 0, busy: [] };
  const now = Date.now();
  result.busy = otherLeaseHolders(store.dir);
  // With no run on the store, every sandbox and temporary file is a leftover; the shared trees of
  // tools are hard links that would keep the bytes of removed objects on disk.
  const staleAfter = result.busy.length > 0 ? STALE_MS : 0;
  for (const dir of [store.tmpDir, store.sandboxDir]) {
    for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
      if (name === STORE_MARK) continue;
      const p = join(dir, name);
      const st = await fs.stat(p).catch(() => undefined);
      if (st && now - st.mtimeMs >= staleAfter) {
        await fs.rm(p, { recursive: true, force: true });
        result.removedTemporary++;
      }
    }
  }
  await fs.rm(store.corruptDir, { recursive: true, force: true });
  await fs.mkdir(store.corruptDir, { recursive: true });
  if (maxBytes === undefined || result.busy.length > 0) return result;
  const objects = (await listFiles(store.objectsDir)).sort((a, b) => a.mtimeMs - b.mtimeMs);
  let total = objects.reduce((n, o) => n + o.size, 0);
  const removed = new Set<string>();
  for (const o of objects) {
    if (total <= maxBytes) break;
    await fs.rm(o.path, { force: true });
    total -= o.size;
    result.removedBytes += o.size;
    if (!o.path.endsWith('.x')) {
      result.removedObjects++;
      removed.add(o.path.slice(o.path.lastIndexOf('/') + 1));
    }
  }
  if (removed.size === 0) return result;
  for (const name of removed) store.forgetObject(name);
  for (const r of await listFiles(store.reductionsDir)) {
    const text = await fs.readFile(r.path, 'utf8').catch(() => '');
    if ([...text.matchAll(/"name":"([VT][0-9a-f]+)"/g)].some((m) => removed.has(m[1] as string))) {
      await fs.rm(r.path, { force: true });
      result.removedReductions++;
    }
  }
  return result;
}

/** Sizes like 500M, 10G, 1T or plain bytes. */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kKmMgGtT]?)i?[bB]?$/.exec(text.trim());
  if (!m) throw new Error(`not a size: ${text} (try 500M or 10G)`);
  const unit = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 }[(m[2] as string).toLowerCase()] as number;
  return Math.round(Number(m[1]) * unit);
}
