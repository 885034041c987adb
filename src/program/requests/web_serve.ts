// `Deno.serve` and `Bun.serve`: a run per request (request_runs.ts). The program's handler is
// called from a promise job started inside the request's async context (no frame of tph's below
// it; a bound function adds none). Its end: on Deno, the handler info's `completed` (the response
// sent; it resolves also when the client went away); on Bun, which tells none, the response the
// handler gave (a body streamed later is not waited for), or the request's signal aborting first.

import { apply, defineProperty, uncurry } from "../../platform/intrinsics.ts";
import { Object, Promise, String } from "../../platform/globals.ts";
import { disguise, standIn } from "../loader/original_text.ts";
import {
  alsRun,
  endRequest,
  type RequestRun,
  requestStorage,
  startRequest,
} from "./request_runs.ts";

const bindFn = Function.prototype.bind;
const promiseThen = uncurry(Promise.prototype.then);
const resolved = Promise.resolve();
const addListener = uncurry(EventTarget.prototype.addEventListener);
type Handler = (...args: unknown[]) => unknown;

/** A web Request's method, URL and headers, read through its own accessors. */
// deno-lint-ignore no-explicit-any
function startWeb(req: any): RequestRun | null {
  let method = "GET", url = "/";
  try {
    method = String(req.method);
    url = String(req.url);
  } catch {
    // Not a Request: the handler gets it as it is.
  }
  return startRequest(method, url, (name) => {
    try {
      const v = req.headers.get(name);
      return typeof v === "string" ? v : null;
    } catch {
      return null;
    }
  });
}

/** The status of what a handler gave, null when it is not a response. */
// deno-lint-ignore no-explicit-any
function statusOf(res: any): number | null {
  try {
    const s = res?.status;
    return typeof s === "number" ? s : null;
  } catch {
    return null;
  }
}

/**
 * Call `handler` as `this`'s with `args` in `r`'s context, from a promise job; `settled` is
 * told what it gave (or that it threw).
 */
function callIn(
  r: RequestRun,
  handler: Handler,
  self: unknown,
  args: ArrayLike<unknown>,
  settled: (ok: boolean, value: unknown) => void,
): unknown {
  const bindArgs: unknown[] = [self];
  for (let i = 0; i < args.length; i++) bindArgs[i + 1] = args[i];
  const bound = apply(bindFn, handler, bindArgs) as () => unknown;
  const p = alsRun(requestStorage(), r.state, () => promiseThen(resolved, bound));
  promiseThen(p, (v: unknown) => settled(true, v), (e: unknown) => settled(false, e));
  return p;
}

function wrapHandler(handler: Handler, end: "deno" | "bun"): Handler {
  const wrapped = function (this: unknown, req: unknown, info?: unknown) {
    const r = startWeb(req);
    if (r === null) return apply(handler, this, arguments);
    let status: number | null = null;
    // Bun: the client going away before the handler answered ends the request's run, as aborted.
    // Not on Deno, which warns on stderr once a program reads a request's signal (its legacy
    // abort after every answer), and tells nothing else of a client gone (`completed` resolves).
    let answered = false;
    if (end === "bun") {
      try {
        // deno-lint-ignore no-explicit-any
        const signal = (req as any).signal;
        if (signal !== undefined && signal !== null) {
          addListener(signal, "abort", () => {
            if (!answered) endRequest(r, null, true);
          }, { once: true });
        }
      } catch {
        // No signal.
      }
    }
    if (end === "deno") {
      // deno-lint-ignore no-explicit-any
      const completed = (info as any)?.completed;
      const done = (aborted: boolean) => endRequest(r, status, aborted);
      if (completed !== undefined && typeof completed.then === "function") {
        promiseThen(completed, () => done(false), () => done(true));
        return callIn(r, handler, this, arguments, (ok, v) => {
          answered = true;
          status = ok ? statusOf(v) : 500;
        });
      }
    }
    return callIn(r, handler, this, arguments, (ok, v) => {
      answered = true;
      status = ok ? statusOf(v) : null;
      let aborted = false;
      try {
        // deno-lint-ignore no-explicit-any
        aborted = (req as any).signal?.aborted === true;
      } catch {
        // No signal.
      }
      endRequest(r, status, aborted);
    });
  };
  defineProperty(wrapped, "name", { value: handler.name });
  defineProperty(wrapped, "length", { value: handler.length });
  disguise(wrapped, handler);
  return wrapped;
}

/** Give `Deno.serve`'s handlers a run per request. */
// deno-lint-ignore no-explicit-any
export function installDenoServe(deno: any): void {
  const real = deno.serve;
  if (typeof real !== "function") return;
  deno.serve = standIn(real, {
    apply(_real, self, given) {
      const a = given[0], b = given[1];
      const args: unknown[] = [];
      for (let i = 0; i < given.length; i++) args[i] = given[i];
      if (typeof a === "function") args[0] = wrapHandler(a as Handler, "deno");
      else if (typeof b === "function") args[1] = wrapHandler(b as Handler, "deno");
      else if (
        a !== null && typeof a === "object" &&
        typeof (a as { handler?: unknown }).handler === "function"
      ) {
        args[0] = { ...a, handler: wrapHandler((a as { handler: Handler }).handler, "deno") };
      }
      return apply(real, self, args);
    },
  });
}

const METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"];
const protoOf = Object.getPrototypeOf, objectProto = Object.prototype, keysOf = Object.keys;

/** A plain object of handlers by HTTP method (a route of Bun.serve's `routes`). */
function isMethodTable(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object" || protoOf(v) !== objectProto) return false;
  const keys = keysOf(v);
  for (let i = 0; i < keys.length; i++) {
    let known = false;
    for (let j = 0; j < METHODS.length; j++) if (keys[i] === METHODS[j]) known = true;
    if (!known) return false;
  }
  return keys.length > 0;
}

/** Bun.serve's options with their handlers wrapped: `fetch`, and the functions of `routes`. */
// deno-lint-ignore no-explicit-any
function bunOptions(options: any): any {
  if (options === null || typeof options !== "object") return options;
  // deno-lint-ignore no-explicit-any
  const out: any = { ...options };
  if (typeof options.fetch === "function") out.fetch = wrapHandler(options.fetch, "bun");
  const routes = options.routes;
  if (routes !== null && typeof routes === "object") {
    // deno-lint-ignore no-explicit-any
    const wrapped: any = {};
    // Index loops: the program may have patched the Array iterator.
    const keys = keysOf(routes);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      const v = routes[key];
      if (typeof v === "function") wrapped[key] = wrapHandler(v, "bun");
      else if (isMethodTable(v)) {
        // deno-lint-ignore no-explicit-any
        const methods: any = {};
        const ms = keysOf(v);
        for (let j = 0; j < ms.length; j++) {
          const m = ms[j];
          methods[m] = typeof v[m] === "function" ? wrapHandler(v[m] as Handler, "bun") : v[m];
        }
        wrapped[key] = methods;
      } else wrapped[key] = v;
    }
    out.routes = wrapped;
  }
  return out;
}

/**
 * Give `Bun.serve`'s handlers a run per request (`reload` gives its new ones one too).
 *
 * @param beforeFirst Called once, as the first server is about to listen.
 */
// deno-lint-ignore no-explicit-any
export function installBunServe(bun: any, beforeFirst: () => void): void {
  const real = bun.serve;
  if (typeof real !== "function") return;
  let first: (() => void) | null = beforeFirst;
  bun.serve = standIn(real, {
    apply(_real, self, given) {
      if (first !== null) {
        const f = first;
        first = null;
        f();
      }
      const args: unknown[] = [];
      for (let i = 0; i < given.length; i++) args[i] = given[i];
      args[0] = bunOptions(given[0]);
      // deno-lint-ignore no-explicit-any
      const server: any = apply(real, self, args);
      const realReload = server?.reload;
      if (typeof realReload === "function") {
        const wrappedReload = standIn(realReload, {
          apply(_reload, me, next) {
            return apply(realReload, me, [bunOptions(next[0])]);
          },
        });
        try {
          defineProperty(server, "reload", {
            value: wrappedReload,
            writable: true,
            configurable: true,
          });
        } catch {
          // A server whose reload cannot be replaced keeps its own.
        }
      }
      return server;
    },
  });
}
