// A local npm registry on 127.0.0.1 for the package tests: it serves tph from a packed tarball
// (its packument and the tarball, as a registry does after `npm publish`) and passes every other
// request on to the registry npm is set to, so that npm, Bun and Deno install tph and its
// dependencies through it as they would from a public registry. (verdaccio, the usual local
// registry, cannot be installed here: one of its dependencies asks for a dist-tag, `node-fetch@cjs`,
// that the reachable registry does not serve.)

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename } from "node:path";

/** A running registry: its URL (with a trailing slash), and how to stop it. */
export interface Registry {
  url: string;
  close(): Promise<void>;
}

/** How long the upstream registry has to answer one request. */
const UPSTREAM_MS = 30_000;

/**
 * Serve the package in `tarball` (whose package.json is `manifest`) at a registry on 127.0.0.1.
 *
 * @param tarball The packed package.
 * @param manifest Its package.json.
 * @param upstream The registry to pass other requests on to.
 */
export function serveRegistry(
  tarball: string,
  manifest: { name: string; version: string; [key: string]: unknown },
  upstream: string,
): Registry {
  const bytes = readFileSync(tarball);
  const file = basename(tarball);
  const integrity = "sha512-" + createHash("sha512").update(bytes).digest("base64");
  const shasum = createHash("sha1").update(bytes).digest("hex");
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    const here = `${url.protocol}//${url.host}/`;
    const path = decodeURIComponent(url.pathname);
    if (path === `/${manifest.name}`) {
      const version = {
        ...manifest,
        dist: { tarball: `${here}${manifest.name}/-/${file}`, integrity, shasum },
      };
      return Response.json({
        name: manifest.name,
        "dist-tags": { latest: manifest.version },
        versions: { [manifest.version]: version },
      });
    }
    if (path === `/${manifest.name}/-/${file}`) {
      return new Response(bytes, { headers: { "content-type": "application/octet-stream" } });
    }
    // Anything else: the upstream registry's answer, whose tarball URLs point there. An upstream
    // that does not answer within UPSTREAM_MS is a 504, which npm and Bun try again, rather than a
    // request left open until the test's own time limit.
    try {
      const answer = await fetch(new URL(url.pathname + url.search, upstream), {
        headers: { accept: req.headers.get("accept") ?? "application/json" },
        signal: AbortSignal.timeout(UPSTREAM_MS),
      });
      return new Response(answer.body, {
        status: answer.status,
        headers: { "content-type": answer.headers.get("content-type") ?? "application/json" },
      });
    } catch (e) {
      return new Response(`upstream registry: ${(e as Error).message}`, { status: 504 });
    }
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/`,
    close: () => server.shutdown(),
  };
}
