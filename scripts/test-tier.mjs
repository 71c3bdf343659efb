// Runs test tiers in order: `node scripts/test-tier.mjs unit integration e2e`.
// unit: Node alone (no compiler, no root, no network), files *.unit.test.ts;
// e2e: a real VS Code in Chromium, files *.e2e.test.ts; integration: the rest,
// real compilers and projects, loopback AWS servers. The integration and e2e
// tiers first make sure the machine has what they need (setup-test-machine.sh).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const TIERS = {
  unit: (f) => f.endsWith('.unit.test.js'),
  integration: (f) => f.endsWith('.test.js') && !f.endsWith('.unit.test.js') && !f.endsWith('.e2e.test.js'),
  e2e: (f) => f.endsWith('.e2e.test.js'),
};

const tiers = process.argv.slice(2);
const unknown = tiers.filter((t) => !(t in TIERS));
if (tiers.length === 0 || unknown.length > 0) {
  console.error(`usage: node scripts/test-tier.mjs ${Object.keys(TIERS).join('|')}...`);
  process.exit(2);
}
const dir = join('dist', 'test');
const files = readdirSync(dir).sort();
let prepared = false;
for (const tier of tiers) {
  if (tier !== 'unit' && !prepared) {
    const setup = spawnSync('bash', ['scripts/setup-test-machine.sh'], { stdio: 'inherit' });
    if (setup.status !== 0) process.exit(setup.status ?? 1);
    prepared = true;
  }
  const chosen = files.filter(TIERS[tier]).map((f) => join(dir, f));
  console.log(`\n== ${tier} tests: ${chosen.length} files`);
  const run = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...chosen], { stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
