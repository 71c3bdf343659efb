/**
 * The local pool: `-j N` runs at most N jobs' processes at once, and lays
 * out the next jobs' sandboxes meanwhile.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunReport } from '../engine/api';
import { burst, readJson, sharedScratch, shThunk, tempDir } from './helpers';

test('-j 2: never more than two jobs running at once, however many are in hand', async () => {
  using dir = tempDir();
  using scratch = sharedScratch();
  const store = join(dir.path, 'store');
  const log = join(scratch.path, 'log');
  // Each job notes when it starts and ends (nanoseconds), with time between for another to overlap it if it could.
  const jobs = await Promise.all(
    [0, 1, 2, 3, 4, 5].map((i) =>
      shThunk(store, `echo "+ $(date +%s%N)" >> ${log}; sleep 0.2; echo "- $(date +%s%N)" >> ${log}; echo ${i} > out`),
    ),
  );
  const report = join(dir.path, 'report.json');
  const r = await burst(['force', '-j', '2', '--no-cache', '--report', report, ...jobs], store);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readJson<RunReport>(report).executed, 6);
  const events = readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((l) => ({ delta: l.startsWith('+') ? 1 : -1, at: BigInt(l.slice(2)) }))
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.delta - b.delta));
  let running = 0;
  let most = 0;
  for (const e of events) most = Math.max(most, (running += e.delta));
  assert.equal(events.length, 12);
  assert.equal(most, 2, 'two at once, and no more');
});
