/**
 * What each output of a build tree was made by, kept in the store per tree
 * (builds/<tree>.json), so `burst explain PATH` can answer after the
 * placeholders are gone.
 */
import { promises as fs } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { nameOfBytes } from '../model/hash';
import { writeFileAtomic } from '../store/atomic';
import type { LocalStore } from '../store/local';
import type { RecordedOutput } from './session';

export interface BuildRecord {
  root: string;
  outputs: Record<string, { ref: string; program: string; executable: boolean }>;
}

/** Where the store keeps what it knows of one build tree: builds/<key>.json, and the guardian's notes beside it. */
export function treeFilePrefix(store: LocalStore, root: string): string {
  return join(store.dir, 'builds', `${nameOfBytes('V', Buffer.from(root)).slice(1, 17)}.`);
}

function recordPath(store: LocalStore, root: string): string {
  return `${treeFilePrefix(store, root)}json`;
}

export async function readBuildRecord(store: LocalStore, root: string): Promise<BuildRecord | undefined> {
  try {
    return JSON.parse(await fs.readFile(recordPath(store, root), 'utf8')) as BuildRecord;
  } catch {
    return undefined;
  }
}

export async function writeBuildRecord(store: LocalStore, root: string, outputs: Iterable<RecordedOutput>): Promise<void> {
  const record = (await readBuildRecord(store, root)) ?? { root, outputs: {} };
  for (const o of outputs) record.outputs[relative(root, o.path)] = { ref: o.ref, program: o.program, executable: o.executable };
  const file = recordPath(store, root);
  await writeFileAtomic(file, JSON.stringify(record), store.tmpDir);
}

/** The record of the nearest enclosing tree that built this path. */
export async function findOutput(
  store: LocalStore,
  path: string,
): Promise<{ root: string; rel: string; entry: BuildRecord['outputs'][string] } | undefined> {
  const abs = resolve(path);
  for (let dir = dirname(abs); ; dir = dirname(dir)) {
    const record = await readBuildRecord(store, dir);
    const rel = relative(dir, abs);
    const entry = record?.outputs[rel];
    if (entry) return { root: dir, rel, entry };
    if (dir === dirname(dir)) return undefined;
  }
}
