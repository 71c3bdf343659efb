// One build for every bundle: the CLI, the examples, the benches and the tests.
// Later bundles (language server, extension, webview, Lambda worker) are added here.
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const files = (dir, suffix) =>
  readdirSync(dir, { recursive: true })
    .filter((f) => f.endsWith(suffix))
    .map((f) => join(dir, f));

// aws.js (the Lambda backend and deploy) is loaded by the CLI only when needed; lambda/index.js is the worker function.
const entryPoints = { cli: 'engine/cli.ts', boot: 'engine/boot.ts', aws: 'engine/aws/index.ts', 'lambda/index': 'engine/aws/handler.ts', 'standin-node': 'engine/build/standinNode.ts' };
for (const f of [...files('test', '.test.ts'), ...files('bench', '.ts'), ...files('examples', '.ts')]) {
  if (f.includes('/fixtures/') || f.includes('/lib/') || f.startsWith('examples/geom')) continue;
  entryPoints[f.replace(/\.ts$/, '')] = f;
}

await build({
  entryPoints,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  loader: { '.c': 'text' },
  logLevel: 'warning',
});
