// node:http's servers (and the frameworks on them: Express, Hono's Node adapter…) on Node, Deno
// and Bun: a run per request (request_runs.ts).
//
// - A request's start: Node publishes the diagnostics channel `http.server.request.start` just
//   before the server's "request" event, from the parser's callback: the request's trace is
//   entered there (no frame of tph's under the handler). Deno publishes it too, but an entered
//   context leaks there into the next requests: its server's `emit("request")` is wrapped to run
//   in the request's context instead (installed at the first request). Bun publishes none: its
//   `emit` is wrapped from the start.
// - The body's events come from the socket's callbacks, outside the request's context (Node 24):
//   IncomingMessage's `push` runs in the context of the request it belongs to.
// - Its end: the response's "close" (after "finish", and when the client goes away first).
// Each wrapper prints as the function it replaced (disguise).

import { createRequire } from "node:module";
import { apply, defineProperty, SafeWeakMap, uncurry } from "../../platform/intrinsics.ts";
import { String } from "../../platform/globals.ts";
import { disguise } from "../loader/original_text.ts";
import {
  alsEnter,
  alsRun,
  endRequest,
  type RequestRun,
  requestStorage,
  startRequest,
} from "./request_runs.ts";

/** Each request's run, by its IncomingMessage. */
const runOf = new SafeWeakMap<object, RequestRun>();
// deno-lint-ignore no-explicit-any
let on: (emitter: any, event: string, fn: (...args: any[]) => void) => unknown = () => {};
// deno-lint-ignore no-explicit-any
let load: (id: string) => any = () => null;
let bodyPatched = false;
let emitPatched = false;

/**
 * Give node:http's servers a run per request.
 *
 * @param runtime Which runtime this is.
 */
export function installNodeHttp(runtime: "node" | "deno" | "bun"): void {
  load = createRequire(import.meta.url);
  on = uncurry(load("node:events").EventEmitter.prototype.on);
  if (runtime === "bun") {
    // No channel: the server's emit is wrapped, before the first server listens (Bun's node:http
    // listens through Bun.serve: web_serve.ts calls this then), not at start, where loading
    // node:http would cost every run ~10 ms.
    if (!emitPatched) patchEmit(load("node:http").Server.prototype);
    return;
  }
  const dc = load("node:diagnostics_channel");
  dc.subscribe(
    "http.server.request.start",
    // deno-lint-ignore no-explicit-any
    (message: any) => {
      const req = message?.request, res = message?.response;
      if (req === undefined || res === undefined) return;
      if (runtime === "deno") {
        // The server's emit, which is called next, runs the handler in the request's context.
        if (!emitPatched) patchEmit(load("node:http").Server.prototype);
        return;
      }
      const r = begin(req, res);
      if (r !== null) alsEnter(requestStorage(), r.state);
    },
  );
}

/** The request's run: started at its first sight, with its end watched. */
// deno-lint-ignore no-explicit-any
function begin(req: any, res: any): RequestRun | null {
  const known = runOf.get(req);
  if (known !== undefined) return known;
  if (!bodyPatched) patchBody();
  const headers = req.headers;
  const r = startRequest(String(req.method), String(req.url), (name) => {
    const v = headers?.[name];
    return typeof v === "string" ? v : null;
  });
  if (r === null) return null;
  runOf.set(req, r);
  on(res, "close", () => {
    const aborted = res.writableFinished !== true;
    endRequest(r, res.headersSent === true ? res.statusCode : null, aborted);
  });
  return r;
}

/** IncomingMessage's `push` (the body's chunks, and its end) runs in its request's context. */
function patchBody(): void {
  bodyPatched = true;
  const proto = load("node:http").IncomingMessage?.prototype;
  if (proto === undefined) return;
  const real = proto.push;
  if (typeof real !== "function") return;
  const push = function push(this: object, _chunk: unknown, _encoding?: unknown) {
    const r = runOf.get(this);
    if (r === undefined || r.ended) return apply(real, this, arguments);
    return alsRun(requestStorage(), r.state, apply, real, this, arguments);
  };
  defineProperty(push, "length", { value: real.length });
  disguise(push, real);
  defineProperty(proto, "push", { value: push, writable: true, configurable: true });
}

/** The server's `emit("request", req, res)` runs in the request's context. */
// deno-lint-ignore no-explicit-any
function patchEmit(proto: any): void {
  emitPatched = true;
  const real = proto.emit;
  if (typeof real !== "function") return;
  const emit = function emit(this: object, event: unknown, req?: unknown, res?: unknown) {
    if (event !== "request" || req === null || typeof req !== "object") {
      return apply(real, this, arguments);
    }
    const r = begin(req, res);
    if (r === null) return apply(real, this, arguments);
    return alsRun(requestStorage(), r.state, apply, real, this, arguments);
  };
  defineProperty(emit, "length", { value: real.length });
  disguise(emit, real);
  defineProperty(proto, "emit", { value: emit, writable: true, configurable: true });
}
