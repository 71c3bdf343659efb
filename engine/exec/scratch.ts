/**
 * A private directory for files that live only while one command runs (its
 * captured output, a dependency file read back at once). In memory where the
 * machine has /dev/shm: creating and deleting hundreds of short-lived files
 * on the store's file system makes every later file creation there slower
 * (ext4 without a journal scans past recently deleted inodes).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempPath } from '../store/atomic';

let dir: string | undefined;

function scratchDir(fallback: string): string {
  if (dir === undefined) {
    try {
      dir = mkdtempSync(join('/dev/shm', 'burst-'));
      const made = dir;
      process.once('exit', () => rmSync(made, { recursive: true, force: true }));
    } catch {
      dir = '';
    }
  }
  return dir || fallback;
}

/** A fresh path for a short-lived file; `fallback` (the store's temporary directory) where there is no memory file system. */
export function scratchPath(fallback: string, hint: string): string {
  return tempPath(scratchDir(fallback), hint);
}
