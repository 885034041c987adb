// Running the Linux arm64 binary on this x64 machine: qemu-user with Debian's arm64 sysroot, and a
// binfmt_misc entry for aarch64 executables (tph starts the program with its own binary, which
// the kernel hands to qemu only through one). Shared by tests/release/ and
// bench/binary_arm64.ts.

import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const QEMU = "/usr/bin/qemu-aarch64";
export const SYSROOT = "/usr/aarch64-linux-gnu";

/** Whether qemu-user and the arm64 sysroot are installed (.ci/run installs them). */
export function canRunArm64(): boolean {
  return existsSync(QEMU) && existsSync(join(SYSROOT, "lib/ld-linux-aarch64.so.1"));
}

/** Where binfmt_misc is (mounted here when it is not), or null where it cannot be had. */
function binfmt(): string | null {
  const at = "/proc/sys/fs/binfmt_misc";
  if (existsSync(join(at, "register"))) return at;
  try {
    const r = new Deno.Command("mount", { args: ["-t", "binfmt_misc", "binfmt_misc", at] })
      .outputSync();
    return r.code === 0 && existsSync(join(at, "register")) ? at : null;
  } catch {
    return null;
  }
}

/**
 * Run `fn` with a binfmt_misc entry handing aarch64 executables to qemu (this machine's own
 * kernel: a VM of its own), removed afterwards; `fn` is told whether it could be registered
 * (root, binfmt_misc there, no entry of that name already). Without one, a binary runs only as
 * `qemu-aarch64 -L SYSROOT binary`, and one that starts itself again cannot.
 */
export function withArm64Binfmt<T>(fn: (registered: boolean) => T): T {
  const fs = Deno.uid() === 0 ? binfmt() : null;
  const entry = fs === null ? null : join(fs, "tph-test-aarch64");
  let registered = false;
  if (entry !== null && !existsSync(entry)) {
    const magic =
      "\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xb7\\x00";
    const mask =
      "\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff";
    try {
      writeFileSync(join(fs!, "register"), `:tph-test-aarch64:M::${magic}:${mask}:${QEMU}:`);
      registered = true;
    } catch {
      // Not allowed here.
    }
  }
  try {
    return fn(registered);
  } finally {
    if (registered) writeFileSync(entry!, "-1");
  }
}
