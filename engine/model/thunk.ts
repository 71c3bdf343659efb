/**
 * Thunks: closed descriptions of one job, and their canonical encoding.
 *
 * A thunk names every input by content at a relative path of its sandbox, so
 * two equal jobs encode to the same bytes, and so to the same name, on any
 * machine. Inputs are values (`V…`) or outputs of other thunks (`T…` for the
 * first declared output, `T…#path` for any other).
 *
 * By convention, inputs under `_burst/` are shipped programs, their libraries
 * and files from outside the project (`_burst/sys/…`): jobs only read them, so
 * the local backend may share one read-only copy of them between sandboxes.
 */
import { posix } from 'node:path';
import { BurstError } from './errors';
import { isName, nameOfBytes, parseName } from './hash';

export interface Thunk {
  /** argv; args[0] is the program: a sandbox path relative to `cwd`, or an absolute path. */
  args: string[];
  /** The job's whole environment: nothing else is passed. */
  env: Record<string, string>;
  /** Sandbox path (relative to the sandbox root) → object reference. */
  inputs: Record<string, string>;
  /** Sandbox paths of inputs that get the executable bit. */
  executables: string[];
  /** Sandbox paths the job must produce; the first is the thunk's default output. */
  outputs: string[];
  /** Working directory, relative to the sandbox root ('' is the root). */
  cwd: string;
  timeoutMs: number;
}

export const THUNK_MAGIC = 'BURST-THUNK/1\n';
/**
 * In args, replaced when the job starts by the absolute path of its sandbox
 * root ('' under isolation, where the root is '/'): for options such as
 * -fdebug-prefix-map that must name the directory a job runs in, which is
 * different every run.
 */
export const SANDBOX_TOKEN = '@{sandbox}';
export const DEFAULT_TIMEOUT_MS = 10 * 60_000;

export interface ThunkRef {
  thunk: string;
  /** Undefined means the default (first) output. */
  output: string | undefined;
}

export function isRef(s: string): boolean {
  const hash = s.indexOf('#');
  const name = hash < 0 ? s : s.slice(0, hash);
  if (!isName(name)) return false;
  return hash < 0 || (name[0] === 'T' && s.length > hash + 1);
}

export function parseThunkRef(ref: string): ThunkRef {
  const hash = ref.indexOf('#');
  const thunk = hash < 0 ? ref : ref.slice(0, hash);
  if (!isName(thunk) || thunk[0] !== 'T') throw new BurstError('usage', `not a thunk reference: ${ref}`);
  return { thunk, output: hash < 0 ? undefined : ref.slice(hash + 1) };
}

export function isThunkRef(ref: string): boolean {
  return ref[0] === 'T';
}

/** A sandbox path in one spelling only: relative, normalized, no `..`. */
export function normalizeSandboxPath(p: string, what: string): string {
  const n = posix.normalize(p.replace(/^\.\//, ''));
  if (n === '.' || n === '') return '';
  if (posix.isAbsolute(n) || n === '..' || n.startsWith('../') || n.includes('\0')) {
    throw new BurstError('bad-thunk', `${what} must be a relative path inside the sandbox: ${JSON.stringify(p)}`);
  }
  return n.replace(/\/$/, '');
}

/** Checks a thunk and returns its canonical form; throws a `bad-thunk` error naming the problem. */
export function canonicalThunk(t: Thunk): Thunk {
  if (!Array.isArray(t.args) || t.args.length === 0 || t.args.some((a) => typeof a !== 'string')) {
    throw new BurstError('bad-thunk', 'a thunk needs args, and args[0] is the program to run');
  }
  const inputs: Record<string, string> = {};
  for (const [path, ref] of Object.entries(t.inputs ?? {})) {
    const p = normalizeSandboxPath(path, 'input path');
    if (p === '') throw new BurstError('bad-thunk', 'an input cannot be the sandbox root');
    if (typeof ref !== 'string' || !isRef(ref)) throw new BurstError('bad-thunk', `input ${p}: not an object reference: ${String(ref)}`);
    inputs[p] = ref;
  }
  const outputs = unique((t.outputs ?? []).map((o) => normalizeSandboxPath(o, 'output path')));
  if (outputs.length === 0 || outputs.includes('')) throw new BurstError('bad-thunk', 'a thunk needs at least one output path');
  // An output may also be an input: tools such as ranlib and strip update a file in place.
  checkNoFileUnderFile([...new Set([...Object.keys(inputs), ...outputs])]);
  const executables = unique((t.executables ?? []).map((e) => normalizeSandboxPath(e, 'executable path'))).sort();
  for (const e of executables) {
    if (!(e in inputs)) throw new BurstError('bad-thunk', `executable ${e} is not an input`);
  }
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(t.env ?? {})) {
    if (k === '' || k.includes('=') || typeof v !== 'string') throw new BurstError('bad-thunk', `bad environment entry ${k}`);
    env[k] = v;
  }
  const timeoutMs = t.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new BurstError('bad-thunk', `bad timeout: ${timeoutMs}`);
  return {
    args: [...t.args],
    env: sortKeys(env),
    inputs: sortKeys(inputs),
    executables,
    outputs,
    cwd: normalizeSandboxPath(t.cwd ?? '', 'working directory'),
    timeoutMs,
  };
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

function sortKeys(o: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(o).sort()) out[k] = o[k] as string;
  return out;
}

function checkNoFileUnderFile(paths: string[]): void {
  const set = new Set(paths);
  for (const p of paths) {
    for (let i = p.indexOf('/'); i > 0; i = p.indexOf('/', i + 1)) {
      if (set.has(p.slice(0, i))) throw new BurstError('bad-thunk', `${p.slice(0, i)} is a file, so ${p} cannot be under it`);
    }
  }
}

/** Canonical bytes: magic line, then JSON with keys in a fixed order. */
export function encodeThunk(t: Thunk): Buffer {
  const c = canonicalThunk(t);
  const ordered = {
    args: c.args,
    cwd: c.cwd,
    env: c.env,
    executables: c.executables,
    inputs: c.inputs,
    outputs: c.outputs,
    timeoutMs: c.timeoutMs,
  };
  return Buffer.from(THUNK_MAGIC + JSON.stringify(ordered), 'utf8');
}

export function looksLikeThunk(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.subarray(0, THUNK_MAGIC.length)).toString('latin1') === THUNK_MAGIC;
}

export function decodeThunk(bytes: Uint8Array, name = 'thunk'): Thunk {
  if (!looksLikeThunk(bytes)) throw new BurstError('bad-thunk', `${name} is not a thunk`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes.subarray(THUNK_MAGIC.length)).toString('utf8'));
  } catch (e) {
    throw new BurstError('bad-thunk', `${name} is not valid JSON: ${(e as Error).message}`);
  }
  return canonicalThunk(parsed as Thunk);
}

/** The references this thunk waits for: inputs that are outputs of other thunks. */
export function thunkDependencies(t: Thunk): string[] {
  return unique(Object.values(t.inputs).filter(isThunkRef));
}

/**
 * The thunk as it runs once inputs that were other thunks' outputs are known:
 * those inputs (by sandbox path) replaced by the values, executable ones
 * added to the executables. The scheduler and the Lambda worker (for a job
 * it runs right after the one feeding it) name the result alike.
 */
export function withInputValues(t: Thunk, values: Map<string, { name: string; executable: boolean }>): Thunk {
  const inputs = { ...t.inputs };
  const executables = new Set(t.executables);
  for (const [path, v] of values) {
    inputs[path] = v.name;
    if (v.executable) executables.add(path);
  }
  return { ...t, inputs, executables: [...executables].sort() };
}

/**
 * A follow-on as it runs once the job feeding it has made `fed`: its inputs
 * that named the feeder's outputs (`feeder#tag`) replaced by those values,
 * with the name that gives it. Undefined if one of them is not such a value.
 * The Lambda worker runs it under this name and the engine checks the name.
 */
export function resolvedFollowOn(
  t: Thunk,
  feeder: string,
  fed: Array<{ tag: string; name: string; executable: boolean }>,
): { thunk: Thunk; name: string } | undefined {
  const values = new Map<string, { name: string; executable: boolean }>();
  for (const [path, ref] of Object.entries(t.inputs)) {
    if (!isThunkRef(ref)) continue;
    const { thunk: from, output } = parseThunkRef(ref);
    const o = from !== feeder ? undefined : output === undefined ? fed[0] : fed.find((x) => x.tag === output);
    if (!o || isThunkRef(o.name)) return undefined;
    values.set(path, o);
  }
  const thunk = withInputValues(t, values);
  return { thunk, name: nameOfBytes('T', encodeThunk(thunk)) };
}

/** The program a job runs, as the user knows it: the name given to the loader as argv0, or the program's own name. */
export function programOf(t: Thunk): string {
  const args = t.args;
  if (!/(^|\/)ld-linux[^/]*\.so/.test(args[0] ?? '')) return posix.basename(args[0] ?? '?');
  let argv0: string | undefined;
  let i = 1;
  while (i < args.length && (args[i] as string).startsWith('--')) {
    if (args[i] === '--argv0') argv0 = args[i + 1];
    i += args[i] === '--inhibit-cache' ? 1 : 2;
  }
  return posix.basename(argv0 ?? args[i] ?? '?');
}

export function sizeOfRef(ref: string): number {
  return parseName(ref.split('#')[0] as string).size;
}
