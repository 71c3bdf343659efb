/** fib(n) with dynamic thunks: the driver side (see graph.ts). */
import type { Engine, RunReport } from '../../engine/api';
import { fibThunk, type Base } from './graph';

export async function fibonacci(engine: Engine, n: number, jobScript: string): Promise<{ value: string; report: RunReport }> {
  const node = await engine.packExecutable(process.execPath);
  const script = 'fib/job.js';
  const base: Base = {
    inputs: { ...node.inputs, [script]: await engine.addFile(jobScript) },
    executables: node.executables,
    command: [...node.launch('', 'node'), script],
  };
  const baseName = await engine.addBytes(JSON.stringify(base));
  const root = await engine.createThunk(fibThunk(base, baseName, n));
  const { values, failures, report } = await engine.force([root]);
  const first = failures[0];
  if (first) throw first.error;
  const value = values.get(root);
  if (!value) throw new Error('fib produced nothing');
  return { value: (await engine.readValue(value.name)).toString('utf8').trim(), report };
}
