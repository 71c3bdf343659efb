/**
 * A cloned repository's `.burst.json` may say where builds send their code
 * and which credentials they use (a bucket, a function, endpoints, a
 * profile, a region). Those settings are honoured only for a workspace the
 * user trusts: in the editor through Workspace Trust, on the command line
 * through `burst trust`, which records the workspace with the settings it
 * trusted, outside the repository. A change to them (a `git pull`) needs
 * trust again. Flags and the environment are the user's own and always count.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { BurstError } from '../model/errors';

/** Settings that say where code and credentials go, and whose results a build believes: a workspace's file gives them only if trusted. */
export const WHERE_SETTINGS = ['bucket', 'function', 's3Endpoint', 'lambdaEndpoint', 'profile', 'region', 'role', 'trustedKeys'] as const;

/** How a run came to read a workspace's settings: the editor vouches (Workspace Trust), or the record of `burst trust` decides. */
export type WorkspaceTrust = 'trusted' | 'recorded';

function trustFile(env: NodeJS.ProcessEnv): string {
  const base = env.BURST_CONFIG_DIR ?? join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'burst');
  return join(base, 'trusted-workspaces.json');
}

function readRecord(env: NodeJS.ProcessEnv): Record<string, string> {
  try {
    const parsed = JSON.parse(readFileSync(trustFile(env), 'utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

function keyOf(root: string): string {
  try {
    return realpathSync(root);
  } catch {
    return resolve(root);
  }
}

/** The settings that say where, as they stand: trust covers exactly these. */
export function whereSettings(section: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(WHERE_SETTINGS.filter((k) => section[k] !== undefined).map((k) => [k, section[k]]));
}

function digest(where: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify(where)).digest('hex');
}

/** Records that the user trusts these settings of the workspace at `root`. */
export function recordTrust(root: string, section: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): void {
  const file = trustFile(env);
  const record = readRecord(env);
  record[keyOf(root)] = digest(whereSettings(section));
  mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

/** Throws, naming the settings and how to trust them, unless the workspace's "where" settings may be used. */
export function checkWorkspaceTrust(
  root: string,
  file: string,
  section: Record<string, unknown>,
  trust: WorkspaceTrust,
  env: NodeJS.ProcessEnv = process.env,
): void {
  const where = whereSettings(section);
  if (Object.keys(where).length === 0 || trust === 'trusted') return;
  if (readRecord(env)[keyOf(root)] === digest(where)) return;
  const named = Object.entries(where)
    .map(([k, v]) => `aws.${k} = ${JSON.stringify(v)}`)
    .join(', ');
  throw new BurstError(
    'usage',
    `${file} says where builds send code and which credentials they use (${named}), and this workspace is not trusted: ` +
      `run burst trust in ${keyOf(root)} (in VS Code: trust the workspace) if you trust these settings, or give them as flags or environment variables instead`,
    { file },
  );
}
