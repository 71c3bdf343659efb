/**
 * The command line's AWS part: the Lambda backend's flags, choosing a
 * backend, and `burst deploy`. The AWS code itself is a bundle of its own
 * (dist/aws.js), loaded only by commands that use it.
 */
import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { BurstError, backendName, loadAws, type AwsModule, type BackendSpec } from '../api';

type LambdaFlags = Parameters<AwsModule['resolveLambdaSettings']>[0];

export interface BackendCliOptions extends LambdaFlags {
  backend?: string;
  jobs?: number;
  isolate?: boolean;
  simWorkers?: string;
  simTimes?: string;
}

export function addBackendOptions(cmd: Command): Command {
  return cmd
    .option('--backend <name>', 'where jobs run: local, lambda, or sim (a simulated Lambda) (default: $BURST_BACKEND, else local)')
    .option('--sim-workers <n>', 'sim: workers at once (default 1000)')
    .option('--sim-times <report>', "sim: jobs' times from this run report's graph (default: each result's own)")
    .option('--region <region>', "AWS region (default: $AWS_REGION, or the profile's)")
    .option('--profile <name>', 'AWS profile for credentials (default: $AWS_PROFILE)')
    .option('--bucket <name>', 'S3 bucket for objects and shared results (default: $BURST_BUCKET)')
    .option('--prefix <prefix>', 'key prefix in the bucket (default: $BURST_PREFIX)')
    .option('--function <name>', 'the worker function (default: $BURST_FUNCTION, else burst-worker)')
    .option('--concurrency <n>', 'Lambda jobs at once (default: $BURST_CONCURRENCY, else 1000)')
    .option('--s3-endpoint <url>', 'an S3-compatible server instead of AWS (default: $BURST_S3_ENDPOINT)')
    .option('--lambda-endpoint <url>', 'a Lambda-compatible server instead of AWS (default: $BURST_LAMBDA_ENDPOINT)')
    .option('--read-only', 'read the shared cache, never write to the bucket: jobs run here (default: $BURST_READ_ONLY)')
    .option('--signing-key-file <file>', 'sign the results this machine shares with this key (default: $BURST_SIGNING_KEY_FILE)')
    .option('--trusted-keys <files>', 'use shared results signed by these public keys, comma-separated (default: $BURST_TRUSTED_KEYS)')
    .option('--max-input-bytes <n>', "jobs with more input than this run locally (default: half the function's /tmp)");
}

/** The backend the options ask for; `root` is where .burst.json is looked for. */
export function backendSpec(o: BackendCliOptions, root: string): BackendSpec {
  const name = backendName(o.backend ?? process.env.BURST_BACKEND ?? 'local');
  if (name === 'sim')
    return {
      kind: 'sim',
      ...(o.simWorkers ? { workers: simWorkers(o.simWorkers) } : {}),
      ...(o.simTimes ? { timesFrom: o.simTimes } : {}),
    };
  return name === 'local' ? { kind: 'local' } : { kind: 'lambda', aws: o, configRoot: root };
}

/** `burst trust [DIR]`: the user vouches for the workspace's .burst.json settings that say where code goes. */
export function addTrustCommand(
  program: Command,
  run: (fn: (dir: string | undefined) => Promise<number>) => (...args: unknown[]) => Promise<void>,
): void {
  program
    .command('trust')
    .description("trust this workspace's .burst.json to say where builds send code (bucket, function, endpoints, profile, region)")
    .argument('[dir]', 'the workspace (default: the current directory)')
    .action(run(trustCommand));
}

async function trustCommand(dir: string | undefined): Promise<number> {
  const aws = loadAws();
  const root = resolve(dir ?? process.cwd());
  const section = aws.readWorkspaceConfig(root) as Record<string, unknown>;
  const where = aws.whereSettings(section);
  if (Object.keys(where).length === 0) {
    process.stdout.write(`${root}: its .burst.json says nothing about where code goes; nothing to trust\n`);
    return 0;
  }
  aws.recordTrust(root, section);
  const lines = Object.entries(where).map(([k, v]) => `  aws.${k} = ${JSON.stringify(v)}`);
  process.stdout.write(`trusted ${root} with:\n${lines.join('\n')}\n(a change to these settings needs burst trust again)\n`);
  return 0;
}

interface DeployCliOptions extends LambdaFlags {
  packageOnly?: string;
}

export function addDeployCommand(
  program: Command,
  run: (fn: (o: DeployCliOptions) => Promise<number>) => (...args: unknown[]) => Promise<void>,
): void {
  const cmd = program
    .command('deploy')
    .description('create or update the S3 bucket and the Lambda worker function (idempotent)')
    .option('--package-only <file.zip>', "only write the function's zip (handler index.handler), for Terraform, CDK or SAM")
    .option('--role <arn>', 'execution role for a new function (default: $BURST_LAMBDA_ROLE)')
    .option('--memory <mb>', 'function memory in MB (default 3008)')
    .option('--timeout <seconds>', 'function timeout (default 300)')
    .option('--ephemeral-storage <mb>', 'function /tmp size in MB (default 2048)')
    .option('--runtime <name>', 'Node.js runtime (default nodejs22.x)')
    .option('--architecture <arch>', "x86_64 or arm64 (default: this machine's, which its compilers are built for)");
  addBackendOptions(cmd).action(run(deployCommand));
}

async function deployCommand(o: DeployCliOptions): Promise<number> {
  const aws = loadAws();
  const bundle = join(__dirname, 'lambda', 'index.js');
  if (o.packageOnly) {
    const architecture = aws.resolveArchitecture(o, process.cwd());
    const pkg = await aws.packageWorker(bundle, architecture);
    await fs.writeFile(o.packageOnly, pkg.zip);
    process.stdout.write(`wrote ${o.packageOnly} (handler ${aws.HANDLER}, ${architecture}); ${aws.describeLauncher(pkg)}\n`);
    return 0;
  }
  const settings = aws.resolveLambdaSettings(o, process.cwd());
  const r = await aws.deploy(settings, bundle, (line) => process.stdout.write(`${line}\n`));
  const changed = r.bucketCreated || r.functionCreated || r.codeUpdated || r.configurationUpdated;
  process.stdout.write(changed ? 'deployed\n' : 'nothing to change\n');
  return 0;
}

function simWorkers(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 100_000)
    throw new BurstError('usage', `--sim-workers takes a number from 1 to 100000, not ${text}`);
  return n;
}
