/**
 * The stand-in program, compiled from standin.c with the machine's C compiler
 * on first use and kept in the store, and a directory of links to it named
 * after each tool, put first on the build's PATH.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { nameOfBytes } from '../hash';
import type { LocalStore } from '../store/local';
import { tempPath } from '../store/atomic';
import { resolveOnPath } from '../toolchain';
import source from './standin.c';
import { STANDIN_TOOLS } from './tools';

const execFileAsync = promisify(execFile);

export async function standinProgram(store: LocalStore, pathVar: string): Promise<string> {
  const key = nameOfBytes('V', Buffer.from(source)).slice(1, 17);
  const program = join(store.dir, 'standin', key, 'burst-standin');
  if (await fs.stat(program).then(() => true, () => false)) return program;
  const cc = ['cc', 'gcc', 'clang'].map((c) => tryResolve(c, pathVar)).find((p) => p !== undefined);
  if (!cc) throw new Error('burst build needs a C compiler on PATH to build its stand-in (cc, gcc or clang)');
  await fs.mkdir(join(program, '..'), { recursive: true });
  const src = tempPath(store.tmpDir, 'standin') + '.c';
  const out = tempPath(store.tmpDir, 'standin');
  try {
    await fs.writeFile(src, source);
    await execFileAsync(cc, ['-O2', '-o', out, src]);
    await fs.rename(out, program);
  } finally {
    await fs.rm(src, { force: true });
    await fs.rm(out, { force: true });
  }
  return program;
}

function tryResolve(tool: string, pathVar: string): string | undefined {
  try {
    return resolveOnPath(tool, pathVar);
  } catch {
    return undefined;
  }
}

/** A fresh directory of stand-ins for the tools this PATH has. */
export async function standinDir(program: string, pathVar: string, dir: string): Promise<string[]> {
  await fs.mkdir(dir, { recursive: true });
  const installed: string[] = [];
  for (const tool of STANDIN_TOOLS) {
    if (!tryResolve(tool, pathVar)) continue;
    await fs.symlink(program, join(dir, tool));
    installed.push(tool);
  }
  return installed;
}
