/**
 * The program inside each Fibonacci job: `fib N` writes a number or a thunk to
 * `out`; `add` writes the sum of inputs `a` and `b`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { completeThunk, encodeThunk, initHash, nameOfBytes } from '../../engine/api';
import { BASE_PATH, addThunk, fibThunk, type Base } from './graph';

async function main(): Promise<void> {
  const [mode, arg] = process.argv.slice(2);
  if (mode === 'add') {
    const sum = BigInt(readFileSync('a', 'utf8').trim()) + BigInt(readFileSync('b', 'utf8').trim());
    writeFileSync('out', `${sum}\n`);
    return;
  }
  const n = Number(arg);
  if (n < 2) {
    writeFileSync('out', `${n}\n`);
    writeFileSync('left', '');
    writeFileSync('right', '');
    return;
  }
  await initHash();
  const baseBytes = readFileSync(BASE_PATH);
  const base = JSON.parse(baseBytes.toString('utf8')) as Base;
  const baseName = nameOfBytes('V', baseBytes);
  writeFileSync('out', encodeThunk(completeThunk(addThunk(base, baseName, n))));
  writeFileSync('left', encodeThunk(completeThunk(fibThunk(base, baseName, n - 1))));
  writeFileSync('right', encodeThunk(completeThunk(fibThunk(base, baseName, n - 2))));
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
