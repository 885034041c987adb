// The run format's writer keeps a value's tag and its text together wherever the buffer stands:
// a text whose tag takes two bytes, written when the buffer is past its flushing point, once
// lost its text (the tag was flushed first): files written under load were unreadable.

import assert from "node:assert/strict";
import { RunSink } from "../../../src/run_file/encode_sink.ts";
import { repr } from "../../../src/program/recorder/repr.ts";

/** A sink over an array of chunks, and all it wrote (flushed first). */
function sinkOf(): { sink: RunSink; bytes: () => Uint8Array } {
  const chunks: Uint8Array[] = [];
  const sink = new RunSink({ write: (b, n) => chunks.push(b.slice(0, n)) });
  return {
    sink,
    bytes: () => {
      sink.flush();
      const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let at = 0;
      for (const c of chunks) {
        all.set(c, at);
        at += c.length;
      }
      return all;
    },
  };
}

Deno.test("RunSink writes a long text's tag and text together wherever the buffer stands", () => {
  for (let fill = (1 << 20) - 8; fill <= (1 << 20) + 8; fill++) {
    const { sink, bytes: written } = sinkOf();
    for (let i = 0; i < fill; i++) sink.varint(0);
    const text = "x".repeat(40) + " é " + "y".repeat(30);
    sink.textValue(text, 0, text.length);
    sink.varint(7);
    const all = written();
    assert.ok(all.subarray(0, fill).every((b) => b === 0), `fill ${fill}`);
    let pos = fill, tag = 0, scale = 1;
    for (;;) {
      const b = all[pos++];
      tag += (b & 0x7f) * scale;
      scale *= 0x80;
      if (b < 0x80) break;
    }
    const bytes = new TextEncoder().encode(text);
    assert.equal(tag, bytes.length * 4, `fill ${fill}: the tag`);
    assert.deepEqual(all.subarray(pos, pos + bytes.length), bytes, `fill ${fill}: the text`);
    assert.equal(all[pos + bytes.length], 7, `fill ${fill}: what follows`);
  }
});

/** The values a sink wrote: texts (tag × 4, or × 4 + 2 for a JSON literal's inside) and numbers. */
function readValues(all: Uint8Array): (string | number)[] {
  const out: (string | number)[] = [];
  let pos = 0;
  while (pos < all.length) {
    let tag = 0, scale = 1;
    for (;;) {
      const b = all[pos++];
      tag += (b & 0x7f) * scale;
      scale *= 0x80;
      if (b < 0x80) break;
    }
    if (tag % 2 === 1) {
      const z = (tag - 1) / 2;
      out.push(z % 2 === 0 ? z / 2 : -(z + 1) / 2);
      continue;
    }
    // Format 3: an escaped text's tag is its bytes × 8 + 2 (no entry of a table here).
    const n = tag % 4 === 2 ? (tag - 2) / 8 : tag / 4;
    const text = new TextDecoder().decode(all.subarray(pos, pos + n));
    pos += n;
    out.push(tag % 4 === 2 ? JSON.parse(`"${text}"`) : text);
  }
  return out;
}

Deno.test("RunSink.stringRepr writes what repr() shows, or nothing", () => {
  // Printable ASCII, what JSON escapes, and now and then what stringRepr leaves to repr().
  const alphabet = ["a", "Z", " ", "~", "\x7f", '"', "\\", "\n", "\t", "\r", "\b", "\f", "\x00"];
  alphabet.push("\x1f", "\x01", "é", "\ud83d\ude00", "\ud800");
  let seed = 7;
  const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
  const { sink, bytes } = sinkOf();
  const expected: string[] = [];
  let direct = 0;
  for (let k = 0; k < 4000; k++) {
    const len = [0, 1, 5, 20, 21, 40, 117, 118, 119, 120, 121, 122, 300][rand(13)];
    let s = "";
    const rare = rand(4) === 0;
    while (s.length < len) s += alphabet[rand(rare ? alphabet.length : alphabet.length - 4)];
    const max = [3, 4, 8, 21, 22, 60, 119, 120, 121, 500, 2999, 3001][rand(12)];
    // Fill the buffer near its flushing point now and then.
    if (k % 97 === 0) {
      const fill = "f".repeat(Math.max(0, (1 << 20) - sink.pos - 3 - rand(40)));
      sink.textValue(fill, 0, fill.length);
      expected.push(fill);
    }
    if (sink.stringRepr(s, max)) {
      direct++;
      expected.push(repr(s, max));
    } else {
      const r = repr(s, max);
      sink.textValue(r, 0, r.length);
      expected.push(r);
    }
  }
  assert.deepEqual(readValues(bytes()), expected);
  assert.ok(direct > 1500, `most strings written directly (${direct})`);
});

Deno.test("RunSink.textValue keeps a lone surrogate after ASCII as a JSON literal", () => {
  const { sink, bytes } = sinkOf();
  for (const t of ["abc\ud800", "\udc00", "ab é \ud83d\ude00", "x".repeat(200) + "\ud800z"]) {
    sink.textValue(t, 0, t.length);
  }
  assert.deepEqual(readValues(bytes()), [
    "abc\ud800",
    "\udc00",
    "ab é \ud83d\ude00",
    "x".repeat(200) + "\ud800z",
  ]);
});

Deno.test("RunSink.textValue writes any slice of any text as its UTF-8, cut or not", () => {
  // One, two, three and four bytes a character, and lone surrogates of both halves.
  const alphabet = ["a", "~", "\x7f", "\x80", "é", "߿", "ࠀ", "…", "\ud7ff", "\ue000", "\uffff"];
  alphabet.push("\ud83d\ude00", "\udbff\udfff", "\ud800", "\udfff");
  let seed = 11;
  const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
  const { sink, bytes } = sinkOf();
  const expected: string[] = [];
  for (let k = 0; k < 3000; k++) {
    const len = [0, 1, 2, 7, 31, 32, 33, 200][rand(8)];
    let s = "";
    const rare = rand(5) === 0;
    while (s.length < len) s += alphabet[rand(rare ? alphabet.length : alphabet.length - 2)];
    const from = rand(s.length + 1), to = from + rand(s.length - from + 1);
    const cut = rand(3) === 0;
    if (k % 89 === 0) {
      const fill = "f".repeat(Math.max(0, (1 << 20) - sink.pos - 3 - rand(40)));
      sink.textValue(fill, 0, fill.length);
      expected.push(fill);
    }
    sink.textValue(s, from, to, cut);
    expected.push(s.slice(from, to) + (cut ? "…" : ""));
  }
  const values = readValues(bytes());
  assert.equal(values.length, expected.length);
  for (let k = 0; k < expected.length; k++) {
    assert.equal(values[k], expected[k], `value ${k}`);
  }
});

Deno.test("RunSink.bytesAt and asciiText copy a range of bytes wherever the buffer stands", () => {
  // The writer's remembered texts are (slab, offset, length), written with bytesAt; asciiText
  // copies texts of up to 512 bytes a byte at a time (run_writer.ts, Slabs).
  const slab = new Uint8Array(2000).map((_, i) => 32 + (i % 90));
  for (const n of [0, 1, 17, 64, 65, 300, 512, 513, 1500]) {
    for (const fill of [0, (1 << 20) - n - 2, (1 << 20) + 5]) {
      const { sink, bytes: written } = sinkOf();
      for (let i = 0; i < fill; i++) sink.varint(0);
      sink.bytesAt(slab, 100, Math.min(n, 1900));
      sink.asciiText(slab, 7, 7 + n, false);
      sink.wholeValue(9);
      const all = written();
      const want = Math.min(n, 1900);
      assert.deepEqual(
        all.subarray(fill, fill + want),
        slab.subarray(100, 100 + want),
        `${n}/${fill}`,
      );
      const values = readValues(all.subarray(fill + want));
      assert.deepEqual(
        values,
        [new TextDecoder().decode(slab.subarray(7, 7 + n)), 9],
        `${n}/${fill}`,
      );
    }
  }
});
