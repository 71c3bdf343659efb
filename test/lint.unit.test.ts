/** The import boundaries of ARCHITECTURE.md (scripts/lint-imports.mjs): kept by this tree, and each rule caught when broken. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { ROOT, tempDir } from './helpers';

function lint(root: string): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'lint-imports.mjs'), root], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

function write(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

test('this tree keeps its boundaries', () => {
  const r = lint(ROOT);
  assert.equal(r.status, 0, r.stderr);
});

test('a forbidden import fails the check, naming the file, the import and the rule', () => {
  using dir = tempDir();
  write(dir.path, {
    'engine/model/name.ts': "import { build } from '../infer/build';\nexport const n = build;\n",
    'engine/infer/build.ts': 'export const build = 1;\n',
    'engine/store/disk.ts': "import * as vscode from 'vscode';\nexport const v = vscode;\n",
    'engine/cli/cli.ts': "import { Scheduler } from '../schedule/scheduler';\nexport const s = Scheduler;\n",
    'engine/schedule/scheduler.ts': 'export class Scheduler {}\n',
    'engine/exec/a.ts': "import { b } from './b';\nexport const a = b;\n",
    'engine/exec/b.ts': "import { a } from './a';\nexport const b = a;\n",
    'extension/panel.ts': "import { n } from '../engine/model/name';\nexport const p = n;\n",
    'webview-ui/main.ts': "import * as vscode from 'vscode';\nexport const w = vscode;\n",
  });
  const r = lint(dir.path);
  assert.equal(r.status, 1);
  for (const expected of [
    'engine/model/name.ts: imports engine/infer/build.ts (engine/model sits below engine/infer)',
    'engine/store/disk.ts: imports vscode (only extension/ may)',
    'engine/cli/cli.ts: imports engine/schedule/scheduler.ts (engine/cli goes through engine/api.ts)',
    'import cycle: engine/exec/a.ts ↔ engine/exec/b.ts',
    'extension/panel.ts: imports engine/model/name.ts (extension/ may import only engine/lsp/protocol.ts of the engine)',
    'webview-ui/main.ts: imports vscode (only extension/ may)',
  ]) {
    assert.ok(r.stderr.includes(expected), `${expected}\nin:\n${r.stderr}`);
  }
});
