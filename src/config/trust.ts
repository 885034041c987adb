// Whether tph may read a configuration file it found by searching upward: a config can turn
// redaction off, relabel runs and remove them (max_runs), so one that another user could have
// written (in a parent folder such as /tmp) is not read. As git's safe.directory reasons, the
// file alone is not enough: whoever can write a folder on the way can replace what is below it.

import { join } from "node:path";
import { currentUid, type EntryOwner, entryOwner, readLink, readText } from "../platform/files.ts";
import { Map } from "../platform/globals.ts";

/** The system's users and groups, as /etc/passwd and /etc/group list them. */
export interface Accounts {
  users: Map<number, { name: string; gid: number }>;
  groups: Map<number, { name: string; members: string[] }>;
}

/** Read /etc/passwd and /etc/group (null when they cannot be read). */
export function readAccounts(
  passwd = "/etc/passwd",
  group = "/etc/group",
): Accounts | null {
  let users: Accounts["users"];
  let groups: Accounts["groups"];
  try {
    users = new Map();
    for (const line of readText(passwd).split("\n")) {
      const [name, , uid, gid] = line.split(":");
      if (gid !== undefined && /^\d+$/.test(uid) && /^\d+$/.test(gid) && !users.has(+uid)) {
        users.set(+uid, { name, gid: +gid });
      }
    }
    groups = new Map();
    for (const line of readText(group).split("\n")) {
      const [name, , gid, members] = line.split(":");
      if (members !== undefined && /^\d+$/.test(gid) && !groups.has(+gid)) {
        groups.set(+gid, { name, members: members.split(",").filter((m) => m !== "") });
      }
    }
  } catch {
    return null;
  }
  return { users, groups };
}

/** Options of {@linkcode configTrustProblem} (tests pass their own). */
export interface TrustOptions {
  /** Who "you" is (default: this process's user). */
  uid?: number | null;
  /** The users and groups (default: read from /etc when needed). */
  accounts?: Accounts | null;
}

/** What keeps tph from reading a config file. */
export interface TrustProblem {
  /** Why, as one phrase: `it is neither yours nor root's (chown it to use it)`. */
  why: string;
}

/** `bob (uid 12345)`, or `uid 12345` when the name is not known; `root`. */
export function ownerName(uid: number | null, accounts?: Accounts | null): string {
  if (uid === null) return "an unknown user";
  if (uid === 0) return "root";
  const name = (accounts === undefined ? readAccounts() : accounts)?.users.get(uid)?.name;
  return name === undefined ? `uid ${uid}` : `${name} (uid ${uid})`;
}

const MAX_LINKS = 40;

/**
 * Why tph must not read a configuration file, or null when it may: the file and every folder on
 * the way to it, and every link followed there, belong to you or root, and no other user can
 * change them. A folder others can write (mode 777, or 775 with a group of several users) lets
 * them replace whatever is in it, unless it is sticky (`/tmp`, 1777) and the entry is yours or
 * root's: then only its owner can rename or remove it. Group write counts as others' unless the
 * group is a user's own private group (the owner's primary group, with no other member: what
 * umask 002 gives on Debian and Ubuntu), and never for root's files.
 *
 * @param file The file, absolute.
 * @param options Who "you" is and the accounts (for tests).
 * @returns The problem, or null; null too where files have no owners (Windows).
 *
 * @example
 * ```ts
 * import { configTrustProblem } from "./src/config/trust.ts";
 * console.log(configTrustProblem("/tmp/tracepatch.toml")?.why);
 * ```
 */
export function configTrustProblem(file: string, options: TrustOptions = {}): TrustProblem | null {
  const me = options.uid === undefined ? currentUid() : options.uid;
  if (me === null) return null;
  let accounts: Accounts | null | undefined = options.accounts;
  const ours = (uid: number) => uid === me || uid === 0;
  const name = (uid: number) => ownerName(uid, accounts ??= readAccounts());
  const othersCanWrite = (st: EntryOwner) => {
    if ((st.mode & 0o002) !== 0) return true;
    if ((st.mode & 0o020) === 0) return false;
    return !privateGroup(st, accounts ??= readAccounts());
  };
  const mode = (st: EntryOwner) => st.mode.toString(8);
  const root = entryOwner("/");
  if (root === null) return null;
  if (!ours(root.uid)) {
    return { why: `the folder / belongs to ${name(root.uid)}` };
  }
  let folder = root;
  let current = "/";
  let parts = file.split("/");
  let links = 0;
  while (parts.length > 0) {
    const part = parts.shift()!;
    if (part === "" || part === ".") continue;
    if (part === "..") {
      current = join(current, "..");
      const up = entryOwner(current);
      if (up === null) return { why: `${current} cannot be looked at` };
      folder = up;
      continue;
    }
    const entry = join(current, part);
    const st = entryOwner(entry);
    if (st === null) return { why: `${entry} cannot be looked at` };
    const last = parts.every((p) => p === "" || p === ".") && !st.link;
    if (!ours(st.uid)) {
      return {
        why: last
          ? "it is neither yours nor root's (chown it to use it)"
          : `${st.link ? "the link " : ""}${entry} belongs to ${name(st.uid)}, neither you nor ` +
            "root, who can replace what is in it",
      };
    }
    // A sticky folder keeps others from renaming or removing an entry that is not theirs.
    if (othersCanWrite(folder) && (folder.mode & 0o1000) === 0) {
      return {
        why: `other users can write ${current} (mode ${mode(folder)}), so they can replace ` +
          "what is in it (chmod go-w it, or move the config)",
      };
    }
    if (st.link) {
      if (++links > MAX_LINKS) return { why: "too many links on the way to it" };
      const target = readLink(entry);
      parts = [...target.split("/"), ...parts];
      if (target.startsWith("/")) {
        current = "/";
        folder = root;
      }
      continue;
    }
    current = entry;
    folder = st;
  }
  // `folder` is now the file itself.
  if (othersCanWrite(folder)) {
    return { why: `other users can write it (mode ${mode(folder)}; chmod go-w it to use it)` };
  }
  return null;
}

/**
 * Whether an entry's group is its owner's own: the owner's primary group, no other user's
 * primary group, with no other member listed. Never for root's entries (root's files are not
 * made group-writable by a umask).
 */
function privateGroup(st: EntryOwner, accounts: Accounts | null): boolean {
  if (st.uid === 0 || accounts === null) return false;
  const owner = accounts.users.get(st.uid);
  if (owner === undefined || owner.gid !== st.gid) return false;
  for (const [uid, user] of accounts.users) {
    if (uid !== st.uid && user.gid === st.gid) return false;
  }
  const group = accounts.groups.get(st.gid);
  return group !== undefined && group.members.every((m) => m === owner.name);
}
