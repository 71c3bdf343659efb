import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, run } from './helpers';

test('npm run demo builds examples/geom through burst build, passes its test, then rebuilds from the cache', async () => {
  const r = await run(process.execPath, [join(ROOT, 'dist', 'examples', 'demo.js')], ROOT);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /burst build -- make -j\d+: .* 72 executed \(72 local\)/);
  assert.match(r.stdout, /make test: +PASS: geomdemo output matches tests\/expected\.txt/);
  assert.match(r.stdout, /after make clean, burst again: .* 0 executed \(none\), 37 cached/);
});
