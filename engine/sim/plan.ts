/**
 * `burst plan`: what a recorded run would take on N Lambda workers, by a
 * discrete-event replay of its job graph on the platform model (platform.ts).
 * Jobs start as soon as their inputs exist, a worker is free and the client
 * has started the jobs before them; among ready jobs, the one with the longest
 * path to the end of the run goes first, as Burst's scheduler orders them.
 */
import type { GraphNode } from '../model/report';
import { Heap } from '../model/heap';
import { LAMBDA, type Platform } from './platform';

export interface PlanRow {
  workers: number;
  predictedMs: number;
  costUsd: number;
  /** Bytes uploaded by the client, fetched by workers and stored by them. */
  bytesMoved: number;
}

export interface Plan {
  jobs: number;
  /** The longest chain of jobs by their recorded times: no number of workers finishes sooner. */
  criticalPathMs: number;
  /** The jobs' recorded times added up: what one worker would spend computing. */
  totalJobMs: number;
  rows: PlanRow[];
}

export function plan(graph: GraphNode[], workers: number[], platform: Platform = LAMBDA): Plan {
  const g = checkedGraph(graph);
  const longest = pathsToEnd(g, (n) => n.ms);
  return {
    jobs: g.nodes.length,
    criticalPathMs: Math.round(Math.max(0, ...longest.values())),
    totalJobMs: g.nodes.reduce((t, n) => t + n.ms, 0),
    rows: workers.map((w) => replay(g, w, platform)),
  };
}

interface Graph {
  nodes: GraphNode[];
  byName: Map<string, GraphNode>;
  /** Jobs reading each job's outputs. */
  dependents: Map<string, string[]>;
}

/** Dependencies on jobs outside the graph (no result was recorded) are dropped: those jobs cost nothing here. */
function checkedGraph(nodes: GraphNode[]): Graph {
  const names = new Set(nodes.map((n) => n.name));
  const dependents = new Map<string, string[]>(nodes.map((n) => [n.name, []]));
  const kept = nodes.map((n) => ({ ...n, deps: n.deps.filter((d) => names.has(d)) }));
  for (const n of kept) for (const d of n.deps) dependents.get(d)?.push(n.name);
  return { nodes: kept, byName: new Map(kept.map((n) => [n.name, n])), dependents };
}

/** For each job, the longest chain from its start to the end of the run, by `cost`. */
function pathsToEnd(g: Graph, cost: (n: GraphNode) => number): Map<string, number> {
  const order = topologicalOrder(g);
  const path = new Map<string, number>();
  for (const name of order.reverse()) {
    const after = Math.max(0, ...(g.dependents.get(name) ?? []).map((d) => path.get(d) ?? 0));
    path.set(name, cost(g.byName.get(name) as GraphNode) + after);
  }
  return path;
}

function topologicalOrder(g: Graph): string[] {
  const waiting = new Map(g.nodes.map((n) => [n.name, n.deps.length]));
  const ready = g.nodes.filter((n) => n.deps.length === 0).map((n) => n.name);
  const order: string[] = [];
  while (ready.length > 0) {
    const name = ready.pop() as string;
    order.push(name);
    for (const d of g.dependents.get(name) ?? []) {
      const left = (waiting.get(d) as number) - 1;
      waiting.set(d, left);
      if (left === 0) ready.push(d);
    }
  }
  if (order.length !== g.nodes.length) throw new Error("the report's job graph has a cycle: it is not a run Burst recorded");
  return order;
}

/** A job's time on a worker, and what it moves: with `cold`, the worker is new and fetches the shipped tools too. */
function onWorker(n: GraphNode, cold: boolean, p: Platform): { ms: number; fetched: number; gets: number } {
  const fetched = cold ? n.inBytes : n.inBytes - n.toolBytes;
  const transferMs = ((fetched + n.outBytes) / p.workerBytesPerSecond) * 1000 + p.s3GetMs + (n.outObjects > 0 ? p.s3PutMs : 0);
  const startMs = cold ? p.coldStartMs : p.warmInvokeMs;
  const gets = cold ? n.inObjects : Math.max(1, Math.round((n.inObjects * (n.inBytes - n.toolBytes)) / Math.max(1, n.inBytes)));
  return { ms: startMs + transferMs + n.ms / p.workerSpeed, fetched, gets };
}

/** Environments the function may have at `t` ms into the run. */
function concurrencyAt(t: number, p: Platform): number {
  return p.initialConcurrency + Math.floor(t / p.scaleStepMs) * p.scaleStep;
}

function replay(g: Graph, workers: number, p: Platform): PlanRow {
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`not a number of workers: ${workers}`);
  const priority = pathsToEnd(g, (n) => onWorker(n, false, p).ms);
  const ready = new Heap<string>((a, b) => (priority.get(b) ?? 0) - (priority.get(a) ?? 0));
  const readyAt = new Map<string, number>();
  const waiting = new Map(g.nodes.map((n) => [n.name, n.deps.length]));
  for (const n of g.nodes) if (n.deps.length === 0) (ready.push(n.name), readyAt.set(n.name, 0));
  // Workers: when each is free next, and whether it has run a job (warm) yet.
  const freeAt = new Heap<{ at: number; warm: boolean }>((a, b) => a.at - b.at);
  const running = new Heap<{ end: number; name: string }>((a, b) => a.end - b.end);
  let started = 0;
  let clientFree = 0;
  let linkFree = 0;
  let now = 0;
  let end = 0;
  let cost = 0;
  let moved = 0;
  let busy = 0;
  const finish = (r: { end: number; name: string }): void => {
    busy--;
    for (const d of g.dependents.get(r.name) ?? []) {
      const left = (waiting.get(d) as number) - 1;
      waiting.set(d, left);
      readyAt.set(d, Math.max(readyAt.get(d) ?? 0, r.end));
      if (left === 0) ready.push(d);
    }
  };
  while (started < g.nodes.length) {
    // Every job ending by now is done before the next choice: one ending at the same moment may free a more urgent one.
    while ((running.peek()?.end ?? Infinity) <= now) finish(running.pop() as { end: number; name: string });
    if (ready.size === 0 || busy >= Math.min(workers, concurrencyAt(now, p))) {
      const next = running.peek();
      if (!next) throw new Error('the replay stalled: a job waits on one that never runs');
      // Held back by Lambda's scaling rule rather than by the workers asked for: more may start at the next step.
      const step = (Math.floor(now / p.scaleStepMs) + 1) * p.scaleStepMs;
      now = ready.size > 0 && busy < workers && step < next.end ? step : next.end;
      continue;
    }
    const name = ready.pop() as string;
    const n = g.byName.get(name) as GraphNode;
    // The client starts jobs one after another (its time per job), uploading what each needs first over its one link.
    const dispatched = Math.max(now, readyAt.get(name) ?? 0, clientFree);
    clientFree = dispatched + p.clientMsPerJob;
    const uploaded = n.uploadBytes > 0 ? Math.max(linkFree, dispatched) + (n.uploadBytes / p.clientBytesPerSecond) * 1000 : dispatched;
    if (n.uploadBytes > 0) linkFree = uploaded;
    // As Lambda routes an invocation: to an idle warm environment if there is one, else to a new one.
    const idle = freeAt.peek();
    const worker =
      (idle && idle.at <= dispatched) || freeAt.size >= workers ? (freeAt.pop() as { at: number; warm: boolean }) : { at: 0, warm: false };
    const start = Math.max(uploaded, clientFree, worker.at);
    const job = onWorker(n, !worker.warm, p);
    const jobEnd = start + job.ms;
    freeAt.push({ at: jobEnd, warm: true });
    running.push({ end: jobEnd, name });
    busy++;
    started++;
    end = Math.max(end, jobEnd);
    moved += n.uploadBytes + job.fetched + n.outBytes;
    cost +=
      p.usdPerRequest +
      (job.ms / 1000) * (p.memoryMb / 1024) * p.usdPerGbSecond +
      job.gets * p.usdPerS3Get +
      (n.outObjects + 1 + n.uploadObjects) * p.usdPerS3Put;
  }
  return { workers, predictedMs: Math.round(end), costUsd: cost, bytesMoved: moved };
}
