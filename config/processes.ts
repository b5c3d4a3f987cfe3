/**
 * Whether a process runs: what tells a file or folder a killed process left behind (its name holds
 * the id of the process that made it) from one a process running now is still using.
 */

/** Whether a process with this id runs now on this machine (signal 0 checks without sending anything). */
export function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it runs, under another user. Only ESRCH says that no such process exists.
    return (e as NodeJS.ErrnoException).code !== "ESRCH";
  }
}
