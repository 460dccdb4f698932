/**
 * Turns a failed sandbox start into a sentence that says what is wrong and how to fix it.
 */

/** What databot tells the operator when code cannot be isolated. The engine then refuses to run code. */
export function isolationUnavailableMessage(reason: string): string {
  return (
    `The local engine cannot isolate Python code on this machine, so it will not run any: ${reason}. ` +
    `Fix: ${fixFor(reason)} ` +
    "For development only, SANDBOX_ALLOW_UNSANDBOXED=true runs code without isolation (refused in production mode)."
  );
}

function fixFor(reason: string): string {
  const r = reason.toLowerCase();
  if (r.includes("bwrap") && (r.includes("enoent") || r.includes("no such file"))) {
    return "install bubblewrap (apt-get install bubblewrap; `npm start` does it when run as root).";
  }
  if (r.includes("seccomp filter")) {
    return "install Debian's python3-seccomp (apt-get install python3-seccomp).";
  }
  if (r.includes("modulenotfounderror") || r.includes("no module named")) {
    return (
      "install Debian's Python data packages (apt-get install python3-pandas python3-numpy python3-matplotlib " +
      "python3-openpyxl; `npm start` does it when run as root)."
    );
  }
  if (r.includes("proc")) {
    return (
      "this container masks /proc; run it with --security-opt systempaths=unconfined (Docker) or run databot " +
      "in a VM."
    );
  }
  return (
    "allow unprivileged user namespaces (sysctl -w kernel.unprivileged_userns_clone=1 user.max_user_namespaces=" +
    "15000; on Ubuntu also kernel.apparmor_restrict_unprivileged_userns=0). Inside Docker, start the container " +
    "with --security-opt seccomp=unconfined --security-opt apparmor=unconfined, or run databot in a VM."
  );
}
