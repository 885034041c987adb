import assert from "node:assert/strict";
import { nameWords, Redaction, SECRET_NAMES } from "../../../src/program/recorder/redact.ts";
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
