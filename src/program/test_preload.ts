// Loaded with `deno test --preload` by `tph test`, before the test modules: preload.ts, and then
// the wait until each test that registers runs as a block of its own (tests/deno_tests.ts).
import { setupChild, testsInstalled } from "./child.ts";

// A file URL's path, as the CLI gave it to the runtime (command.ts), and the run's settings file
// its URL names: deno test loads this in the worker of each test module (withTestPlan).
const url = new URL(import.meta.url);
setupChild([decodeURIComponent(url.pathname), url.href], url.searchParams.get("plan"));
await testsInstalled();
