/** Shared by the tests: temporary stores and running the real `burst` CLI. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import assert from 'node:assert/strict';
import { nameOfBytes } from '../engine/model/hash';

export const ROOT = resolve(__dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'cli.js');

export function tempDir(prefix = 'burst-test-'): { path: string; [Symbol.dispose](): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, [Symbol.dispose]: () => rmSync(path, { recursive: true, force: true }) };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function startBurst(args: string[], cacheDir: string, opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ChildProcess {
  return spawn(process.execPath, [CLI, '--cache-dir', cacheDir, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function collect(child: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((res) => child.on('close', (code) => res({ code, stdout, stderr })));
}

export function burst(args: string[], cacheDir: string, opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return collect(startBurst(args, cacheDir, opts));
}

/** Runs burst and fails the test with its output unless it exits 0. */
export async function burstOk(args: string[], cacheDir: string, opts: { cwd?: string } = {}): Promise<CliResult> {
  const r = await burst(args, cacheDir, opts);
  if (r.code !== 0) throw new Error(`burst ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

/** `burst thunk create` for a shell script run by the host's /bin/sh, shipped with its libraries. */
export async function shThunk(
  cacheDir: string,
  script: string,
  opts: { inputs?: string[]; outputs?: string[]; extra?: string[] } = {},
): Promise<string> {
  const args = ['thunk', 'create', '--exe', '/bin/sh'];
  for (const i of opts.inputs ?? []) args.push('--input', i);
  for (const o of opts.outputs ?? ['out']) args.push('--output', o);
  args.push(...(opts.extra ?? []), '--', 'sh', '-c', script);
  return (await burstOk(args, cacheDir)).stdout.trim();
}

/** A directory every job user can write to, outside any sandbox: the way a test job leaves a mark for its next attempt. */
export function sharedScratch(): { path: string; [Symbol.dispose](): void } {
  const dir = tempDir('burst-scratch-');
  chmodSync(dir.path, 0o777);
  return dir;
}

export function readJson<T = Record<string, unknown>>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** The pristine upstream tree of a Debian source package, fetched once by scripts/fetch-test-sources.sh. */
export function debianSource(pkg: string): string {
  const dir = join(ROOT, 'test', '.data', pkg);
  if (!existsSync(dir)) execFileSync('bash', [join(ROOT, 'scripts', 'fetch-test-sources.sh')], { stdio: 'inherit' });
  return dir;
}

export function copyTree(from: string, to: string): string {
  execFileSync('cp', ['-a', from, to]);
  return to;
}

export function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return collect(spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** Files under a directory that are still placeholders. */
export function placeholdersUnder(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const p = join(entry.parentPath, entry.name);
    if (statSync(p).size < 512 && readFileSync(p, 'latin1').includes('# burst placeholder:')) found.push(p);
  }
  return found;
}

/** Relative paths of files whose bytes differ between two trees (among the given ones). */
export function differingFiles(a: string, b: string, files: string[]): string[] {
  return files.filter((f) => !readFileSync(join(a, f)).equals(readFileSync(join(b, f))));
}

/** Every object in a store matches its name, nothing half-written (call initHash first); returns how many there are. */
export function everyObjectIntact(store: string): number {
  let n = 0;
  for (const e of readdirSync(join(store, 'objects'), { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const plain = e.name.replace(/\.x$/, '');
    assert.equal(nameOfBytes(plain[0] as 'V' | 'T', readFileSync(join(e.parentPath, e.name))), plain, `${e.name} is intact`);
    n++;
  }
  return n;
}
