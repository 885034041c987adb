// sendOtlp() in batches: a small request limit splits a run into several requests, each within
// the limit, together holding every call once, each decoded by OpenTelemetry's own generated code.

import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { Buffer } from "node:buffer";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openRun } from "../../../src/run_file/decode.ts";
import { otlpTarget, sendOtlp } from "../../../src/cli/export/otlp_send.ts";
import { callsInOrder } from "../../_export_readers.ts";

const RUN = join(
  import.meta.dirname!,
  "../../fixtures/runs/run_20261120T091500_042_checkout_a1b2c3.json",
);

Deno.test("sendOtlp splits a run into requests within the limit, every call once", async () => {
  const bodies: Uint8Array[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      bodies.push(new Uint8Array(Buffer.concat(chunks)));
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const dir = mkdtempSync(join(tmpdir(), "tph-otlp-"));
  const file = openRun(RUN);
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const spill = join(dir, "spill.tmp");
    const limit = 1500;
    const sent = await sendOtlp([file], otlpTarget(url), { spillPath: spill, maxBytes: limit });
    const calls = callsInOrder(file.tree().roots);
    assert.equal(sent.spans, calls.length);
    assert.ok(sent.requests > 1, `${sent.requests} requests`);
    assert.equal(bodies.length, sent.requests);
    assert.ok(!existsSync(spill), "the temporary file is removed");
    const require = createRequire(import.meta.url);
    const root = require(
      "../../../node_modules/@opentelemetry/otlp-transformer/build/src/generated/root.js",
    );
    const Request = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
    const names: string[] = [];
    for (const body of bodies) {
      assert.ok(body.length <= limit, `${body.length} bytes`);
      const req = Request.decode(body);
      for (const span of req.resourceSpans[0].scopeSpans[0].spans) names.push(span.name);
    }
    assert.deepEqual(names, calls.map((c) => c.name));
  } finally {
    file.close();
    rmSync(dir, { recursive: true, force: true });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
