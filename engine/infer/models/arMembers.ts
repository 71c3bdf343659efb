/** The members of a GNU/System V ar archive, in order (symbol tables left out), and of GNU thin archives. */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const REGULAR = '!<arch>\n';
const THIN = '!<thin>\n';

function read(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** Member names as the archive stores them; a thin archive's members have no bytes inside it, only their paths. */
function memberNames(data: Buffer, thin: boolean): string[] | undefined {
  const names: string[] = [];
  let longNames = '';
  for (let pos = 8; pos + 60 <= data.length;) {
    const raw = data
      .subarray(pos, pos + 16)
      .toString('latin1')
      .trimEnd();
    const size = Number(
      data
        .subarray(pos + 48, pos + 58)
        .toString('latin1')
        .trim(),
    );
    if (!Number.isFinite(size)) return undefined;
    const table = raw === '/' || raw === '//' || raw === '/SYM64/';
    const body = data.subarray(pos + 60, pos + 60 + size);
    if (raw === '//') longNames = body.toString('latin1');
    else if (!table) {
      // A long name's offset; binutils may end the field with '/' too (seen in thin archives).
      const long = /^\/(\d+)(\s*\/)?$/.exec(raw);
      if (long) {
        const start = Number(long[1]);
        const end = longNames.indexOf('/\n', start);
        names.push(longNames.slice(start, end < 0 ? undefined : end));
      } else names.push(raw.replace(/\/$/, ''));
    }
    pos += 60 + (thin && !table ? 0 : size + (size % 2));
  }
  return names;
}

export function archiveMembers(path: string): string[] | undefined {
  const data = read(path);
  if (!data || data.subarray(0, 8).toString('latin1') !== REGULAR) return undefined;
  return memberNames(data, false);
}

/** The files a thin archive refers to, as absolute paths (stored relative to the archive), or undefined if it is not one. */
export function thinArchiveMembers(path: string): string[] | undefined {
  const data = read(path);
  if (!data || data.subarray(0, 8).toString('latin1') !== THIN) return undefined;
  return memberNames(data, true)?.map((m) => resolve(dirname(path), m));
}

/** Whether a file is a thin archive, from its first bytes. */
export function isThinArchive(path: string): boolean {
  try {
    const fd = openSync(path, 'r');
    try {
      const head = Buffer.alloc(8);
      return readSync(fd, head, 0, 8, 0) === 8 && head.toString('latin1') === THIN;
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}
