/** The member names of a GNU/System V ar archive, in order (symbol tables left out). */
import { readFileSync } from 'node:fs';

export function archiveMembers(path: string): string[] | undefined {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch {
    return undefined;
  }
  if (data.subarray(0, 8).toString('latin1') !== '!<arch>\n') return undefined;
  const names: string[] = [];
  let longNames = '';
  for (let pos = 8; pos + 60 <= data.length; ) {
    const raw = data.subarray(pos, pos + 16).toString('latin1').trimEnd();
    const size = Number(data.subarray(pos + 48, pos + 58).toString('latin1').trim());
    if (!Number.isFinite(size)) return undefined;
    const body = data.subarray(pos + 60, pos + 60 + size);
    if (raw === '//') longNames = body.toString('latin1');
    else if (raw !== '/' && raw !== '/SYM64/') {
      if (/^\/\d+$/.test(raw)) {
        const start = Number(raw.slice(1));
        const end = longNames.indexOf('/\n', start);
        names.push(longNames.slice(start, end < 0 ? undefined : end));
      } else names.push(raw.replace(/\/$/, ''));
    }
    pos += 60 + size + (size % 2);
  }
  return names;
}
