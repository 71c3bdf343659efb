/** Writes that are all or nothing: a temporary file in the same file system, then rename. */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';

export function tempPath(tmpDir: string, hint = 'tmp'): string {
  return join(tmpDir, `${hint}.${process.pid}.${randomBytes(6).toString('hex')}`);
}

export async function writeFileAtomic(target: string, data: string | Uint8Array, tmpDir: string, mode = 0o644): Promise<void> {
  const tmp = tempPath(tmpDir);
  try {
    await fs.writeFile(tmp, data, { mode });
    await fs.rename(tmp, target);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}
