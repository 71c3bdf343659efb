/**
 * The tree after the engine dies: a real build (lua) whose engine is killed
 * with SIGKILL at ten moments. A plain make afterwards never links or
 * archives a placeholder, and the next `burst build` finishes the job, with
 * outputs the same as a plain build's.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { placeholderText } from '../engine/model/placeholder';
import { ROOT, burst, collect, copyTree, debianSource, differingFiles, placeholdersUnder, run, startBurst, tempDir } from './helpers';

const OUTPUTS = ['src/lua', 'src/luac', 'src/liblua.a', 'src/lapi.o', 'src/lvm.o', 'src/lua.o', 'src/luac.o'];

/**
 * The guardian notes what it deleted once the build command is stopped: the
 * tree is settled then. No note: the engine died before it started the
 * guardian, and so before it started the build command.
 */
async function guardianNoted(store: string): Promise<boolean> {
  const builds = join(store, 'builds');
  for (let i = 0; i < 100; i++) {
    if (existsSync(builds) && readdirSync(builds).some((n) => n.endsWith('.deleted'))) return true;
    await delay(50);
  }
  return false;
}

/** Waits until at least `n` placeholders stand in the tree (or the build ended, or 30 s passed). */
async function placeholdersStanding(tree: string, n: number, ended: () => boolean): Promise<void> {
  for (let waited = 0; waited < 30_000 && !ended(); waited += 20) {
    try {
      if (placeholdersUnder(join(tree, 'src')).length >= n) return;
    } catch {
      // a file renamed into place while it was read: look again
    }
    await delay(20);
  }
}

async function assertLuaWorks(tree: string, after: string): Promise<void> {
  assert.deepEqual(placeholdersUnder(tree), [], `no placeholder left after ${after}`);
  const ran = await run('./src/lua', ['-e', 'print(6 * 7)'], tree);
  assert.equal(ran.stdout, '42\n', `lua runs after ${after}: ${ran.stderr}`);
}

describe('an engine killed mid-build', () => {
  test('lua, killed at ten moments: a plain make and the next burst build both finish, same bytes as a plain build', async () => {
    using work = tempDir('burst-kill-');
    chmodSync(work.path, 0o711); // job directories go under each run's TMPDIR, inside it, for jobs run as another user
    const plain = copyTree(debianSource('lua5.4'), join(work.path, 'plain'));
    assert.equal((await run('make', ['-j2', 'linux'], plain)).code, 0);
    const tree = copyTree(debianSource('lua5.4'), join(work.path, 'lua'));
    // Even moments: a time into a default build (compiles run in place, links and archives are jobs). Odd ones: once so many
    // placeholders stand in a build whose every compile is a sandboxed job (--no-cache), so the guardian has them to delete.
    const moments: Array<{ ms: number } | { placeholders: number }> = [
      { ms: 300 },
      { placeholders: 1 },
      { ms: 1300 },
      { placeholders: 5 },
      { ms: 2300 },
      { placeholders: 12 },
      { ms: 3400 },
      { placeholders: 20 },
      { ms: 4700 },
      { placeholders: 30 },
    ];
    let killedWithPlaceholders = 0;
    for (const [i, moment] of moments.entries()) {
      assert.equal((await run('make', ['clean'], tree)).code, 0);
      const store = join(work.path, `store-${i}`);
      const scratch = join(work.path, `tmp-${i}`);
      mkdirSync(scratch);
      const child = startBurst(['build', ...('placeholders' in moment ? ['--no-cache'] : []), '--', 'make', '-j2', 'linux'], store, {
        cwd: tree,
        env: { TMPDIR: scratch },
      });
      const done = collect(child);
      if ('ms' in moment) await delay(moment.ms);
      else await placeholdersStanding(tree, moment.placeholders, () => child.exitCode !== null);
      const finishedFirst = child.exitCode !== null;
      child.kill('SIGKILL');
      await done;
      const noted = !finishedFirst && (await guardianNoted(store));
      const notes = noted
        ? readdirSync(join(store, 'builds'))
            .filter((n) => n.endsWith('.deleted'))
            .map((n) => readFileSync(join(store, 'builds', n), 'utf8'))
        : [];
      if (notes.some((n) => n !== '[]')) killedWithPlaceholders++;
      if (noted) {
        const left = readdirSync(scratch).filter((n) => n.startsWith('burst-build-'));
        assert.deepEqual(left, [], `moment ${i}: the guardian removed the build's stand-ins and socket`);
      }
      const processes = (await run('ps', ['-eo', 'pid,pgid,etimes,args'], tree)).stdout
        .split('\n')
        .filter((l) => /make|node -e|burst/.test(l));
      assert.deepEqual(
        placeholdersUnder(tree),
        [],
        `moment ${i}: the guardian deleted every placeholder (finished first: ${finishedFirst}, notes: ${notes.join(' ').slice(0, 300)})\n${processes.join('\n')}`,
      );

      if (i % 2 === 0) {
        const made = await run('make', ['-j2', 'linux'], tree);
        assert.equal(made.code, 0, `moment ${i}: plain make after the kill\n${made.stdout}${made.stderr}`);
        await assertLuaWorks(tree, `a plain make (moment ${i})`);
        const again = await burst(['build', '--', 'make', '-j2', 'linux'], store, { cwd: tree });
        assert.equal(again.code, 0, again.stderr);
      } else {
        const again = await burst(['build', '--', 'make', '-j2', 'linux'], store, { cwd: tree });
        assert.equal(again.code, 0, `moment ${i}: burst build after the kill\n${again.stderr}`);
        await assertLuaWorks(tree, `the next burst build (moment ${i})`);
        const made = await run('make', ['-j2', 'linux'], tree);
        assert.equal(made.code, 0, made.stdout + made.stderr);
      }
      await assertLuaWorks(tree, `moment ${i}`);
      assert.deepEqual(differingFiles(plain, tree, OUTPUTS), [], `moment ${i}: the same bytes as a plain build`);
    }
    assert.ok(killedWithPlaceholders >= 5, `${killedWithPlaceholders} kills found placeholders to delete`);
  });

  test('with the engine gone, a stand-in and a program reading a placeholder fail at once, saying so', async () => {
    using work = tempDir('burst-gone-');
    const tree = copyTree(join(ROOT, 'test', 'fixtures', 'generator'), join(work.path, 'gen'));
    const store = join(work.path, 'store');
    assert.equal((await burst(['build', '--', 'make'], store, { cwd: tree })).code, 0);
    const helper = (name: string): string => {
      const dir = readdirSync(join(store, 'helpers')).find((d) => existsSync(join(store, 'helpers', d, name)));
      assert.ok(dir, `${name} was built`);
      return join(store, 'helpers', dir, name);
    };
    const gone = { BURST_SOCKET: join(work.path, 'engine.sock') };
    symlinkSync(helper('burst-standin'), join(work.path, 'gcc'));
    const standin = await run(join(work.path, 'gcc'), ['-c', 'app.c'], tree, gone);
    assert.equal(standin.code, 127);
    assert.match(standin.stderr, /the engine running this build stopped .*run `burst build` again/);

    writeFileSync(join(work.path, 'out.o'), placeholderText(`T${'1'.repeat(40)}#out.o`));
    const reader = await run('sh', ['-c', `cat ${join(work.path, 'out.o')}`], tree, {
      ...gone,
      LD_PRELOAD: helper('libburst-intercept.so'),
    });
    assert.notEqual(reader.code, 0, 'cat never ran on the placeholder');
    assert.equal(reader.stdout, '');
    assert.match(reader.stderr, /the engine running this build stopped, so the outputs this program reads cannot be made real/);
  });
});
