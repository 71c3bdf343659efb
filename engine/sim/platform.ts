/**
 * The model of AWS Lambda and S3 that `burst plan` predicts with: every
 * figure in one place, each with where it comes from. Published figures are
 * AWS's own (documentation and the price list, us-east-1, x86, as of 2026);
 * "measured here" figures come from Burst's loopback servers and benches and
 * are what the client itself costs, which no published figure gives.
 * Change a figure here, and say where the new one comes from.
 */
export interface Platform {
  /** A new execution environment's start, before the first job (init of the Node runtime and the worker's zip). */
  coldStartMs: number;
  /** An invocation of a warm environment, from the client's request to the handler running, and back. */
  warmInvokeMs: number;
  /** Environments a function may have at once when a run starts, and how many more every `scaleStepMs`. */
  initialConcurrency: number;
  scaleStep: number;
  scaleStepMs: number;
  /** Time to first byte of one S3 request from a worker, GET and PUT. */
  s3GetMs: number;
  s3PutMs: number;
  /** Bytes a second a worker moves to and from S3. */
  workerBytesPerSecond: number;
  /** Bytes a second the client uploads: its own link to AWS. */
  clientBytesPerSecond: number;
  /** The client's CPU time to start one job on Lambda (thunk encoding, upload bookkeeping, signing, invoke, result ingest). */
  clientMsPerJob: number;
  /** A job's time on a worker against its time where it was recorded. */
  workerSpeed: number;
  memoryMb: number;
  usdPerRequest: number;
  usdPerGbSecond: number;
  usdPerS3Get: number;
  usdPerS3Put: number;
}

export const LAMBDA: Platform = {
  // Lambda's documentation: cold starts "typically under 100 ms to over 1 second"; a Node.js function with
  // a few megabytes of code is commonly 200-400 ms. Burst's worker zip is about 1 MB plus the launcher.
  coldStartMs: 300,
  // Invoke API round trip within a region, as AWS SDK users see it: 10-20 ms.
  warmInvokeMs: 15,
  // Lambda's scaling rule since November 2023: each function scales by 1,000 concurrent executions every
  // 10 seconds, up to the account's concurrency limit (1,000 by default; raised on request).
  initialConcurrency: 1000,
  scaleStep: 1000,
  scaleStepMs: 10_000,
  // S3's performance guidelines: first-byte latency of small objects is 10-20 ms in the same region, PUT somewhat more.
  s3GetMs: 15,
  s3PutMs: 25,
  // S3's guidelines: about 85-90 MB/s per connection; a worker's transfers of one job share one or two.
  workerBytesPerSecond: 85e6,
  // A 100 Mbit/s office or home uplink.
  clientBytesPerSecond: 12.5e6,
  // Measured here: bench/lambda.ts reports 1.1-1.6 ms of client CPU per trivial invocation on the loopback
  // servers, and a build's jobs carry about 1 ms more of upload bookkeeping and signing.
  clientMsPerJob: 2.5,
  // At 1,769 MB a function has one full vCPU: a compile, one thread, runs about as on one core of a laptop.
  workerSpeed: 1,
  memoryMb: 1769,
  // Lambda prices (x86, us-east-1): $0.20 per million requests, $0.0000166667 per GB-second.
  usdPerRequest: 0.2e-6,
  usdPerGbSecond: 0.0000166667,
  // S3 Standard: $0.0004 per 1,000 GET, $0.005 per 1,000 PUT.
  usdPerS3Get: 0.0004e-3,
  usdPerS3Put: 0.005e-3,
};
