import assert from "node:assert/strict";
import {
  nameWords as ownWords,
  Redaction,
  SECRET_NAMES,
} from "../../../src/program/recorder/redact.ts";

/** nameWords' words as a plain array (it returns one of tph's own: intrinsics.ts, ownArray). */
const nameWords = (name: string): string[] => [...ownWords(name)];
import { formatError, repr } from "../../../src/program/recorder/repr.ts";

Deno.test("nameWords() splits names at separators, digits and camelCase humps", () => {
  assert.deepEqual(nameWords("x_authToken"), ["x", "auth", "token"]);
  assert.deepEqual(nameWords("APIKey"), ["api", "key"]);
  assert.deepEqual(nameWords("API-KEY"), ["api", "key"]);
  assert.deepEqual(nameWords("password2"), ["password", "2"]);
  assert.deepEqual(nameWords("$set.cookie"), ["set", "cookie"]);
  assert.deepEqual(nameWords("...rest"), ["rest"]);
});

Deno.test("Redaction: secret names, case- and separator-insensitive, whole words only", () => {
  const r = new Redaction();
  assert.ok(SECRET_NAMES.includes("password"));
  for (
    const name of [
      "password",
      "PASSWORD",
      "userPassword",
      "new_password_2",
      "passwd",
      "clientSecret",
      "token",
      "x_auth_token",
      "accessToken",
      "apiKey",
      "api_key",
      "API-KEY",
      "apikey",
      "stripeApiKey",
      "Authorization",
      "cookie",
      "setCookie",
      "cookies",
      "credentials",
      "awsCredential",
      "privateKey",
      "private_key_pem",
      "...secrets",
    ]
  ) assert.ok(r.secretName(name), `${name} looks secret`);
  for (
    const name of [
      "tokens",
      "tokenizer",
      "passwordless",
      "user",
      "key",
      "api",
      "secretary",
      "monkey",
      "",
    ]
  ) assert.ok(!r.secretName(name), `${name} does not look secret`);
});

Deno.test("Redaction: redact adds names (with * as any run), redactValues adds regexes", () => {
  const r = new Redaction({
    redact: ["pin", "*ssn*"],
    redactValues: ["sk_live_\\w+", /ghp_[A-Z]+/i],
  });
  assert.ok(r.secretName("pin") && r.secretName("userPin") && !r.secretName("pinned"));
  assert.ok(r.secretName("userSSNumber") && r.secretName("ssn"));
  assert.equal(r.scrub("a sk_live_123 b ghp_abc c"), "a [redacted] b [redacted] c");
  assert.ok(r.hits("xsk_live_1") && !r.hits("sk_test_1"));
  assert.throws(() => new Redaction({ redactValues: ["("] }), TypeError);
  assert.throws(() => new Redaction({ redactValues: [".*"] }), /matches the empty string/);
  assert.throws(() => new Redaction({ redact: ["-"] }), /Invalid redact name "-"/);
  assert.equal(Redaction.of({ redact: false, redactValues: ["x"] }), null);
});

Deno.test("repr() with a redactor hides secret fields and value matches before cutting", () => {
  const r = new Redaction({ redactValues: ["sk_live_\\w+"] });
  assert.equal(
    repr({ user: "ann", headers: { authorization: "Bearer x", "X-Api-Key": "k" } }, 120, r),
    '{ user: "ann", headers: { authorization: [redacted], "X-Api-Key": [redacted] } }',
  );
  assert.equal(
    repr(new Map([["token", 1], ["a", 2]]), 120, r),
    'Map(2) { "token" => [redacted], "a" => 2 }',
  );
  // A cut never shows the start of a key: the match is replaced first.
  const key = "sk_live_" + "a".repeat(200);
  assert.equal(repr("pay " + key, 12, r), '"pay [redac…');
  assert.equal(repr({ note: "pay " + key }, 30, r), '{ note: "pay [redacted]" }');
  assert.equal(formatError(new Error("bad " + key), 120, r), "Error: bad [redacted]");
  // Without a redactor, nothing changes.
  assert.equal(repr({ password: "x" }), '{ password: "x" }');
});

Deno.test("Redaction: secrets of unmistakable form are redacted by value by default", () => {
  const r = new Redaction();
  const aws = "AKIA" + "ABCDEFGHIJKLMNOP";
  const cases: [string, string][] = [
    [`key=${aws};`, "key=[redacted];"],
    ["sk_live_" + "a1B2c3D4e5F6g7H8i9J0", "[redacted]"],
    ["token ghp_" + "x".repeat(36) + " end", "token [redacted] end"],
    ["xoxb-" + "1234567890-abcdef", "[redacted]"],
    ["AIza" + "S".repeat(35), "[redacted]"],
    ["eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.c2lnbmF0dXJlLXZhbHVl", "[redacted]"],
    ["Authorization: Bearer abcdef0123456789xyz", "Authorization: [redacted]"],
    ["postgres://app:hunter2pass@db.internal:5432/prod", "[redacted]db.internal:5432/prod"],
    [
      "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----\nafter",
      "[redacted]\nafter",
    ],
  ];
  for (const [text, scrubbed] of cases) {
    assert.ok(r.hits(text), text);
    assert.equal(r.scrub(text), scrubbed, text);
  }
  // Ordinary text of the same shapes is left alone.
  for (
    const text of [
      "sk_live_short",
      "Bearer token",
      "https://example.com/a:b@c",
      "AKIA is a prefix",
      "eyJ.eyJ.x",
      "a plain sentence that is long enough to be scanned",
    ]
  ) assert.ok(!r.hits(text), text);
  // In a repr too, before the value is cut to its length.
  assert.equal(repr({ url: "https://u:p4ssw0rd@h/x" }, 120, r), '{ url: "[redacted]h/x" }');
  // Off with redaction, or for the known forms alone.
  assert.equal(Redaction.of({ redact: false }), null);
  const unknown = new Redaction({ redactKnown: false });
  assert.ok(!unknown.hits("sk_live_" + "a1B2c3D4e5F6g7H8i9J0"));
  assert.equal(unknown.scans, false);
});

Deno.test("Redaction: a known secret that starts in what a repr shows is hidden however long the text", () => {
  const r = new Redaction({ maxRepr: 120 });
  // A JWT whose claims run far past what is scanned, and a key block with no end in sight.
  const jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ" + "a".repeat(5000) + ".sig";
  const text = "x".repeat(100) + " token=" + jwt + " tail";
  assert.ok(r.hits(text));
  assert.equal(r.scrub(text).slice(0, 117), "x".repeat(100) + " token=[redacted]");
  assert.ok(!repr(text, 120, r).includes("eyJ"));
  const key = "-----BEGIN OPENSSH PRIVATE KEY-----\n" + "b3BlbnNzaC1rZXktdjEAAAAA\n".repeat(40_000);
  assert.equal(repr({ key2: "see " + key }, 120, r), '{ key2: "see [redacted]" }');
  // What starts after the part a repr can show is not looked for (it is never stored).
  const late = "y".repeat(10_000) + " sk_live_" + "a1B2c3D4e5F6g7H8i9J0";
  assert.ok(!r.hits(late));
  assert.ok(!repr(late, 120, r).includes("sk_live"));
});
