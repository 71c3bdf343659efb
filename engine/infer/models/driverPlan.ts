/**
 * What a compiler driver would run: the commands `gcc -###` prints (cc1 or
 * cc1plus, as, collect2), read once per distinct call and remembered in the
 * store, so a rebuild does not start the driver again.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { nameOfBytes } from '../../model/hash';
import { runCommand } from '../../exec/launcher';
import type { LocalStore } from '../../store/local';
import { writeFileAtomic } from '../../store/atomic';
import { splitCommandLine } from '../shellWords';

export interface DriverPlan {
  commands: string[][];
}

export type PlanResult = { ok: true; plan: DriverPlan } | { ok: false; reason: string };

export async function driverPlan(
  store: LocalStore,
  driver: string,
  driverName: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<PlanResult> {
  const key = nameOfBytes('V', Buffer.from(JSON.stringify([driverName, args, cwd, env.GCC_EXEC_PREFIX ?? '', env.COMPILER_PATH ?? ''])));
  const file = join(store.dir, 'plans', key.slice(1, 2), key);
  try {
    return { ok: true, plan: JSON.parse(await fs.readFile(file, 'utf8')) as DriverPlan };
  } catch {
    // not planned before
  }
  const { code, stderr } = await runCommand(store, driver, ['-###', ...args], cwd, env, { stdout: false });
  if (code !== 0) return { ok: false, reason: `${driverName} -### failed: ${stderr.trim().split('\n').pop() ?? ''}` };
  const commands = stderr
    .split('\n')
    .filter((l) => l.startsWith(' '))
    .map(splitCommandLine);
  const plan: DriverPlan = { commands };
  await writeFileAtomic(file, JSON.stringify(plan), store.tmpDir);
  return { ok: true, plan };
}
