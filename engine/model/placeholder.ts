/**
 * Placeholders: small files a build sees where a real output will be. Each one
 * names the thunk output it stands for. It is a shell script, so a placeholder
 * for a program the build runs forces its thunk and runs the result.
 */
import { closeSync, promises as fs, openSync, readSync } from 'node:fs';
import { isRef } from './thunk';

/** The marker line after the shebang; the guardian (build/crashSafety.ts) and the interceptor (build/intercept.c) look for it too. */
export const PLACEHOLDER_MARKER = '# burst placeholder:';
const MARKER = PLACEHOLDER_MARKER;
/** Every placeholder is smaller than this; a larger file is never one. */
export const PLACEHOLDER_MAX_SIZE = 512;

export function placeholderText(ref: string): string {
  return [
    '#!/bin/sh',
    `${MARKER} ${ref}`,
    '# `burst force` on this file replaces it with the real output; running it forces that output and runs it.',
    'exec "${BURST:-burst}" force -q --run "$0" -- "$@"',
    '',
  ].join('\n');
}

/**
 * The name a file is written under before it is renamed into place, so a
 * process killed mid-write leaves the old file or the new one, never half a
 * file that make would take for an up-to-date output.
 */
export function writingName(path: string): string {
  return `${path}.burst-${process.pid}`;
}

/** Writes a file whole or not at all (see writingName); the rename also replaces any hard link's entry. */
export async function writeWhole(path: string, data: string, mode?: number): Promise<void> {
  const tmp = writingName(path);
  try {
    await fs.writeFile(tmp, data, mode === undefined ? {} : { mode });
    if (mode !== undefined) await fs.chmod(tmp, mode); // writeFile's mode is filtered by the umask
    await fs.rename(tmp, path);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

export async function writePlaceholder(path: string, ref: string, executable: boolean): Promise<void> {
  await writeWhole(path, placeholderText(ref), executable ? 0o755 : 0o644);
}

/** The reference a placeholder file stands for, or undefined if the file is not one. */
export async function readPlaceholder(path: string): Promise<string | undefined> {
  // Synchronous reads of at most 512 bytes: this runs for every small file a
  // build reads or writes, where a thread-pool round trip costs more than the read.
  let head: string;
  try {
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.alloc(512);
      const bytesRead = readSync(fd, buf, 0, buf.length, 0);
      head = buf.subarray(0, bytesRead).toString('latin1');
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
  const line = head.split('\n')[1] ?? '';
  if (!line.startsWith(MARKER)) return undefined;
  const ref = line.slice(MARKER.length).trim();
  return isRef(ref) ? ref : undefined;
}
