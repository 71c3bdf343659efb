/**
 * `node dist/examples/fib/main.js N [--cache-dir DIR] [--report FILE]`: computes
 * fib(N) with dynamic thunks on the local backend and prints it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine, summarize } from '../../engine/api';
import { fibonacci } from './fib';

async function cli(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (flag: string): string | undefined => {
    const i = args.indexOf(flag);
    return i >= 0 ? args.splice(i, 2)[1] : undefined;
  };
  const cacheDir = option('--cache-dir');
  const reportFile = option('--report');
  const n = Number(args[0] ?? 20);
  const engine = await Engine.open(cacheDir ? { cacheDir } : {});
  const { value, report } = await fibonacci(engine, n, join(__dirname, 'job.js'));
  if (reportFile) writeFileSync(reportFile, JSON.stringify(report, null, 2));
  process.stdout.write(`fib(${n}) = ${value}\n`);
  process.stderr.write(`${summarize(report)}\n`);
}

cli().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
