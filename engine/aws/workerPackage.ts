/**
 * The worker function's zip: the handler bundle as index.js and, where this
 * machine can build it for the function's architecture, the job launcher
 * linked statically. Lambda has no C compiler, and without the launcher every
 * job is a fork of the Node process that serves the invocation: with the SDK
 * and the warm store loaded, that costs about ten times as much CPU as
 * forking the launcher. The zip is built the same way every time (fixed
 * dates and modes; one toolchain gives the same launcher bytes each time,
 * another toolchain other bytes), so its SHA-256 tells deploy whether the
 * function's code is current.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ZipFile } from 'yazl';
import { BurstError } from '../model/errors';
import { LAUNCHER_SOURCE } from '../exec/launcher';
import { findCCompiler } from '../exec/nativeHelper';
import { hostArchitecture, type LambdaSettings } from './config';
import { GUARD_FILE, GUARD_SOURCE } from './guard';
import { LAUNCHER_FILE } from './protocol';

/** The handler Lambda calls: index.js exports `handler`. */
export const HANDLER = 'index.handler';
const ZIP_DATE = new Date('2020-01-01T00:00:00Z');
const execFileAsync = promisify(execFile);

export interface WorkerPackage {
  zip: Buffer;
  /** How the worker starts its jobs, for the user: through the shipped launcher, or through Node and why. */
  launcher: { shipped: true } | { shipped: false; reason: string };
}

export async function packageWorker(workerBundle: string, architecture: LambdaSettings['architecture']): Promise<WorkerPackage> {
  let code: Buffer;
  try {
    code = await fs.readFile(workerBundle);
  } catch {
    throw new BurstError('usage', `the worker bundle ${workerBundle} is missing: run npm run build`);
  }
  const launcher = await buildNative(architecture, LAUNCHER_SOURCE, ['-static', '-O2', '-s']);
  const guard = await buildNative(architecture, GUARD_SOURCE, ['-shared', '-fPIC', '-O2', '-s']);
  const zip = new ZipFile();
  zip.addBuffer(code, 'index.js', { mtime: ZIP_DATE, mode: 0o100644, compress: true });
  if ('binary' in launcher) zip.addBuffer(launcher.binary, LAUNCHER_FILE, { mtime: ZIP_DATE, mode: 0o100755, compress: true });
  // Without it the worker still runs, and says on every answer that its jobs could read its credentials.
  if ('binary' in guard) zip.addBuffer(guard.binary, GUARD_FILE, { mtime: ZIP_DATE, mode: 0o100644, compress: true });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream) chunks.push(c as Buffer);
  return { zip: Buffer.concat(chunks), launcher: 'binary' in launcher ? { shipped: true } : { shipped: false, reason: launcher.reason } };
}

export function describeLauncher(p: WorkerPackage): string {
  return p.launcher.shipped
    ? 'jobs start through the job launcher, built into the zip'
    : `jobs start through Node (slower): ${p.launcher.reason}`;
}

/**
 * A C part of the worker, built on this machine: the launcher linked
 * statically, so it runs on Lambda's own system whatever libc this machine
 * has; the guard as a shared object that needs only prctl from the C library.
 */
async function buildNative(
  architecture: LambdaSettings['architecture'],
  source: string,
  flags: string[],
): Promise<{ binary: Buffer } | { reason: string }> {
  if (process.platform !== 'linux' || (process.arch !== 'x64' && process.arch !== 'arm64'))
    return {
      reason: `the worker's C parts are built on this machine, which is ${process.platform} ${process.arch}, not Linux on x86_64 or arm64`,
    };
  const host = hostArchitecture();
  if (architecture !== host)
    return { reason: `the worker's C parts are built on this machine, which is ${host}, and the function is ${architecture}` };
  const cc = findCCompiler(process.env.PATH ?? '');
  if (!cc) return { reason: "no C compiler (cc, gcc or clang) on PATH to build the worker's C parts" };
  const dir = await fs.mkdtemp(join(tmpdir(), 'burst-launcher-'));
  try {
    const src = join(dir, 'part.c');
    const out = join(dir, 'part');
    await fs.writeFile(src, source);
    await execFileAsync(cc, [...flags, '-o', out, src], { cwd: dir });
    return { binary: await fs.readFile(out) };
  } catch (e) {
    const stderr = String((e as { stderr?: unknown }).stderr ?? '').trim();
    const hint = /cannot find -lc\b|libc\.a/.test(stderr) ? ' (no static C library: on Debian, install libc6-dev)' : '';
    return {
      reason: `${cc} could not build it${hint}: ${stderr.split('\n').find((l) => /error/i.test(l)) ?? stderr.split('\n')[0] ?? (e as Error).message}`,
    };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
