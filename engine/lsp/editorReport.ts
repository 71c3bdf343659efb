/** The run report as the editor gets it: with the plan of the run on Lambda instead of its whole job graph. */
import { plan, type RunReport as EngineRunReport } from '../api';
import type { RunReport } from './protocol';

/** Workers the panel plots the run on. */
const PLAN_WORKERS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];

export function reportForEditor(report: EngineRunReport): RunReport {
  const { graph, ...rest } = report;
  if (!graph || graph.length === 0) return rest;
  const p = plan(graph, PLAN_WORKERS);
  const rows = p.rows.map(({ workers, predictedMs, costUsd }) => ({ workers, predictedMs, costUsd }));
  return { ...rest, plan: { criticalPathMs: p.criticalPathMs, rows } };
}
