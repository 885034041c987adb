// Run under Bun by ftl_test.ts with BUN_JSC_reportCompileTimes=1: starts a trace recording up to
// argv[2] calls, then runs one of tph's recorder functions (tape.ts's valueAt, kept out of line)
// hot enough for JavaScriptCore's FTL tier; the test reads whether FTL compiled it.
import { noInline } from "bun:jsc";
import process from "node:process";
import { runtime } from "../../../src/program/recorder/recorder.ts";
import { Tape, valueAt } from "../../../src/program/recorder/tape.ts";

noInline(valueAt);
runtime().startTrace({ maxCalls: Number(process.argv[2]) });
const tp = new Tape(0);
const col = [new Int32Array([2, 3, 4])];
let sum = 0;
for (let i = 0; i < 3_000_000; i++) sum += valueAt(tp, col, i & 1) as number;
console.log("SUM " + sum);
