/**
 * Runs that use a store say so with a lease: a file named by their process
 * under leases/, removed when the run ends (and found stale when that
 * process is gone). Garbage collection removes no object while another
 * process holds a lease: a build may need any object at any moment, and
 * several `burst` processes and the editor's engine share one store.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

let counter = 0;

function leasesDir(storeDir: string): string {
  return join(storeDir, 'leases');
}

/** Takes a lease for a run; call the answer when the run ends. */
export function takeLease(storeDir: string, what: string): () => void {
  const dir = leasesDir(storeDir);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${process.pid}.${counter++}`);
  writeFileSync(file, `${what}\n`);
  return () => rmSync(file, { force: true });
}

/** Processes other than this one holding a lease now; leases of processes that are gone are removed. */
export function otherLeaseHolders(storeDir: string): number[] {
  const holders = new Set<number>();
  let names: string[];
  try {
    names = readdirSync(leasesDir(storeDir));
  } catch {
    return [];
  }
  for (const name of names) {
    const pid = Number(name.split('.')[0]);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    if (!alive(pid)) {
      rmSync(join(leasesDir(storeDir), name), { force: true });
      continue;
    }
    if (pid !== process.pid) holders.add(pid);
  }
  return [...holders];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
  }
}
