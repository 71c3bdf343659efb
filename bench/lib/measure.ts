/** Timing helpers for benches: medians of repeated runs, printed as ratios. */
import { spawnSync } from 'node:child_process';

export async function median(runs: number, fn: () => Promise<number> | number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await fn());
  return medianOf(times);
}

export async function timed(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/** Milliseconds a command takes; it must succeed (the error ends with its stderr). */
export function timedCommand(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): number {
  // Dirty pages from the set-up (a copied store, a cleaned tree) are written out now, not during the timed run.
  spawnSync('sync');
  const t = performance.now();
  const r = spawnSync(cmd, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 << 20 });
  if (r.status !== 0) {
    const tail = String(r.stderr ?? '')
      .split('\n')
      .slice(-30)
      .join('\n');
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd} (exit ${r.status ?? r.signal}):\n${tail}`);
  }
  return performance.now() - t;
}

export function row(label: string, value: string, note = ''): void {
  console.log(`${label.padEnd(44)} ${value.padStart(12)}  ${note}`);
}

export function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/**
 * Runs every step once per round, round after round, so a machine whose speed
 * drifts (a shared VM) slows every contender alike; returns each step's times.
 */
export async function interleaved<K extends string>(
  runs: number,
  steps: Record<K, () => Promise<number> | number>,
): Promise<Record<K, number[]>> {
  const keys = Object.keys(steps) as K[];
  const times = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  for (let i = 0; i < runs; i++) for (const k of keys) times[k].push(await steps[k]());
  return times;
}

/** The median of round-by-round ratios a[i] / b[i]: each pair ran back to back. */
export function pairedRatio(a: number[], b: number[]): number {
  return medianOf(a.map((x, i) => x / (b[i] as number)));
}
