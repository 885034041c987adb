// Two traced services, one trace (examples/services/, README "Servers, workers and services"):
// the front service's fetch to the back service carries a traceparent whose trace and parent span
// are the ones `tph export` gives the front's run and its fetch call; both runs exported to a local
// OTLP/HTTP receiver (protobuf and JSON) have unique span ids. `--no-propagate` sends nothing.

import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  allCalls,
  assertCode,
  assertNoColour,
  FIXTURES,
  lines,
  plain,
  REPO,
  type Result,
  start,
  summaryOf,
  type Target,
  tempDir,
  tph,
} from "./_cli.ts";
import { receiver, type Span } from "../export/_otlp_receiver.ts";
import { readRunFile } from "../../_run_file.ts";
import { parseTraceparent } from "../../../src/store/trace_context.ts";

/** How long a service may run in these tests. */
const SERVICE_LIMIT_MS = 90_000;

/** A service started under tph: the port it listens on, and its end. */
interface Service {
  port: number;
  /** Resolves with how it ended (its process group is killed past the time limit). */
  ended: Promise<Result>;
  /** Kill its process group, if it still runs. */
  kill(): void;
}

/** Start `tph run … <script>` in `cwd` and wait for its "listening on <port>" line. */
async function service(t: Target, args: string[], cwd: string, env: Record<string, string>) {
  const child = start([...t.tph, "run", ...args], { cwd, env });
  await child.stdin.close();
  let running = true;
  const kill = () => {
    if (!running) return;
    try {
      Deno.kill(-child.pid, "SIGKILL");
    } catch {
      // Ended meanwhile.
    }
  };
  const timer = setTimeout(kill, SERVICE_LIMIT_MS);
  const read = async (stream: ReadableStream<Uint8Array>, each: (text: string) => void) => {
    const d = new TextDecoder();
    let all = "";
    for await (const chunk of stream) {
      all += d.decode(chunk, { stream: true });
      each(all);
    }
    return all;
  };
  let listening: (port: number) => void = () => {};
  const port = new Promise<number>((resolve) => listening = resolve);
  const stdout = read(child.stdout, (all) => {
    const m = /listening on (\d+)/.exec(all);
    if (m) listening(Number(m[1]));
  });
  const stderr = read(child.stderr, () => {});
  const ended = (async (): Promise<Result> => {
    const status = await child.status;
    running = false;
    clearTimeout(timer);
    return { code: status.code, signal: status.signal, stdout: await stdout, stderr: await stderr };
  })();
  const notListening = ended.then((r) => {
    throw new Error(`${args.join(" ")} ended before listening:\n${r.stdout}\n${r.stderr}`);
  });
  return { port: await Promise.race([port, notListening]), ended, kill } satisfies Service;
}

/** Ask a service to stop, and wait for its end: the run it stored. */
async function stop(s: Service, what: string): Promise<string> {
  const r = await fetch(`http://127.0.0.1:${s.port}/stop`, { method: "POST" });
  await r.text();
  const result = await s.ended;
  assertCode(result, 0, what);
  assertNoColour(result, what);
  return summaryOf(result).saved;
}

export function serviceTests(t: Target): void {
  Deno.test(`${t.name}: outgoing fetch and http.request carry the run's trace; nothing else changes`, async () => {
    await using dir = tempDir({ "requests.ts": join(FIXTURES, "propagate/requests.ts") });
    const cwd = dir.path;
    writeFileSync(join(cwd, "package.json"), '{ "type": "module" }\n');
    const bare = await plain(t, join(cwd, "requests.ts"), [], { cwd, timeoutMs: 60_000 });
    assertCode(bare, 0, "the program, plainly");
    const r = await tph(t, ["run", "--cache-dir", "cache", "requests.ts"], {
      cwd,
      timeoutMs: 60_000,
    });
    assertCode(r, 0, "tph run requests.ts");
    const out = lines(r.stdout);
    // The traceparents aside, what the program prints (fetch's text, name, length) is the same.
    const TP = /00-[0-9a-f]{32}-[0-9a-f]{16}-01/;
    assert.deepEqual(out.map((l) => l.replace(TP, "-")), lines(bare.stdout));
    const sentBy = new Map<string, string>();
    for (const l of out) {
      const m = /^(\/\w+) (00-[0-9a-f]{32}-[0-9a-f]{16}-01)/.exec(l);
      if (m) sentBy.set(m[1], m[2]);
    }
    assert.deepEqual([...sentBy.keys()], ["/plain", "/request", "/array", "/http"]);
    assert.ok(out.includes("/own own x=1"), "the program's own traceparent goes as it is");
    const sent = [...sentBy.values()].map((tp) => parseTraceparent(tp)!);
    assert.equal(new Set(sent.map((p) => p.traceId)).size, 1, "one trace");
    assert.equal(new Set(sent.map((p) => p.parentSpanId)).size, 4, "a span per sending call");
    // The run says which calls sent which span ids: the external calls that made the requests.
    const run = readRunFile(join(cwd, summaryOf(r).saved));
    const meta = run as unknown as {
      sent_trace: { trace_id: string; spans: Record<string, string> };
    };
    assert.equal(meta.sent_trace.trace_id, sent[0].traceId);
    const calls = allCalls(run.trace);
    const sender = new Map(
      Object.entries(meta.sent_trace.spans).map(([n, id]) => [id, calls[Number(n) - 1]]),
    );
    assert.equal(sender.size, 4);
    for (
      const [path, { parentSpanId }] of [...sentBy.keys()].map((k, i) => [k, sent[i]] as const)
    ) {
      const call = sender.get(parentSpanId);
      assert.ok(call !== undefined, `${path}: its span id is a call's`);
      assert.equal(call.kind, "external", path);
      assert.equal(call.name, path === "/http" ? "http.request" : "fetch", path);
    }

    // OpenTelemetry's API registered: the program propagates, tph adds nothing.
    const otel = await tph(t, ["run", "--cache-dir", "cache", "requests.ts"], {
      cwd,
      env: { OTEL: "1" },
      timeoutMs: 60_000,
    });
    assertCode(otel, 0, "tph run requests.ts (OpenTelemetry)");
    assert.deepEqual(lines(otel.stdout), lines(bare.stdout));
    const otelRun = readRunFile(join(cwd, summaryOf(otel).saved)) as unknown as Record<
      string,
      unknown
    >;
    // The context the program sent is the run's trace (its own traceparent, here).
    assert.deepEqual(otelRun.sent_trace, { trace_id: "1".repeat(32), spans: {} });
  });

  Deno.test(`${t.name}: two traced services, one trace: the front's fetch carries it to the back`, async () => {
    await using dir = tempDir({
      "front.ts": join(REPO, "examples/services/front.ts"),
      "back.ts": join(REPO, "examples/services/back.ts"),
    });
    const cwd = dir.path;
    writeFileSync(join(cwd, "package.json"), '{ "type": "module" }\n');
    const started: Service[] = [];
    try {
      const back = await service(t, ["--cache-dir", "cache", "back.ts"], cwd, { PORT: "0" });
      started.push(back);
      const backUrl = `http://127.0.0.1:${back.port}`;
      const front = await service(t, ["--cache-dir", "cache", "front.ts"], cwd, {
        PORT: "0",
        BACK_URL: backUrl,
      });
      started.push(front);
      const answer = await fetch(`http://127.0.0.1:${front.port}/order/plum/3`);
      assert.equal(answer.status, 200);
      const order = await answer.json();
      assert.equal(order.total, 360);
      // What the back service received: tph's traceparent.
      const sent = parseTraceparent(order.sent ?? "");
      assert.ok(sent !== null, `the back service got a traceparent: ${JSON.stringify(order)}`);
      assert.equal(sent.flags, 1);
      // A request that brings a trace context (twice, as two propagators may add it: the first
      // counts): what the front sends on is in that trace.
      const incoming = "00-" + "ab".repeat(16) + "-" + "cd".repeat(8) + "-01";
      const joined = await fetch(`http://127.0.0.1:${front.port}/order/fig/1`, {
        headers: { traceparent: `${incoming}, 00-${"ef".repeat(16)}-${"12".repeat(8)}-01` },
      });
      const carried = parseTraceparent((await joined.json()).sent ?? "");
      assert.equal(carried?.traceId, "ab".repeat(16), "the incoming trace carried on");
      assert.notEqual(carried?.parentSpanId, "cd".repeat(8), "under a span of the front's own");
      await stop(front, "the front service");
      await stop(back, "the back service");
      // Each request has a run of its own: the front's order and the back's price.
      const listed = await tph(t, ["logs", "--json", "--cache-dir", "cache"], { cwd });
      assertCode(listed, 0, "tph logs --json");
      const stored = JSON.parse(listed.stdout) as { id: string; path: string; label: string }[];
      const runOf = (label: string) => {
        const run = stored.find((r) => r.label === label);
        assert.ok(run !== undefined, `a run ${label}: ${stored.map((r) => r.label).join(", ")}`);
        return run;
      };
      const frontRun = runOf("GET /order/plum/3 → 200"), backRun = runOf("GET /price/plum → 200");

      // The front's run recorded what it sent: its fetch call's span id, in the trace it sent.
      const meta = readRunFile(frontRun.path) as unknown as Record<string, unknown>;
      assert.equal((meta.sent_trace as { trace_id: string }).trace_id, sent.traceId);

      await using collector = receiver();
      const runs = [frontRun.path, backRun.path];
      const posted = await tph(t, ["export", ...runs, "--otlp-endpoint", collector.url], { cwd });
      assertCode(posted, 0, "tph export front back --otlp-endpoint");
      assert.match(lines(posted.stderr).at(-1)!, /^tph: sent \d+ spans in 2 requests/);
      const fromProtobuf = collector.spans.splice(0);
      const written = await tph(t, ["export", ...runs, "-f", "otlp", "-o", "both.json"], { cwd });
      assertCode(written, 0, "tph export front back --format otlp");
      const json = await fetch(`${collector.url}/v1/traces`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: readFileSync(join(cwd, "both.json")),
      });
      assert.equal(json.status, 200);
      await json.body?.cancel();
      const spans = collector.spans.splice(0);
      assert.deepEqual(spans, fromProtobuf, "the same spans in both encodings");

      const frontSpans = spans.filter((s: Span) => s.service === spans[0].service);
      const backSpans = spans.slice(frontSpans.length);
      assert.ok(backSpans.length > 0 && frontSpans.length > 0);
      // One trace id end to end: the front's spans are in the trace its request carried on.
      assert.ok(frontSpans.every((s) => s.traceId === sent.traceId), "the front's trace");
      // The parent span the back got is the front's fetch call.
      const fetchSpan = frontSpans.find((s) => s.spanId === sent.parentSpanId);
      assert.ok(fetchSpan !== undefined, "the parent span sent is a span of the front's run");
      assert.equal(fetchSpan.name, "fetch");
      assert.equal(
        frontSpans.find((s) => s.spanId === fetchSpan.parentSpanId)?.name,
        "fetchPrice",
        "under the function that called fetch",
      );
      const ids = spans.map((s) => s.spanId);
      assert.equal(new Set(ids).size, ids.length, "span ids unique across the two runs");
      // The back's request run has the context it received: it is in that trace, its root under
      // the front's fetch span.
      const backMeta = readRunFile(backRun.path) as unknown as Record<string, unknown>;
      assert.deepEqual(backMeta.trace_context, { traceparent: order.sent });
      assert.ok(backSpans.every((s) => s.traceId === sent.traceId), "the back's trace");
      const backIds = new Set(backSpans.map((s) => s.spanId));
      const roots = backSpans.filter((s) => !backIds.has(s.parentSpanId ?? ""));
      assert.ok(roots.length > 0 && roots.every((s) => s.parentSpanId === sent.parentSpanId));
    } finally {
      for (const s of started) s.kill();
    }
  });

  Deno.test(`${t.name}: --no-propagate: the front's fetch carries no traceparent`, async () => {
    await using dir = tempDir({
      "front.ts": join(REPO, "examples/services/front.ts"),
      "back.ts": join(REPO, "examples/services/back.ts"),
    });
    const cwd = dir.path;
    writeFileSync(join(cwd, "package.json"), '{ "type": "module" }\n');
    const started: Service[] = [];
    try {
      const back = await service(t, ["--no-cache", "back.ts"], cwd, { PORT: "0" });
      started.push(back);
      const front = await service(t, ["--cache-dir", "cache", "--no-propagate", "front.ts"], cwd, {
        PORT: "0",
        BACK_URL: `http://127.0.0.1:${back.port}`,
      });
      started.push(front);
      const answer = await fetch(`http://127.0.0.1:${front.port}/order/fig/2`);
      const order = await answer.json();
      assert.deepEqual(order, { sku: "fig", count: 2, total: 620, sent: null });
      const frontRun = await stop(front, "the front service");
      const meta = readRunFile(join(cwd, frontRun)) as unknown as Record<string, unknown>;
      assert.equal(meta.sent_trace, undefined);
      await stopUnstored(back);
    } finally {
      for (const s of started) s.kill();
    }
  });
}

/** Stop a service whose run is not stored. */
async function stopUnstored(s: Service): Promise<void> {
  const r = await fetch(`http://127.0.0.1:${s.port}/stop`, { method: "POST" });
  await r.text();
  assertCode(await s.ended, 0, "the back service");
}
