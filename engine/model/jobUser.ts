/**
 * Who jobs run as. When Burst runs as root, jobs run as an unprivileged user
 * (nobody, or $BURST_JOB_UID), so the store's read-only files, hard-linked into
 * sandboxes, cannot be written through those links.
 */
export const JOB_UID = Number(process.env.BURST_JOB_UID ?? 65534);

export function dropsPrivileges(): boolean {
  return process.getuid?.() === 0 && JOB_UID !== 0;
}
