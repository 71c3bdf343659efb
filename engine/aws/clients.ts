/**
 * AWS clients from the settings: the SDK's default credential chain (with the
 * profile, if one is set), path-style addressing for S3-compatible servers,
 * sockets enough for the configured concurrency, and the extra certificates
 * the user gave Node (NODE_EXTRA_CA_CERTS, which bin/burst defers to here).
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { rootCertificates } from 'node:tls';
import { extraCaCertsFile } from '../userEnv';
import type { LambdaSettings } from './config';

function trustedCertificates(): string[] | undefined {
  const file = extraCaCertsFile();
  if (!file) return undefined;
  try {
    return [...rootCertificates, readFileSync(file, 'utf8')];
  } catch {
    return undefined; // as Node does: a missing extra file is not fatal
  }
}

function handler(sockets: number, requestTimeoutMs: number): NodeHttpHandler {
  const ca = trustedCertificates();
  return new NodeHttpHandler({
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets: sockets }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: sockets, ...(ca ? { ca } : {}) }),
    requestTimeout: requestTimeoutMs,
    connectionTimeout: 10_000,
  });
}

function common(s: LambdaSettings): { region?: string; profile?: string } {
  return { ...(s.region ? { region: s.region } : {}), ...(s.profile ? { profile: s.profile } : {}) };
}

export function s3Client(s: LambdaSettings): S3Client {
  return new S3Client({
    ...common(s),
    ...(s.s3Endpoint
      ? // S3-compatible servers: path-style keys, and checksums only where required (some store aws-chunked framing as data).
        { endpoint: s.s3Endpoint, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }
      : {}),
    requestHandler: handler(Math.min(s.concurrency, 256), 300_000),
  });
}

export function lambdaClient(s: LambdaSettings): LambdaClient {
  return new LambdaClient({
    ...common(s),
    ...(s.lambdaEndpoint ? { endpoint: s.lambdaEndpoint } : {}),
    // Retries belong to the scheduler, which backs off with jitter and counts them.
    maxAttempts: 1,
    requestHandler: handler(s.concurrency, (s.timeoutSeconds + 60) * 1000),
  });
}

/** The region the SDK settled on (flag, environment or profile), for the worker, which needs it spelled out. */
export async function resolvedRegion(client: S3Client): Promise<string> {
  return client.config.region();
}
