/** `npm run bench`: every bench in turn, each printing its ratios. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

for (const bench of ['standin.js', 'scheduler.js', 'build.js', 'lambda.js', 'clientCost.js', 'tests.js']) {
  execFileSync(process.execPath, [join(__dirname, bench), ...process.argv.slice(2)], { stdio: 'inherit' });
}
