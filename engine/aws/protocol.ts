/**
 * What the engine sends to the Lambda worker and what it answers: one JSON
 * document each way, shared by both sides. Bytes travel as base64.
 */

/** 2: the worker answers each output's SHA-256 and checks its inputs' against the request; results are the engine's to sign and share. */
export const WORKER_PROTOCOL = 2;

/** The job launcher's name in the function's zip, beside index.js (the handler looks for it there). */
export const LAUNCHER_FILE = 'burst-launcher';

/** Where the worker reads and writes objects. */
export interface StorageTarget {
  bucket: string;
  /** Key prefix, '' or ending in '/'. */
  prefix: string;
  region: string;
  /** An S3-compatible server instead of AWS (path-style addressing). */
  endpoint?: string;
}

export interface WorkerRequest {
  protocol: typeof WORKER_PROTOCOL;
  /** The thunk's name and its canonical bytes (checked against each other). */
  thunk: string;
  thunkData: string;
  /** Small input objects carried in the request, by name. */
  inline: Record<string, string>;
  /**
   * SHA-256 of the inputs fetched from the bucket, by name, as the engine
   * knows them (its own files, signed results, earlier answers): a copy in
   * the bucket that matches its name but not this is refused as corrupt.
   */
  sha256?: Record<string, string>;
  storage: StorageTarget;
  /** Outputs up to this size come back in the answer as well as going to S3. */
  inlineOutputLimit: number;
  /** Bytes of stdout and of stderr kept. */
  outputLimit: number;
  /**
   * The one job waiting for this one's outputs, run next in the same
   * invocation if this one succeeds: its thunk as recorded, inputs naming
   * this job's outputs (`feeder#tag`). Its other small inputs are in `inline`.
   * A worker that does not know the field ignores it, and the engine runs
   * the job itself.
   */
  followOn?: {
    thunk: string;
    thunkData: string;
    /** The name its inputs give this job (the job may run under another, once its own inputs are known). */
    feeder: string;
  };
}

/** What became of a follow-on job: its result under its resolved name, or why it did not run (the engine then runs it itself). */
export type FollowOnAnswer =
  | { thunk: string; exitCode: number; stdout: string; stderr: string; outputs: WorkerOutput[]; timings: WorkerTimings }
  | { notRun: string }
  | { fault: WorkerFault };

export interface WorkerOutput {
  tag: string;
  name: string;
  executable: boolean;
  /** The bytes, for small outputs. */
  data?: string;
  /** Of the bytes, taken as the job left them, before any other job ran. */
  sha256: string;
}

export interface WorkerTimings {
  fetchMs: number;
  runMs: number;
  uploadMs: number;
  totalMs: number;
}

export interface WorkerFault {
  /** corrupt-object: an object in the bucket does not match its name (named in `object`). */
  code: 'corrupt-object' | 'missing-object' | 'bad-request' | 'worker-error' | 'job-stopped';
  message: string;
  /** job-stopped: its timeout (capped to the invocation's time left), or a signal (out of memory). */
  why?: 'timeout' | 'signal';
  object?: string;
  /** Every object found missing or corrupt. */
  objects?: string[];
}

export interface WorkerResponse {
  protocol: typeof WORKER_PROTOCOL;
  exitCode: number;
  stdout: string;
  stderr: string;
  outputs: WorkerOutput[];
  timings: WorkerTimings;
  /** Bytes this invocation read from and wrote to S3. */
  bytesFetched: number;
  bytesStored: number;
  s3Gets: number;
  s3Puts: number;
  fault?: WorkerFault;
  followOn?: FollowOnAnswer;
  /** Why this worker's jobs may read its memory and credentials (it could not make itself non-dumpable); absent when they cannot. */
  unguarded?: string;
}

/** S3 keys: objects and results live under the prefix, named as in the local store. */
export function objectKey(prefix: string, name: string): string {
  return `${prefix}objects/${name}`;
}

export function reductionKey(prefix: string, thunk: string): string {
  return `${prefix}reductions/${thunk}`;
}
