/** Engine messages for people: no VS Code API here, so it is unit-tested in Node. */

/** The innermost reason of a message like "X was not run: its input Y failed (Z was not run: ... failed (the reason))". */
export function rootCause(message: string): string {
  let m = message;
  for (let found = /failed \((.*)\)$/.exec(m); found; found = /failed \((.*)\)$/.exec(m)) m = found[1] as string;
  return m;
}
