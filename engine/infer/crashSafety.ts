/**
 * Crash safety of the tree. A build leaves placeholders in the tree while it
 * runs; make and ninja take them for outputs. If the engine dies (SIGKILL,
 * out of memory), a guardian process started with the build stops the build
 * command and deletes every placeholder still standing, so a plain make or
 * ninja rebuilds those outputs instead of linking or archiving a placeholder.
 * It notes what it deleted in the store; the next `burst build` of the tree
 * puts those placeholders back, with their times, before the build command
 * runs, and makes them real with the rest: outputs that are not make targets
 * themselves (libtool's .libs/ files behind a .la) come back too, and one a
 * plain make has rebuilt meanwhile is left as it is.
 */
import { spawn } from 'node:child_process';
import { existsSync, promises as fs, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PLACEHOLDER_MARKER, PLACEHOLDER_MAX_SIZE, writePlaceholder, writingName } from '../model/placeholder';
import type { LocalStore } from '../store/local';
import { treeFilePrefix } from './record';
import { UNSEARCHED_DIRS } from './session';

interface DeletedPlaceholder {
  path: string;
  ref: string;
  executable: boolean;
  mtimeMs: number;
}

/**
 * The guardian, run by Node as a detached process: it waits for the engine's
 * end of its stdin. "done" first means the build finished; anything else, the
 * engine died. Placeholders are found as the engine's final scan finds them
 * (builds move outputs, so a list kept by the engine would miss some);
 * files the engine was writing when it died (writingName) are removed too.
 */
const GUARDIAN = `
const fs = require('fs'), path = require('path');
const [root, notes, HALF_WRITTEN] = process.argv.slice(1);
let pgid = 0, done = false, pending = '', scratch = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => {
  pending += d;
  const lines = pending.split('\\n');
  pending = lines.pop();
  for (const l of lines) {
    if (l.startsWith('pgid ')) pgid = Number(l.slice(5));
    if (l.startsWith('scratch ')) scratch = l.slice(8);
    if (l === 'ended') pgid = 0; // the command is gone: its group's number may be another's soon
    if (l === 'done') done = true;
  }
});
const stopCommand = (sig) => { if (pgid > 0) try { process.kill(-pgid, sig); } catch {} };
const MARKER = ${JSON.stringify(PLACEHOLDER_MARKER)};
const HEAD = '#!/bin/sh\\n' + MARKER;
const MAX_SIZE = ${PLACEHOLDER_MAX_SIZE};
const SKIP = ${JSON.stringify([...UNSEARCHED_DIRS])};
function placeholders(dir, found) {
  let entries = [];
  try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return found; }
  for (const e of entries) {
    if (SKIP.includes(e.name)) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) { placeholders(p, found); continue; }
    if (!e.isFile()) continue;
    if (e.name.endsWith(HALF_WRITTEN)) { try { fs.unlinkSync(p); } catch {} continue; }
    try {
      const st = fs.statSync(p);
      if (st.size >= MAX_SIZE) continue;
      const text = fs.readFileSync(p, 'latin1');
      if (!text.startsWith(HEAD)) continue;
      found.push({ path: p, ref: text.split('\\n')[1].slice(MARKER.length).trim(), executable: (st.mode & 0o111) !== 0, mtimeMs: st.mtimeMs });
    } catch {}
  }
  return found;
}
let finished = false;
function finish() {
  if (finished) return;
  finished = true;
  if (done) process.exit(0);
  // The next build of the tree waits while this marker names a live guardian, so it neither misses the notes nor loses its own placeholders.
  const cleaning = notes + '.cleaning';
  fs.writeFileSync(cleaning, String(process.pid));
  stopCommand('SIGTERM');
  setTimeout(() => {
    stopCommand('SIGKILL');
    if (scratch) try { fs.rmSync(scratch, { recursive: true, force: true }); } catch {}
    const found = placeholders(root, []);
    for (const f of found) try { fs.unlinkSync(f.path); } catch {}
    const tmp = notes + '.tmp';
    fs.writeFileSync(tmp, JSON.stringify(found));
    fs.renameSync(tmp, notes);
    fs.rmSync(cleaning, { force: true });
    process.exit(0);
  }, 300);
}
process.stdin.on('end', finish);
process.stdin.on('error', finish);
process.stdin.on('close', finish);
`;

export interface Guardian {
  /** The build command's process group, stopped if the engine dies. */
  watch(pgid: number): void;
  /** A directory of the engine's own for this build (the stand-ins, the socket), removed if the engine dies. */
  scratch(dir: string): void;
  /** The build command has ended: there is no group to stop any more. */
  commandEnded(): void;
  /** The build is over: the guardian leaves the tree alone. */
  release(): void;
}

export async function startGuardian(store: LocalStore, root: string): Promise<Guardian> {
  const notes = `${treeFilePrefix(store, root)}${process.pid}.deleted`;
  await fs.mkdir(join(notes, '..'), { recursive: true });
  const child = spawn(process.execPath, ['-e', GUARDIAN, root, notes, writingName('')], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  child.unref();
  const stdin = child.stdin as NodeJS.WritableStream & { unref?: () => void };
  stdin.unref?.();
  child.stdin?.on('error', () => undefined); // a guardian that died cannot guard; the build goes on
  return {
    watch: (pgid) => child.stdin?.write(`pgid ${pgid}\n`),
    scratch: (dir) => child.stdin?.write(`scratch ${dir}\n`),
    commandEnded: () => child.stdin?.write('ended\n'),
    release: () => child.stdin?.end('done\n'),
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Waits (up to 10 s) for guardians still cleaning up after a build of this tree. */
async function guardiansDone(dir: string, prefix: string): Promise<void> {
  for (let waited = 0; waited < 10_000; waited += 50) {
    const busy = readdirSync(dir)
      .filter((n) => join(dir, n).startsWith(prefix) && n.endsWith('.cleaning'))
      .some((n) => alive(Number(readFileSync(join(dir, n), 'utf8'))));
    if (!busy) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Puts back the placeholders a guardian deleted after an earlier build of this tree died; returns how many. */
export async function restoreAfterCrash(store: LocalStore, root: string): Promise<number> {
  const prefix = treeFilePrefix(store, root);
  const dir = join(prefix, '..');
  if (!existsSync(dir)) return 0;
  await guardiansDone(dir, prefix);
  const names = readdirSync(dir);
  let restored = 0;
  for (const n of names) {
    const file = join(dir, n);
    if (!file.startsWith(prefix) || !n.endsWith('.deleted')) continue;
    let deleted: DeletedPlaceholder[] = [];
    try {
      deleted = JSON.parse(readFileSync(file, 'utf8')) as DeletedPlaceholder[];
    } catch {
      // unreadable notes: the placeholders stay deleted, and make rebuilds them
    }
    for (const d of deleted) {
      if (existsSync(d.path) || !existsSync(join(d.path, '..'))) continue; // rebuilt meanwhile, or its directory is gone
      await writePlaceholder(d.path, d.ref, d.executable);
      await fs.utimes(d.path, d.mtimeMs / 1000, d.mtimeMs / 1000);
      restored++;
    }
    await fs.rm(file, { force: true });
  }
  for (const n of names) if (join(dir, n).startsWith(prefix) && n.endsWith('.cleaning')) await fs.rm(join(dir, n), { force: true });
  return restored;
}
