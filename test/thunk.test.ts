import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { Engine, initHash, thunkName } from '../engine/api';
import { encodeThunk, canonicalThunk } from '../engine/model/thunk';
import { burstOk, shThunk, tempDir } from './helpers';

before(initHash);

describe('thunk names', () => {
  test('equal jobs get equal names whatever the order they were written in', () => {
    const a = thunkName({
      args: ['x'],
      outputs: ['o'],
      env: { B: '2', A: '1' },
      inputs: { 'z/1': 'V' + '0'.repeat(40), a: 'V' + '1'.repeat(40) },
    });
    const b = thunkName({
      args: ['x'],
      outputs: ['o'],
      env: { A: '1', B: '2' },
      inputs: { a: 'V' + '1'.repeat(40), 'z/1': 'V' + '0'.repeat(40) },
    });
    assert.equal(a, b);
    assert.match(a, /^T[0-9a-f]{40}$/);
    assert.notEqual(a, thunkName({ args: ['x'], outputs: ['o'], env: { A: '1', B: '3' } }));
  });

  test('malformed thunks are refused with the reason', () => {
    assert.throws(() => canonicalThunk({ args: [], env: {}, inputs: {}, executables: [], outputs: ['o'], cwd: '', timeoutMs: 1 }), /args/);
    assert.throws(
      () =>
        encodeThunk({
          args: ['x'],
          env: {},
          inputs: { '../etc/passwd': 'V' + '0'.repeat(40) },
          executables: [],
          outputs: ['o'],
          cwd: '',
          timeoutMs: 1,
        }),
      /inside the sandbox/,
    );
    assert.throws(
      () => encodeThunk({ args: ['x'], env: {}, inputs: {}, executables: [], outputs: [], cwd: '', timeoutMs: 1 }),
      /at least one output/,
    );
    assert.throws(
      () => encodeThunk({ args: ['x'], env: {}, inputs: { a: 'nonsense' }, executables: [], outputs: ['o'], cwd: '', timeoutMs: 1 }),
      /not an object reference/,
    );
  });

  test('the same job made in two separate stores gets the same name, and both run it', async () => {
    using one = tempDir();
    using two = tempDir();
    using work = tempDir();
    const input = join(work.path, 'words.txt');
    writeFileSync(input, 'hello thunk\n');
    const script = 'tr a-z A-Z < words.txt > out';
    const a = await shThunk(join(one.path, 'store'), script, { inputs: [`words.txt=${input}`] });
    const b = await shThunk(join(two.path, 'store'), script, { inputs: [`words.txt=${input}`] });
    assert.equal(a, b);
    for (const store of [one.path, two.path]) {
      const r = await burstOk(['force', '--cat', '-q', a], join(store, 'store'));
      assert.equal(r.stdout, 'HELLO THUNK\n');
    }
  });
});

describe('SDK', () => {
  test('a graph of thunks built with the SDK runs, and outputs feed later jobs', async () => {
    using dir = tempDir();
    const engine = await Engine.open({ cacheDir: join(dir.path, 'store') });
    const sh = await engine.packExecutable('/bin/sh');
    const job = (script: string, inputs: Record<string, string>, outputs: string[]) =>
      engine.createThunk({
        args: [...sh.launch('', 'sh'), '-c', script],
        inputs: { ...sh.inputs, ...inputs },
        executables: sh.executables,
        outputs,
      });
    const text = await engine.addBytes('3\n4\n');
    const split = await job('head -n1 nums > a; tail -n1 nums > b', { nums: text }, ['a', 'b']);
    const sum = await job('echo $(( $(cat x) * $(cat y) )) > product', { x: `${split}#a`, y: `${split}#b` }, ['product']);
    const { values, failures, report } = await engine.force([sum]);
    assert.deepEqual(failures, []);
    assert.equal((await engine.readValue(values.get(sum)!.name)).toString(), '12\n');
    assert.equal(report.executed, 2);
    assert.equal(report.thunks, 2);
    const again = await engine.force([sum]);
    assert.equal(again.report.executed, 0);
    assert.equal(again.report.cached, 1);
  });

  test('a changed input that gives the same intermediate bytes does not re-run the jobs after it', async () => {
    using dir = tempDir();
    const engine = await Engine.open({ cacheDir: join(dir.path, 'store') });
    const sh = await engine.packExecutable('/bin/sh');
    const job = (script: string, inputs: Record<string, string>) =>
      engine.createThunk({
        args: [...sh.launch('', 'sh'), '-c', script],
        inputs: { ...sh.inputs, ...inputs },
        executables: sh.executables,
        outputs: ['out'],
      });
    const firstLine = async (text: string) => job('head -n1 in > out', { in: await engine.addBytes(text) });
    const count = async (text: string) => job('wc -c < in > out', { in: await firstLine(text) });
    const first = await engine.force([await count('same\nA\n')]);
    assert.equal(first.report.executed, 2);
    const second = await engine.force([await count('same\nB\n')]);
    assert.equal(second.report.executed, 1, 'only the changed first step runs; the count job is found by its resolved inputs');
    assert.equal(second.report.cached, 1);
  });
});
