// Instrumentation throughput on a few MB of real TypeScript and JavaScript (pinned
// devDependencies: zod and rxjs ship their .ts sources; their builds and oxc-parser's are the
// JS).
//
// Every figure comes from a fresh process of the same runtime, so "cold" includes the first parse
// (JIT warm-up, oxc's lazy setup):
//   - instrument(): the first full pass over the corpus, then the best of 3 more passes;
//   - transform() with an empty temp cache (fills it), then again in a new process (reads it).
// Requirements: ≥ 10 MB/s cold (first pass) on Bun and Deno; cached re-run ≥ 10× faster than
// the cold first pass. MB = 10^6 bytes.
//
//   deno run -A bench/instrument_throughput.ts     bun bench/instrument_throughput.ts
//   (internal: --child instrument|parse|transform --lang ts|js [--cache DIR])

import process from "node:process";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { best, corpus, num, record, RT, selfCommand, type SourceFile, verdict } from "./_common.ts";

const COLD_MIN_MBS = 10;
const CACHED_MIN_RATIO = 10;
const BENCH = "instrument_throughput";

type Lang = "ts" | "js";

interface InstrumentReport {
  files: number;
  bytes: number;
  errors: number;
  errorBytes: number;
  importMs: number;
  firstMs: number;
  passesMs: number[];
  outBytes: number;
}

interface ParseReport {
  firstMs: number;
  passesMs: number[];
}

interface TransformReport {
  files: number;
  bytes: number;
  importMs: number;
  ms: number;
  digest: string;
}

const mbs = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);

async function childInstrument(lang: Lang): Promise<InstrumentReport> {
  const t0 = performance.now();
  const { instrument } = await import("../src/program/instrument/instrument.ts");
  // Loading the parser package is counted with the import, as before it was loaded lazily; its
  // own lazy parts (the AST deserializer) load in the first pass.
  (await import("../src/deps.ts")).oxc();
  const importMs = performance.now() - t0;
  const files = corpus(lang);
  let errors = 0, errorBytes = 0, outBytes = 0;
  const pass = (first: boolean) => {
    const s = performance.now();
    for (const f of files) {
      const r = instrument(f.text, { filename: f.path, lang });
      if (first) {
        outBytes += r.code.length;
        if (r.error !== null) {
          errors++;
          errorBytes += f.bytes;
        }
      }
    }
    return performance.now() - s;
  };
  const firstMs = pass(true);
  const passesMs = [pass(false), pass(false), pass(false)];
  return {
    files: files.length,
    bytes: total(files),
    errors,
    errorBytes,
    importMs,
    firstMs,
    passesMs,
    outBytes,
  };
}

/** oxc's parse alone (AST materialised), with the options instrument() uses: where time goes. */
async function childParse(lang: Lang): Promise<ParseReport> {
  const { oxc } = await import("../src/deps.ts");
  let raw = false;
  try {
    raw = oxc().rawTransferSupported();
  } catch {
    raw = false;
  }
  const files = corpus(lang);
  let nodes = 0;
  const pass = () => {
    const s = performance.now();
    for (const f of files) {
      const ext = /\.([a-z]+)$/.exec(f.path)?.[1];
      const sourceType = ext === "cjs" || ext === "cts"
        ? "commonjs"
        : ext === "mjs" || ext === "mts"
        ? "module"
        : "unambiguous";
      // deno-lint-ignore no-explicit-any
      const options: any = { lang, sourceType, preserveParens: true };
      if (raw) options.experimentalRawTransfer = true;
      const r = oxc().parseSync(f.path, f.text, options);
      if (r.errors.length === 0) nodes += r.program.body.length;
    }
    return performance.now() - s;
  };
  const firstMs = pass();
  const passesMs = [pass(), pass(), pass()];
  if (nodes < 0) console.log(nodes); // keep the AST reads
  return { firstMs, passesMs };
}

async function childTransform(lang: Lang, cacheDir: string): Promise<TransformReport> {
  const t0 = performance.now();
  const { transform } = await import("../src/program/loader/transform.ts");
  const importMs = performance.now() - t0;
  const files = corpus(lang);
  const out: string[] = new Array(files.length);
  const s = performance.now();
  for (let i = 0; i < files.length; i++) {
    const f = files[i];
    out[i] = transform(f.text, { filename: f.path, lang, module: f.path, cacheDir });
  }
  const ms = performance.now() - s;
  const h = createHash("sha256");
  for (const code of out) h.update(code);
  return { files: files.length, bytes: total(files), importMs, ms, digest: h.digest("hex") };
}

function total(files: SourceFile[]): number {
  let n = 0;
  for (const f of files) n += f.bytes;
  return n;
}

const SELF = fileURLToPath(import.meta.url);

function runChild<T>(args: string[]): T {
  const [cmd, ...rest] = selfCommand(SELF, args);
  const r = spawnSync(cmd, rest, {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: "1", TPH_BENCH_RESULTS: "" },
  });
  const line = r.stdout?.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new Error(`child ${args.join(" ")} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
}

function main(): number {
  let failed = 0;
  const check = (metric: string, value: number, unit: string, req: string, pass: boolean) => {
    record({ bench: BENCH, metric, value, unit, req, pass });
    if (!pass) failed++;
    return verdict(pass, req);
  };
  for (const lang of ["ts", "js"] as const) {
    const ir = runChild<InstrumentReport>(["--child", "instrument", "--lang", lang]);
    const mb = ir.bytes / 1e6;
    const tag = `${RT} ${lang} `;
    console.log(
      `${tag} corpus: ${ir.files} files, ${num(mb, 2)} MB` +
        (ir.errors > 0
          ? ` (${ir.errors} files, ${num(ir.errorBytes / 1e6, 2)} MB, did not parse)`
          : ", all parse") +
        `; output ${num(ir.outBytes / 1e6, 2)} MB`,
    );
    console.log(`${tag} import of the instrumenter (loads oxc): ${num(ir.importMs, 0)} ms`);
    const cold = mbs(ir.bytes, ir.firstMs);
    console.log(
      `${tag} cold first pass:      ${num(ir.firstMs, 0, 5)} ms = ${num(cold, 1, 5)} MB/s ` +
        check(`${lang} cold first pass`, cold, "MB/s", `≥${COLD_MIN_MBS}`, cold >= COLD_MIN_MBS),
    );
    const warm = mbs(ir.bytes, best(ir.passesMs));
    console.log(
      `${tag} best of 3 more passes:${num(best(ir.passesMs), 0, 5)} ms = ${num(warm, 1, 5)} MB/s ` +
        check(`${lang} best-of-3 pass`, warm, "MB/s", `≥${COLD_MIN_MBS}`, warm >= COLD_MIN_MBS),
    );
    const pr = runChild<ParseReport>(["--child", "parse", "--lang", lang]);
    const parseMs = best(pr.passesMs);
    console.log(
      `${tag}   of which oxc parse: cold ${num(pr.firstMs, 0)} ms (${
        num((100 * pr.firstMs) / ir.firstMs, 0)
      }%), warm ${num(parseMs, 0)} ms (${num((100 * parseMs) / best(ir.passesMs), 0)}%); ` +
        `the rest is the walk and the edits`,
    );

    const cacheDir = mkdtempSync(join(tmpdir(), "tph-bench-cache-"));
    try {
      // The same run twice: the first fills the cache, the second reads it.
      const argv = ["--child", "transform", "--lang", lang, "--cache", cacheDir];
      const fill = runChild<TransformReport>(argv);
      const hit = runChild<TransformReport>(argv);
      const fillMbs = mbs(fill.bytes, fill.ms);
      const hitMbs = mbs(hit.bytes, hit.ms);
      console.log(
        `${tag} transform(), empty cache (fresh process, fills it): ${num(fill.ms, 0, 5)} ms = ${
          num(fillMbs, 1, 6)
        } MB/s`,
      );
      console.log(
        `${tag} transform(), cached re-run (fresh process):        ${num(hit.ms, 0, 5)} ms = ${
          num(hitMbs, 1, 6)
        } MB/s; import ${num(hit.importMs, 0)} ms` +
          (hit.digest === fill.digest ? "" : "  OUTPUT DIFFERS FROM THE FILL PASS"),
      );
      const ratio = hitMbs / cold;
      console.log(
        `${tag} cached / cold first pass: x${num(ratio, 1)} ` +
          check(
            `${lang} cached/cold`,
            ratio,
            "x",
            `≥${CACHED_MIN_RATIO}x`,
            ratio >= CACHED_MIN_RATIO && hit.digest === fill.digest,
          ),
      );
      record({ bench: BENCH, metric: `${lang} cached re-run`, value: hitMbs, unit: "MB/s" });
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  }
  return failed;
}

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    child: { type: "string" },
    lang: { type: "string", default: "ts" },
    cache: { type: "string" },
  },
});
const lang = values.lang === "js" ? "js" : "ts";
if (values.child === "instrument") {
  console.log(JSON.stringify(await childInstrument(lang)));
} else if (values.child === "parse") {
  console.log(JSON.stringify(await childParse(lang)));
} else if (values.child === "transform") {
  console.log(JSON.stringify(await childTransform(lang, values.cache!)));
} else {
  process.exitCode = main() > 0 ? 1 : 0;
}
