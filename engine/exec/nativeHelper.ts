/**
 * Small C programs the engine builds with the machine's C compiler on first
 * use and keeps in the store, named by their source: the stand-in and the job
 * launcher. Returns undefined where no C compiler exists, so callers take
 * their portable path.
 */
import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { nameOfBytes } from '../model/hash';
import { tempPath } from '../store/atomic';
import type { LocalStore } from '../store/local';
import { resolveOnPath } from './toolchain';

const execFileAsync = promisify(execFile);

export function findCCompiler(pathVar: string): string | undefined {
  for (const c of ['cc', 'gcc', 'clang']) {
    try {
      return resolveOnPath(c, pathVar);
    } catch {
      // try the next
    }
  }
  return undefined;
}

/** How a helper is built: a program, or a shared library for LD_PRELOAD. */
export type HelperKind = 'program' | 'preload';

const FLAGS: Record<HelperKind, { before: string[]; after: string[] }> = {
  program: { before: ['-O2'], after: [] },
  preload: { before: ['-O2', '-shared', '-fPIC'], after: ['-ldl'] },
};

export async function nativeHelper(
  store: LocalStore,
  name: string,
  source: string,
  pathVar = process.env.PATH ?? '',
  kind: HelperKind = 'program',
): Promise<string | undefined> {
  const key = nameOfBytes('V', Buffer.from(source)).slice(1, 17);
  const program = join(store.dir, 'helpers', key, name);
  if (existsSync(program)) return program;
  const cc = findCCompiler(pathVar);
  if (!cc) return undefined;
  await fs.mkdir(join(program, '..'), { recursive: true });
  const src = `${tempPath(store.tmpDir, name)}.c`;
  const out = tempPath(store.tmpDir, name);
  try {
    await fs.writeFile(src, source);
    await execFileAsync(cc, [...FLAGS[kind].before, '-o', out, src, ...FLAGS[kind].after]);
    await fs.rename(out, program);
  } finally {
    await fs.rm(src, { force: true });
    await fs.rm(out, { force: true });
  }
  return program;
}
