/**
 * `burst plan`'s replay, on job graphs whose answer can be worked out by
 * hand: a platform with no overheads, so each prediction is pure scheduling.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GraphNode } from '../engine/model/report';
import { plan } from '../engine/sim/plan';
import { LAMBDA, type Platform } from '../engine/sim/platform';

const FREE: Platform = {
  ...LAMBDA,
  coldStartMs: 0,
  warmInvokeMs: 0,
  initialConcurrency: 1_000_000,
  s3GetMs: 0,
  s3PutMs: 0,
  workerBytesPerSecond: Infinity,
  clientBytesPerSecond: Infinity,
  clientMsPerJob: 0,
  memoryMb: 1024,
  usdPerS3Get: 0,
  usdPerS3Put: 0,
};

function job(name: string, ms: number, deps: string[] = [], bytes: Partial<GraphNode> = {}): GraphNode {
  return {
    name,
    program: 'cc1',
    ms,
    deps,
    inBytes: 0,
    inObjects: 0,
    toolBytes: 0,
    uploadBytes: 0,
    uploadObjects: 0,
    outBytes: 0,
    outObjects: 0,
    ...bytes,
  };
}

const independent = (n: number, ms: number): GraphNode[] => Array.from({ length: n }, (_, i) => job(`J${i}`, ms));
const times = (p: ReturnType<typeof plan>): number[] => p.rows.map((r) => r.predictedMs);

test('independent jobs divide among the workers; the critical path is the longest job', () => {
  const p = plan(independent(100, 1000), [1, 10, 100, 1000], FREE);
  assert.deepEqual(times(p), [100_000, 10_000, 1000, 1000]);
  assert.equal(p.criticalPathMs, 1000);
  assert.equal(p.totalJobMs, 100_000);
  assert.equal(p.jobs, 100);
});

test('the longest path to the end goes first: a chain beside short jobs keeps both workers busy', () => {
  const chain = [job('Z0', 200), ...[1, 2, 3, 4].map((i) => job(`Z${i}`, 200, [`Z${i - 1}`]))];
  // Listed first, the short jobs would go first in a queue that kept order, and the chain would start at 2 s and end at 3 s.
  // Chain first, the 25 jobs of 200 ms fill 13 rounds on two workers.
  const p = plan([...independent(20, 200), ...chain], [1, 2, 100], FREE);
  assert.equal(p.criticalPathMs, 1000);
  assert.deepEqual(times(p), [5000, 2600, 1000]);
});

test("Lambda's scaling rule holds the second thousand environments back until ten seconds in", () => {
  const ramp: Platform = { ...FREE, initialConcurrency: 1000, scaleStep: 1000, scaleStepMs: 10_000 };
  assert.deepEqual(times(plan(independent(2000, 1000), [2000], ramp)), [2000]);
  assert.deepEqual(times(plan(independent(2000, 20_000), [2000], ramp)), [30_000]);
  assert.deepEqual(times(plan(independent(2000, 1000), [2000], FREE)), [1000]);
});

test('a new environment starts cold once; a warm one is reused when idle rather than starting another', () => {
  const cold: Platform = { ...FREE, coldStartMs: 300, warmInvokeMs: 10 };
  // One after another: the second job finds the first's environment idle and warm.
  const chain = [job('A', 100), job('B', 100, ['A'])];
  assert.deepEqual(times(plan(chain, [10], cold)), [300 + 100 + 10 + 100]);
  assert.deepEqual(times(plan(independent(2, 100), [10], cold)), [400]);
});

test("the client's time per job and its link bound how fast jobs start", () => {
  const client: Platform = { ...FREE, clientMsPerJob: 5, clientBytesPerSecond: 1e6 };
  // 100 jobs the client starts 5 ms apart, each taking 1 ms: the last starts at 500 ms.
  assert.deepEqual(times(plan(independent(100, 1), [1000], client)), [501]);
  // Two jobs each uploading 1 MB over a 1 MB/s link: the second waits for the first's upload.
  const uploads = [job('U0', 0, [], { uploadBytes: 1e6 }), job('U1', 0, [], { uploadBytes: 1e6 })];
  assert.deepEqual(times(plan(uploads, [2], { ...client, clientMsPerJob: 0 })), [2000]);
});

test('cost: a request, the GB-seconds of its time, and the S3 requests for its inputs, outputs and result', () => {
  const priced: Platform = { ...FREE, memoryMb: 2048, usdPerS3Get: 1e-3, usdPerS3Put: 1e-2 };
  const [row] = plan([job('J', 1000, [], { inObjects: 3, inBytes: 30, outObjects: 2, outBytes: 20 })], [1], priced).rows;
  assert.ok(row);
  const expected = priced.usdPerRequest + 2 * priced.usdPerGbSecond + 3 * 1e-3 + 3 * 1e-2;
  assert.ok(Math.abs(row.costUsd - expected) < 1e-12, `${row.costUsd} against ${expected}`);
  assert.equal(row.bytesMoved, 50);
});

test('a dependency outside the graph is dropped; a cycle is refused with a message', () => {
  assert.deepEqual(times(plan([job('A', 100, ['gone'])], [1], FREE)), [100]);
  assert.throws(() => plan([job('A', 1, ['B']), job('B', 1, ['A'])], [1], FREE), /has a cycle/);
  assert.throws(() => plan([job('A', 1)], [0], FREE), /not a number of workers/);
});
