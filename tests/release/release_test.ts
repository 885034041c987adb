// The release's binaries (`deno task release`, npm/release.ts, into dist/release): every platform's
// file is there with its checksum; each is the format and architecture of its platform, with tph's
// version and its platform's name inside; the Linux x64 one runs the smoke test here, and the Linux
// arm64 one under qemu-user with Debian's arm64 sysroot (`tph run` too, where a binfmt_misc entry
// can hand arm64 executables to qemu: tph starts the program with its own binary). The macOS and
// Windows ones cannot run here; the musl ones need musl's libstdc++, which Debian does not package.
// Ignored (and says so) where dist/release was not built: .ci/run builds it first.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { Buffer } from "node:buffer";
import { join } from "node:path";
import { binaryName, PLATFORMS } from "../../npm/release.ts";
import { smoke } from "../../npm/smoke.ts";
import { VERSION } from "../../src/version.ts";
import { exec, REPO } from "../cli/commands/_cli.ts";
import { canRunArm64, QEMU, SYSROOT, withArm64Binfmt } from "./_arm64.ts";

const RELEASE = join(REPO, "dist/release");
const BUILT = existsSync(join(RELEASE, "SHA256SUMS"));

/** What a binary's first bytes say it is: its format, architecture, and (ELF) its interpreter. */
function kindOf(bytes: Uint8Array): { format: string; arch: string; interpreter?: string } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46) {
    const machine = view.getUint16(18, true);
    // Program headers: PT_INTERP (3) names the dynamic loader (glibc's or musl's).
    const phoff = Number(view.getBigUint64(32, true));
    const phentsize = view.getUint16(54, true), phnum = view.getUint16(56, true);
    let interpreter: string | undefined;
    for (let i = 0; i < phnum; i++) {
      const at = phoff + i * phentsize;
      if (view.getUint32(at, true) !== 3) continue;
      const offset = Number(view.getBigUint64(at + 8, true));
      const size = Number(view.getBigUint64(at + 32, true));
      interpreter = new TextDecoder().decode(bytes.subarray(offset, offset + size - 1));
    }
    return {
      format: "elf",
      arch: machine === 0x3e ? "x64" : machine === 0xb7 ? "arm64" : `machine ${machine}`,
      interpreter,
    };
  }
  if (view.getUint32(0, true) === 0xfeedfacf) {
    const cpu = view.getUint32(4, true);
    return {
      format: "macho",
      arch: cpu === 0x01000007 ? "x64" : cpu === 0x0100000c ? "arm64" : `cpu ${cpu}`,
    };
  }
  if (bytes[0] === 0x4d && bytes[1] === 0x5a) {
    const pe = view.getUint32(0x3c, true);
    const signature = view.getUint32(pe, true);
    const machine = view.getUint16(pe + 4, true);
    return {
      format: signature === 0x4550 ? "pe" : "mz",
      arch: machine === 0x8664 ? "x64" : machine === 0xaa64 ? "arm64" : `machine ${machine}`,
    };
  }
  return { format: "unknown", arch: "unknown" };
}

/** Whether `part` occurs in `bytes`. */
function holds(bytes: Uint8Array, part: string): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(part);
}

Deno.test({
  name: "release: every platform's binary, its checksum, its format, architecture and version",
  ignore: !BUILT,
  fn() {
    const sums = new Map(
      readFileSync(join(RELEASE, "SHA256SUMS"), "utf8").trim().split("\n").map((l) => {
        const [hash, name] = l.split(/ {2}/);
        return [name, hash];
      }),
    );
    assert.deepEqual([...sums.keys()].sort(), PLATFORMS.map(binaryName).sort());
    assert.deepEqual(
      readdirSync(RELEASE).sort(),
      [...PLATFORMS.map(binaryName), "SHA256SUMS"].sort(),
    );
    for (const p of PLATFORMS) {
      const bytes = new Uint8Array(readFileSync(join(RELEASE, binaryName(p))));
      assert.equal(
        createHash("sha256").update(bytes).digest("hex"),
        sums.get(binaryName(p)),
        `${p.name}: its checksum`,
      );
      const [os, arch, libc] = p.name.split("-");
      const kind = kindOf(bytes);
      assert.equal(kind.format, { linux: "elf", darwin: "macho", windows: "pe" }[os], p.name);
      assert.equal(kind.arch, arch, p.name);
      if (os === "linux") {
        assert.match(kind.interpreter ?? "", libc === "musl" ? /ld-musl-/ : /ld-linux-/, p.name);
      }
      // Its own platform's name (what `tph --version` says) and tph's version, inside.
      assert.ok(holds(bytes, `"${p.name}"`), `${p.name}: its platform's name inside`);
      assert.ok(holds(bytes, `"${VERSION}"`), `${p.name}: tph's version inside`);
      // Its own platform's parser addon: napi-rs names the platform in it.
      const other = PLATFORMS.filter((q) => q.binding !== p.binding).map((q) => q.binding);
      assert.ok(
        holds(bytes, `parser.${p.binding}.node`) ||
          !other.some((b) => holds(bytes, `parser.${b}.node`)),
      );
    }
  },
});

/** The smoke test (npm/smoke.ts, as the release workflow runs it), its problems shown. */
function smokeTest(
  prefix: string[],
  name: string,
  canRun: boolean,
  env: Record<string, string> = {},
): void {
  const binary = [...prefix, join(RELEASE, binaryName({ name }))];
  const maker = canRun ? undefined : [join(RELEASE, binaryName({ name: "linux-x64" }))];
  const problems = smoke(binary, name, { maker, env });
  assert.deepEqual(problems, [], problems.join("\n"));
}

Deno.test({
  name: "release: the Linux x64 binary's smoke test (version and platform, run, tree, export)",
  ignore: !BUILT,
  fn: () => smokeTest([], "linux-x64", true),
});

Deno.test({
  name:
    "release: the Linux arm64 binary under qemu-user (version and platform, run where binfmt_misc can be had, tree, export)",
  ignore: !BUILT || !canRunArm64(),
  fn() {
    const registered = withArm64Binfmt((registered) => {
      smokeTest(registered ? [] : [QEMU, "-L", SYSROOT], "linux-arm64", registered, {
        QEMU_LD_PREFIX: SYSROOT,
      });
      return registered;
    });
    if (!registered) console.log("binfmt_misc could not be had: tph run under qemu left out");
  },
});

/** A folder holding a copy of the shop example. */
function shop(): string {
  const dir = mkdtempSync(join(tmpdir(), "tph-release-"));
  cpSync(join(REPO, "examples/shop"), join(dir, "shop"), { recursive: true });
  return dir;
}

const OTHER_ADDON = join(
  REPO,
  "npm/release/node_modules/@oxc-parser/binding-linux-arm64-gnu/parser.linux-arm64-gnu.node",
);

Deno.test({
  name: "release: a binary carrying another platform's parser addon says so in one line",
  ignore: !existsSync(OTHER_ADDON),
  async fn() {
    const dir = shop();
    try {
      const bin = join(dir, "tph-wrong-addon");
      const { compile } = await import("../../npm/compile.ts");
      compile(bin, { name: "linux-x64", addon: OTHER_ADDON });
      // A transform cache of its own: the files must be parsed.
      const env = { TPH_TRANSFORM_CACHE: join(dir, "transform-cache"), HOME: dir };
      const r = await exec([bin, "run", "--cache-dir", "cache", "shop/main.ts"], { cwd: dir, env });
      assert.equal(r.code, 1, r.stderr);
      // The line alone: no page of the bundle's code, no stack, no summary of a run that never
      // began (the program's process leaves the line for the CLI to say).
      assert.match(
        r.stderr,
        /^tph: tph's parser \(oxc-parser\) cannot be loaded on linux-x64: Cannot find native binding \(install the tph package or binary made for this platform\)\n$/,
      );
      assert.equal(r.stdout, "");
      // No run stored, nothing of the program's process left in the cache.
      assert.deepEqual(
        readdirSync(join(dir, "cache")).filter((f) =>
          f.startsWith("run_") || f.startsWith(".run.")
        ),
        [],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
});
