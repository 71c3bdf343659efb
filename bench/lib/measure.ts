/** Timing helpers for benches: medians of repeated runs, printed as ratios. */
import { execFileSync } from 'node:child_process';

export async function median(runs: number, fn: () => Promise<number> | number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await fn());
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

export async function timed(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

export function timedCommand(cmd: string, args: string[], cwd: string): number {
  const t = performance.now();
  execFileSync(cmd, args, { cwd, stdio: 'ignore' });
  return performance.now() - t;
}

export function row(label: string, value: string, note = ''): void {
  console.log(`${label.padEnd(44)} ${value.padStart(12)}  ${note}`);
}
