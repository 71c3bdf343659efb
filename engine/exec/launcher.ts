/**
 * Starting job processes through the small launcher (launcher.c) instead of
 * forking the engine's own, much larger, process for each job. Jobs write
 * stdout and stderr to files the caller names. Where no C compiler can build
 * the launcher, `launcherFor` gives undefined and callers use child_process.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { Readable } from 'node:stream';
import { nativeHelper } from './nativeHelper';
import source from './launcher.c';
import { scratchPath } from './scratch';
import type { LocalStore } from '../store/local';

export interface LaunchRequest {
  cwd: string;
  argv: string[];
  env: Record<string, string>;
  uid?: number;
  gid?: number;
  stdoutFile: string;
  stderrFile: string;
  /** Bytes of stdout, and of stderr, written to their files; the rest is counted only (default: all). */
  keep?: number;
  /** The job's memory limit, in bytes, enforced where the machine allows a memory cgroup (default: none). */
  memoryLimit?: number;
}

/** `stdoutBytes`, `stderrBytes`: what the job wrote, kept or not. */
export type LaunchEnd =
  | {
      kind: 'exited';
      status: number;
      signal: number;
      stdoutBytes: number;
      stderrBytes: number;
      outOfMemory: boolean;
      memoryLimited: boolean;
    }
  | { kind: 'failed'; reason: string };

export interface Launched {
  /** The job's pid, which is also its process group. */
  pid: Promise<number>;
  end: Promise<LaunchEnd>;
}

interface Pending {
  started: (pid: number) => void;
  ended: (e: LaunchEnd) => void;
  pid?: number;
}

export class Launcher {
  private readonly pending = new Map<string, Pending>();
  private nextId = 0;
  private buffered = Buffer.alloc(0);

  /** `key` names this launcher in the per-process table, which forgets it if it dies, so the next job starts a new one. */
  constructor(program: string, key: string) {
    this.child = spawn(program, [], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.child.stdout?.on('data', (c: Buffer) => this.onData(c));
    this.child.stdin?.on('error', () => undefined); // a launcher that is gone: its jobs are reported lost below
    this.child.on('exit', () => this.lost('the job launcher exited', () => launchers.delete(key)));
    // It could not start (a path that is gone or not executable): this process starts its jobs through Node from now on.
    this.child.on('error', (e) =>
      this.lost(`the job launcher could not start: ${e.message}`, () => launchers.set(key, Promise.resolve(undefined))),
    );
    this.setRef(false);
  }

  private readonly child: ChildProcess;

  /** Jobs it had started are lost: killed, so none outlives its sandbox, and reported as a transient fault, which the scheduler retries. */
  private lost(reason: string, forget: () => void): void {
    for (const p of this.pending.values()) {
      if (p.pid !== undefined) killGroup(p.pid);
      p.ended({ kind: 'failed', reason });
    }
    this.pending.clear();
    forget();
  }

  launch(req: LaunchRequest): Launched {
    const id = String(this.nextId++);
    let started!: (pid: number) => void;
    let ended!: (e: LaunchEnd) => void;
    const pid = new Promise<number>((res) => (started = res));
    const end = new Promise<LaunchEnd>((res) => (ended = res));
    this.pending.set(id, {
      started,
      ended: (e) => {
        started(-1);
        ended(e);
      },
    });
    this.setRef(true);
    const env = Object.entries(req.env).map(([k, v]) => `${k}=${v}`);
    const fields = [
      id,
      req.cwd,
      req.uid === undefined ? '' : String(req.uid),
      req.gid === undefined ? '' : String(req.gid),
      req.stdoutFile,
      req.stderrFile,
      String(req.keep ?? Number.MAX_SAFE_INTEGER),
      String(req.memoryLimit ?? 0),
      String(req.argv.length),
      ...req.argv,
      String(env.length),
      ...env,
    ];
    const body = Buffer.from(fields.map((f) => `${f}\0`).join(''), 'utf8');
    const head = Buffer.alloc(4);
    head.writeUInt32LE(body.length, 0);
    this.child.stdin?.write(Buffer.concat([head, body]));
    return { pid, end };
  }

  private onData(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 4) {
      const n = this.buffered.readUInt32LE(0);
      if (this.buffered.length < 4 + n) break;
      const fields = this.buffered
        .subarray(4, 4 + n)
        .toString('utf8')
        .split('\0');
      this.buffered = this.buffered.subarray(4 + n);
      this.onEvent(fields);
    }
  }

  private onEvent([kind, id, a, b, out, err, oom, limited]: string[]): void {
    const p = this.pending.get(id ?? '');
    if (!p) return;
    if (kind === 'started') {
      p.pid = Number(a);
      return p.started(p.pid);
    }
    this.pending.delete(id as string);
    if (kind === 'exited')
      p.ended({
        kind: 'exited',
        status: Number(a),
        signal: Number(b),
        stdoutBytes: Number(out),
        stderrBytes: Number(err),
        outOfMemory: oom === '1',
        memoryLimited: limited === '1',
      });
    else p.ended({ kind: 'failed', reason: a ?? 'unknown' });
    if (this.pending.size === 0) this.setRef(false);
  }

  /** The launcher keeps the engine's process alive only while it has jobs. */
  private setRef(on: boolean): void {
    for (const h of [
      this.child,
      this.child.stdout as Readable & { ref?: () => void; unref?: () => void },
      this.child.stdin as unknown as { ref?: () => void; unref?: () => void },
    ]) {
      if (on) h?.ref?.();
      else h?.unref?.();
    }
  }
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

const launchers = new Map<string, Promise<Launcher | undefined>>();

/** The launcher's C source, for packages that ship it built (the Lambda worker's zip). */
export const LAUNCHER_SOURCE: string = source;

/**
 * The launcher for this store's helpers, started once per process; undefined
 * without a C compiler or with BURST_LAUNCHER=node. BURST_LAUNCHER set to an
 * absolute path names a launcher built already (the Lambda worker's own).
 */
export function launcherFor(store: LocalStore): Promise<Launcher | undefined> {
  const setting = process.env.BURST_LAUNCHER;
  if (setting === 'node') return Promise.resolve(undefined);
  let l = launchers.get(store.dir);
  if (!l) {
    const program = setting && isAbsolute(setting) ? Promise.resolve(setting) : nativeHelper(store, 'burst-launcher', source);
    l = program.then((p) => (p ? new Launcher(p, store.dir) : undefined));
    launchers.set(store.dir, l);
  }
  return l;
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a machine program to completion (a compiler asked for its plan or headers), through the launcher when there is one. */
export interface RunCommandOptions {
  /** false: the command's output goes to /dev/null (one file fewer to create and delete). */
  stdout?: boolean;
}

export async function runCommand(
  store: LocalStore,
  file: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
  opts: RunCommandOptions = {},
): Promise<CommandResult> {
  const launcher = await launcherFor(store);
  if (!launcher) {
    return new Promise((res) => {
      execFile(file, args, { cwd, env, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
        res({ code, stdout, stderr });
      });
    });
  }
  const base = scratchPath(store.tmpDir, 'cmd');
  const [stdoutFile, stderrFile] = [opts.stdout === false ? '/dev/null' : `${base}.out`, `${base}.err`];
  try {
    const end = await launcher.launch({ cwd, argv: [file, ...args], env, stdoutFile, stderrFile }).end;
    const read = async (f: string): Promise<string> => fs.readFile(f, 'utf8').catch(() => '');
    const [stdout, stderr] = await Promise.all([opts.stdout === false ? '' : read(stdoutFile), read(stderrFile)]);
    if (end.kind === 'failed') return { code: 127, stdout, stderr: `${stderr}cannot run ${file}: ${end.reason}\n` };
    return { code: end.signal > 0 ? 128 + end.signal : end.status, stdout, stderr };
  } finally {
    await Promise.all([opts.stdout === false ? undefined : fs.rm(stdoutFile, { force: true }), fs.rm(stderrFile, { force: true })]);
  }
}
