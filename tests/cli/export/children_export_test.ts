// The exports of a run with the processes and workers it started (issue 48): a followed worker is
// a thread of its parent's process, a followed process a process of its own named by its command
// and pid; each one's main track names the call that started it, an arrow leaves that call when
// the child started for the child's first call; in OTLP a worker shares its process's
// `process.pid` with a `thread.id` and `thread.name` on its spans, and each child's roots are
// under the span of the call that started it, in its parent's trace.

import assert from "node:assert/strict";
import { CHILD, family, PARENT } from "../../_family_runs.ts";
import { writeChrome } from "../../../src/cli/export/chrome.ts";
import { writePerfetto } from "../../../src/cli/export/perfetto.ts";
import { writeOtlpJson } from "../../../src/cli/export/otlp.ts";
import type { ByteSink } from "../../../src/run_file/json_sink.ts";
import { writeSpeedscope } from "../../../src/cli/export/speedscope.ts";
import { writeHtml } from "../../../src/cli/html/write_html.ts";
import { openRun } from "../../../src/run_file/decode.ts";
import { workerName } from "../../../src/cli/export/family.ts";
import { decodePerfetto, readSpeedscope } from "../../_export_readers.ts";
import { join } from "node:path";

function sink(): ByteSink & { bytes(): Uint8Array; text(): string } {
  const chunks: Uint8Array[] = [];
  const bytes = () => {
    const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) all.set(c, at), at += c.length;
    return all;
  };
  return {
    write: (b, n) => void chunks.push(b.slice(0, n)),
    bytes,
    text: () => new TextDecoder().decode(bytes()),
  };
}

// deno-lint-ignore no-explicit-any
type Any = any;

Deno.test("chrome export: a worker is a thread of its parent's process, a child process a process", () => {
  using runs = family();
  const out = sink();
  writeChrome(runs.files, out, {});
  const events: Any[] = JSON.parse(out.text()).traceEvents;
  const processes = events.filter((e) => e.name === "process_name");
  assert.deepEqual(
    processes.map((e) => [e.pid, e.args.name]),
    [[1, "tph: main.js"], [2, "tph: child.js fork (pid 4343)"]],
  );
  const threadName = (pid: number, tid: number) =>
    events.find((e) => e.name === "thread_name" && e.pid === pid && e.tid === tid)?.args.name;
  const slice = (name: string) => events.find((e) => e.ph === "X" && e.name === name);
  // The worker's calls: in the program's process, on a thread of their own named by the call
  // that started it (runJob: `new Worker` is an external call of its).
  const work = slice("work"), step = slice("step"), main = slice("main");
  assert.equal(work.pid, 1);
  assert.notEqual(work.tid, main.tid);
  assert.equal(step.tid, work.tid);
  assert.equal(threadName(1, work.tid), "worker 1 (started by runJob)");
  assert.equal(threadName(1, main.tid), "main: main.js");
  // Its calls at their own time: the worker's run started 12 ms after the program's.
  assert.equal(work.ts, 13_000);
  const triple = slice("triple");
  assert.equal(triple.pid, 2);
  assert.equal(threadName(2, triple.tid), "main: child.js fork (started by forkJob)");
  assert.equal(triple.ts, 42_000);
  // Arrows: from the call that started each, when it started, to the child's first call.
  const flows = events.filter((e) => e.cat === "child");
  const ends = (ph: string) => flows.filter((e) => e.ph === ph);
  assert.equal(ends("s").length, 2);
  const [toWorker, toChild] = ends("s");
  assert.deepEqual([toWorker.pid, toWorker.tid, toWorker.ts], [1, main.tid, 11_500]);
  assert.deepEqual([toChild.pid, toChild.ts], [1, 31_000]);
  const arrive = (id: number) => ends("f").find((e) => e.id === id);
  assert.deepEqual([arrive(toWorker.id).pid, arrive(toWorker.id).tid], [1, work.tid]);
  assert.equal(arrive(toWorker.id).ts, work.ts);
  assert.deepEqual([arrive(toChild.id).pid, arrive(toChild.id).ts], [2, triple.ts]);
});

Deno.test("perfetto export: a worker's tracks are threads of its parent's process", async () => {
  using runs = family();
  const out = sink();
  await writePerfetto(runs.files, out, {});
  const packets: Any[] = await decodePerfetto(out.bytes());
  const descriptors = packets.filter((p) => p.track_descriptor !== undefined)
    .map((p) => ({ seq: p.trusted_packet_sequence_id, ...p.track_descriptor }));
  const processes = descriptors.filter((d) => d.process !== undefined);
  assert.deepEqual(
    processes.map((d) => [d.seq, d.process.pid, d.process.process_name]),
    [[1, 1, "tph: main.js"], [3, 2, "tph: child.js fork (pid 4343)"]],
  );
  const threads = (seq: number) => descriptors.filter((d) => d.seq === seq && d.thread);
  // Every sequence clears its state first (the worker's: with its main thread).
  for (const seq of [1, 2, 3]) {
    const first = packets.find((p) => p.trusted_packet_sequence_id === seq);
    assert.equal(first.sequence_flags, 1, `sequence ${seq} starts cleared`);
  }
  const [programMain] = threads(1);
  const [workerMain] = threads(2);
  const [childMain] = threads(3);
  assert.equal(programMain.thread.thread_name, "main: main.js");
  assert.equal(workerMain.thread.thread_name, "worker 1 (started by runJob)");
  assert.equal(childMain.thread.thread_name, "main: child.js fork (started by forkJob)");
  // The worker's thread: in the program's process (its pid, under its process track).
  assert.equal(workerMain.thread.pid, 1);
  assert.equal(workerMain.parent_uuid, processes[0].uuid);
  assert.notEqual(workerMain.thread.tid, programMain.thread.tid);
  assert.equal(childMain.thread.pid, 2);
  assert.equal(childMain.parent_uuid, processes[1].uuid);
  assert.equal(threads(2).length, 1, "the worker's run is no process of its own");
  // Arrows: an instant in the program's sequence when each child started, flowing into the
  // child's first call.
  const starts = packets.filter((p) =>
    p.track_event?.flow_ids?.length > 0 && p.track_event.type === 3
  );
  assert.deepEqual(
    starts.map((p) => [p.trusted_packet_sequence_id, p.ns]),
    [[1, 11_500_000], [1, 31_000_000]],
  );
  for (const [k, seq] of [[0, 2], [1, 3]]) {
    const id = starts[k].track_event.flow_ids[0];
    const end = packets.find((p) => p.track_event?.terminating_flow_ids?.includes(id));
    assert.equal(end?.trusted_packet_sequence_id, seq);
    assert.equal(end.track_event.type, 1, "the child's first call begins there");
  }
});

Deno.test("otlp export: a worker shares its process's pid, with its thread on its spans", () => {
  using runs = family();
  const out = sink();
  writeOtlpJson(runs.files, out, {});
  const doc = JSON.parse(out.text());
  const attrs = (list: Any[]) =>
    Object.fromEntries(list.map((a: Any) => {
      const [kind, v] = Object.entries(a.value)[0];
      return [a.key, kind === "intValue" ? Number(v) : v];
    }));
  const [program, worker, child] = doc.resourceSpans.map((rs: Any) => ({
    resource: attrs(rs.resource.attributes),
    spans: rs.scopeSpans[0].spans.map((s: Any) => ({ ...s, attributes: attrs(s.attributes) })),
  }));
  // The program's pid is the one its worker runs in.
  assert.equal(program.resource["process.pid"], 4242);
  assert.equal(worker.resource["process.pid"], 4242);
  assert.equal(child.resource["process.pid"], 4343);
  assert.equal(child.resource["process.parent_pid"], 4242);
  assert.equal(program.resource["process.parent_pid"], undefined);
  for (const s of worker.spans) {
    assert.equal(s.attributes["thread.id"], 1);
    assert.equal(s.attributes["thread.name"], "worker 1 (started by runJob)");
  }
  for (const s of [...program.spans, ...child.spans]) {
    assert.equal(s.attributes["thread.id"], undefined);
  }
  // Each child's root is under the span of the call that started it, in the program's trace.
  const span = (name: string) => program.spans.find((s: Any) => s.name === name);
  assert.equal(worker.spans[0].parentSpanId, span("Worker").spanId);
  assert.equal(child.spans[0].parentSpanId, span("fork").spanId);
  for (const s of [...worker.spans, ...child.spans]) assert.equal(s.traceId, span("main").traceId);
});

Deno.test("speedscope export: a profile per track of each run, named as the other exports name them", () => {
  using runs = family();
  const out = sink();
  writeSpeedscope(runs.files, out, {}, join(runs.dir, "spill.tmp"));
  const { profiles } = readSpeedscope(out.text());
  assert.deepEqual(profiles.map((p) => p.name), [
    "main: main.js",
    "worker 1 (started by runJob)",
    "main: child.js fork (started by forkJob)",
  ]);
  assert.deepEqual(profiles.map((p) => p.slices.map((s) => s.frame.replace(/ \(.*/, ""))), [
    ["Worker", "runJob", "fork", "forkJob", "main"],
    ["step", "work"],
    ["triple"],
  ]);
  // One clock: the worker's run started 12 ms after the program's.
  assert.equal(profiles[1].slices[1].start, 13_000);
});

Deno.test("a worker is named by its thread id, else by its script (a Deno web worker has none)", () => {
  assert.equal(workerName(3, ["/p/worker.js"]), "worker 3");
  assert.equal(workerName(null, ["file:///p/web.js?tph=1"]), "worker web.js");
  assert.equal(workerName(null, undefined), "worker");
});

Deno.test("exports and the page of runs whose links are damaged: what is sound is drawn", async () => {
  // A worker's entry with a start past any time, a pid that is no number, a child entry that is
  // no object; a child whose parent is null.
  using runs = family((id, run) => {
    if (id === PARENT) {
      run.children[0].start_ms = 1e400;
      run.children[0].pid = "4242";
      run.children[0].call = -3;
      run.children.push(null, 5);
    }
    if (id === CHILD) run.parent = null;
  });
  const chrome = sink();
  writeChrome(runs.files, chrome, {});
  const events: Any[] = JSON.parse(chrome.text()).traceEvents;
  assert.ok(events.every((e) => e.ph === "M" || Number.isFinite(e.ts)));
  // The child without a parent is a process of its own, named as a program's run.
  assert.deepEqual(
    events.filter((e) => e.name === "process_name").map((e) => e.args.name),
    ["tph: main.js", "tph: child.js fork"],
  );
  const otlp = sink();
  writeOtlpJson(runs.files, otlp, {});
  const resources = JSON.parse(otlp.text()).resourceSpans.map((rs: Any) =>
    rs.resource.attributes.find((a: Any) => a.key === "process.pid")?.value.intValue
  );
  // The worker's own pid stands; the program's, from a damaged entry, is not known.
  assert.deepEqual(resources, [undefined, "4242", undefined]);
  const perfetto = sink();
  await writePerfetto(runs.files, perfetto, {});
  assert.ok((await decodePerfetto(perfetto.bytes())).length > 0);
  const speedscope = sink();
  writeSpeedscope(runs.files, speedscope, {}, join(runs.dir, "spill.tmp"));
  readSpeedscope(speedscope.text());
  // The page: the worker, whose call is not known, at the top after the program's calls.
  const page = sink();
  writeHtml(runs.files[0], page, {
    openChild: (id) => openRun(join(runs.dir, `run_${id}.json`)),
  });
  const block = page.text().match(/id="tph-data">([^]*?)<\/script>/)![1];
  const data = JSON.parse(block);
  assert.ok(data.calls.every((c: Any) => Number.isFinite(c[2]) && Number.isFinite(c[3])));
  assert.deepEqual(
    data.calls.map((c: Any) => `${c[1]} ${data.frames[c[0]][0]}`).slice(-3),
    ["0 worker 1", "1 work", "2 step"],
  );
});
