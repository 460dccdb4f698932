/** Who runs what on this machine, for choosing and limiting sandbox user ids. */
import { readdir, readFile, stat } from "node:fs/promises";

/** Counts the tasks (processes and threads) of a user, as RLIMIT_NPROC does. */
export async function countTasksOfUser(uid: number): Promise<number> {
  let count = 0;
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let status: string;
    try {
      status = await readFile(`/proc/${name}/status`, "utf8");
    } catch {
      continue; // the process ended while we counted
    }
    const real = /^Uid:\s+(\d+)/m.exec(status);
    const threads = /^Threads:\s+(\d+)/m.exec(status);
    if (real && Number(real[1]) === uid) count += threads ? Number(threads[1]) : 1;
  }
  return count;
}

/** The user ids that own a running process (another databot on this machine may use the same uid range). */
export async function uidsWithProcesses(): Promise<Set<number>> {
  const uids = new Set<number>();
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      uids.add((await stat(`/proc/${name}`)).uid);
    } catch {
      continue; // the process ended while we looked
    }
  }
  return uids;
}
