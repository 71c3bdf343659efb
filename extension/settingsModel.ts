/**
 * The extension's settings (contributes.configuration "burst.*") as the
 * engine's build parameters, checked: a bad value is named with the setting
 * and what it takes. No VS Code API here, so it is unit-tested in Node.
 */
import type { BackendName, BuildParams } from '../engine/lsp/protocol';

export interface RawSettings {
  backend?: unknown;
  /** Workspace Trust: whether the folder's .burst.json may say where code goes. */
  workspaceTrusted?: unknown;
  jobs?: unknown;
  concurrency?: unknown;
  isolate?: unknown;
  retries?: unknown;
  straggler?: { enabled?: unknown; factor?: unknown; minMs?: unknown };
  aws?: {
    region?: unknown;
    profile?: unknown;
    bucket?: unknown;
    prefix?: unknown;
    function?: unknown;
    s3Endpoint?: unknown;
    lambdaEndpoint?: unknown;
    readOnly?: unknown;
    trustedKeys?: unknown;
  };
}

export type RunSettings = Omit<BuildParams, 'runId' | 'command' | 'cwd'>;

/** Settings whose change needs the engine restarted (the store it opens). */
export const RESTART_SETTINGS = ['burst.cacheDir'];

export function runSettings(raw: RawSettings, backendOverride?: BackendName): { settings: RunSettings; errors: string[] } {
  const errors: string[] = [];
  const backend = backendOverride ?? raw.backend ?? 'local';
  if (backend !== 'local' && backend !== 'lambda') errors.push(`burst.backend must be "local" or "lambda", not ${JSON.stringify(backend)}`);
  const int = (name: string, v: unknown, min: number): number | undefined => {
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      errors.push(`${name} must be a whole number of at least ${min}, not ${JSON.stringify(v)}`);
      return undefined;
    }
    return v;
  };
  const str = (name: string, v: unknown): string | undefined => {
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') {
      errors.push(`${name} must be text, not ${JSON.stringify(v)}`);
      return undefined;
    }
    return v.trim();
  };
  const settings: RunSettings = { backend: backend === 'lambda' ? 'lambda' : 'local' };
  if (raw.workspaceTrusted === true) settings.workspaceTrusted = true;
  const jobs = int('burst.jobs', raw.jobs, 0);
  if (jobs) settings.jobs = jobs;
  if (raw.isolate === true) settings.isolate = true;
  const retries = int('burst.retries', raw.retries, 0);
  if (retries !== undefined) settings.retries = retries;
  const straggler: NonNullable<RunSettings['straggler']> = {};
  if (raw.straggler?.enabled === false) straggler.enabled = false;
  const factor = raw.straggler?.factor;
  if (factor !== undefined) {
    if (typeof factor === 'number' && factor > 1) straggler.factor = factor;
    else errors.push(`burst.straggler.factor must be a number above 1, not ${JSON.stringify(factor)}`);
  }
  const minMs = int('burst.straggler.minMs', raw.straggler?.minMs, 0);
  if (minMs !== undefined) straggler.minMs = minMs;
  if (Object.keys(straggler).length > 0) settings.straggler = straggler;
  const aws: NonNullable<RunSettings['aws']> = {};
  for (const key of ['region', 'profile', 'bucket', 'prefix', 'function', 's3Endpoint', 'lambdaEndpoint'] as const) {
    const v = str(`burst.aws.${key}`, raw.aws?.[key]);
    if (v !== undefined) aws[key] = v;
  }
  for (const key of ['s3Endpoint', 'lambdaEndpoint'] as const) {
    const v = aws[key];
    if (v !== undefined && !/^https?:\/\/[^\s/]+/.test(v)) errors.push(`burst.aws.${key} must be an http(s) URL, not ${JSON.stringify(v)}`);
  }
  if (raw.aws?.readOnly === true) aws.readOnly = true;
  const keys = raw.aws?.trustedKeys;
  if (keys !== undefined && keys !== null) {
    if (Array.isArray(keys) && keys.every((k) => typeof k === 'string')) {
      if (keys.length > 0) aws.trustedKeys = keys.join(',');
    } else errors.push(`burst.cache.trustedKeys must be a list of public key files, not ${JSON.stringify(keys)}`);
  }
  const concurrency = int('burst.concurrency', raw.concurrency, 1);
  if (concurrency !== undefined) aws.concurrency = concurrency;
  if (Object.keys(aws).length > 0) settings.aws = aws;
  if (settings.backend === 'lambda' && settings.isolate)
    errors.push('burst.isolate applies to the local backend only: Lambda runs each job in a fresh directory of its own inputs');
  return { settings, errors };
}
