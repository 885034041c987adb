// Which configuration files tph reads when it finds them by searching: only those no one but the
// user and root can change (the file, every folder above it, every link on the way). These tests
// run as root and make files of another user (uid 12345) with chown, inside a private temporary
// folder of their own: nothing depends on what the machine's /tmp holds.

import assert from "node:assert/strict";
import { chmodSync, chownSync, lchownSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Accounts, configTrustProblem } from "../../src/config/trust.ts";
import { loadConfig } from "../../src/config/load_config.ts";
import { tempDir } from "../store/_cache.ts";

const OTHER = 12345;
const isRoot = Deno.uid() === 0;

/** No user or group is known: names are shown as uids, and no group is a private one. */
const NOBODY: Accounts = { users: new Map(), groups: new Map() };

/** A folder of its own (root's, 0700) with the given folders (mode, owner) and files. */
function tree(
  folders: Record<string, { mode: number; uid?: number; gid?: number }>,
  files: Record<string, { text: string; mode?: number; uid?: number; gid?: number }>,
): string {
  const base = tempDir("tph_trust_");
  for (const [name, f] of Object.entries(folders)) {
    const path = join(base, name);
    mkdirSync(path, { recursive: true });
    chmodSync(path, f.mode);
    chownSync(path, f.uid ?? 0, f.gid ?? 0);
  }
  for (const [name, f] of Object.entries(files)) {
    const path = join(base, name);
    writeFileSync(path, f.text);
    chmodSync(path, f.mode ?? 0o644);
    chownSync(path, f.uid ?? 0, f.gid ?? 0);
  }
  return base;
}

const test = (name: string, fn: () => void) => Deno.test({ name, ignore: !isRoot, fn });

test("a config of another user's in a shared sticky folder is ignored, with one line naming it and its owner", () => {
  const base = tree(
    { shared: { mode: 0o1777 }, "shared/proj": { mode: 0o755 } },
    {
      "tracepatch.toml": { text: "max_depth = 7\n" },
      "shared/tracepatch.toml": {
        text: 'redact = false\nmax_runs = 1\ndefault_label = "planted"\n',
        uid: OTHER,
      },
    },
  );
  const loaded = loadConfig({ cwd: join(base, "shared/proj"), trust: { accounts: NOBODY } });
  // Passed over as if it were not there: the search goes on to the one above.
  assert.equal(loaded.source, join(base, "tracepatch.toml"));
  assert.deepEqual(loaded.ignored, [join(base, "shared/tracepatch.toml")]);
  assert.equal(loaded.config.max_depth, 7);
  assert.notEqual(loaded.config.redact, false);
  assert.equal(loaded.config.max_runs, null);
  assert.equal(loaded.config.default_label, null);
  assert.deepEqual(loaded.warnings, [
    `Ignoring config ${join(base, "shared/tracepatch.toml")} (owned by uid ${OTHER}): it is ` +
    "neither yours nor root's (chown it to use it)",
  ]);
});

test("a config of yours in a sticky folder is read; in a folder others can write it is not", () => {
  const base = tree(
    { sticky: { mode: 0o1777 }, open: { mode: 0o777 }, group: { mode: 0o775, gid: OTHER } },
    {
      "sticky/tracepatch.toml": { text: "max_depth = 3\n" },
      "open/tracepatch.toml": { text: "max_depth = 4\n" },
      "group/tracepatch.toml": { text: "max_depth = 5\n" },
    },
  );
  const opts = { trust: { accounts: NOBODY } };
  assert.equal(loadConfig({ cwd: join(base, "sticky"), ...opts }).config.max_depth, 3);
  for (const [name, mode] of [["open", "777"], ["group", "775"]]) {
    const loaded = loadConfig({ cwd: join(base, name), ...opts });
    assert.equal(loaded.source, null, name);
    assert.deepEqual(loaded.warnings, [
      `Ignoring config ${join(base, name, "tracepatch.toml")} (owned by root): other users can ` +
      `write ${join(base, name)} (mode ${mode}), so they can replace what is in it (chmod go-w ` +
      "it, or move the config)",
    ]);
  }
});

test("a config of root's that its group or others can write is ignored", () => {
  const base = tree({ a: { mode: 0o755 }, b: { mode: 0o755 }, c: { mode: 0o755 } }, {
    "a/tracepatch.toml": { text: "max_depth = 3\n", mode: 0o664, gid: OTHER },
    "b/tracepatch.toml": { text: "max_depth = 3\n", mode: 0o646 },
    // Root's own group, however few its members: root's files are never group-writable by umask.
    "c/tracepatch.toml": { text: "max_depth = 3\n", mode: 0o664, gid: 0 },
  });
  const accounts: Accounts = {
    users: new Map([[0, { name: "root", gid: 0 }]]),
    groups: new Map([[0, { name: "root", members: [] }]]),
  };
  for (const [name, mode] of [["a", "664"], ["b", "646"], ["c", "664"]]) {
    const loaded = loadConfig({ cwd: join(base, name), trust: { accounts } });
    assert.equal(loaded.source, null, name);
    assert.deepEqual(loaded.warnings, [
      `Ignoring config ${join(base, name, "tracepatch.toml")} (owned by root): other users can ` +
      `write it (mode ${mode}; chmod go-w it to use it)`,
    ]);
  }
});

test("a folder of another user's above the config makes it untrusted, whoever owns the file", () => {
  const base = tree({ theirs: { mode: 0o755, uid: OTHER }, "theirs/mine": { mode: 0o755 } }, {
    "theirs/mine/tracepatch.toml": { text: "max_depth = 3\n" },
  });
  const problem = configTrustProblem(join(base, "theirs/mine/tracepatch.toml"), {
    accounts: NOBODY,
  });
  assert.equal(
    problem?.why,
    `${join(base, "theirs")} belongs to uid ${OTHER}, neither you nor root, who can replace ` +
      "what is in it",
  );
});

test("links on the way to a config are checked, and where they lead", () => {
  const base = tree({ safe: { mode: 0o755 }, open: { mode: 0o777 }, p: { mode: 0o755 } }, {
    "safe/real.toml": { text: "max_depth = 3\n" },
    "open/real.toml": { text: "max_depth = 3\n" },
  });
  const link = (name: string, to: string, uid = 0) => {
    mkdirSync(join(base, "p", name));
    symlinkSync(to, join(base, "p", name, "tracepatch.toml"));
    lchownSync(join(base, "p", name, "tracepatch.toml"), uid, 0);
    return join(base, "p", name);
  };
  const good = link("good", "../../safe/real.toml");
  const planted = link("planted", join(base, "safe/real.toml"), OTHER);
  const toOpen = link("to_open", "../../open/real.toml");
  const opts = { trust: { accounts: NOBODY } };
  assert.equal(loadConfig({ cwd: good, ...opts }).config.max_depth, 3);
  assert.deepEqual(loadConfig({ cwd: good, ...opts }).warnings, []);
  const viaPlanted = loadConfig({ cwd: planted, ...opts });
  assert.equal(viaPlanted.source, null);
  assert.match(
    viaPlanted.warnings[0],
    /: the link .*\/planted\/tracepatch\.toml belongs to uid 12345/,
  );
  const viaOpen = loadConfig({ cwd: toOpen, ...opts });
  assert.equal(viaOpen.source, null);
  assert.match(viaOpen.warnings[0], /: other users can write .*\/open \(mode 777\)/);
});

test("a package.json of another user's: its tracepatch key is ignored, a package.json without one is not a config", () => {
  const base = tree({ a: { mode: 0o755 }, b: { mode: 0o755 } }, {
    "a/package.json": { text: '{ "name": "a", "tracepatch": { "redact": false } }', uid: OTHER },
    "b/deno.json": { text: '{ "tasks": {} }', uid: OTHER },
    // Broken and naming the key: ignored for its owner, not reported as broken.
    "b/package.json": { text: '{ "tracepatch": { "max_depth": 3 }', uid: OTHER },
  });
  const opts = { trust: { accounts: NOBODY } };
  const a = loadConfig({ cwd: join(base, "a"), ...opts });
  assert.equal(a.source, null);
  assert.deepEqual(a.ignored, [join(base, "a/package.json")]);
  assert.notEqual(a.config.redact, false);
  assert.deepEqual(a.warnings, [
    `Ignoring config ${join(base, "a/package.json")} (owned by uid ${OTHER}): it is neither ` +
    "yours nor root's (chown it to use it)",
  ]);
  const b = loadConfig({ cwd: join(base, "b"), ...opts });
  assert.equal(b.source, null);
  assert.equal(b.warnings.length, 1);
  assert.match(b.warnings[0], /^Ignoring config .*\/b\/package\.json \(owned by uid 12345\)/);
});

test("a user's private group may write the user's config (umask 002); a shared group may not", () => {
  const ann = 12346;
  const base = tree({ home: { mode: 0o775, uid: ann, gid: ann } }, {
    "home/tracepatch.toml": { text: "max_depth = 3\n", mode: 0o664, uid: ann, gid: ann },
  });
  const file = join(base, "home/tracepatch.toml");
  const accounts = (members: string[]): Accounts => ({
    users: new Map([[0, { name: "root", gid: 0 }], [ann, { name: "ann", gid: ann }]]),
    groups: new Map([[ann, { name: "ann", members }]]),
  });
  assert.equal(configTrustProblem(file, { uid: ann, accounts: accounts([]) }), null);
  assert.equal(configTrustProblem(file, { uid: ann, accounts: accounts(["ann"]) }), null);
  assert.match(
    configTrustProblem(file, { uid: ann, accounts: accounts(["bob"]) })?.why ?? "",
    /^other users can write .*\/home \(mode 775\)/,
  );
  // Groups not known at all: the group's write counts as others'.
  assert.match(configTrustProblem(file, { uid: ann, accounts: null })?.why ?? "", /mode 775/);
  // Root reads ann's config as it would another user's: not at all.
  assert.match(
    configTrustProblem(file, { uid: 0, accounts: accounts([]) })?.why ?? "",
    /belongs to ann \(uid 12346\)/,
  );
});

test("a config file named on the command line is read whoever owns it", () => {
  const base = tree({ shared: { mode: 0o1777 } }, {
    "shared/ci.toml": { text: "max_depth = 9\n", uid: OTHER, mode: 0o666 },
  });
  const loaded = loadConfig({ cwd: base, file: "shared/ci.toml", trust: { accounts: NOBODY } });
  assert.equal(loaded.config.max_depth, 9);
  assert.deepEqual(loaded.warnings, []);
});
