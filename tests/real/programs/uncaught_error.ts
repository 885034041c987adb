// Ends with an uncaught error that has a cause, thrown from a class with an explicit
// constructor: the exit code and stderr must be what the runtime prints without tph.
class WrapError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "WrapError";
  }
}

function parseConfig(text: string): unknown {
  const value = JSON.parse(text);
  return value;
}

function load(text: string): unknown {
  try {
    const config = parseConfig(text);
    return config;
  } catch (e) {
    const wrapped = new WrapError("could not load the configuration", { cause: e });
    throw wrapped;
  }
}

function main(): void {
  console.log("loaded:", JSON.stringify(load('{"ok": true}')));
  console.log("uncaught_error about to fail");
  load("{ not json");
}

main();
