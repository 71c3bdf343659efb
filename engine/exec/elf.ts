/**
 * Reads what an ELF executable needs to run elsewhere: its loader (PT_INTERP),
 * the libraries it names (DT_NEEDED) and where it looks for them (DT_RPATH,
 * DT_RUNPATH), straight from the file, without running ldd.
 */
import { closeSync, openSync, readFileSync, readSync, existsSync, readdirSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export interface ElfInfo {
  interpreter: string | undefined;
  needed: string[];
  searchPaths: string[];
}

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT_NEEDED = 1n;
const DT_STRTAB = 5n;
const DT_RPATH = 15n;
const DT_RUNPATH = 29n;

export function isElf(path: string): boolean {
  const head = readHead(path, 4);
  return head.length === 4 && head.readUInt32BE(0) === 0x7f454c46;
}

/** Only 64-bit objects can be loaded into a 64-bit process; /lib may also hold 32-bit ones. */
function isElf64(path: string): boolean {
  const head = readHead(path, 5);
  return head.length === 5 && head.readUInt32BE(0) === 0x7f454c46 && head[4] === 2;
}

/** The machine an ELF file is built for, as Lambda names architectures; undefined for anything else (scripts, other machines). */
export function elfArchitecture(path: string): 'x86_64' | 'arm64' | undefined {
  const head = readHead(path, 20);
  if (head.length < 20 || head.readUInt32BE(0) !== 0x7f454c46) return undefined;
  const machine = head[5] === 2 ? head.readUInt16BE(18) : head.readUInt16LE(18);
  return machine === 62 ? 'x86_64' : machine === 183 ? 'arm64' : undefined;
}

function readHead(path: string, n: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(n);
    const got = readSync(fd, b, 0, n, 0);
    return b.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

function readAt(fd: number, offset: number, length: number): Buffer {
  const b = Buffer.alloc(length);
  readSync(fd, b, 0, length, offset);
  return b;
}

/** Parses a 64-bit little-endian ELF file; other classes are reported as having no dependencies. */
export function readElf(path: string): ElfInfo {
  const fd = openSync(path, 'r');
  try {
    const eh = readAt(fd, 0, 64);
    if (eh.readUInt32BE(0) !== 0x7f454c46 || eh[4] !== 2 || eh[5] !== 1) return { interpreter: undefined, needed: [], searchPaths: [] };
    const phoff = Number(eh.readBigUInt64LE(32));
    const phentsize = eh.readUInt16LE(54);
    const phnum = eh.readUInt16LE(56);
    const ph = readAt(fd, phoff, phentsize * phnum);
    const loads: Array<{ vaddr: number; offset: number; filesz: number }> = [];
    let interpreter: string | undefined;
    let dynamic: { offset: number; size: number } | undefined;
    for (let i = 0; i < phnum; i++) {
      const p = i * phentsize;
      const type = ph.readUInt32LE(p);
      const offset = Number(ph.readBigUInt64LE(p + 8));
      const vaddr = Number(ph.readBigUInt64LE(p + 16));
      const filesz = Number(ph.readBigUInt64LE(p + 32));
      if (type === PT_LOAD) loads.push({ vaddr, offset, filesz });
      if (type === PT_INTERP) interpreter = readAt(fd, offset, filesz).toString('latin1').replace(/\0.*$/s, '');
      if (type === PT_DYNAMIC) dynamic = { offset, size: filesz };
    }
    if (!dynamic) return { interpreter, needed: [], searchPaths: [] };
    const dyn = readAt(fd, dynamic.offset, dynamic.size);
    const entries: Array<[bigint, bigint]> = [];
    let strtab = 0n;
    for (let p = 0; p + 16 <= dyn.length; p += 16) {
      const tag = dyn.readBigInt64LE(p);
      const val = dyn.readBigUInt64LE(p + 8);
      if (tag === 0n) break;
      if (tag === DT_STRTAB) strtab = val;
      entries.push([tag, val]);
    }
    const toOffset = (vaddr: number): number => {
      const seg = loads.find((l) => vaddr >= l.vaddr && vaddr < l.vaddr + l.filesz);
      return seg ? vaddr - seg.vaddr + seg.offset : vaddr;
    };
    const strOff = toOffset(Number(strtab));
    const str = (off: bigint): string => {
      const chunk = readAt(fd, strOff + Number(off), 4096);
      const end = chunk.indexOf(0);
      return chunk.subarray(0, end < 0 ? chunk.length : end).toString('latin1');
    };
    const needed: string[] = [];
    const searchPaths: string[] = [];
    const origin = dirname(realpathSync(path));
    for (const [tag, val] of entries) {
      if (tag === DT_NEEDED) needed.push(str(val));
      if (tag === DT_RPATH || tag === DT_RUNPATH) {
        for (const d of str(val).split(':')) if (d) searchPaths.push(d.replace(/\$\{?ORIGIN\}?/g, origin));
      }
    }
    return { interpreter, needed, searchPaths };
  } finally {
    closeSync(fd);
  }
}

let systemDirs: string[] | undefined;

/** The dynamic loader's default search list on this host: ld.so.conf (with includes), then the built-in dirs. */
export function systemLibraryDirs(): string[] {
  if (systemDirs) return systemDirs;
  const dirs: string[] = [];
  const readConf = (file: string, depth: number): void => {
    if (depth > 8 || !existsSync(file)) return;
    for (const raw of readFileSync(file, 'utf8').split('\n')) {
      const line = raw.replace(/#.*/, '').trim();
      if (!line) continue;
      if (line.startsWith('include ')) {
        for (const f of expandGlob(resolve(dirname(file), line.slice(8).trim()))) readConf(f, depth + 1);
      } else if (line.startsWith('/')) dirs.push(line);
    }
  };
  readConf('/etc/ld.so.conf', 0);
  dirs.push('/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib64', '/usr/lib64', '/lib', '/usr/lib');
  systemDirs = [...new Set(dirs)];
  return systemDirs;
}

/** Enough of glob for ld.so.conf's `include /etc/ld.so.conf.d/*.conf`. */
function expandGlob(pattern: string): string[] {
  const dir = dirname(pattern);
  const base = pattern.slice(dir.length + 1);
  if (!base.includes('*')) return [pattern];
  const re = new RegExp(`^${base.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  try {
    return readdirSync(dir)
      .filter((f) => re.test(f))
      .sort()
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

export interface Closure {
  interpreter: string | undefined;
  /** soname → host path, in load order. */
  libraries: Map<string, string>;
}

/** Every shared library the executable loads, found the way the loader would find them. */
export function sharedLibraryClosure(exe: string): Closure {
  const root = readElf(exe);
  const libraries = new Map<string, string>();
  const queue: Array<{ soname: string; searchPaths: string[] }> = root.needed.map((soname) => ({ soname, searchPaths: root.searchPaths }));
  while (queue.length > 0) {
    const { soname, searchPaths } = queue.shift() as { soname: string; searchPaths: string[] };
    if (libraries.has(soname)) continue;
    const found = findLibrary(soname, searchPaths);
    if (!found) throw new Error(`${exe} needs ${soname}, which is not on this machine`);
    libraries.set(soname, found);
    const info = readElf(found);
    for (const n of info.needed) queue.push({ soname: n, searchPaths: info.searchPaths });
  }
  return { interpreter: root.interpreter, libraries };
}

function findLibrary(soname: string, searchPaths: string[]): string | undefined {
  if (soname.includes('/')) return existsSync(soname) ? soname : undefined;
  for (const d of [...searchPaths, ...systemLibraryDirs()]) {
    const p = join(d, soname);
    if (existsSync(p) && isElf64(p)) return p;
  }
  return undefined;
}
