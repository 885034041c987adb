// `tph export --format …` and `tph run --export`: each format read back by the tests' own readers
// (tests/_export_readers.ts) and compared call by call with the run's JSON, on an async program.

import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { Buffer } from "node:buffer";
import { join } from "node:path";
import { assertCode, FIXTURES, lines, type Target, tempDir, tph, waitForFile } from "./_cli.ts";
import {
  callersOf,
  callsInOrder,
  readChrome,
  readOtlpJson,
  readPerfetto,
  readSpeedscope,
} from "../../_export_readers.ts";
import type { RunJSON } from "../../../src/types.ts";

const us = (ms: number) => Math.round(ms * 1000);

export function exportFormatTests(t: Target): void {
  Deno.test(`tph export: chrome, speedscope and otlp hold every call as recorded (${t.name})`, async () => {
    await using dir = tempDir({ p: join(FIXTURES, "exports") });
    const cwd = join(dir.path, "p");
    const run = await tph(t, ["run", "-o", "run.json", "main.ts"], { cwd });
    assertCode(run, 0, "tph run main.ts");
    const recorded: RunJSON = JSON.parse(readFileSync(join(cwd, "run.json"), "utf8"));
    const calls = callsInOrder(recorded.trace);
    const callers = callersOf(recorded.trace);
    assert.ok(calls.length > 20, `${calls.length} calls`);

    // chrome: every call once, as recorded, on tracks that nest.
    const chromeRun = await tph(t, ["export", "last", "--format", "chrome"], { cwd });
    assertCode(chromeRun, 0, "tph export --format chrome");
    const cache = join(cwd, ".tracepatch_cache");
    const chromeFile = readdirSync(cache).find((f) => f.endsWith(".chrome.json"));
    assert.ok(chromeFile, "written beside the run");
    const closing = lines(chromeRun.stderr).at(-1)!;
    assert.match(
      closing,
      /^tph: wrote \d+ calls(?: on \d+ tracks)? to \.tracepatch_cache\/run_.*\.chrome\.json; open https:\/\/ui\.perfetto\.dev/,
    );
    const chrome = readChrome(readFileSync(join(cache, chromeFile), "utf8"));
    assert.equal(chrome.calls.length, calls.length);
    assert.deepEqual(
      chrome.calls.map((c) => c.id).sort((a, b) => a - b),
      calls.map((_, k) => k + 1),
    );
    for (const c of chrome.calls) {
      const n = calls[c.id - 1];
      assert.equal(c.name, n.name);
      assert.deepEqual(c.args, n.args, `${n.name}'s arguments`);
      assert.equal(c.returned, n.exception === undefined ? n.return_value ?? undefined : undefined);
      assert.equal(c.error, n.exception);
      assert.equal(c.start, us(n.start_ms));
      if (n.elapsed_ms !== null) assert.equal(c.end - c.start, us(n.elapsed_ms));
      if (c.parent !== undefined) assert.equal(c.parent, callers[c.id]);
    }
    // The three fetchUser calls ran at once: at least two of them are on async tracks.
    const fetches = chrome.calls.filter((c) => c.name === "fetchUser");
    assert.equal(fetches.length, 3);
    assert.ok(new Set(fetches.map((c) => c.track)).size >= 2, "overlapping calls on tracks apart");
    assert.ok([...chrome.threads.values()].some((n) => n.startsWith("async ")));
    assert.match(chrome.threads.get(1)!, /^main: main\.ts/);
    assert.equal(chrome.process, "tph: main.ts");
    assert.equal(chrome.other.call_count, recorded.call_count);
    assert.equal(chrome.other.dropped_calls, 0);
    const thrown = chrome.calls.find((c) => c.error !== undefined)!;
    assert.match(thrown.error!, /RangeError: bad amount -1/);

    // perfetto: decoded apart, the same calls on the same tracks as chrome, and smaller.
    const pf = await tph(t, ["export", "last", "--format", "perfetto", "-o", "t.pftrace"], { cwd });
    assertCode(pf, 0, "tph export --format perfetto");
    const pfBytes = readFileSync(join(cwd, "t.pftrace"));
    const perfetto = await readPerfetto(pfBytes);
    assert.equal(perfetto.process, chrome.process);
    assert.deepEqual([...perfetto.threads].sort(), [...chrome.threads].sort());
    const byId = new Map(perfetto.calls.map((c) => [c.id, c]));
    assert.equal(byId.size, calls.length);
    for (const c of chrome.calls) {
      assert.deepEqual(byId.get(c.id), { ...c, track: chrome.threads.get(Number(c.track)) });
    }
    assert.ok(pfBytes.length < readFileSync(join(cache, chromeFile)).length, "smaller");
    // Arrows from a caller to each call that went on another track, the same in both.
    const byFlow = (f: { id: number }, g: { id: number }) => f.id - g.id;
    assert.deepEqual([...perfetto.flows].sort(byFlow), [...chrome.flows].sort(byFlow));
    const started = chrome.calls.filter((c) => c.parent !== undefined);
    assert.deepEqual(chrome.flows.map((f) => f.id).sort(), started.map((c) => c.id).sort());
    for (const f of chrome.flows) {
      const c = chrome.calls.find((x) => x.id === f.id)!;
      assert.equal(f.to, chrome.threads.get(Number(c.track)), "the arrow reaches the call's track");
      const caller = chrome.calls.find((x) => x.id === callers[f.id])!;
      assert.equal(f.from, chrome.threads.get(Number(caller.track)), "it leaves the caller's");
      assert.equal(f.ts, c.start);
    }

    // speedscope: valid by its schema; per profile, the same calls.
    const out = join(cwd, "trace.speedscope.json");
    const sp = await tph(t, ["export", "last", "--format", "speedscope", "-o", out], { cwd });
    assertCode(sp, 0, "tph export --format speedscope");
    assert.match(lines(sp.stderr).at(-1)!, /npx speedscope .*trace\.speedscope\.json$/);
    const speed = readSpeedscope(readFileSync(out, "utf8"));
    assert.equal(speed.profiles.reduce((n, p) => n + p.opens, 0), calls.length);
    assert.equal(speed.profiles.length, chrome.threads.size);
    assert.ok(speed.frames.some((f) => /^fetchUser \(main\.ts:5\)$/.test(f.name)), "file:line");
    const fibs = speed.profiles.flatMap((p) => p.slices).filter((s) => s.frame.startsWith("fib "));
    assert.equal(fibs.length, calls.filter((c) => c.name === "fib").length);

    // otlp: one span per call, parents from the tree, the error as status.
    const otlpRun = await tph(t, ["export", "last", "--format", "otlp", "-o", "t.otlp.json"], {
      cwd,
    });
    assertCode(otlpRun, 0, "tph export --format otlp");
    const otlp = readOtlpJson(readFileSync(join(cwd, "t.otlp.json"), "utf8"));
    assert.equal(otlp.service, "main.ts");
    assert.equal(otlp.spans.length, calls.length);
    // Spans in the run's stored order: the k-th is call k, its parent its caller's span.
    otlp.spans.forEach((s, k) => {
      const id = k + 1;
      const n = calls[id - 1];
      assert.equal(s.name, n.name);
      assert.equal(
        s.parentSpanId,
        callers[id] === 0 ? undefined : otlp.spans[callers[id] - 1].spanId,
      );
      for (const [k, v] of Object.entries(n.args)) assert.equal(s.attributes[`tph.arg.${k}`], v);
      if (n.exception !== undefined) {
        assert.deepEqual(s.status, { code: 2, message: n.exception });
      } else assert.equal(s.status, undefined);
      assert.equal(s.attributes["code.function.name"], n.name);
      assert.equal(s.attributes["code.line.number"], n.line);
      if (n.elapsed_ms !== null) assert.equal(s.end - s.start, BigInt(us(n.elapsed_ms)) * 1000n);
    });
    const start = BigInt(Date.parse(recorded.timestamp)) * 1_000_000n;
    assert.equal(otlp.spans[0].start, start + BigInt(us(calls[0].start_ms)) * 1000n);

    // json, to a file: the run's JSON as `tph run -o` wrote it; exports are not listed as runs.
    const json = await tph(t, ["export", "last", "--format", "json"], { cwd });
    assertCode(json, 0, "tph export --format json");
    const jsonFile = readdirSync(cache).find((f) => f.endsWith(".run.json"))!;
    assert.equal(
      readFileSync(join(cache, jsonFile), "utf8"),
      readFileSync(join(cwd, "run.json"), "utf8"),
    );
    const logs = await tph(t, ["logs"], { cwd });
    assertCode(logs, 0, "tph logs");
    assert.equal(logs.stderr, "", "no export is taken for a run");
    assert.equal(lines(logs.stdout).filter((l) => l.includes("main.ts")).length, 1);
  });

  Deno.test(`tph export --filter and --max-depth keep a part of the run (${t.name})`, async () => {
    await using dir = tempDir({ p: join(FIXTURES, "exports") });
    const cwd = join(dir.path, "p");
    assertCode(await tph(t, ["run", "-o", "run.json", "main.ts"], { cwd }), 0, "tph run");
    const recorded: RunJSON = JSON.parse(readFileSync(join(cwd, "run.json"), "utf8"));
    const calls = callsInOrder(recorded.trace);
    const filtered = await tph(
      t,
      ["export", "last", "-f", "chrome", "--filter", "fib", "-o", "-"],
      {
        cwd,
      },
    );
    assertCode(filtered, 0, "--filter fib");
    const kept = readChrome(filtered.stdout).calls;
    // The fib calls and the one call leading to them (main).
    assert.deepEqual(
      [...new Set(kept.map((c) => c.name))].sort(),
      ["fib", "main"],
    );
    assert.equal(
      kept.filter((c) => c.name === "fib").length,
      calls.filter((c) => c.name === "fib").length,
    );
    const top = await tph(t, ["export", "last", "-f", "otlp", "--max-depth", "1", "-o", "-"], {
      cwd,
    });
    assertCode(top, 0, "--max-depth 1");
    const spans = readOtlpJson(top.stdout).spans;
    assert.deepEqual(spans.map((s) => s.name), recorded.trace.map((n) => n.name));
    assert.equal(spans[0].attributes["tph.calls_below"], calls.length - recorded.trace.length);
    // A run in the JSON format (an older cache, a file from someone else) exports the same.
    const fromJson = await tph(t, ["export", "run.json", "-f", "chrome", "-o", "-"], { cwd });
    assertCode(fromJson, 0, "a JSON run as chrome");
    const fromRun = await tph(t, ["export", "last", "-f", "chrome", "-o", "-"], { cwd });
    const strip = (c: { track: string }) => ({ ...c, track: "" });
    assert.deepEqual(
      readChrome(fromJson.stdout).calls.map(strip),
      readChrome(fromRun.stdout).calls.map(strip),
    );
    const none = await tph(t, ["export", "last", "-f", "chrome", "--filter", "nothing-like-it"], {
      cwd,
    });
    assertCode(none, 1, "a filter matching nothing");
    assert.match(none.stderr, /No call in run "last" has a name containing "nothing-like-it"/);
  });

  Deno.test(`tph export: bad formats, options and paths are one line each (${t.name})`, async () => {
    await using dir = tempDir({ p: join(FIXTURES, "exports") });
    const cwd = join(dir.path, "p");
    assertCode(await tph(t, ["run", "main.ts"], { cwd }), 0, "tph run");
    const bad = await tph(t, ["export", "last", "--format", "pprof"], { cwd });
    assertCode(bad, 2, "--format pprof");
    assert.match(
      bad.stderr,
      /--format takes chrome, perfetto, speedscope, otlp, json, got "pprof"/,
    );
    const depth = await tph(t, ["export", "last", "-f", "json", "--max-depth", "2"], { cwd });
    assertCode(depth, 2, "json with --max-depth");
    const missing = await tph(t, ["export", "last", "-f", "chrome", "-o", "no/such/dir/t.json"], {
      cwd,
    });
    assertCode(missing, 1, "-o into a missing folder");
    assert.equal(lines(missing.stderr).length, 1, missing.stderr);
    assert.match(
      missing.stderr,
      /Cannot write "no\/such\/dir\/t\.json": its folder does not exist/,
    );
    assert.ok(!existsSync(join(cwd, "no")));
    // A file name that would drive the terminal is shown escaped.
    const odd = await tph(t, ["export", "last", "-f", "chrome", "-o", "a\u001b[2Jb.json"], { cwd });
    assertCode(odd, 0, "an odd file name");
    assert.ok(!odd.stderr.includes("\u001b"), "no ESC on stderr");
    assert.match(odd.stderr, /to a\\u001b\[2Jb\.json;/);
  });

  Deno.test(`tph run --export writes the export as the run ends (${t.name})`, async () => {
    await using dir = tempDir({ p: join(FIXTURES, "exports") });
    const cwd = join(dir.path, "p");
    const toFile = await tph(t, ["run", "--export", "chrome", "-o", "t.json", "main.ts"], { cwd });
    assertCode(toFile, 0, "tph run --export chrome -o t.json");
    assert.match(toFile.stdout, /^user1,user2,user3 0,1,2 8 5$/m, "the program's output");
    assert.match(
      lines(toFile.stderr).at(-1)!,
      /^tph: exported \d+ calls on \d+ tracks as chrome to t\.json; open https:\/\/ui\.perfetto\.dev/,
    );
    const chrome = readChrome(readFileSync(join(cwd, "t.json"), "utf8"));
    assert.equal(chrome.calls.length, chrome.other.call_count);
    // Beside the stored run, and gone with it when the cache is cleaned.
    const beside = await tph(t, ["run", "--export", "speedscope", "main.ts"], { cwd });
    assertCode(beside, 0, "tph run --export speedscope");
    const cache = join(cwd, ".tracepatch_cache");
    const exported = readdirSync(cache).filter((f) => f.endsWith(".speedscope.json"));
    assert.equal(exported.length, 1);
    readSpeedscope(readFileSync(join(cache, exported[0]), "utf8"));
    assertCode(await tph(t, ["clean", "--all"], { cwd }), 0, "tph clean --all");
    assert.deepEqual(readdirSync(cache).filter((f) => f.startsWith("run_")), []);
    // Checked before the program runs.
    const bad = await tph(t, ["run", "--export", "pprof", "main.ts"], { cwd });
    assertCode(bad, 2, "--export pprof");
    assert.equal(bad.stdout, "", "the program did not run");
    const unstored = await tph(t, ["run", "--no-cache", "--export", "otlp", "main.ts"], { cwd });
    assertCode(unstored, 2, "--export without -o and without a cache");
    assert.match(unstored.stderr, /--export needs -o FILE when the run is not stored/);
  });

  Deno.test(`tph export --otlp-endpoint sends the run to a collector (${t.name})`, async () => {
    await using dir = tempDir({ p: join(FIXTURES, "exports") });
    const cwd = join(dir.path, "p");
    assertCode(await tph(t, ["run", "-o", "run.json", "main.ts"], { cwd }), 0, "tph run");
    const recorded: RunJSON = JSON.parse(readFileSync(join(cwd, "run.json"), "utf8"));
    const calls = callsInOrder(recorded.trace);
    const callers = callersOf(recorded.trace);
    await using collector = await otlpListener();
    const sent = await tph(t, ["export", "last", "--otlp-endpoint", collector.url], { cwd });
    assertCode(sent, 0, "tph export --otlp-endpoint");
    assert.equal(
      lines(sent.stderr).at(-1),
      `tph: sent ${calls.length} spans in 1 request to ${collector.url}/v1/traces`,
    );
    assert.equal(collector.requests.length, 1);
    const req = collector.requests[0];
    assert.equal(req.path, "/v1/traces");
    assert.equal(req.type, "application/x-protobuf");
    // Decoded by the OpenTelemetry packages' own generated code.
    const decoded = decodeTraceRequest(req.body);
    const rs = decoded.resourceSpans;
    assert.equal(rs.length, 1);
    const service = rs[0].resource.attributes.find((a: Kv) => a.key === "service.name");
    assert.equal(service.value.stringValue, "main.ts");
    const spans = rs[0].scopeSpans[0].spans;
    assert.equal(spans.length, calls.length);
    const traceIds = new Set(spans.map((s: Decoded) => hexOf(s.traceId)));
    assert.equal(traceIds.size, 1);
    // Spans in the run's stored order: the k-th is call k, its parent its caller's span.
    for (const [k, s] of spans.entries()) {
      const id = k + 1;
      const n = calls[id - 1];
      assert.equal(s.name, n.name);
      assert.equal(
        s.parentSpanId?.length ? hexOf(s.parentSpanId) : undefined,
        callers[id] === 0 ? undefined : hexOf(spans[callers[id] - 1].spanId),
      );
      const attrs = Object.fromEntries(
        s.attributes.map((a: Kv) => [a.key, a.value.stringValue ?? a.value.intValue]),
      );
      for (const [k, v] of Object.entries(n.args)) assert.equal(attrs[`tph.arg.${k}`], v);
      assert.equal(attrs["code.line.number"], String(n.line), "int64 (as a string here)");
      if (n.exception !== undefined) {
        assert.equal(s.status.code, 2);
        assert.equal(s.status.message, n.exception);
      }
      const start = BigInt(s.startTimeUnixNano), end = BigInt(s.endTimeUnixNano);
      assert.equal(
        start,
        (BigInt(Date.parse(recorded.timestamp)) * 1000n + BigInt(us(n.start_ms))) * 1000n,
      );
      if (n.elapsed_ms !== null) assert.equal(end - start, BigInt(us(n.elapsed_ms)) * 1000n);
    }
    // A collector that refuses, and none at all: one line each, exit 1.
    collector.status = 400;
    const refused = await tph(t, ["export", "last", "--otlp-endpoint", collector.url], { cwd });
    assertCode(refused, 1, "a refusing collector");
    assert.equal(lines(refused.stderr).length, 1, refused.stderr);
    assert.match(refused.stderr, /\/v1\/traces refused the run: 400 Bad Request \(no thanks\)/);
    const closed = `http://127.0.0.1:${await closedPort()}`;
    const unreachable = await tph(t, ["export", "last", "--otlp-endpoint", closed], { cwd });
    assertCode(unreachable, 1, "no collector");
    assert.equal(lines(unreachable.stderr).length, 1, unreachable.stderr);
    assert.match(
      unreachable.stderr,
      /^tph: Cannot send the run to http:\/\/127\.0\.0\.1:\d+\/v1\/traces: /,
    );
    const bad = await tph(t, ["export", "last", "--otlp-endpoint", "ftp://x"], { cwd });
    assertCode(bad, 2, "not an http URL");
    assert.match(bad.stderr, /--otlp-endpoint takes an http\(s\) URL, got "ftp:\/\/x"/);
  });
  Deno.test(`tph export --otlp-endpoint: credentials sent as a header, never printed (${t.name})`, async () => {
    await using dir = tempDir({ p: join(FIXTURES, "exports") });
    const cwd = join(dir.path, "p");
    assertCode(await tph(t, ["run", "main.ts"], { cwd }), 0, "tph run");
    await using collector = await otlpListener();
    const host = collector.url.slice("http://".length);
    // A password with an @ and a %, URL-encoded as a URL holds it.
    const withCredentials = `http://alice:s3cr%40t%25@${host}`;
    const secret = /alice|s3cr/;
    const sent = await tph(t, ["export", "last", "--otlp-endpoint", withCredentials], { cwd });
    assertCode(sent, 0, "credentials in the URL");
    assert.doesNotMatch(sent.stderr, secret);
    assert.match(lines(sent.stderr).at(-1)!, new RegExp(` to ${collector.url}/v1/traces$`));
    const basic = (user: string, password: string) =>
      "Basic " + Buffer.from(`${user}:${password}`).toString("base64");
    assert.equal(collector.requests.at(-1)!.headers.authorization, basic("alice", "s3cr@t%"));
    // Refused, unreachable, or not a URL at all: the line names the place, not the credentials.
    collector.status = 401;
    const refused = await tph(t, ["export", "last", "--otlp-endpoint", withCredentials], { cwd });
    assertCode(refused, 1, "a refusing collector");
    assert.match(
      refused.stderr,
      /^tph: http:\/\/127\.0\.0\.1:\d+\/v1\/traces refused the run: 401/,
    );
    assert.doesNotMatch(refused.stderr, secret);
    const closed = `http://alice:s3cr%40t%25@127.0.0.1:${await closedPort()}`;
    const unreachable = await tph(t, ["export", "last", "--otlp-endpoint", closed], { cwd });
    assertCode(unreachable, 1, "no collector");
    assert.match(
      unreachable.stderr,
      /^tph: Cannot send the run to http:\/\/127\.0\.0\.1:\d+\/v1\/traces: /,
    );
    assert.doesNotMatch(unreachable.stderr, secret);
    const notUrl = await tph(t, ["export", "last", "--otlp-endpoint", "ftp://alice:s3cr@x"], {
      cwd,
    });
    assertCode(notUrl, 2, "not an http URL");
    assert.match(notUrl.stderr, /--otlp-endpoint takes an http\(s\) URL, got "ftp:\/\/\*\*\*@x"/);
    assert.doesNotMatch(notUrl.stderr, secret);
    collector.status = 200;

    // OpenTelemetry's variables: the secrets stay off the command line.
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: `${collector.url}/base/`,
      OTEL_EXPORTER_OTLP_HEADERS: "api-key=k%2Cey%3D1, x-team = blue",
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: "X-Team=red",
    };
    const fromEnv = await tph(t, ["export", "last", "--otlp"], { cwd, env });
    assertCode(fromEnv, 0, "tph export --otlp");
    let req = collector.requests.at(-1)!;
    assert.equal(req.path, "/base/v1/traces", "OTEL_EXPORTER_OTLP_ENDPOINT is a base URL");
    assert.equal(req.headers["api-key"], "k,ey=1");
    assert.equal(req.headers["x-team"], "red", "the traces' own variable wins");
    assert.equal(req.type, "application/x-protobuf");
    assert.doesNotMatch(fromEnv.stderr, /k,ey|k%2Cey/);
    const traces = await tph(t, ["export", "last", "--otlp"], {
      cwd,
      env: { ...env, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${collector.url}/custom` },
    });
    assertCode(traces, 0, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
    assert.equal(collector.requests.at(-1)!.path, "/custom", "used as it is");
    const cli = await tph(t, ["export", "last", "--otlp-endpoint", `${collector.url}/cli`], {
      cwd,
      env,
    });
    assertCode(cli, 0, "--otlp-endpoint and the variables");
    req = collector.requests.at(-1)!;
    assert.equal(req.path, "/cli/v1/traces", "the command line wins");
    assert.equal(req.headers["api-key"], "k,ey=1", "the headers still apply");
    // A malformed list: one line naming the variable, never its text.
    const bad = await tph(t, ["export", "last", "--otlp"], {
      cwd,
      env: { OTEL_EXPORTER_OTLP_HEADERS: "Bearer hunter2" },
    });
    assertCode(bad, 2, "a header list that is not k=v");
    assert.match(bad.stderr, /entry 1 of OTEL_EXPORTER_OTLP_HEADERS is not a header/);
    assert.doesNotMatch(bad.stderr, /hunter2/);
  });

  Deno.test(`tph export --otlp-endpoint: a refusal's body is read only as far as it is shown (${t.name})`, async () => {
    await using dir = tempDir({ p: join(FIXTURES, "exports") });
    const cwd = join(dir.path, "p");
    assertCode(await tph(t, ["run", "main.ts"], { cwd }), 0, "tph run");
    await using collector = await otlpListener();
    collector.status = 500;
    collector.endless = true;
    const refused = await tph(t, ["export", "last", "--otlp-endpoint", collector.url], { cwd });
    assertCode(refused, 1, "a collector answering 500 with an endless body");
    assert.equal(lines(refused.stderr).length, 1, refused.stderr);
    assert.match(refused.stderr, /refused the run: 500 Internal Server Error \(overloaded\)$/m);
    // Sockets and the runtime buffer some; reading the whole body would take all 128 MiB.
    const streamed = await collector.streamed!;
    assert.ok(streamed < 16 << 20, `${streamed} bytes went out before tph stopped reading`);
  });

  Deno.test(`tph export: calls still open when the program exited (${t.name})`, async () => {
    await using dir = tempDir();
    const cwd = dir.path;
    writeFileSync(join(cwd, "package.json"), '{ "type": "module" }\n');
    writeFileSync(
      join(cwd, "exit.ts"),
      [
        "import process from 'node:process';",
        "function inner(code: number): void {",
        "  console.log('bye');",
        "  process.exit(code);",
        "}",
        "function outer(): void {",
        "  inner(3);",
        "}",
        "outer();",
        "",
      ].join("\n"),
    );
    const run = await tph(t, ["run", "exit.ts"], { cwd });
    assertCode(run, 3, "the program's exit code");
    for (const format of ["chrome", "perfetto", "speedscope"] as const) {
      const r = await tph(t, ["export", "last", "--format", format, "-o", `t.${format}`], { cwd });
      assertCode(r, 0, `--format ${format}`);
    }
    const chrome = readChrome(readFileSync(join(cwd, "t.chrome"), "utf8"));
    const open = chrome.calls.filter((c) => c.returned === undefined && c.error === undefined);
    assert.deepEqual(open.map((c) => c.name).sort(), ["inner", "outer", "process.exit"].sort());
    const perfetto = await readPerfetto(readFileSync(join(cwd, "t.perfetto")));
    assert.equal(perfetto.calls.length, chrome.calls.length);
    const speed = readSpeedscope(readFileSync(join(cwd, "t.speedscope"), "utf8"));
    assert.equal(speed.profiles.reduce((n, p) => n + p.opens, 0), chrome.calls.length);
  });
  Deno.test(`tph view --html writes one page, beside the run or to -o (${t.name})`, async () => {
    await using dir = tempDir({ p: join(FIXTURES, "exports") });
    const cwd = join(dir.path, "p");
    assertCode(await tph(t, ["run", "-o", "run.json", "main.ts"], { cwd }), 0, "tph run");
    const recorded: RunJSON = JSON.parse(readFileSync(join(cwd, "run.json"), "utf8"));
    const page = await tph(t, ["view", "last", "--html"], { cwd });
    assertCode(page, 0, "tph view --html");
    const cache = join(cwd, ".tracepatch_cache");
    const file = readdirSync(cache).find((f) => f.endsWith(".html"));
    assert.ok(file, "beside the run");
    assert.match(lines(page.stderr).at(-1)!, /^tph: open it in a browser: file:\/\/.*\.html$/);
    const html = readFileSync(join(cache, file), "utf8");
    const data = /<script type="application\/json" id="tph-data">([^]*?)<\/script>/.exec(html);
    assert.ok(data, "the run's data block");
    assert.ok(!data[1].includes("<"), "no < in the data block");
    const run = JSON.parse(data[1]);
    assert.equal(run.calls.length, callsInOrder(recorded.trace).length);
    assert.equal(run.meta.call_count, recorded.call_count);
    // --open: the system's opener, given the page's address.
    const bin = join(dir.path, "bin");
    mkdirSync(bin);
    const opened = join(dir.path, "opened.txt");
    writeFileSync(join(bin, "xdg-open"), `#!/bin/sh\necho "$@" > ${opened}\n`, { mode: 0o755 });
    const open = await tph(t, ["view", "last", "--html", "-o", "p.html", "--open"], {
      cwd,
      env: { PATH: `${bin}:${Deno.env.get("PATH")}` },
    });
    assertCode(open, 0, "tph view --html --open");
    await waitForFile(opened);
    assert.equal(readFileSync(opened, "utf8").trim(), `file://${join(cwd, "p.html")}`);
    const usage = await tph(t, ["view", "last", "--open"], { cwd });
    assertCode(usage, 2, "--open without --html");
    assert.match(usage.stderr, /--open goes with --html/);
  });
}

// deno-lint-ignore no-explicit-any
type Decoded = any;
type Kv = { key: string; value: Decoded };

const hexOf = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");

/** ExportTraceServiceRequest as @opentelemetry/otlp-transformer's generated code decodes it. */
function decodeTraceRequest(body: Uint8Array): Decoded {
  const require = createRequire(import.meta.url);
  const root = require(
    "../../../node_modules/@opentelemetry/otlp-transformer/build/src/generated/root.js",
  );
  const Request = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
  return Request.toObject(Request.decode(body), { longs: String });
}

/** What the receiver was sent. */
interface Received {
  path: string;
  type: string;
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array;
}

/**
 * A local OTLP/HTTP receiver on 127.0.0.1: what it was sent, and the status it answers. With
 * `endless`, a refusal's body is a line and then 64 KiB chunks for as long as the client reads
 * (up to 128 MiB); `streamed` says how many bytes went out.
 */
async function otlpListener(): Promise<
  AsyncDisposable & {
    url: string;
    status: number;
    endless: boolean;
    streamed: Promise<number> | null;
    requests: Received[];
  }
> {
  const requests: Received[] = [];
  const state = {
    status: 200,
    endless: false,
    streamed: null as Promise<number> | null,
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      requests.push({
        path: req.url ?? "",
        type: String(req.headers["content-type"]),
        headers: req.headers,
        body: new Uint8Array(Buffer.concat(chunks)),
      });
      res.writeHead(state.status, { "Content-Type": "text/plain" });
      if (state.status === 200 || !state.endless) {
        res.end(state.status === 200 ? "" : "no thanks\n");
        return;
      }
      state.streamed = new Promise<number>((resolve) => {
        const chunk = Buffer.alloc(64 << 10, "x");
        let sent = 0;
        let closed = false;
        res.on("close", () => {
          closed = true;
          resolve(sent);
        });
        res.on("error", () => {});
        const pump = () => {
          while (!closed && sent < 128 << 20) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once("drain", pump);
          }
          if (!closed) res.end();
        };
        res.write("overloaded\n");
        pump();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    get status() {
      return state.status;
    },
    set status(v: number) {
      state.status = v;
    },
    get endless() {
      return state.endless;
    },
    set endless(v: boolean) {
      state.endless = v;
    },
    get streamed() {
      return state.streamed;
    },
    requests,
    [Symbol.asyncDispose]: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port on 127.0.0.1 that nothing listens on (just closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
