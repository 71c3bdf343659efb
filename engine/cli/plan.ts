/**
 * `burst plan REPORT.json`: what the recorded run would take, and cost, on
 * Lambda with each number of workers, from its job graph (a report written
 * by --report) and the platform model in engine/sim/platform.ts.
 */
import { promises as fs } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { BurstError, plan, type GraphNode, type Plan, type RunReport } from '../api';
import { humanBytes, humanMs } from './units';

const DEFAULT_WORKERS = [1, 10, 100, 1000];

function workerList(text: string): number[] {
  const list = text.split(',').map((w) => Number(w.trim()));
  if (list.length === 0 || list.some((w) => !Number.isInteger(w) || w < 1 || w > 100_000))
    throw new InvalidArgumentError('a comma-separated list of worker counts from 1 to 100000, e.g. 1,10,100,1000');
  return list;
}

export function addPlanCommand(
  program: Command,
  run: (fn: (report: string, o: { workers?: number[]; json?: boolean }) => Promise<number>) => (...args: unknown[]) => Promise<void>,
): void {
  program
    .command('plan')
    .description("predict a recorded run's time and cost on Lambda for each number of workers")
    .argument('<report>', 'a run report written by --report')
    .option('--workers <list>', `worker counts (default ${DEFAULT_WORKERS.join(',')})`, workerList)
    .option('--json', 'print the prediction as JSON')
    .action(run(planCommand));
}

async function graphOf(file: string): Promise<GraphNode[]> {
  let report: Partial<RunReport>;
  try {
    report = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<RunReport>;
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'not a JSON run report';
    throw new BurstError('usage', `${file}: ${why}`);
  }
  if (!Array.isArray(report.graph))
    throw new BurstError('usage', `${file} has no job graph: it comes from an older Burst, or was not written by --report`);
  if (report.graph.length === 0) throw new BurstError('usage', `${file}: the run had no job with a result to plan from`);
  return report.graph;
}

async function planCommand(file: string, o: { workers?: number[]; json?: boolean }): Promise<number> {
  const p = plan(await graphOf(file), o.workers ?? DEFAULT_WORKERS);
  process.stdout.write(o.json ? `${JSON.stringify(p, null, 2)}\n` : formatPlan(p));
  return 0;
}

function formatPlan(p: Plan): string {
  const lines = [
    `${p.jobs} jobs, ${humanMs(p.totalJobMs)} of job time; critical path ${humanMs(p.criticalPathMs)} (no number of workers finishes sooner)`,
    '',
    `${'workers'.padStart(8)}  ${'predicted'.padStart(11)}  ${'cost'.padStart(9)}  ${'moved'.padStart(10)}`,
    ...p.rows.map(
      (r) =>
        `${String(r.workers).padStart(8)}  ${humanMs(r.predictedMs).padStart(11)}  ${`$${r.costUsd.toFixed(4)}`.padStart(9)}  ${humanBytes(r.bytesMoved).padStart(10)}`,
    ),
    '',
    'Lambda and S3 as modelled in engine/sim/platform.ts (list prices, us-east-1).',
    '',
  ];
  return lines.join('\n');
}
