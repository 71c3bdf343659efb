/**
 * Which files a compile reads, from the compiler itself: cc1 -E -M for the
 * headers and -v for the system include directories. Remembered per compile
 * (its command line and directory) with the content name of every file it
 * read, and trusted on the next build when every one of those files still has
 * that name, which the file-state index answers without reading them (ccache's
 * direct mode).
 */
import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import { nameOfBytes } from '../../hash';
import { writeFileAtomic } from '../../store/atomic';
import type { ModelContext } from '../session';
import { runCommand } from '../../launcher';

export interface CompileDeps {
  /** Absolute paths of the source and every header it includes. */
  files: string[];
  /** The same files as the compiler spelled them (for dependency files). */
  spelled: string[];
  /** The compiler's own include directories (not the ones the command line adds). */
  systemDirs: string[];
}

interface Entry extends CompileDeps {
  names: string[];
}

export type DepsResult = { ok: true; deps: CompileDeps } | { ok: false; reason: string };

export async function compileDeps(ctx: ModelContext, cc1: string, args: string[], cwd: string, userDirs: string[]): Promise<DepsResult> {
  const key = nameOfBytes('V', Buffer.from(JSON.stringify([cc1, args, cwd])));
  const file = join(ctx.store.dir, 'deps', key.slice(1, 3), key);
  const known = await readEntry(file);
  if (known?.spelled && (await stillValid(ctx, known))) return { ok: true, deps: known };

  const { code, stdout, stderr } = await runCommand(ctx.store, cc1, [...args, '-E', '-M', '-v'], cwd, { LC_ALL: 'C' });
  if (code !== 0) return { ok: false, reason: `the compiler could not list the headers: ${firstError(stderr)}` };
  const spelled = parseMakeDeps(stdout);
  const files = spelled.map((p) => resolve(cwd, p));
  const user = new Set(userDirs.map((d) => resolve(cwd, d)));
  const systemDirs = searchList(stderr).filter((d) => !user.has(resolve(cwd, d)));
  const names = await Promise.all(files.map((f) => ctx.inputRef(f)));
  const entry: Entry = { files, spelled, systemDirs, names };
  await fs.mkdir(join(file, '..'), { recursive: true });
  await writeFileAtomic(file, JSON.stringify(entry), ctx.store.tmpDir);
  return { ok: true, deps: entry };
}

async function readEntry(file: string): Promise<Entry | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as Entry;
  } catch {
    return undefined;
  }
}

async function stillValid(ctx: ModelContext, e: Entry): Promise<boolean> {
  try {
    const now = await Promise.all(e.files.map((f) => ctx.inputRef(f)));
    return now.every((n, i) => n === e.names[i]);
  } catch {
    return false; // a header is gone: ask the compiler again
  }
}

/** The prerequisites of a make rule as `cc -M` writes it. */
export function parseMakeDeps(text: string): string[] {
  const joined = text.replace(/\\\n/g, ' ');
  const colon = joined.indexOf(': ');
  const body = colon >= 0 ? joined.slice(colon + 2) : joined;
  const out: string[] = [];
  for (const m of body.matchAll(/((?:\\ |[^\s])+)/g)) out.push((m[1] as string).replace(/\\ /g, ' '));
  return [...new Set(out)];
}

/** The `#include <...>` directories cc1 -v reports. */
export function searchList(stderr: string): string[] {
  const lines = stderr.split('\n');
  const start = lines.findIndex((l) => l.startsWith('#include <...> search starts here:'));
  if (start < 0) return [];
  const dirs: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (!l.startsWith(' ')) break;
    dirs.push(l.trim().replace(/ \(framework directory\)$/, ''));
  }
  return dirs;
}

function firstError(stderr: string): string {
  return stderr.split('\n').find((l) => /error/.test(l))?.trim() ?? stderr.trim().split('\n')[0] ?? '';
}
