// trace() redaction: secret names (parameters, object fields, function names), `redact` and
// `redactValues`, `redact: false`.

import assert from "node:assert/strict";
import { body, type CallNodeJSON, observe, RUNTIMES } from "./_observe.ts";

const R = "[redacted]";

function byName(nodes: CallNodeJSON[]): Record<string, CallNodeJSON> {
  return Object.fromEntries(nodes.map((n) => [n.name, n]));
}

for (const rt of RUNTIMES) {
  Deno.test(`trace() redacts secret parameters, fields and return values by default (${rt})`, () => {
    const { defaults, off } = observe(rt, "redact").out;
    const c = byName(body(defaults));
    assert.deepEqual(c.login.args, { user: '"ann"', password: R });
    // The return value of login is not secret by name.
    assert.equal(c.login.return_value, '"session-of-ann-7"');
    assert.deepEqual(c.call.args, {
      url: '"https://api"',
      options: `{ headers: { Authorization: ${R}, Accept: "json" } }`,
    });
    // A destructured parameter's bindings are parameters too.
    assert.deepEqual(c.connect.args, { host: '"db"', apiKey: R });
    // A function named like a secret has its return value redacted, not its arguments.
    assert.deepEqual(c.getAccessToken.args, { user: '"ann"' });
    assert.equal(c.getAccessToken.return_value, R);
    // On every call, the value a finally block's `return` replaces and the one it returns.
    const refreshes = body(defaults).filter((n: CallNodeJSON) => n.name === "getRefreshToken");
    assert.deepEqual(refreshes.map((n: CallNodeJSON) => n.return_value), [R, R, R]);
    // Names that only contain a secret word in a longer word are left alone.
    assert.deepEqual(c.tokenize.args, { source: '"a b"' });
    assert.equal(c.tokenize.return_value, '["a", "b"]');
    assert.deepEqual(c.pin.args, { pinCode: '"1234"', tokens: "2" });
    // Without value regexes, a secret of a known form (a Stripe key) is still redacted.
    assert.equal(
      body(defaults).find((n: CallNodeJSON) => n.name === "note")!.args.text,
      `"card ${R} end"`,
    );
    // A secret parameter is redacted in every call, not only the first.
    const unlocks = body(defaults).filter((n: CallNodeJSON) => n.name === "unlock");
    assert.deepEqual(
      unlocks.map((n: CallNodeJSON) => n.args),
      [0, 1, 2].map((i) => ({
        password: R,
        tries: String(i),
      })),
    );
    // The secrets are nowhere in the document.
    const text = JSON.stringify(defaults);
    for (
      const secret of ["hunter2", "abc.def", "k-123", "secret-value", "sk_live_a", "pw-2-x", "-rt-"]
    ) {
      assert.ok(!text.includes(secret), `${secret} is not in the trace`);
    }
    // redact: false keeps everything, value regexes too.
    const o = byName(body(off));
    assert.equal(o.login.args.password, '"hunter2"');
    assert.equal(o.getAccessToken.return_value, '"tok-ann-secret-value"');
    assert.deepEqual(
      body(off).filter((n: CallNodeJSON) => n.name === "getRefreshToken").map((n: CallNodeJSON) =>
        n.return_value
      ),
      ['"first-rt-0"', '"finally-rt-1"', '"finally-rt-2"'],
    );
    assert.match(o.call.args.options, /Authorization: "Bearer abc\.def"/);
    assert.match(o.note.args.text, /sk_live_b/);
  });

  Deno.test(`trace({ redact, redactValues }) adds names and value regexes (${rt})`, () => {
    const { extra, extraTree, invalid } = observe(rt, "redact").out;
    const c = byName(body(extra));
    const notes = body(extra).filter((n: CallNodeJSON) => n.name === "note");
    // Matches are replaced before the repr is cut to maxRepr (40): no prefix of a key shows.
    assert.equal(notes[0].args.text, `"card ${R} end"`);
    assert.equal(notes[0].return_value, `"card ${R} end"`);
    assert.equal(notes[1].args.text, `"${"x".repeat(20)}${R}"`);
    assert.equal(c.check.args.code, `"${R}"`);
    assert.equal(c.check.exception, `Error: bad code ${R}`);
    // `*pin*` matches any name holding "pin".
    assert.deepEqual(c.pin.args, { pinCode: R, tokens: "2" });
    assert.equal(c.login.args.password, R);
    assert.ok(!JSON.stringify(extra).includes("sk_live"), "no key in the trace");
    assert.ok(!extraTree.includes("sk_live"), "no key in the tree");
    assert.match(extraTree, /login\(user="ann", password=\[redacted\]\)/);
    // The engine's reason: V8's or JavaScriptCore's words.
    assert.match(
      invalid,
      /^TypeError: Invalid redactValues regex "sk_\(": (?:Unterminated group|missing \))$/,
    );
  });
}
