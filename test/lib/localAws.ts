/**
 * S3 and Lambda on 127.0.0.1 for the tests: s3rver (the S3 wire protocol)
 * and serverless-offline (Lambda's Invoke API), both real servers in their
 * own processes. The function is the zip deploy makes (the worker bundle,
 * dist/lambda/index.js, and the job launcher), unpacked. No AWS SDK is
 * mocked: the engine talks to them as to AWS.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { hostArchitecture } from '../../engine/aws/config';
import { describeLauncher, packageWorker } from '../../engine/aws/workerPackage';
import { generateSigningKeys } from '../../engine/store/signing';

const ROOT = resolve(__dirname, '..', '..');
const MODULES = join(ROOT, 'node_modules');
export const WORKER_BUNDLE = join(ROOT, 'dist', 'lambda', 'index.js');
const BUCKET = 'burst-test';

/** Test credentials: s3rver accepts only these; they reach the worker as its environment. */
export const TEST_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' };

export interface LocalAws {
  s3Endpoint: string;
  lambdaEndpoint: string;
  lambdaPort: number;
  bucket: string;
  /** The worker's function name; `freshFunction` runs the same code with a worker store of its own. */
  functionName: string;
  freshFunction: string;
  /**
   * The same code again, whose jobs run as the handler's own user, as on
   * Lambda (whose worker is never root), with a worker store of its own at
   * `ownUserStore`. The others, run as root here, give their jobs another user.
   */
  ownUserFunction: string;
  ownUserStore: string;
  /** The function's files, unpacked from the zip deploy makes. */
  functionDir: string;
  /** How that zip's worker starts jobs (deploy's words). */
  launcher: string;
  /** The key the clients of `env` sign shared results with, and its public half. */
  signingKeyFile: string;
  publicKeyFile: string;
  /** s3rver's files: DIR/BUCKET/KEY._S3rver_object. */
  s3Dir: string;
  /** Environment for a burst process: credentials, region, endpoints, bucket, function and signing key. */
  env: Record<string, string>;
  /** CPU seconds the servers have used so far: s3rver, and serverless-offline with the jobs it ran. */
  cpuSeconds(): { s3: number; lambda: number };
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

/**
 * Starts a server process and resolves once its log shows `ready`; rejects
 * with the log if it exits first. The log is a file, not a pipe: a server
 * writes its log synchronously, and a pipe its parent does not drain (a
 * bench inside spawnSync) would stop the server when the pipe fills.
 */
function startProcess(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  ready: RegExp,
  log: string,
  timeoutMs = 60_000,
): Promise<ChildProcess> {
  return new Promise((res, rej) => {
    const fd = openSync(log, 'a');
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', fd, fd], detached: true });
    closeSync(fd);
    const output = (): string => readFileSync(log, 'utf8');
    const finish = (e?: Error): void => {
      clearInterval(poll);
      clearTimeout(timer);
      child.removeListener('exit', onExit);
      if (e) rej(e);
      else res(child);
    };
    const poll = setInterval(() => {
      if (ready.test(output())) finish();
    }, 50);
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL'); // detached: it would outlive the tests
      finish(new Error(`${args[0]} did not start in ${timeoutMs} ms:\n${output()}`));
    }, timeoutMs);
    const onExit = (code: number | null): void => finish(new Error(`${args[0]} exited with ${code}:\n${output()}`));
    child.once('exit', onExit);
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((res) => {
    if (child.exitCode !== null || child.pid === undefined) return res();
    child.once('exit', () => res());
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      res();
    }
    setTimeout(() => {
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // gone
      }
    }, 3000).unref();
  });
}

function serverlessYml(
  lambdaPort: number,
  httpPort: number,
  s3Endpoint: string,
  workerDir: string,
  freshDir: string,
  ownUserDir: string,
  inProcess: boolean,
): string {
  // As deploy sets them: the worker refuses other buckets and endpoints.
  const fixed = [
    ['BURST_WORKER_BUCKET', BUCKET],
    ['BURST_WORKER_S3_ENDPOINT', s3Endpoint],
  ];
  const env = (dir: string, extra: string[][] = []): string =>
    [...Object.entries(TEST_CREDENTIALS), ...fixed, ['BURST_WORKER_DIR', dir], ...extra].map(([k, v]) => `      ${k}: ${v}`).join('\n');
  return `service: burst
frameworkVersion: '3'
provider:
  name: aws
  runtime: nodejs20.x
  stage: test
  region: us-east-1
functions:
  worker:
    handler: index.handler
    timeout: 300
    environment:
${env(workerDir)}
  fresh:
    handler: index.handler
    timeout: 300
    environment:
${env(freshDir)}
  ownuser:
    handler: index.handler
    timeout: 300
    environment:
${env(ownUserDir, [['BURST_JOB_UID', '0']])}
plugins:
  - serverless-offline
custom:
  serverless-offline:
    host: 127.0.0.1
    lambdaPort: ${lambdaPort}
    httpPort: ${httpPort}
    noPrependStageInUrl: true${inProcess ? '\n    useInProcess: true' : ''}
`;
}

export interface LocalAwsOptions {
  /**
   * Run invocations inside serverless-offline's own process rather than a
   * worker thread each (its default, closer to Lambda's isolation: the tests
   * use it). A thread per concurrent invocation loads the worker bundle anew
   * and copies every payload between threads; benches on a small machine,
   * where that CPU competes with the jobs, use the lighter mode.
   */
  inProcess?: boolean;
  /**
   * No request log from s3rver: it formats a coloured line per request, about
   * a fifth of its CPU in a build. The tests keep it (it is what a failing
   * test's output shows); benches, where that CPU competes with the jobs, drop it.
   */
  quietS3?: boolean;
}

export async function startLocalAws(opts: LocalAwsOptions = {}): Promise<LocalAws> {
  const work = mkdtempSync(join(tmpdir(), 'burst-aws-'));
  const s3Dir = join(work, 's3');
  mkdirSync(s3Dir);
  const [s3Port, lambdaPort, httpPort] = [await freePort(), await freePort(), await freePort()];
  const children: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(children.map(stopProcess));
    rmSync(work, { recursive: true, force: true });
  };
  try {
    // --openssl-legacy-provider: s3rver's paginated listing fails without it under Node 20.
    children.push(
      await startProcess(
        [
          join(MODULES, 's3rver', 'bin', 's3rver.js'),
          '-d',
          s3Dir,
          '-a',
          '127.0.0.1',
          '-p',
          String(s3Port),
          '--no-vhost-buckets',
          ...(opts.quietS3 ? ['--silent'] : []),
        ],
        work,
        { ...process.env, NODE_OPTIONS: '--openssl-legacy-provider' },
        /listening/i,
        join(work, 's3rver.log'),
      ),
    );
    const s3Endpoint = `http://127.0.0.1:${s3Port}`;
    const bucket = BUCKET;
    const made = await fetch(`${s3Endpoint}/${bucket}`, { method: 'PUT' });
    if (!made.ok) throw new Error(`cannot create the test bucket: ${made.status}`);

    const service = join(work, 'service');
    mkdirSync(service);
    symlinkSync(MODULES, join(service, 'node_modules'));
    // The function is the zip deploy makes: the handler bundle and the job launcher it ships.
    const zip = join(work, 'worker.zip');
    const pkg = await packageWorker(WORKER_BUNDLE, hostArchitecture());
    writeFileSync(zip, pkg.zip);
    execFileSync('unzip', ['-q', zip, '-d', service]);
    writeFileSync(
      join(service, 'serverless.yml'),
      serverlessYml(
        lambdaPort,
        httpPort,
        s3Endpoint,
        join(work, 'worker'),
        join(work, 'worker-fresh'),
        join(work, 'worker-own-user'),
        opts.inProcess ?? false,
      ),
    );
    children.push(
      await startProcess(
        [join(MODULES, 'serverless', 'bin', 'serverless.js'), 'offline', 'start'],
        service,
        { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
        /\[http for lambda\] listening/,
        join(work, 'serverless.log'),
      ),
    );
    const lambdaEndpoint = `http://127.0.0.1:${lambdaPort}`;
    // Results are shared signed: the tests' clients write with one key (and so trust it), as a team's CI would.
    const keys = join(work, 'keys');
    mkdirSync(keys, { mode: 0o700 });
    const { keyFile, publicFile } = generateSigningKeys(keys);
    return {
      s3Endpoint,
      lambdaEndpoint,
      lambdaPort,
      bucket,
      functionName: 'burst-test-worker',
      freshFunction: 'burst-test-fresh',
      ownUserFunction: 'burst-test-ownuser',
      ownUserStore: join(work, 'worker-own-user'),
      s3Dir,
      functionDir: service,
      launcher: describeLauncher(pkg),
      signingKeyFile: keyFile,
      publicKeyFile: publicFile,
      cpuSeconds: () => ({ s3: cpuSecondsOf(children[0]), lambda: cpuSecondsOf(children[1]) }),
      env: {
        ...TEST_CREDENTIALS,
        BURST_BACKEND: 'lambda',
        BURST_BUCKET: bucket,
        BURST_FUNCTION: 'burst-test-worker',
        BURST_S3_ENDPOINT: s3Endpoint,
        BURST_LAMBDA_ENDPOINT: lambdaEndpoint,
        BURST_SIGNING_KEY_FILE: keyFile,
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** A process's CPU ticks (utime, stime, cutime, cstime) and its parent's pid (Linux /proc). */
function procStat(pid: string): { ticks: number; ppid: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // after the command name, which may hold ') '
    return { ticks: [11, 12, 13, 14].reduce((n, i) => n + Number(fields[i]), 0), ppid: fields[1] as string };
  } catch {
    return undefined; // gone
  }
}

/**
 * CPU seconds of a server with all its descendants: the ones that ended
 * (counted in cutime and cstime once reaped) and the ones still running,
 * such as the worker's job launcher, whose jobs count only when it ends.
 */
function cpuSecondsOf(child: ChildProcess | undefined): number {
  if (child?.pid === undefined) return 0;
  const stats = new Map<string, { ticks: number; ppid: string }>();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    const st = procStat(pid);
    if (st) stats.set(pid, st);
  }
  const inTree = (pid: string): boolean => {
    for (let p: string | undefined = pid, hops = 0; p && hops < 64; p = stats.get(p)?.ppid, hops++)
      if (p === String(child.pid)) return true;
    return false;
  };
  let ticks = 0;
  for (const [pid, st] of stats) if (inTree(pid)) ticks += st.ticks;
  return ticks / 100; // USER_HZ
}

/** The file s3rver keeps an object's bytes in. */
export function s3rverObjectFile(aws: LocalAws, key: string): string {
  return join(aws.s3Dir, aws.bucket, `${key}._S3rver_object`);
}
