// Redaction: values that look secret are stored as "[redacted]", decided when a call is
// recorded, so that the secret is never described, kept on the tape or written to a run.
//
// - By name: the arguments of parameters with a secret name (`password`, `apiKey`…), the return
//   value of a function with one (`getToken()`, `get password()`, an external `vault.secret()`),
//   the argument of a setter with one, and inside any repr, the value of an object field or a
//   Map entry with one (`{ headers: { authorization: [redacted] } }`).
// - By value: secrets of a form that cannot be mistaken (KNOWN_SECRETS: private key blocks, cloud
//   and service tokens, JWTs, Authorization and Bearer values, passwords in URLs) and matches of
//   the `redactValues` regexes, in any string that is stored or described (arguments, return
//   values, errors, strings inside reprs), replaced before a repr is cut to its maximum length,
//   so that a cut never shows the start of a secret.

import type { FunctionRecord } from "./functions.ts";
import { type Redactor, reprLimit } from "./repr.ts";
import { DEFAULT_LIMITS, namePatternProblem, valuePatternProblem } from "../../run_file/limits.ts";

/** What a redacted value is stored as. */
export const REDACTED = "[redacted]";

// Captured before a program can replace them: the recorder runs in the program's realm.
import {
  bytesSet,
  charCodeAt as charCode,
  max,
  ownArray,
  regexExec as exec,
  SafeMap,
  strLastIndexOf,
  strSlice as slice,
  strStartsWith,
} from "../../platform/intrinsics.ts";
import {
  JSON,
  Map,
  Object,
  RegExp,
  String,
  TypeError,
  Uint8Array,
} from "../../platform/globals.ts";
import { ftlCandidates } from "./ftl.ts";

const fromCode = String.fromCharCode;

/**
 * Names that look secret, redacted unless redaction is off. A name matches when its words (split
 * at `_`, `-`, `.`, `$`, spaces, digits and camelCase humps, compared in lower case) contain the
 * pattern's words in a row: `password`, `userPassword`, `PASSWORD_2`, `x_auth_token`, `api_key`,
 * `API-KEY`, `apikey`, `stripeApiKey`, `tokenType`; not `tokens`, `tokenizer`, `passwordless`.
 */
export const SECRET_NAMES: readonly string[] = Object.freeze([
  "password",
  "passwd",
  "secret",
  "secrets",
  "token",
  "apiKey",
  "authorization",
  "cookie",
  "cookies",
  "credential",
  "credentials",
  "privateKey",
]);

/**
 * The words of a name, in lower case: `x_authToken` → `x`, `auth`, `token`; `APIKey` → `api`,
 * `key`; `password2` → `password`, `2`.
 *
 * @param name A parameter, field or function name.
 */
export function nameWords(name: string): string[] {
  // A scan by character codes, not a regex: it runs on a program's field names while their repr
  // is taken, and must not reach String or RegExp methods that the program may have replaced.
  const words: string[] = ownArray([]);
  let w = "";
  let kind = 0; // 0: between words, 1: a run of capitals, 2: lower case, 3: digits
  const flush = () => {
    if (w !== "") words[words.length] = w;
    w = "";
  };
  for (let i = 0; i < name.length; i++) {
    const c = charCode(name, i);
    if (c >= 48 && c <= 57) {
      if (kind !== 3) flush();
      kind = 3;
      w += fromCode(c);
    } else if (c >= 97 && c <= 122) {
      if (kind === 1 && w.length > 1) {
        // `APIKey`: the last capital starts the next word.
        const next = slice(w, w.length - 1);
        w = slice(w, 0, w.length - 1);
        flush();
        w = next;
      } else if (kind !== 1 && kind !== 2) flush();
      kind = 2;
      w += fromCode(c);
    } else if (c >= 65 && c <= 90) {
      if (kind !== 1) flush();
      kind = 1;
      w += fromCode(c + 32);
    } else {
      flush();
      kind = 0;
    }
  }
  flush();
  return words;
}

/** A compiled name pattern: the words run together, or a regex for one with `*`. */
type NamePattern = string | RegExp;

/** What a qualified name may start with before the function's own name. */
const QUALIFIERS = ["get ", "set ", "static ", "async "];

function compileName(pattern: string): NamePattern {
  if (!pattern.includes("*")) return nameWords(pattern).join("");
  const parts = pattern.split("*").map((p) => nameWords(p).join(""));
  return new RegExp(`^${parts.map((p) => p.replace(/[^a-z0-9]/g, "")).join(".*")}$`);
}

function matchesName(words: string[], patterns: NamePattern[]): boolean {
  let joined: string | null = null;
  for (let k = 0; k < patterns.length; k++) {
    const p = patterns[k];
    if (typeof p !== "string") {
      if (joined === null) {
        joined = "";
        for (let i = 0; i < words.length; i++) joined += words[i];
      }
      if (exec(p, joined) !== null) return true;
      continue;
    }
    for (let i = 0; i < words.length; i++) {
      let run = "";
      for (let j = i; j < words.length && run.length < p.length; j++) {
        run += words[j];
        if (run === p) return true;
      }
    }
  }
  return false;
}

/**
 * Bits of {@linkcode Redaction.fns}: some argument is secret; the return value is; the function
 * was looked at (0: not yet).
 */
export const SECRET_ARGS = 1, SECRET_RETURN = 2, LOOKED_AT = 4;

/**
 * Secrets recognised by their form alone, as one regex (one scan of a string for all of them).
 * Each alternative needs a prefix or a shape that ordinary text does not have, so that what it
 * hides is a secret, not a sentence. Group 1 (an `Authorization:` header's name) is kept.
 */
export const KNOWN_SECRETS: readonly { name: string; source: string }[] = Object.freeze([
  {
    name: "private key block (to its end, or to the end of the text)",
    source: String
      .raw`-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|$)`,
  },
  {
    name: "AWS access key id",
    source: String.raw`\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b`,
  },
  { name: "Google API key", source: String.raw`\bAIza[0-9A-Za-z_-]{35}` },
  { name: "Stripe key", source: String.raw`\b(?:sk|rk|pk)_(?:live|test)_[0-9A-Za-z]{10,}` },
  { name: "Stripe webhook secret", source: String.raw`\bwhsec_[0-9A-Za-z]{20,}` },
  { name: "GitHub token", source: String.raw`\bgh[pousr]_[0-9A-Za-z]{30,}` },
  { name: "GitHub fine-grained token", source: String.raw`\bgithub_pat_[0-9A-Za-z_]{22,}` },
  { name: "Slack token", source: String.raw`\bxox[abposr]-[0-9A-Za-z-]{10,}` },
  {
    name: "Slack webhook",
    source: String.raw`https://hooks\.slack\.com/services/[0-9A-Za-z/_-]+`,
  },
  {
    name: "JSON Web Token (header and claims, or to the end of the text)",
    source: String
      .raw`\beyJ[0-9A-Za-z_-]{5,}\.eyJ(?:[0-9A-Za-z_-]{5,}\.[0-9A-Za-z_-]*|[0-9A-Za-z_-]*$)`,
  },
  {
    name: "Authorization header value",
    source: String.raw`(\b[Aa]uthorization"?[ \t]*[:=][ \t]*"?)[^\s"][^"\r\n]*`,
  },
  {
    name: "Bearer or Token credential (with a digit)",
    source: String.raw`\b(?:[Bb]earer|Token) +(?=[A-Za-z._~+/-]*[0-9])[0-9A-Za-z._~+/-]{12,}=*`,
  },
  {
    name: "URL with a password (scheme to @)",
    source: String.raw`\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:@/]+:[^\s@/]+@`,
  },
]);

/** Every secret of KNOWN_SECRETS, one regex; the scan that finds them. */
const KNOWN_REGEX = new RegExp(KNOWN_SECRETS.map((k) => k.source).join("|"), "g");

/**
 * What every secret of KNOWN_SECRETS holds, as literal text a regex finds several times faster
 * than the full alternation: a string without any is not scanned further (most are not).
 */
const KNOWN_HINT =
  /-----BEGIN|A(?:KIA|SIA|GPA|IDA|ROA|NPA|NVA|IPA|Iza)|_(?:live|test)_|whsec_|gh[pousr]_|github_pat_|xox[abposr]-|eyJ|uthorization|earer |Token |:\/\/(?:[^\s:@/]+:[^\s@/]+@|hooks\.slack\.com\/)/;
// The two are called as their own `exec` (the built-in one, captured): a program that replaces
// RegExp.prototype.exec cannot reach them, and no uncurried call stands between (on Bun the
// uncurried `call` cost as much as the scan).
for (const re of [KNOWN_HINT, KNOWN_REGEX]) {
  Object.defineProperty(re, "exec", { value: RegExp.prototype.exec });
}

/** No secret of KNOWN_SECRETS is shorter: shorter strings are not scanned for them. */
export const SHORTEST_KNOWN = 16;

/**
 * How far beyond what a value's repr shows KNOWN_SECRETS are looked for: a string is stored and
 * shown cut to its repr's length, so only a secret that starts in the shown part must be found,
 * and each one's distinctive start is shorter than this (the part after it may run to the end of
 * what is scanned). A program's long strings are not scanned whole on every call.
 */
const KNOWN_MARGIN = 128;

/** Field names remembered at most (a program may use every key only once). */
const MAX_KEYS = 10_000;

/** Options of redaction, as `trace()` and `tph run` take them. */
export interface RedactOptions {
  /** More names to redact (added to {@linkcode SECRET_NAMES}); false: redact nothing. */
  redact?: string[] | false;
  /** Regexes whose matches in stored strings are replaced by "[redacted]". */
  redactValues?: (string | RegExp)[];
  /** False: secrets of KNOWN_SECRETS' forms are not looked for by value (default true). */
  redactKnown?: boolean;
  /** Longest repr of a value (the known secrets are looked for a little beyond it). */
  maxRepr?: number;
}

/** The redaction of one trace: which names and values are stored as "[redacted]". */
export class Redaction implements Redactor {
  /** The `redactValues` regexes (global), or null when there are none. */
  readonly values: RegExp[] | null;
  /** Whether strings are scanned at all: for KNOWN_SECRETS or for `values`. */
  readonly scans: boolean;
  /** Whether KNOWN_SECRETS are looked for. */
  readonly #known: boolean;
  /** How many characters of a string KNOWN_SECRETS are looked for in. */
  readonly #window: number;
  /** Per function id, SECRET_ARGS, SECRET_RETURN and LOOKED_AT bits (0 until first asked). */
  fns = new Uint8Array(256);
  readonly #names: NamePattern[];
  // Field names seen, by name (a null-prototype object: a program may have replaced Map's
  // methods, and this runs while its values are described).
  #keys: Record<string, boolean> = Object.create(null);
  #keyCount = 0;
  readonly #params: Map<number, boolean[]> = new SafeMap<number, boolean[]>();

  /**
   * @param options Extra names and value regexes.
   * @throws {TypeError} Naming the option and the pattern that cannot be used.
   */
  constructor(options: RedactOptions = {}) {
    const extra = options.redact === false ? [] : options.redact ?? [];
    for (const p of extra) {
      const problem = typeof p === "string" ? namePatternProblem(p) : "it is not a string";
      if (problem !== null) {
        throw new TypeError(`Invalid redact name ${JSON.stringify(p)}: ${problem}`);
      }
    }
    this.#names = [...SECRET_NAMES, ...extra].map(compileName);
    const values = options.redactValues ?? [];
    for (const v of values) {
      const problem = typeof v === "string" || v instanceof RegExp
        ? valuePatternProblem(v)
        : "it is not a string or a RegExp";
      if (problem !== null) {
        const shown = typeof v === "string" ? JSON.stringify(v) : String(v);
        throw new TypeError(`Invalid redactValues regex ${shown}: ${problem}`);
      }
    }
    this.values = values.length === 0
      ? null
      : values.map((v) =>
        typeof v === "string"
          ? new RegExp(v, "g")
          : new RegExp(v.source, v.flags.replace(/y/g, "") + (v.global ? "" : "g"))
      );
    this.#known = options.redactKnown !== false;
    this.scans = this.#known || this.values !== null;
    this.#window = reprLimit(options.maxRepr ?? DEFAULT_LIMITS.maxRepr) + 1 + KNOWN_MARGIN;
  }

  /**
   * The redaction a trace's options ask for: null when they turn it off.
   *
   * @param options The trace's options.
   */
  static of(options: RedactOptions): Redaction | null {
    return options.redact === false ? null : new Redaction(options);
  }

  /** Whether a name (parameter, field, function) looks secret. */
  secretName(name: string): boolean {
    return matchesName(nameWords(name), this.#names);
  }

  /** Whether the value of an object field named `key` is redacted: secretName, kept per key. */
  secretKey(key: string): boolean {
    let secret = this.#keys[key];
    if (secret === undefined) {
      secret = this.secretName(key);
      if (++this.#keyCount > MAX_KEYS) {
        this.#keys = Object.create(null);
        this.#keyCount = 1;
      }
      this.#keys[key] = secret;
    }
    return secret;
  }

  /**
   * What is secret in the calls of a function: SECRET_ARGS when a parameter's name looks secret
   * (or it is a setter whose name does), SECRET_RETURN when its own name does (the last part of
   * its qualified name), with LOOKED_AT. Stored in `fns` for the next call.
   *
   * @param id The function id.
   * @param f Its record.
   */
  info(id: number, f: FunctionRecord): number {
    // Runs while the program runs: captured built-ins only (see intrinsics.ts).
    let qual = f.qualname;
    for (let i = 0; i < QUALIFIERS.length; i++) {
      if (strStartsWith(qual, QUALIFIERS[i])) {
        qual = slice(qual, QUALIFIERS[i].length);
        break;
      }
    }
    const own = strStartsWith(qual, "<") ? "" : slice(qual, strLastIndexOf(qual, ".") + 1);
    // secretKey: the answers kept per name (functions share their parameters' names).
    const named = own !== "" && this.secretKey(own);
    let bits = named && f.kind !== "setter" ? SECRET_RETURN : 0;
    if (f.kind !== "external") {
      const params: boolean[] = ownArray([]);
      let any = false;
      for (let i = 0; i < f.params.length; i++) {
        params[i] = (named && f.kind === "setter") || this.secretKey(f.params[i]);
        any ||= params[i];
      }
      if (any) {
        bits |= SECRET_ARGS;
        this.#params.set(id, params);
      }
    }
    bits |= LOOKED_AT;
    if (id >= this.fns.length) {
      const grown = new Uint8Array(max(id + 1, this.fns.length * 2));
      bytesSet(grown, this.fns, 0);
      this.fns = grown;
    }
    this.fns[id] = bits;
    return bits;
  }

  /** Whether argument `i` of function `id` (known to have SECRET_ARGS) is secret. */
  secretParam(id: number, i: number): boolean {
    return this.#params.get(id)?.[i] === true;
  }

  /** Whether a string holds a secret of KNOWN_SECRETS or a match of a value regex. */
  hits(s: string): boolean {
    // The same string often goes down a chain of calls (a parser's rest of its input, handed
    // from function to function): it is scanned once. Scanning 250 characters costs ~0.4 µs.
    if (s === this.#lastScanned) return this.#lastHit;
    const hit = this.#knownIn(s) !== null || this.#firstMatching(s, 0) !== null;
    // Short strings are cheap to scan; a huge one is not kept alive for this.
    if (s.length >= SHORTEST_KNOWN && s.length <= 1 << 20) {
      this.#lastScanned = s;
      this.#lastHit = hit;
    }
    return hit;
  }

  /** The last string `hits` scanned, and what it found. */
  #lastScanned: string | null = null;
  #lastHit = false;

  /**
   * `s` with every secret of KNOWN_SECRETS (in the part a repr can show) and every match of the
   * value regexes replaced by "[redacted]".
   */
  scrub(s: string): string {
    let found = this.#knownIn(s);
    // The part scanned grows until what a repr can show of the result was scanned and no secret
    // runs into the rest (a key block with no end); the rest, never shown, is kept as it is.
    for (let w = this.#window; found !== null; w *= 2) {
      const window = s.length > w ? slice(s, 0, w) : s;
      const out = replaceAll(window, KNOWN_REGEX, found, true);
      if (window.length === s.length) {
        s = out;
        break;
      }
      if (!toTheEnd && out.length >= this.#window) {
        s = out + slice(s, w);
        break;
      }
      KNOWN_REGEX.lastIndex = 0;
      found = exec(KNOWN_REGEX, s.length > w * 2 ? slice(s, 0, w * 2) : s);
    }
    for (let at = 0, m = this.#firstMatching(s, at); m !== null; m = this.#firstMatching(s, at)) {
      s = replaceAll(s, this.values![m.index], m.match, false);
      at = m.index + 1;
    }
    return s;
  }

  /**
   * `s` with every secret of KNOWN_SECRETS and every match of the value regexes replaced by
   * "[redacted]", all of it (not only what a repr shows): for a text shown whole.
   */
  scrubWhole(s: string): string {
    if (this.#known && s.length >= SHORTEST_KNOWN) {
      KNOWN_REGEX.lastIndex = 0;
      const found = exec(KNOWN_REGEX, s);
      if (found !== null) s = replaceAll(s, KNOWN_REGEX, found, true);
    }
    for (let at = 0, m = this.#firstMatching(s, at); m !== null; m = this.#firstMatching(s, at)) {
      s = replaceAll(s, this.values![m.index], m.match, false);
      at = m.index + 1;
    }
    return s;
  }

  /** The first secret of KNOWN_SECRETS in the part of `s` a repr can show, or null. */
  #knownIn(s: string): RegExpExecArray | null {
    if (!this.#known || s.length < SHORTEST_KNOWN) return null;
    const window = s.length > this.#window ? slice(s, 0, this.#window) : s;
    if (KNOWN_HINT.exec(window) === null) return null;
    KNOWN_REGEX.lastIndex = 0;
    return KNOWN_REGEX.exec(window);
  }

  /** The first value regex from the `from`-th on that matches `s`, and its first match. */
  #firstMatching(s: string, from: number): { index: number; match: RegExpExecArray } | null {
    const values = this.values;
    if (values === null) return null;
    for (let i = from; i < values.length; i++) {
      values[i].lastIndex = 0;
      const match = exec(values[i], s);
      if (match !== null) return { index: i, match };
    }
    return null;
  }
}

/**
 * A command line as a run keeps it: the known secrets and redactValues matches in its words
 * (`--key sk_live_…`, `-e "login('ghp_…')"`) replaced by "[redacted]", as in any stored string,
 * unless redaction is off. A run shows it (tph logs, view, --html) and exports it (OTLP's
 * `process.command_line`). Called before the program runs.
 *
 * @param words The command, as given.
 * @param options The run's redaction options (checked before).
 */
export function scrubCommand(words: string[], options: RedactOptions): string[] {
  // Each word whole: scanned as far as its length, not a repr's.
  let maxRepr = 0;
  for (const w of words) maxRepr = max(maxRepr, w.length);
  let rd: Redaction | null;
  try {
    rd = Redaction.of({ ...options, maxRepr });
  } catch {
    // A pattern that cannot be used is told where the trace starts: the known secrets still go.
    rd = new Redaction({ redactKnown: options.redactKnown, maxRepr });
  }
  return rd === null || !rd.scans ? words : words.map((w) => rd.scrub(w));
}

/**
 * `s` with `found` (a match of the global `re`) and every later match replaced by "[redacted]";
 * `keepName`: group 1, when it matched, stays (an Authorization header's name).
 */
function replaceAll(s: string, re: RegExp, found: RegExpExecArray, keepName: boolean): string {
  let out = "";
  let last = 0;
  toTheEnd = false;
  for (let m: RegExpExecArray | null = found; m !== null; m = exec(re, s)) {
    const start = m.index, end = start + m[0].length;
    if (end === start) re.lastIndex = start + 1; // an empty match (a lookahead): step over it
    else {
      out += slice(s, last, start) + (keepName && m[1] !== undefined ? m[1] : "") + REDACTED;
      last = end;
      toTheEnd = end === s.length;
    }
  }
  return out + slice(s, last);
}

/** Whether the last replaceAll's last match ran to the end of its text. */
let toTheEnd = false;

// Kept from FTL on Bun when the recording is bounded (ftl.ts).
ftlCandidates([
  Redaction.prototype.secretName,
  Redaction.prototype.secretKey,
  Redaction.prototype.info,
  Redaction.prototype.secretParam,
  Redaction.prototype.hits,
  Redaction.prototype.scrub,
  Redaction.prototype.scrubWhole,
]);
