/** Counts the tasks (processes and threads) of a user, as RLIMIT_NPROC does. */
import { readdir, readFile } from "node:fs/promises";

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
