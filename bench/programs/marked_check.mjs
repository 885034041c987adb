// bench/register_cost.ts checks with this that marked is instrumented under the register entry
// (else its figure would measure nothing): a trace() block around one render records calls.
import { marked } from "marked";
import { trace } from "../../lib/mod.js";

const t = trace.run(() => marked.parse("# Title\n\nSome *text*.\n"));
console.log(JSON.stringify({ calls: t.callCount }));
