// The run format's writer keeps a value's tag and its text together wherever the buffer stands:
// a text whose tag takes two bytes, written when the buffer is past its flushing point, once
// lost its text (the tag was flushed first): files written under load were unreadable.

import assert from "node:assert/strict";
import { RunSink } from "../../src/program/recorder/run_writer.ts";

Deno.test("RunSink writes a long text's tag and text together wherever the buffer stands", () => {
  for (let fill = (1 << 20) - 8; fill <= (1 << 20) + 8; fill++) {
    const chunks: Uint8Array[] = [];
    const sink = new RunSink({ write: (b, n) => chunks.push(b.slice(0, n)) });
    for (let i = 0; i < fill; i++) sink.varint(0);
    const text = "x".repeat(40) + " é " + "y".repeat(30);
    sink.textValue(text, 0, text.length);
    sink.varint(7);
    sink.flush();
    const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      all.set(c, at);
      at += c.length;
    }
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
