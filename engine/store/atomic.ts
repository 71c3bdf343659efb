/** Writes that are all or nothing: a temporary file in the same file system, then rename. */
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

// Unique per process without asking the system for randomness on every write.
const processTag = `${process.pid}.${randomBytes(4).toString('hex')}`;
let counter = 0;

export function tempPath(tmpDir: string, hint = 'tmp'): string {
  return join(tmpDir, `${hint}.${processTag}.${(counter++).toString(36)}`);
}

/**
 * Creates the target's directory if it is missing. Synchronous inside: these
 * are small records (thunks, results, remembered calls), written several
 * times per compile, where the thread pool's round trips cost more than the
 * writes themselves.
 */
export async function writeFileAtomic(target: string, data: string | Uint8Array, tmpDir: string, mode = 0o644): Promise<void> {
  const tmp = tempPath(tmpDir);
  try {
    writeFileSync(tmp, data, { mode });
    renameCreatingDir(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** rename(2), creating the target's directory first if it is missing. */
export function renameCreatingDir(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    mkdirSync(dirname(to), { recursive: true });
    renameSync(from, to);
  }
}
