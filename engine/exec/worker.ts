/**
 * Runs one thunk whose inputs are all values: a fresh sandbox directory holding
 * only the declared inputs, only the declared environment, then the declared
 * outputs moved into the store. The local backend calls this; so will the
 * Lambda handler, with a store that fetches from S3.
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  constants as fsConstants,
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  promises as fs,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  utimesSync,
} from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { BurstError, StoppedJobError, TransientError, isTransientErrno } from '../model/errors';
import { isThunkRef, SANDBOX_TOKEN, type Thunk } from '../model/thunk';
import { JOB_UID, dropsPrivileges } from '../model/jobUser';
import { InputGuard } from './inputGuard';
import { launcherFor, type Launcher } from './launcher';
import { nameOfBytes } from '../model/hash';
import { resolveOnPath, TOOL_DIR } from './toolchain';
import type { LocalStore, TaggedOutput } from '../store/local';

export interface ExecuteOptions {
  /** Run under a root holding nothing but the inputs (Linux: chroot, or a user namespace when not root). */
  isolate: boolean;
  signal?: AbortSignal;
  /** Bytes of stdout and of stderr kept; the rest is cut. */
  outputLimit?: number;
  /** A cap on the job's own timeout: the time a Lambda invocation has left. */
  timeLeftMs?: number;
  /** Bytes of memory the job's processes may use together, where the machine allows a memory cgroup (the launcher). */
  memoryLimit?: number;
  /** The user asked for that limit: say so if it cannot be enforced (the default one is enforced where it can be, silently). */
  memoryLimitAsked?: boolean;
  /**
   * Held while the job's processes run, and only then: the pool lays out the next job's sandbox and
   * takes the last one's outputs while others run, so its cores stay busy with jobs of a few milliseconds.
   */
  processSlot?: { acquire(signal?: AbortSignal): Promise<void>; release(): void };
}

export interface JobResult {
  exitCode: number;
  stdout: Buffer;
  stderr: Buffer;
  /** In declared order; present when exitCode is 0. */
  outputs: TaggedOutput[];
  durationMs: number;
  /** Of durationMs, the time spent moving inputs and outputs (a remote backend: uploads, the worker's fetches and puts). */
  transferMs?: number;
  /** Bytes of its stdout and stderr past the limit: counted, not kept. */
  cutBytes?: number;
  /** Something the user should know about how it ran (a limit this machine could not enforce). */
  warning?: string;
  /** Where it ran, when a backend ran it elsewhere than its own label says (Lambda's local fallback), and why. */
  ranOn?: { backend: string; reason: string };
  /** A follow-on's result: it ran right after this job, which fed it, before the scheduler asked for it. */
  ranWith?: string;
  /** SHA-256 of its outputs by name, where the backend computed them (a remote worker, which keeps the bytes). */
  sha256?: Record<string, string>;
}

const DEFAULT_OUTPUT_LIMIT = 4 << 20;

/**
 * A job's messages with its sandbox directory (named in them when a job was
 * given absolute sandbox paths, as for tree files a build names absolutely)
 * written as the sandbox token: the same on every run and every machine, and
 * read back as a path in the tree (diagnostics.ts).
 */
function sandboxNamed(text: Buffer, sandbox: string): Buffer {
  const at = Buffer.from(`${sandbox}/`);
  if (text.indexOf(at) < 0) return text;
  return Buffer.from(text.toString('latin1').replaceAll(`${sandbox}/`, `${SANDBOX_TOKEN}/`), 'latin1');
}

/** A job's directory: its path, and its real path when it was made (before the job could touch it). */
interface Sandbox {
  path: string;
  realPath: string;
}

export async function executeThunk(store: LocalStore, thunk: Thunk, opts: ExecuteOptions): Promise<JobResult> {
  try {
    return await executeIn(store, thunk, opts);
  } catch (e) {
    throw outOfSpace(e, store) ?? e;
  }
}

/** A full disk under the store: not worth a retry, and the user must hear where. */
function outOfSpace(e: unknown, store: LocalStore): BurstError | undefined {
  const code = (e as NodeJS.ErrnoException).code;
  const message = (e as Error).message ?? '';
  if (code !== 'ENOSPC' && !message.includes('ENOSPC')) return undefined;
  return new BurstError(
    'job-failed',
    `no space left on the device holding ${store.dir} (${message}): free some space (burst cache gc --max-size SIZE removes old objects) and run again`,
  );
}

async function executeIn(store: LocalStore, thunk: Thunk, opts: ExecuteOptions): Promise<JobResult> {
  const sandbox = await fs.mkdtemp(join(store.sandboxDir, 'job-')).catch(rethrowTransient);
  const made: Sandbox = { path: sandbox, realPath: realpathSync(sandbox) };
  try {
    const guard = await populateSandbox(store, sandbox, thunk, opts.isolate).catch(rethrowTransient);
    try {
      const launcher = await launcherFor(store);
      const slot = opts.processSlot;
      await slot?.acquire(opts.signal).catch(() => {
        throw new BurstError('cancelled', 'cancelled');
      });
      let ran: ProcessResult;
      try {
        ran = launcher ? await launchProcess(launcher, sandbox, thunk, opts) : await runProcess(sandbox, thunk, opts);
      } finally {
        slot?.release();
      }
      const run = opts.isolate ? ran : { ...ran, stderr: sandboxNamed(ran.stderr, sandbox) };
      if (run.exitCode !== 0) return { ...run, outputs: [] };
      const outputs = await collectOutputs(store, made, thunk);
      return { ...run, outputs };
    } finally {
      await guard?.verify(); // however the job ended: a changed input fails it, over any other answer
    }
  } finally {
    removeSandbox(sandbox);
  }
}

const removing = new Set<Promise<void>>();

/**
 * Sandboxes are removed in the background, off the job's way to its result: a job of a few milliseconds
 * spent as long again having its directory taken apart. A run waits for them before it ends (sandboxesRemoved).
 */
function removeSandbox(sandbox: string): void {
  const p = fs.rm(sandbox, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined); // a leftover is gc's
  removing.add(p);
  void p.finally(() => removing.delete(p));
}

/** Resolves once every sandbox of the jobs that have ended is gone. */
export async function sandboxesRemoved(): Promise<void> {
  while (removing.size > 0) await Promise.all([...removing]);
}

function rethrowTransient(e: unknown): never {
  // A file that vanished while the sandbox was being laid out (ENOENT from a link) is the machine's state, not the job's answer: worth another attempt.
  if (isTransientErrno(e) || (e as NodeJS.ErrnoException).code === 'ENOENT')
    throw new TransientError(`sandbox set-up failed: ${(e as Error).message}`);
  throw e;
}

/**
 * Lays out the inputs. Synchronous on purpose: a job's few hundred links and
 * directories take a millisecond or two this way, and several times that as
 * promises racing to create the same directories.
 */
async function populateSandbox(store: LocalStore, sandbox: string, thunk: Thunk, isolate: boolean): Promise<InputGuard | undefined> {
  const executables = new Set(thunk.executables);
  const updated = new Set(thunk.outputs);
  const sources = new Map<string, string>();
  for (const [path, ref] of Object.entries(thunk.inputs)) {
    if (isThunkRef(ref)) throw new BurstError('bad-thunk', `input ${path} is not resolved to a value (${ref})`);
    sources.set(path, executables.has(path) ? await store.executablePath(ref) : await store.verifiedPath(ref));
  }
  // A job that runs as the store's owner could make a linked object writable: it gets copies, never the store's own files.
  const copies = !dropsPrivileges();
  const shared = isolate ? new Map<string, string>() : sharedPart(thunk, sources);
  const tree = shared.size > 0 ? sharedTree(store, shared, copies) : undefined;
  if (tree) {
    symlinkSync(join(tree, TOOL_DIR), join(sandbox, TOOL_DIR));
    for (const p of shared.keys()) sources.delete(p);
  }
  const dirs = layOut(sandbox, sources, [...thunk.outputs, ...(thunk.cwd ? [join(thunk.cwd, 'x')] : [])], updated, executables, copies);
  if (dropsPrivileges()) {
    // The job runs as another user, who can change neither the store's files nor the shared trees (the engine's).
    for (const d of ['', ...dirs]) chownSync(join(sandbox, d), JOB_UID, JOB_UID);
    return undefined;
  }
  return tree ? new InputGuard(tree, [...shared.keys()]) : undefined;
}

/** Creates the directories and links (or copies) for `sources`; returns the directories made. */
function layOut(
  root: string,
  sources: Map<string, string>,
  alsoDirsOf: string[],
  updated: Set<string>,
  executables: Set<string>,
  copies: boolean,
): string[] {
  const dirs = new Set<string>();
  for (const p of [...sources.keys(), ...alsoDirsOf]) for (let d = dirname(p); d !== '.' && !dirs.has(d); d = dirname(d)) dirs.add(d);
  const ordered = [...dirs].sort((a, b) => a.length - b.length);
  for (const d of ordered) mkdirSync(join(root, d), { recursive: true });
  for (const [path, src] of sources) {
    const dest = join(root, path);
    if (updated.has(path)) {
      // A file the job updates in place gets a private, writable copy (ranlib copies into the original when it has other links).
      copyFileSync(src, dest);
      chmodSync(dest, executables.has(path) ? 0o755 : 0o644);
      if (dropsPrivileges()) chownSync(dest, JOB_UID, JOB_UID);
      continue;
    }
    if (copies) {
      copyFileSync(src, dest, fsConstants.COPYFILE_FICLONE); // a clone where the file system can, else an in-kernel copy
      continue;
    }
    try {
      linkSync(src, dest);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EXDEV' && (e as NodeJS.ErrnoException).code !== 'EPERM') throw e;
      copyFileSync(src, dest);
    }
  }
  return ordered;
}

/**
 * Inputs under `_burst/` (shipped programs, their libraries, system headers)
 * are the same for most jobs of a build and never written by them. Outside
 * --isolate, one read-only tree per distinct set of them is made once and
 * linked into each sandbox, instead of hundreds of links per job.
 */
function sharedPart(thunk: Thunk, sources: Map<string, string>): Map<string, string> {
  const shared = new Map<string, string>();
  if (thunk.outputs.some((o) => o.startsWith(`${TOOL_DIR}/`))) return shared;
  for (const [p, src] of sources) if (p.startsWith(`${TOOL_DIR}/`)) shared.set(p, src);
  return shared;
}

function sharedTree(store: LocalStore, shared: Map<string, string>, copies: boolean): string {
  const key = nameOfBytes('V', Buffer.from(JSON.stringify([copies, ...[...shared].sort()]))).slice(1, 33);
  const dir = join(store.sandboxDir, `shared-${key}`);
  if (existsSync(dir)) {
    const now = new Date();
    utimesSync(dir, now, now); // in use: `burst cache gc` removes only trees unused for a day
    return dir;
  }
  const tmp = `${dir}.${process.pid}.${Date.now()}`;
  mkdirSync(tmp);
  layOut(tmp, shared, [], new Set(), new Set(), copies);
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another job made the same tree first
  }
  return dir;
}

interface ProcessResult {
  exitCode: number;
  stdout: Buffer;
  stderr: Buffer;
  durationMs: number;
  /** Bytes of stdout and stderr past the limit: counted, not kept. */
  cutBytes?: number;
  /** Something the user should know about how it ran (a limit this machine could not enforce). */
  warning?: string;
}

function commandFor(sandbox: string, thunk: Thunk, isolate: boolean): { file: string; args: string[] } {
  // The job's root as the job sees it: its directory here, '/' (so the empty prefix) under isolation.
  const root = isolate ? '' : sandbox;
  const [program, ...rest] = thunk.args.map((a) => a.replaceAll(SANDBOX_TOKEN, root)) as [string, ...string[]];
  if (!isolate) return { file: program, args: rest };
  const ns = dropsPrivileges() ? ['--setuid', String(JOB_UID), '--setgid', String(JOB_UID)] : ['--user'];
  return {
    file: resolveOnPath('unshare'),
    args: [...ns, `--root=${sandbox}`, `--wd=/${thunk.cwd}`, '--', program, ...rest],
  };
}

type KillReason = 'timeout' | 'cancel';

/**
 * Kills a job's process group at its timeout or when the run is cancelled,
 * and remembers which, so the ending can be told apart from the job's own.
 */
/** The job's timeout, capped by the time its invocation has left. */
function timeoutOf(thunk: Thunk, limitMs: number | undefined): number {
  return Math.max(1, Math.min(thunk.timeoutMs, limitMs ?? Number.POSITIVE_INFINITY));
}

function watchJob(
  thunk: Thunk,
  limitMs: number | undefined,
  signal: AbortSignal | undefined,
  killGroup: () => void,
): { reason(): KillReason | undefined; stop(): void } {
  let killedFor: KillReason | undefined;
  const kill = (why: KillReason): void => {
    killedFor ??= why;
    killGroup();
  };
  const timer = setTimeout(() => kill('timeout'), timeoutOf(thunk, limitMs));
  const onAbort = (): void => kill('cancel');
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();
  return {
    reason: () => killedFor,
    stop: () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}

function killProcessGroup(pid: number | undefined): void {
  try {
    if (pid !== undefined && pid > 0) process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** A program that could not start: missing or not executable is the job's answer; anything else a fault. */
function startError(thunk: Thunk, code: string): BurstError {
  if (code === 'ENOENT' || code === 'EACCES') {
    return new BurstError(
      'job-failed',
      `cannot start ${thunk.args[0]}: ${code === 'ENOENT' ? 'no such file in the sandbox or on this machine' : 'not executable'}`,
    );
  }
  return new TransientError(`cannot start ${thunk.args[0]}: ${code}`);
}

/** Why an ended job has no answer of its own, if it has none. */
function endError(
  thunk: Thunk,
  limitMs: number | undefined,
  killedFor: KillReason | undefined,
  signalName: string | undefined,
): BurstError | undefined {
  if (killedFor === 'cancel') return new BurstError('cancelled', 'cancelled');
  if (killedFor === 'timeout')
    return new StoppedJobError(
      `timed out after ${(timeoutOf(thunk, limitMs) / 1000).toFixed(1)} s${limitMs !== undefined && limitMs < thunk.timeoutMs ? ' (the time its invocation had left)' : ' (its timeout)'}`,
      'timeout',
    );
  if (signalName)
    return new StoppedJobError(
      `killed by ${signalName}${signalName === 'SIGKILL' ? ' (out of memory, or killed from outside)' : ''}`,
      'signal',
    );
  return undefined;
}

function runProcess(sandbox: string, thunk: Thunk, opts: ExecuteOptions): Promise<ProcessResult> {
  const limit = opts.outputLimit ?? DEFAULT_OUTPUT_LIMIT;
  const { file, args } = commandFor(sandbox, thunk, opts.isolate);
  const setUser = dropsPrivileges() && !opts.isolate;
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(file, args, {
      cwd: join(sandbox, thunk.cwd),
      env: thunk.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so everything it starts is killed with it
      ...(setUser ? { uid: JOB_UID, gid: JOB_UID } : {}),
    });
    const stdout = capture(child.stdout, limit);
    const stderr = capture(child.stderr, limit);
    const watch = watchJob(thunk, opts.timeLeftMs, opts.signal, () => killProcessGroup(child.pid));
    child.on('error', (e: NodeJS.ErrnoException) => {
      watch.stop();
      reject(e.code === 'ENOENT' || e.code === 'EACCES' ? startError(thunk, e.code) : startError(thunk, e.message));
    });
    child.on('close', (code, signal) => {
      watch.stop();
      const durationMs = performance.now() - started;
      const err = endError(thunk, opts.timeLeftMs, watch.reason(), signal ?? undefined);
      if (err) return reject(err);
      const [out, errors] = [stdout(), stderr()];
      const cutBytes = out.cut + errors.cut;
      resolvePromise({ exitCode: code ?? 1, stdout: out.bytes, stderr: errors.bytes, durationMs, ...(cutBytes > 0 ? { cutBytes } : {}) });
    });
  });
}

const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, n]) => [n, name]));

/** runProcess through the launcher: the same contract, without forking this process. */
async function launchProcess(launcher: Launcher, sandbox: string, thunk: Thunk, opts: ExecuteOptions): Promise<ProcessResult> {
  const limit = opts.outputLimit ?? DEFAULT_OUTPUT_LIMIT;
  const { file, args } = commandFor(sandbox, thunk, opts.isolate);
  const program = file.includes('/') ? file : resolveOnPath(file, thunk.env.PATH ?? '/usr/bin:/bin');
  const setUser = dropsPrivileges() && !opts.isolate;
  const stdoutFile = `${sandbox}.stdout`;
  const stderrFile = `${sandbox}.stderr`;
  const started = performance.now();
  const job = launcher.launch({
    cwd: join(sandbox, thunk.cwd),
    argv: [program, ...args],
    env: thunk.env,
    ...(setUser ? { uid: JOB_UID, gid: JOB_UID } : {}),
    stdoutFile,
    stderrFile,
    keep: limit,
    ...(opts.memoryLimit ? { memoryLimit: opts.memoryLimit } : {}),
  });
  const watch = watchJob(thunk, opts.timeLeftMs, opts.signal, () => void job.pid.then(killProcessGroup));
  try {
    const end = await job.end;
    const durationMs = performance.now() - started;
    if (end.kind === 'failed') throw startError(thunk, end.reason);
    // Its limit killed a process of the job (the compiler under a driver, say): whatever the exit status, that is the answer.
    if (end.outOfMemory)
      throw new StoppedJobError(`ran out of memory (its limit, ${Math.round((opts.memoryLimit ?? 0) / 2 ** 20)} MiB)`, 'signal');
    const err = endError(
      thunk,
      opts.timeLeftMs,
      watch.reason(),
      end.signal > 0 ? (SIGNAL_NAMES.get(end.signal) ?? `signal ${end.signal}`) : undefined,
    );
    if (err) throw err;
    const stdout = readKept(stdoutFile, end.stdoutBytes);
    const stderr = readKept(stderrFile, end.stderrBytes);
    const cutBytes = stdout.cut + stderr.cut;
    const warning =
      opts.memoryLimitAsked && !end.memoryLimited
        ? 'memory limits are not enforced on this machine: no memory cgroup can be made (run Burst as root, or in a delegated cgroup)'
        : undefined;
    return {
      exitCode: end.status,
      stdout: stdout.bytes,
      stderr: stderr.bytes,
      durationMs,
      ...(cutBytes > 0 ? { cutBytes } : {}),
      ...(warning ? { warning } : {}),
    };
  } finally {
    watch.stop();
    rmSync(stdoutFile, { force: true });
    rmSync(stderrFile, { force: true });
  }
}

/** What the launcher kept of a job's output (the first bytes), and how many of `total` it did not keep. */
function readKept(file: string, total: number): { bytes: Buffer; cut: number } {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch {
    return { bytes: Buffer.alloc(0), cut: 0 };
  }
  const cut = Math.max(0, total - data.length);
  return { bytes: cut > 0 ? Buffer.concat([data, Buffer.from(`\n[output cut: ${cut} more bytes]\n`)]) : data, cut };
}

function capture(stream: NodeJS.ReadableStream | null, limit: number): () => { bytes: Buffer; cut: number } {
  const chunks: Buffer[] = [];
  let size = 0;
  let cut = 0;
  stream?.on('data', (c: Buffer) => {
    const kept = Math.max(0, Math.min(c.length, limit - size));
    if (kept > 0) chunks.push(c.subarray(0, kept));
    size += kept;
    cut += c.length - kept;
  });
  return () => ({ bytes: Buffer.concat(cut > 0 ? [...chunks, Buffer.from(`\n[output cut: ${cut} more bytes]\n`)] : chunks), cut });
}

async function collectOutputs(store: LocalStore, sandbox: Sandbox, thunk: Thunk): Promise<TaggedOutput[]> {
  const outputs: TaggedOutput[] = [];
  for (const tag of thunk.outputs) outputs.push({ tag, ...(await takeOutput(store, sandbox, tag)) });
  return outputs;
}

/**
 * A declared output, copied into the store from what the job left at its
 * path: a regular file with one link, reached through no symbolic link at
 * any level. The file is opened without following a last-component link, and
 * the kernel's name for what was opened (/proc/self/fd) must be the path the
 * sandbox had when it was made, so a linked parent (or a sandbox replaced by
 * a link) shows. Anything else fails the job, naming the output and what it
 * was; the file it pointed at is neither read nor changed.
 */
async function takeOutput(store: LocalStore, sandbox: Sandbox, tag: string): Promise<{ name: string; executable: boolean }> {
  const path = join(sandbox.path, tag);
  const refuse = (what: string): BurstError =>
    new BurstError('job-failed', `the job's output ${tag} is ${what}: outputs must be regular files in the job's directory`);
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(path, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK | fsConstants.O_NOCTTY);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw refuse('a symbolic link');
    if (code === 'ENOENT' || code === 'ENOTDIR')
      throw new BurstError('job-failed', `the job exited 0 but did not produce its declared output ${tag}`);
    if (code === 'EACCES') throw refuse('not readable');
    throw rethrowTransient(e);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile())
      throw refuse(st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a named pipe' : st.isSocket() ? 'a socket' : 'a device');
    if (st.nlink !== 1) throw refuse(`a file with ${st.nlink} names (a hard link: it may be a file from outside)`);
    const opened = `/proc/self/fd/${fh.fd}`;
    const real = readlinkSync(opened);
    if (real !== join(sandbox.realPath, tag)) throw refuse(`reached through a symbolic link (it is ${real})`);
    const name = await store.ingestCopy(opened).catch(rethrowTransient);
    return { name, executable: (st.mode & 0o111) !== 0 };
  } finally {
    await fh.close();
  }
}
