// A local OTLP/HTTP receiver for the tests: /v1/traces takes protobuf (decoded with
// OpenTelemetry's own generated code) or JSON, and keeps the spans it was sent, whatever the
// encoding, in one shape.

import assert from "node:assert/strict";
import { createRequire } from "node:module";

// deno-lint-ignore no-explicit-any
export type Decoded = any;

/** A span as the receiver hands it on, whatever the encoding it came in. */
export interface Span {
  service: string;
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  traceState?: string;
}

const hexOf = (b: Uint8Array | undefined) =>
  b === undefined || b.length === 0
    ? undefined
    : [...b].map((x) => x.toString(16).padStart(2, "0")).join("");

/** OTLP/HTTP on 127.0.0.1: /v1/traces takes protobuf or JSON; the spans it was sent. */
export function receiver(): AsyncDisposable & {
  url: string;
  spans: Span[];
  encodings: Set<string>;
} {
  const require = createRequire(import.meta.url);
  const root = require(
    "../../../node_modules/@opentelemetry/otlp-transformer/build/src/generated/root.js",
  );
  const Request = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
  const spans: Span[] = [];
  const encodings = new Set<string>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const type = req.headers.get("content-type") ?? "";
    const body = new Uint8Array(await req.arrayBuffer());
    if (new URL(req.url).pathname !== "/v1/traces") return new Response("", { status: 404 });
    const attr = (rs: Decoded) =>
      rs.resource.attributes.find((a: Decoded) => a.key === "service.name").value.stringValue;
    if (type === "application/x-protobuf") {
      encodings.add("protobuf");
      const decoded = Request.toObject(Request.decode(body), { longs: String });
      for (const rs of decoded.resourceSpans) {
        for (const s of rs.scopeSpans.flatMap((ss: Decoded) => ss.spans)) {
          spans.push({
            service: attr(rs),
            name: s.name,
            traceId: hexOf(s.traceId)!,
            spanId: hexOf(s.spanId)!,
            parentSpanId: hexOf(s.parentSpanId),
            traceState: s.traceState || undefined,
          });
        }
      }
    } else if (type === "application/json") {
      encodings.add("json");
      const decoded = JSON.parse(new TextDecoder().decode(body));
      for (const rs of decoded.resourceSpans) {
        for (const s of rs.scopeSpans.flatMap((ss: Decoded) => ss.spans)) {
          for (const id of [s.traceId, s.spanId, s.parentSpanId ?? "00"]) {
            assert.match(id, /^(?:[0-9a-f]{2})+$/, "ids in hex");
          }
          spans.push({
            service: attr(rs),
            name: s.name,
            traceId: s.traceId,
            spanId: s.spanId,
            parentSpanId: s.parentSpanId,
            traceState: s.traceState,
          });
        }
      }
    } else return new Response("unsupported", { status: 415 });
    return new Response("{}", { headers: { "content-type": "application/json" } });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    spans,
    encodings,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}
