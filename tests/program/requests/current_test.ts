// currentRequest(): the request of the current async context (its incoming W3C trace context and
// run name), across awaits and timers, apart from another request served at the same time, and
// undefined outside requests and once the request ended.

import assert from "node:assert/strict";
import { runtime } from "../../../src/program/recorder/recorder.ts";
import {
  alsRun,
  endRequest,
  requestStorage,
  startRequest,
  useRequestRuns,
} from "../../../src/program/requests/request_runs.ts";
import { currentRequest } from "../../../src/program/requests/current.ts";

const PARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

Deno.test("currentRequest gives the request of the async context, and only while it runs", async () => {
  useRequestRuns({});
  try {
    const headers: Record<string, string> = { traceparent: PARENT, tracestate: "a=1" };
    const a = startRequest(
      "GET",
      "http://localhost:8000/items/2?token=x",
      (n) => headers[n] ?? null,
    )!;
    const b = startRequest("POST", "/cart", () => null)!;
    const bad = startRequest("GET", "/x", (n) => n === "traceparent" ? "00-zz-1-01" : "s=1")!;
    const seen: unknown[] = [];
    const inA = alsRun(requestStorage(), a.state, async () => {
      await new Promise((r) => setTimeout(r, 5));
      seen.push(["a", currentRequest()]);
    }) as Promise<void>;
    const inB = alsRun(requestStorage(), b.state, async () => {
      seen.push(["b", currentRequest()]);
      await new Promise((r) => setTimeout(r, 1));
      seen.push(["b", currentRequest()]);
    }) as Promise<void>;
    alsRun(requestStorage(), bad.state, () => seen.push(["bad", currentRequest()]));
    await Promise.all([inA, inB]);
    assert.equal(currentRequest(), undefined);
    const req = (traceparent: string | null, tracestate: string | null, runName: string) => ({
      traceparent,
      tracestate,
      runName,
    });
    assert.deepEqual(seen, [
      ["b", req(null, null, "POST /cart")],
      ["bad", req(null, null, "GET /x")],
      ["b", req(null, null, "POST /cart")],
      ["a", req(PARENT, "a=1", "GET /items/2")],
    ]);
    endRequest(a, 200, false);
    alsRun(requestStorage(), a.state, () => assert.equal(currentRequest(), undefined));
    endRequest(b, 201, false);
    endRequest(bad, null, true);
  } finally {
    runtime().rotateTapes(Infinity);
  }
});
