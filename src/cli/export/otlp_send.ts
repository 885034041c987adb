// `tph export --otlp-endpoint URL`: the run sent to an OpenTelemetry collector over OTLP/HTTP, as
// protobuf ExportTraceServiceRequests (the protocol's default encoding) of at most 16 MiB each,
// one after the other. The messages are defined from opentelemetry-proto's field numbers and
// encoded with protobufjs. While the run is read, the requests wait in a temporary file: memory
// does not grow with the run, and the collector is never sent half a run because the file was bad.

import type { RunFile } from "../../run_file/decode.ts";
import { type ExportCall, inTurn, walkCalls, type WalkOptions } from "./calls.ts";
import {
  type AttributeValue,
  type OtlpOptions,
  resourceAttributes,
  SPAN_KIND_INTERNAL,
  spanAttributes,
  STATUS_CODE_ERROR,
  unixNanos,
} from "./otlp.ts";
import { type RunTrace, traceRuns } from "./trace_ids.ts";
import { VERSION } from "../../version.ts";
import { FileReader, FileWriter, remove } from "../../platform/files.ts";
import { OtlpSendError, type OtlpTarget, otlpTarget, scrub } from "./otlp_errors.ts";
import { message, messageType } from "./proto.ts";
export { OtlpSendError, otlpTarget };

/** The messages, from opentelemetry-proto (proto3). */
export const OTLP_MESSAGES = {
  nested: {
    ExportTraceServiceRequest: message({
      resource_spans: { rule: "repeated", type: "ResourceSpans", id: 1 },
    }),
    ResourceSpans: message({
      resource: { type: "Resource", id: 1 },
      scope_spans: { rule: "repeated", type: "ScopeSpans", id: 2 },
    }),
    Resource: message({ attributes: { rule: "repeated", type: "KeyValue", id: 1 } }),
    ScopeSpans: message({
      scope: { type: "InstrumentationScope", id: 1 },
      spans: { rule: "repeated", type: "Span", id: 2 },
    }),
    InstrumentationScope: message({
      name: { type: "string", id: 1 },
      version: { type: "string", id: 2 },
    }),
    Span: message({
      trace_id: { type: "bytes", id: 1 },
      span_id: { type: "bytes", id: 2 },
      trace_state: { type: "string", id: 3 },
      parent_span_id: { type: "bytes", id: 4 },
      name: { type: "string", id: 5 },
      kind: { type: "int32", id: 6 },
      start_time_unix_nano: { type: "fixed64", id: 7 },
      end_time_unix_nano: { type: "fixed64", id: 8 },
      attributes: { rule: "repeated", type: "KeyValue", id: 9 },
      status: { type: "Status", id: 15 },
    }),
    Status: message({ message: { type: "string", id: 2 }, code: { type: "int32", id: 3 } }),
    KeyValue: message({ key: { type: "string", id: 1 }, value: { type: "AnyValue", id: 2 } }),
    AnyValue: message({
      string_value: { type: "string", id: 1 },
      bool_value: { type: "bool", id: 2 },
      int_value: { type: "int64", id: 3 },
    }),
  },
};

/** The most a request may hold. */
export const MAX_REQUEST_BYTES = 16 << 20;
/** Spans per request at most (a request also stays under MAX_REQUEST_BYTES). */
const MAX_SPANS = 8192;
/** How long one request may take. */
const REQUEST_TIMEOUT_MS = 30_000;
/** The most of a refusal's body that is read (its first line is shown, 200 characters at most). */
export const MAX_ERROR_BODY_BYTES = 4096;

// deno-lint-ignore no-explicit-any
type Obj = Record<string, any>;

/**
 * Send runs to an OTLP/HTTP endpoint: their calls as spans, encoded into requests (each of one
 * run's spans, with its resource) that wait in a temporary file, then posted one at a time, in
 * order.
 *
 * @param files The runs.
 * @param target The collector (see {@linkcode otlpTarget}): its traces URL and headers.
 * @param options Depth and name filters; `spillPath` a temporary file; `maxBytes` the most a
 *   request holds (default 16 MiB); `warn`, told of trace contexts left out.
 * @returns The spans and requests sent.
 * @throws {OtlpSendError} One line: the endpoint refused a request or could not be reached.
 */
export async function sendOtlp(
  files: readonly RunFile[],
  target: OtlpTarget,
  options: OtlpOptions & { spillPath: string; maxBytes?: number },
): Promise<{ spans: number; requests: number; url: string }> {
  const url = target.url;
  const maxBytes = options.maxBytes ?? MAX_REQUEST_BYTES;
  const Request = await messageType(OTLP_MESSAGES, "ExportTraceServiceRequest");
  const scope = { name: "tph", version: VERSION };
  let resource = { attributes: [] as Obj[] };
  const encode = (spans: Obj[]) =>
    Request.encode(Request.fromObject({
      resource_spans: [{ resource, scope_spans: [{ scope, spans }] }],
    })).finish();
  const spill = new SpilledRequests(options.spillPath, encode, maxBytes);
  let spans = 0;
  try {
    const walks = inTurn(files.map((f) => f.meta.call_count), options);
    for (const [k, run] of traceRuns(files, options.warn ?? (() => {})).entries()) {
      resource = { attributes: [] };
      resourceAttributes(run.file.meta, (key, value) => {
        resource.attributes.push({ key, value: anyValue(value) });
      }, run.place);
      spans += spillRun(run, spill, walks[k], maxBytes);
    }
    spill.closeWriter();
    const sent = await spill.postAll(target);
    return { spans, requests: sent, url: url.href };
  } finally {
    spill.dispose();
  }
}

/** A run's spans, in requests of their own, into the spill; how many. */
function spillRun(
  run: RunTrace,
  spill: SpilledRequests,
  options: WalkOptions,
  maxBytes: number,
): number {
  const span = new SpanOf(run);
  let batch: Obj[] = [];
  let batchChars = 0;
  const result = walkCalls(run.file, options, {
    open(call) {
      const { span: s, chars } = span.of(call);
      // UTF-8 takes at most 3 bytes a UTF-16 unit: a batch under a third of the limit in
      // characters fits (and is split in halves in the rare case it does not).
      if (batch.length >= MAX_SPANS || (batchChars + chars) * 3 > maxBytes) {
        spill.add(batch);
        batch = [];
        batchChars = 0;
      }
      batch.push(s);
      batchChars += chars;
    },
  });
  spill.add(batch);
  return result.calls;
}

/** Hex digits as bytes. */
function hex(s: string): Uint8Array {
  return Uint8Array.from(s.match(/../g)!, (h) => parseInt(h, 16));
}

function anyValue(v: AttributeValue): Obj {
  return typeof v === "string"
    ? { string_value: v }
    : typeof v === "number"
    ? { int_value: v }
    : { bool_value: v };
}

/** A run's calls as spans. */
class SpanOf {
  readonly #trace: Uint8Array;
  readonly #rootParent: Uint8Array | null;
  readonly #ns: (us: number) => string;
  readonly #run: RunTrace;
  constructor(run: RunTrace) {
    this.#run = run;
    this.#trace = hex(run.traceId);
    this.#rootParent = run.parentSpanId === null ? null : hex(run.parentSpanId);
    // fixed64 from a decimal string: exact beyond 2^53.
    this.#ns = unixNanos(run.file.meta);
  }

  /** A call as a span, with about how many characters it takes in a request. */
  of(call: ExportCall): { span: Obj; chars: number } {
    const attributes: Obj[] = [];
    let chars = 200;
    spanAttributes(call, (key, value) => {
      attributes.push({ key, value: anyValue(value) });
      chars += key.length + (typeof value === "string" ? value.length : 8) + 8;
    }, this.#run.place);
    const run = this.#run;
    const span: Obj = {
      trace_id: this.#trace,
      span_id: run.spans.bytes(call.id),
      name: call.fn.name,
      kind: SPAN_KIND_INTERNAL,
      start_time_unix_nano: this.#ns(call.start),
      end_time_unix_nano: this.#ns(call.end),
      attributes,
    };
    if (run.traceState !== null) {
      span.trace_state = run.traceState;
      chars += run.traceState.length;
    }
    if (call.parent !== 0) span.parent_span_id = run.spans.bytes(call.parent);
    else if (this.#rootParent !== null) span.parent_span_id = this.#rootParent;
    if (call.threw !== null) {
      span.status = { code: STATUS_CODE_ERROR, message: call.threw };
      chars += call.threw.length;
    }
    return { span, chars };
  }
}

/** Encoded requests, waiting in a temporary file until the run is walked. */
class SpilledRequests {
  /** [offset, length] pairs in the file. */
  #requests: number[] = [];
  #writer: FileWriter | null = null;
  #written = 0;

  private readonly path: string;
  private readonly encode: (spans: Obj[]) => Uint8Array;
  private readonly maxBytes: number;
  constructor(
    path: string,
    encode: (spans: Obj[]) => Uint8Array,
    maxBytes: number,
  ) {
    this.path = path;
    this.encode = encode;
    this.maxBytes = maxBytes;
  }

  /** Encode spans as one request, or as halves when that would be too big. */
  add(spans: Obj[]): void {
    if (spans.length === 0) return;
    const bytes = this.encode(spans);
    if (bytes.length <= this.maxBytes) this.#store(bytes);
    else if (spans.length === 1) {
      throw new OtlpSendError(
        `one span is larger than ${this.maxBytes} bytes, the most a request holds`,
      );
    } else {
      const half = spans.length >> 1;
      this.add(spans.slice(0, half));
      this.add(spans.slice(half));
    }
  }

  #store(bytes: Uint8Array): void {
    this.#writer ??= new FileWriter(this.path);
    this.#writer.write(bytes, bytes.length);
    this.#requests.push(this.#written, bytes.length);
    this.#written += bytes.length;
  }

  closeWriter(): void {
    this.#writer?.close();
    this.#writer = null;
  }

  /** Now the collector: one request at a time, in order. Returns how many were sent. */
  async postAll(target: OtlpTarget): Promise<number> {
    let sent = 0;
    const requests = this.#requests;
    if (requests.length > 0) {
      const reader = new FileReader(this.path);
      try {
        for (let k = 0; k < requests.length; k += 2) {
          const body = new Uint8Array(requests[k + 1]);
          reader.read(body, requests[k]);
          await post(target, body);
          sent++;
        }
      } finally {
        reader.close();
      }
    }
    return sent;
  }

  /** The file closed and removed, whatever happened. */
  dispose(): void {
    this.closeWriter();
    if (this.#written > 0) {
      try {
        remove(this.path);
      } catch {
        // Gone already.
      }
    }
  }
}

async function post(target: OtlpTarget, body: Uint8Array<ArrayBuffer>): Promise<void> {
  const { url, secrets } = target;
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: [...target.headers, ["Content-Type", "application/x-protobuf"]],
      body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (e) {
    // The runtime's words, without what it may have echoed of the headers.
    const why = (e as Error).name === "TimeoutError"
      ? `no answer in ${REQUEST_TIMEOUT_MS / 1000} s`
      : scrub(String((e as { cause?: Error }).cause?.message ?? (e as Error).message), secrets);
    throw new OtlpSendError(`Cannot send the run to ${url.href}: ${why}`);
  }
  if (!response.ok) {
    const text = (await firstLine(response)).slice(0, 200);
    throw new OtlpSendError(
      `${url.href} refused the run: ${response.status} ${response.statusText}` +
        (text !== "" ? ` (${scrub(text, secrets)})` : ""),
    );
  }
  await response.body?.cancel();
}

/**
 * The first line of a response's body, of which at most MAX_ERROR_BODY_BYTES are read: a
 * collector's refusal may be of any size, and only its first line is shown.
 */
async function firstLine(response: Response): Promise<string> {
  const body = response.body;
  if (body === null) return "";
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  try {
    while (length < MAX_ERROR_BODY_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      length += value.length;
      if (value.includes(10)) break;
    }
  } catch {
    // What came is shown.
  } finally {
    reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(Math.min(length, MAX_ERROR_BODY_BYTES));
  let at = 0;
  for (const c of chunks) {
    const part = c.subarray(0, bytes.length - at);
    bytes.set(part, at);
    at += part.length;
    if (at === bytes.length) break;
  }
  return new TextDecoder().decode(bytes).split("\n")[0];
}
