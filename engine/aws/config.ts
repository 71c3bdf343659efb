/**
 * Settings of the Lambda backend and of `burst deploy`, from (highest first)
 * command-line flags, the workspace's `.burst.json` ("aws" section) and the
 * environment. Credentials are not settings: the AWS SDK's default provider
 * chain finds them (environment, shared config and SSO profiles).
 */
import { join, resolve } from 'node:path';
import { BurstError } from '../model/errors';
import { WORKSPACE_CONFIG, workspaceSection } from '../model/workspaceConfig';
import { checkWorkspaceTrust, WHERE_SETTINGS, type WorkspaceTrust } from './workspaceTrust';

export interface LambdaSettings {
  region?: string;
  profile?: string;
  bucket: string;
  /** '' or ending in '/'. */
  prefix: string;
  functionName: string;
  concurrency: number;
  s3Endpoint?: string;
  lambdaEndpoint?: string;
  memoryMb: number;
  timeoutSeconds: number;
  /** Lambda's /tmp in MB (512 to 10240). */
  ephemeralMb: number;
  runtime: string;
  architecture: 'x86_64' | 'arm64';
  role?: string;
  /** Jobs whose inputs add up to more run locally. */
  maxInputBytes: number;
  /** Read the shared cache, never write to the bucket: every job runs here, and nothing is shared (pull-request builds, untrusted code). */
  readOnly: boolean;
  /** Where this client's signing key is (flag or environment only: never a workspace's file, which a stranger may have written). */
  signingKeyFile?: string;
  /** The signing key itself, when the editor keeps it in its secret storage; never logged or reported. */
  signingKeyPem?: string;
  /** Public key files whose signed results this client uses (its own key's is trusted too). */
  trustedKeyFiles: string[];
  /** Fixed credentials: the simulator's only (`--backend sim`); AWS runs take the SDK's chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** The endpoints are the simulator's. */
  simulated?: boolean;
}

/** What a user may set; every field optional. */
export interface LambdaFlags {
  region?: string;
  profile?: string;
  bucket?: string;
  prefix?: string;
  function?: string;
  concurrency?: number | string;
  s3Endpoint?: string;
  lambdaEndpoint?: string;
  memory?: number | string;
  timeout?: number | string;
  ephemeralStorage?: number | string;
  runtime?: string;
  architecture?: string;
  role?: string;
  maxInputBytes?: number | string;
  readOnly?: boolean | string;
  /** Comma-separated files, or a list. */
  trustedKeys?: string | string[];
  signingKeyFile?: string;
  signingKeyPem?: string;
}

export { WORKSPACE_CONFIG };

const MB = 1 << 20;

const ENV: Record<keyof LambdaFlags, string[]> = {
  region: ['AWS_REGION', 'AWS_DEFAULT_REGION'],
  profile: ['AWS_PROFILE'],
  bucket: ['BURST_BUCKET'],
  prefix: ['BURST_PREFIX'],
  function: ['BURST_FUNCTION'],
  concurrency: ['BURST_CONCURRENCY'],
  s3Endpoint: ['BURST_S3_ENDPOINT'],
  lambdaEndpoint: ['BURST_LAMBDA_ENDPOINT'],
  memory: ['BURST_LAMBDA_MEMORY'],
  timeout: ['BURST_LAMBDA_TIMEOUT'],
  ephemeralStorage: ['BURST_LAMBDA_EPHEMERAL_STORAGE'],
  runtime: ['BURST_LAMBDA_RUNTIME'],
  architecture: ['BURST_LAMBDA_ARCHITECTURE'],
  role: ['BURST_LAMBDA_ROLE'],
  maxInputBytes: ['BURST_MAX_INPUT_BYTES'],
  readOnly: ['BURST_READ_ONLY'],
  trustedKeys: ['BURST_TRUSTED_KEYS'],
  signingKeyFile: ['BURST_SIGNING_KEY_FILE'],
  signingKeyPem: [],
};

/** Settings a workspace's .burst.json may not give: the key that signs what every reader trusts is the user's alone. */
const NOT_FROM_WORKSPACE = new Set<keyof LambdaFlags>(['signingKeyFile', 'signingKeyPem']);

/** The "aws" section of `.burst.json` in `root`, or {} when there is none (resolveLambdaSettings checks that it may be used). */
export function readWorkspaceConfig(root: string): LambdaFlags {
  const found = workspaceSection(root, 'aws');
  if (!found) return {};
  const { file, value: aws } = found;
  if (typeof aws !== 'object' || aws === null) throw new BurstError('usage', `${file}: "aws" must be an object`, { file });
  const known = new Set(Object.keys(ENV).filter((k) => !NOT_FROM_WORKSPACE.has(k as keyof LambdaFlags)));
  for (const k of Object.keys(aws)) {
    if (NOT_FROM_WORKSPACE.has(k as keyof LambdaFlags))
      throw new BurstError(
        'usage',
        `${file}: aws.${k} is not read from a workspace's file: give the signing key with --signing-key-file or BURST_SIGNING_KEY_FILE`,
        { file },
      );
    if (!known.has(k)) throw new BurstError('usage', `${file}: unknown setting aws.${k} (known: ${[...known].join(', ')})`, { file });
  }
  return aws as LambdaFlags;
}

function pick(key: keyof LambdaFlags, flags: LambdaFlags, file: LambdaFlags, env: NodeJS.ProcessEnv): string | undefined {
  const v = flags[key] ?? file[key] ?? ENV[key].map((k) => env[k]).find((x) => x !== undefined && x !== '');
  return v === undefined ? undefined : String(v);
}

/** Trusted key files: a list, or comma-separated text; relative names from the workspace root. */
function keyFiles(v: string | string[] | undefined, root: string): string[] {
  const list = Array.isArray(v) ? v : (v ?? '').split(',');
  return list
    .map((f) => String(f).trim())
    .filter((f) => f !== '')
    .map((f) => resolve(root, f));
}

function integer(name: string, v: string | undefined, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new BurstError('usage', `${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(v)}`);
  return n;
}

function endpoint(name: string, v: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (v === undefined) return undefined;
  let u: URL;
  try {
    u = new URL(v);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new BurstError('usage', `${name} must be an http(s) URL, not ${JSON.stringify(v)}`);
  }
  // Plain http carries signed requests and the job's code in the clear: only to this machine, unless the user says otherwise.
  if (u.protocol === 'http:' && !isLoopback(u.hostname) && env.BURST_ALLOW_HTTP !== '1') {
    throw new BurstError(
      'usage',
      `${name} ${v} is plain http to another machine: requests and code would travel unencrypted; use https, or set BURST_ALLOW_HTTP=1 for a network you trust`,
    );
  }
  return v.replace(/\/+$/, '');
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

export function hostArchitecture(): 'x86_64' | 'arm64' {
  return process.arch === 'arm64' ? 'arm64' : 'x86_64';
}

/** The function's architecture as the flags, the workspace file or the environment give it (deploy --package-only needs nothing else). */
export function resolveArchitecture(
  flags: LambdaFlags,
  root: string,
  env: NodeJS.ProcessEnv = process.env,
): LambdaSettings['architecture'] {
  return checkedArchitecture(pick('architecture', flags, readWorkspaceConfig(root), env));
}

function checkedArchitecture(v: string | undefined): LambdaSettings['architecture'] {
  const architecture = v ?? hostArchitecture();
  if (architecture !== 'x86_64' && architecture !== 'arm64')
    throw new BurstError('usage', `architecture must be x86_64 or arm64, not ${JSON.stringify(architecture)}`);
  return architecture;
}

export interface ResolveOptions {
  /** deploy may create the bucket, but it still needs its name. */
  requireBucket?: boolean;
  /** Whether the editor vouches for the workspace (Workspace Trust); else the record of `burst trust` decides. */
  trust?: WorkspaceTrust;
}

export function resolveLambdaSettings(
  flags: LambdaFlags,
  root: string,
  env: NodeJS.ProcessEnv = process.env,
  opts: ResolveOptions = {},
): LambdaSettings {
  const file = readWorkspaceConfig(root);
  // The workspace's own word on where code goes counts only where the user's flags do not override it, and only if trusted.
  if (WHERE_SETTINGS.some((k) => flags[k] === undefined && file[k] !== undefined))
    checkWorkspaceTrust(root, join(root, WORKSPACE_CONFIG), file as Record<string, unknown>, opts.trust ?? 'recorded', env);
  const get = (k: keyof LambdaFlags): string | undefined => pick(k, flags, file, env);
  const bucket = get('bucket');
  if (!bucket && opts.requireBucket !== false) {
    throw new BurstError(
      'usage',
      `no S3 bucket is configured for the Lambda backend: pass --bucket, set BURST_BUCKET, or set aws.bucket in ${WORKSPACE_CONFIG} (burst deploy creates the bucket)`,
    );
  }
  let prefix = get('prefix') ?? '';
  if (prefix && !prefix.endsWith('/')) prefix += '/';
  const architecture = checkedArchitecture(get('architecture'));
  const ephemeralMb = integer('the Lambda ephemeral storage (MB)', get('ephemeralStorage'), 2048, 512, 10240);
  const settings: LambdaSettings = {
    bucket: bucket ?? '',
    prefix,
    functionName: get('function') ?? 'burst-worker',
    concurrency: integer('concurrency', get('concurrency'), 1000, 1, 100_000),
    memoryMb: integer('the Lambda memory (MB)', get('memory'), 3008, 128, 10240),
    timeoutSeconds: integer('the Lambda timeout (seconds)', get('timeout'), 300, 1, 900),
    ephemeralMb,
    runtime: get('runtime') ?? 'nodejs22.x',
    architecture,
    // The worker keeps a warm cache in /tmp too: a job may use about half of it.
    maxInputBytes: integer('the largest job input (bytes)', get('maxInputBytes'), Math.floor(ephemeralMb / 2) * MB, 1, 10240 * MB),
    readOnly: ['1', 'true', 'yes'].includes((get('readOnly') ?? '').toLowerCase()),
    trustedKeyFiles: keyFiles(flags.trustedKeys ?? file.trustedKeys ?? env.BURST_TRUSTED_KEYS, root),
  };
  const keyFile = flags.signingKeyFile ?? env.BURST_SIGNING_KEY_FILE;
  if (flags.signingKeyPem) settings.signingKeyPem = flags.signingKeyPem;
  else if (keyFile) settings.signingKeyFile = resolve(keyFile);
  const optional: Array<[keyof LambdaSettings, string | undefined]> = [
    ['region', get('region')],
    ['profile', get('profile')],
    ['s3Endpoint', endpoint('the S3 endpoint', get('s3Endpoint'), env)],
    ['lambdaEndpoint', endpoint('the Lambda endpoint', get('lambdaEndpoint'), env)],
    ['role', get('role')],
  ];
  for (const [k, v] of optional) if (v !== undefined) (settings as unknown as Record<string, unknown>)[k] = v;
  return settings;
}
