/**
 * Which files a link reads: libraries named by -l, found the way ld finds
 * them (each -L directory, then ld's own search path; shared before static
 * unless linking statically), linker scripts followed (Debian's libc.so is
 * one), and the shared libraries those need.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { sharedLibraryClosure } from '../../exec/elf';

let ldDirs: string[] | undefined;

/** ld's built-in SEARCH_DIRs on this machine. */
export function ldSearchDirs(ld: string): string[] {
  if (ldDirs) return ldDirs;
  try {
    const text = execFileSync(ld, ['--verbose'], { encoding: 'utf8' });
    ldDirs = [...text.matchAll(/SEARCH_DIR\("=?([^"]+)"\)/g)].map((m) => m[1] as string);
  } catch {
    ldDirs = ['/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib', '/usr/lib'];
  }
  return ldDirs;
}

export function findLibrary(name: string, dirs: string[], staticOnly: boolean): string | undefined {
  const candidates = name.startsWith(':') ? [name.slice(1)] : staticOnly ? [`lib${name}.a`] : [`lib${name}.so`, `lib${name}.a`];
  for (const d of dirs) {
    for (const c of candidates) {
      const p = join(d, c);
      if (existsSync(p)) return p;
    }
  }
  return undefined;
}

function head(path: string, n: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(n);
    return b.subarray(0, readSync(fd, b, 0, n, 0));
  } finally {
    closeSync(fd);
  }
}

export function kindOf(path: string): 'elf' | 'archive' | 'script' {
  const h = head(path, 8);
  if (h.length >= 4 && h.readUInt32BE(0) === 0x7f454c46) return 'elf';
  if (h.toString('latin1') === '!<arch>\n') return 'archive';
  return 'script';
}

/** Every file a linker script names, resolved; relative names are looked up next to the script, then in the search dirs. */
export function scriptInputs(script: string, dirs: string[]): string[] {
  const text = readFileSync(script, 'utf8').replace(/\/\*[\s\S]*?\*\//g, ' ');
  const files: string[] = [];
  for (const block of text.matchAll(/\b(?:GROUP|INPUT)\s*\(([^]*?)\)\s*(?=$|\b[A-Z_]+\s*\(|\n)/g)) {
    for (const token of (block[1] as string)
      .replace(/AS_NEEDED\s*\(/g, ' ')
      .replace(/[(),]/g, ' ')
      .split(/\s+/)) {
      if (!token) continue;
      if (token.startsWith('-l')) {
        const lib = findLibrary(token.slice(2), dirs, false);
        if (lib) files.push(lib);
      } else if (isAbsolute(token)) {
        files.push(token);
      } else {
        const near = join(dirname(script), token);
        files.push(existsSync(near) ? near : (findLibrary(`:${token}`, dirs, false) ?? near));
      }
    }
  }
  return files;
}

/** A library and everything it brings: scripts' members and shared libraries' own dependencies. */
export function libraryClosure(file: string, dirs: string[], seen = new Set<string>()): string[] {
  if (seen.has(file) || !existsSync(file)) return [];
  seen.add(file);
  const kind = kindOf(file);
  if (kind === 'script') return [file, ...scriptInputs(file, dirs).flatMap((f) => libraryClosure(f, dirs, seen))];
  if (kind === 'elf') {
    const extra: string[] = [];
    try {
      const closure = sharedLibraryClosure(file);
      for (const lib of closure.libraries.values()) if (!seen.has(lib)) (seen.add(lib), extra.push(lib));
      if (closure.interpreter && !seen.has(closure.interpreter)) (seen.add(closure.interpreter), extra.push(closure.interpreter));
    } catch {
      // ld only warns about a missing dependency of a shared library
    }
    return [file, ...extra];
  }
  return [file];
}
