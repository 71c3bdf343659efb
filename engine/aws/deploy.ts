/**
 * `burst deploy`: the bucket (created if missing) and the worker function
 * (created, or its code and configuration brought up to date). Idempotent: a
 * second run with the same settings changes nothing. The zip is built the
 * same way every time (workerPackage.ts), so its SHA-256 tells whether the
 * deployed code is current.
 */
import {
  CreateFunctionCommand,
  GetFunctionCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
  type FunctionConfiguration,
  type Runtime,
} from '@aws-sdk/client-lambda';
import { CreateBucketCommand, HeadBucketCommand, type BucketLocationConstraint } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { BurstError } from '../model/errors';
import { explainAwsError } from './awsErrors';
import { lambdaClient, resolvedRegion, s3Client } from './clients';
import type { LambdaSettings } from './config';
import { isNotFound } from './s3Objects';
import { describeLauncher, HANDLER, packageWorker } from './workerPackage';

export interface DeployResult {
  bucketCreated: boolean;
  functionCreated: boolean;
  codeUpdated: boolean;
  configurationUpdated: boolean;
}

export async function deploy(settings: LambdaSettings, workerBundle: string, log: (line: string) => void): Promise<DeployResult> {
  const pkg = await packageWorker(workerBundle, settings.architecture);
  const zip = pkg.zip;
  log(`worker: ${describeLauncher(pkg)}`);
  const result: DeployResult = { bucketCreated: false, functionCreated: false, codeUpdated: false, configurationUpdated: false };
  try {
    result.bucketCreated = await ensureBucket(settings, log);
    Object.assign(result, await ensureFunction(settings, zip, log));
  } catch (e) {
    throw explainAwsError(e, settings);
  }
  return result;
}

async function ensureBucket(s: LambdaSettings, log: (line: string) => void): Promise<boolean> {
  const client = s3Client(s);
  try {
    await client.send(new HeadBucketCommand({ Bucket: s.bucket }));
    log(`bucket ${s.bucket}: exists`);
    return false;
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  const region = await resolvedRegion(client);
  await client.send(
    new CreateBucketCommand({
      Bucket: s.bucket,
      // us-east-1 is the one region that takes no location constraint.
      ...(region !== 'us-east-1' ? { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } } : {}),
    }),
  );
  log(`bucket ${s.bucket}: created`);
  return true;
}

type WantedConfiguration = Pick<FunctionConfiguration, 'Handler' | 'MemorySize' | 'Timeout'> & {
  Runtime: Runtime;
  EphemeralStorage: { Size: number };
  Environment: { Variables: Record<string, string> };
};

function wantedConfiguration(s: LambdaSettings): WantedConfiguration {
  return {
    Runtime: s.runtime as Runtime,
    Handler: HANDLER,
    MemorySize: s.memoryMb,
    Timeout: s.timeoutSeconds,
    EphemeralStorage: { Size: s.ephemeralMb },
    Environment: { Variables: workerEnvironment(s) },
  };
}

/** What the worker is allowed to use (it refuses requests for other buckets or endpoints), and its warm cache's share of /tmp. */
function workerEnvironment(s: LambdaSettings): Record<string, string> {
  return {
    BURST_WORKER_BUCKET: s.bucket,
    BURST_WORKER_CACHE_BYTES: String(Math.floor(s.ephemeralMb * 0.4) * 2 ** 20),
    ...(s.s3Endpoint ? { BURST_WORKER_S3_ENDPOINT: s.s3Endpoint } : {}),
  };
}

function configurationDiffers(current: FunctionConfiguration, s: LambdaSettings): boolean {
  const want = wantedConfiguration(s);
  return (
    current.Runtime !== want.Runtime ||
    current.Handler !== want.Handler ||
    current.MemorySize !== want.MemorySize ||
    current.Timeout !== want.Timeout ||
    (current.EphemeralStorage?.Size ?? 512) !== want.EphemeralStorage.Size ||
    JSON.stringify(sorted(current.Environment?.Variables ?? {})) !== JSON.stringify(sorted(want.Environment.Variables)) ||
    (s.role !== undefined && current.Role !== s.role)
  );
}

function sorted(o: Record<string, string>): Array<[string, string]> {
  return Object.entries(o).sort(([a], [b]) => a.localeCompare(b));
}

/** Lambda takes no other change while a function is being created or updated. */
const WAIT = { maxWaitTime: 300, minDelay: 1, maxDelay: 5 };

async function ensureFunction(s: LambdaSettings, zip: Buffer, log: (line: string) => void): Promise<Omit<DeployResult, 'bucketCreated'>> {
  const client = lambdaClient(s);
  const sha = createHash('sha256').update(zip).digest('base64');
  let current: FunctionConfiguration | undefined;
  try {
    current = (await client.send(new GetFunctionCommand({ FunctionName: s.functionName }))).Configuration;
  } catch (e) {
    if ((e as { name?: string }).name !== 'ResourceNotFoundException') throw e;
  }
  if (!current) {
    if (!s.role) {
      throw new BurstError(
        'usage',
        `creating the function ${s.functionName} needs an execution role: pass --role ARN (or set BURST_LAMBDA_ROLE, or aws.role in .burst.json), a role Lambda can assume with s3:GetObject, s3:PutObject and s3:ListBucket on ${s.bucket}`,
      );
    }
    await client.send(
      new CreateFunctionCommand({
        FunctionName: s.functionName,
        Role: s.role,
        Code: { ZipFile: zip },
        Architectures: [s.architecture],
        PackageType: 'Zip',
        ...wantedConfiguration(s),
      }),
    );
    await waitUntilFunctionActiveV2({ client, ...WAIT }, { FunctionName: s.functionName });
    log(`function ${s.functionName}: created (${s.runtime}, ${s.architecture}, ${s.memoryMb} MB, ${s.timeoutSeconds} s)`);
    return { functionCreated: true, codeUpdated: false, configurationUpdated: false };
  }
  const codeUpdated = current.CodeSha256 !== sha || (current.Architectures?.[0] ?? 'x86_64') !== s.architecture;
  if (codeUpdated) {
    await client.send(new UpdateFunctionCodeCommand({ FunctionName: s.functionName, ZipFile: zip, Architectures: [s.architecture] }));
    await waitUntilFunctionUpdatedV2({ client, ...WAIT }, { FunctionName: s.functionName });
    log(`function ${s.functionName}: code updated`);
  }
  const configurationUpdated = configurationDiffers(current, s);
  if (configurationUpdated) {
    await client.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: s.functionName,
        ...(s.role ? { Role: s.role } : {}),
        ...wantedConfiguration(s),
      }),
    );
    await waitUntilFunctionUpdatedV2({ client, ...WAIT }, { FunctionName: s.functionName });
    log(`function ${s.functionName}: configuration updated`);
  }
  if (!codeUpdated && !configurationUpdated) log(`function ${s.functionName}: up to date`);
  return { functionCreated: false, codeUpdated, configurationUpdated };
}
