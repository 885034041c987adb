// bench/register_cost.ts checks with this that marked is instrumented under the register entry
// (else its figure would measure nothing): a trace() block around one render records calls.
// The library is the package's lib/, which the benchmark builds: imported by a computed URL, so
// that type checks of a checkout without lib/ do not look for it.
import { marked } from "marked";

const { trace } = await import(new URL("../../lib/mod.js", import.meta.url).href);
const t = trace.run(() => marked.parse("# Title\n\nSome *text*.\n"));
console.log(JSON.stringify({ calls: t.callCount }));
