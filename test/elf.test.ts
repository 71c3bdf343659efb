/** ELF closures of this machine's programs (Node's, gcc's cc1): what a job ships with its tools. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readElf, sharedLibraryClosure } from '../engine/exec/elf';

describe('ELF closure', () => {
  test('finds the loader and every library of a dynamically linked program from the file itself', () => {
    const info = readElf('/usr/bin/node');
    assert.match(info.interpreter ?? '', /ld-linux-x86-64\.so\.2$/);
    assert.ok(info.needed.includes('libc.so.6'));
    const closure = sharedLibraryClosure('/usr/bin/node');
    for (const lib of ['libc.so.6', 'libstdc++.so.6', 'libm.so.6', 'libgcc_s.so.1']) {
      assert.ok(closure.libraries.has(lib), `${lib} is in the closure`);
    }
  });

  test('follows libraries that need other libraries', () => {
    const cc1 = sharedLibraryClosure('/usr/lib/gcc/x86_64-linux-gnu/12/cc1');
    // cc1 names libmpc, which itself needs libmpfr and libgmp.
    for (const lib of ['libmpc.so.3', 'libmpfr.so.6', 'libgmp.so.10']) assert.ok(cc1.libraries.has(lib), lib);
  });
});
