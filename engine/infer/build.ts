/**
 * `burst build` and `burst infer`: run a build command with the stand-ins on
 * PATH and the engine listening; then (build) force and write every output.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Backend } from '../schedule/backend';
import type { BurstError } from '../model/errors';
import type { RunReport } from '../model/report';
import type { JobTimes } from '../schedule/jobTimes';
import type { RunEvent } from '../schedule/scheduler';
import type { LocalStore } from '../store/local';
import type { StragglerOptions } from '../schedule/straggler';
import { writeBuildRecord } from './record';
import { startServer } from './server';
import { BuildSession } from './session';
import { standinDir, standinProgram } from './standins';
import { interceptedPrograms, interceptionEnv } from './interception';
import { restoreAfterCrash, startGuardian, type Guardian } from './crashSafety';
import { userEnv } from '../exec/userEnv';
import { launcherFor } from '../exec/launcher';

export interface BuildOptions {
  command: string[];
  root: string;
  backend: Backend;
  /** The local pool, for jobs the backend declines. */
  local?: Backend;
  useCache: boolean;
  inferOnly: boolean;
  isolate?: boolean;
  retries?: number;
  straggler?: Partial<StragglerOptions>;
  times?: JobTimes;
  signal?: AbortSignal;
  onEvent?: (e: RunEvent) => void;
  /** The `burst` program placeholders call when the build runs one of them. */
  burstProgram: string;
  /** Receives the build command's output (stdout and stderr, as they come); without it the command shares this process's terminal. */
  onOutput?: (chunk: string) => void;
  /** Put the run's job graph in the report. */
  graph?: boolean;
}

export interface BuildResult {
  /** Placeholders put back from a build of this tree that died (see crashSafety.ts). */
  restored: number;
  /** The build command's own exit status. */
  commandStatus: number;
  failures: Array<{ path: string; error: BurstError }>;
  report: RunReport;
  outputs: number;
}

export async function runBuild(store: LocalStore, opts: BuildOptions): Promise<BuildResult> {
  const root = resolve(opts.root);
  const restored = await restoreAfterCrash(store, root);
  const guardian = await startGuardian(store, root);
  try {
    return await guardedBuild(store, opts, root, restored, guardian);
  } finally {
    guardian.release();
  }
}

async function guardedBuild(
  store: LocalStore,
  opts: BuildOptions,
  root: string,
  restored: number,
  guardian: Guardian,
): Promise<BuildResult> {
  const pathVar = process.env.PATH ?? '/usr/bin:/bin';
  // The job launcher is needed by the first compile: on first use its build overlaps the stand-in's.
  void launcherFor(store).catch(() => undefined);
  const standin = await standinProgram(store, pathVar);
  const programs = interceptedPrograms(pathVar);
  const work = await fs.mkdtemp(join(tmpdir(), 'burst-build-'));
  guardian.scratch(work);
  const session = new BuildSession(store, opts.root, {
    backend: opts.backend,
    ...(opts.local ? { local: opts.local } : {}),
    useCache: opts.useCache,
    inferOnly: opts.inferOnly,
    isolate: opts.isolate ?? false,
    ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
    ...(opts.straggler ? { straggler: opts.straggler } : {}),
    ...(opts.times ? { times: opts.times } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
  });
  const socket = join(work, 'engine.sock');
  const server = await startServer(socket, session, pathVar, programs);
  try {
    const bin = join(work, 'bin');
    await standinDir(standin.path, pathVar, bin);
    const commandStatus = await runCommand(
      opts.command,
      opts.root,
      {
        ...userEnv(),
        ...(await interceptionEnv(store, pathVar, standin, programs)),
        PATH: `${bin}:${pathVar}`,
        BURST_SOCKET: socket,
        BURST: opts.burstProgram,
        BURST_NODE: process.execPath,
        BURST_CACHE_DIR: store.dir,
      },
      opts.signal,
      opts.onOutput,
      guardian,
    );
    const { failures } = opts.inferOnly ? { failures: [] } : await session.finish();
    if (opts.inferOnly) await store.flush();
    await writeBuildRecord(store, root, session.outputs.values());
    const report = session.report();
    if (opts.graph) report.graph = await session.graph();
    return { restored, commandStatus, failures, report, outputs: session.outputs.size };
  } finally {
    server.close();
    await fs.rm(work, { recursive: true, force: true });
  }
}

/** After an interrupt, how long the build command gets to stop before it is killed. */
const STOP_GRACE_MS = 5000;

function runCommand(
  command: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal | undefined,
  onOutput: ((chunk: string) => void) | undefined,
  guardian: Guardian,
): Promise<number> {
  return new Promise((res) => {
    // The command gets a process group of its own: an interrupt (forwarded from ours) reaches everything it
    // started, and the guardian can stop all of it if the engine dies, without touching whoever started us.
    const child = spawn(command[0] as string, command.slice(1), {
      cwd,
      env,
      stdio: onOutput ? ['ignore', 'pipe', 'pipe'] : 'inherit',
      detached: true,
    });
    if (child.pid) guardian.watch(child.pid);
    if (onOutput) {
      child.stdout?.setEncoding('utf8').on('data', onOutput);
      child.stderr?.setEncoding('utf8').on('data', onOutput);
    }
    let killTimer: NodeJS.Timeout | undefined;
    const signalCommand = (sig: NodeJS.Signals): void => {
      try {
        if (child.pid) process.kill(-child.pid, sig);
      } catch {
        // already gone
      }
    };
    const onAbort = (): void => {
      signalCommand('SIGINT');
      killTimer = setTimeout(() => signalCommand('SIGKILL'), STOP_GRACE_MS);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e) => {
      const message = `burst: cannot run ${command[0]}: ${e.message}\n`;
      if (onOutput) onOutput(message);
      else process.stderr.write(message);
      res(127);
    });
    child.on('close', (code, sig) => {
      guardian.commandEnded();
      signal?.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      res(code ?? (sig ? 130 : 1));
    });
  });
}
