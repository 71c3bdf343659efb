/**
 * AWS clients from the settings: the SDK's default credential chain (with the
 * profile, if one is set), path-style addressing for S3-compatible servers,
 * sockets enough for the configured concurrency, and the extra certificates
 * the user gave Node (NODE_EXTRA_CA_CERTS, which bin/burst defers to here).
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { LambdaSettings } from './config';
import { agents, type WireAgents } from './wire';

function handler(a: WireAgents, requestTimeoutMs: number): NodeHttpHandler {
  return new NodeHttpHandler({ httpAgent: a.http, httpsAgent: a.https, requestTimeout: requestTimeoutMs, connectionTimeout: 10_000 });
}

function common(s: LambdaSettings): Pick<LambdaSettings, 'region' | 'profile' | 'credentials'> {
  return {
    ...(s.region ? { region: s.region } : {}),
    ...(s.profile ? { profile: s.profile } : {}),
    ...(s.credentials ? { credentials: s.credentials } : {}),
  };
}

export function s3Sockets(s: LambdaSettings): number {
  return Math.min(s.concurrency, 256);
}

export function s3Client(s: LambdaSettings, a: WireAgents = agents(s3Sockets(s))): S3Client {
  return new S3Client({
    ...common(s),
    ...(s.s3Endpoint
      ? // S3-compatible servers: path-style keys, and checksums only where required (some store aws-chunked framing as data).
        {
          endpoint: s.s3Endpoint,
          forcePathStyle: true,
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
        }
      : {}),
    requestHandler: handler(a, 300_000),
  });
}

export function lambdaClient(s: LambdaSettings, a: WireAgents = agents(s.concurrency)): LambdaClient {
  return new LambdaClient({
    ...common(s),
    ...(s.lambdaEndpoint ? { endpoint: s.lambdaEndpoint } : {}),
    // Retries belong to the scheduler, which backs off with jitter and counts them.
    maxAttempts: 1,
    requestHandler: handler(a, invokeTimeoutMs(s)),
  });
}

export function invokeTimeoutMs(s: LambdaSettings): number {
  return (s.timeoutSeconds + 60) * 1000;
}

/** The region the SDK settled on (flag, environment or profile), for the worker, which needs it spelled out. */
export async function resolvedRegion(client: S3Client): Promise<string> {
  return client.config.region();
}
