// The stack room tph gives the traced program's process (src/program/stack_room.ts): from the
// stack limit it runs under, what V8 or JavaScriptCore gets, and when the limit is raised.

import assert from "node:assert/strict";
import {
  JSC_DEFAULT_BYTES,
  JSC_TRACED_BYTES,
  parseStackLimit,
  stackRoom,
  V8_DEFAULT_KIB,
  V8_TRACED_KIB,
} from "../../../src/program/stack_room.ts";

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max stack size            8388608              unlimited            bytes
Max core file size        0                    unlimited            bytes
`;

Deno.test("stack room: the limit is read from /proc/self/limits' text, in KiB", () => {
  assert.deepEqual(parseStackLimit(LIMITS), { soft: 8192, hard: null });
  assert.deepEqual(
    parseStackLimit("Max stack size            unlimited            unlimited            bytes"),
    { soft: null, hard: null },
  );
  assert.deepEqual(
    parseStackLimit("Max stack size            4194304              16777216             bytes"),
    { soft: 4096, hard: 16384 },
  );
  assert.equal(parseStackLimit("Max cpu time unlimited unlimited seconds"), null);
});

Deno.test("stack room: Deno gets V8's bigger stack within the usual 8 MiB, untouched", () => {
  assert.deepEqual(stackRoom("deno", { soft: 8192, hard: null }), {
    ulimitKiB: null,
    v8KiB: V8_TRACED_KIB,
    jscBytes: null,
  });
  assert.deepEqual(stackRoom("deno", { soft: null, hard: null }).v8KiB, V8_TRACED_KIB);
  // A smaller limit is raised as far as the hard limit lets it.
  assert.deepEqual(stackRoom("deno", { soft: 2048, hard: null }), {
    ulimitKiB: V8_TRACED_KIB + 3072,
    v8KiB: V8_TRACED_KIB,
    jscBytes: null,
  });
  assert.deepEqual(stackRoom("deno", { soft: 2048, hard: 5120 }), {
    ulimitKiB: 5120,
    v8KiB: 2048,
    jscBytes: null,
  });
  // Without a shell to raise it, within the limit as it is.
  assert.deepEqual(stackRoom("deno", { soft: 4096, hard: null }, false), {
    ulimitKiB: null,
    v8KiB: 1024,
    jscBytes: null,
  });
  // No room beyond what the program gets plainly: V8's default, the limit as it is.
  assert.deepEqual(stackRoom("deno", { soft: 2048, hard: 2048 }), {
    ulimitKiB: null,
    v8KiB: null,
    jscBytes: null,
  });
  assert.ok(V8_TRACED_KIB > V8_DEFAULT_KIB);
});

Deno.test("stack room: Bun gets JavaScriptCore's bigger cap, and the limit to hold it", () => {
  const need = JSC_TRACED_BYTES / 1024 + 3072;
  assert.deepEqual(stackRoom("bun", { soft: 8192, hard: null }), {
    ulimitKiB: need,
    v8KiB: null,
    jscBytes: JSC_TRACED_BYTES,
  });
  // Unknown (no /proc): the usual 8 MiB.
  assert.deepEqual(stackRoom("bun", null), stackRoom("bun", { soft: 8192, hard: null }));
  assert.deepEqual(stackRoom("bun", { soft: null, hard: null }), {
    ulimitKiB: null,
    v8KiB: null,
    jscBytes: JSC_TRACED_BYTES,
  });
  assert.deepEqual(stackRoom("bun", { soft: 65536, hard: null }).ulimitKiB, null);
  assert.deepEqual(stackRoom("bun", { soft: 8192, hard: 16384 }), {
    ulimitKiB: 16384,
    v8KiB: null,
    jscBytes: (16384 - 3072) * 1024,
  });
  assert.deepEqual(stackRoom("bun", { soft: 8192, hard: 8192 }).jscBytes, null);
  assert.ok(JSC_TRACED_BYTES > JSC_DEFAULT_BYTES);
});
