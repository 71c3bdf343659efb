/** Writes that are all or nothing: a temporary file in the same file system, then rename. */
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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

/**
 * Puts a complete file at `target` unless a file is there already, and
 * removes `file`. For content-named files (objects), where the one there is
 * the same: it is never replaced, because a job may be hard-linking it at that
 * moment, and link(2) fails with ENOENT on a file whose last name a rename has
 * just taken away.
 */
export function publishOnce(file: string, target: string): void {
  const link = (): void => {
    try {
      linkSync(file, target);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return;
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP') return renameSync(file, target); // no hard links here
      throw e;
    }
  };
  try {
    link();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    mkdirSync(dirname(target), { recursive: true });
    link();
  }
  rmSync(file, { force: true });
}

/** Writes a content-named file once: see publishOnce. */
export function writeFileOnce(target: string, data: string | Uint8Array, tmpDir: string, mode: number): void {
  const tmp = tempPath(tmpDir);
  try {
    writeFileSync(tmp, data, { mode });
    publishOnce(tmp, target);
  } finally {
    rmSync(tmp, { force: true });
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
