// commander 14 (a "type": "commonjs" package whose exports map sends import to esm.mjs, which
// imports the CommonJS index.js): a command-line argument parser.
import { Command, InvalidArgumentError, Option } from "commander";

function parsePort(value) {
  const n = Number.parseInt(value, 10);
  if (Number.isNaN(n) || n < 1 || n > 65535) throw new InvalidArgumentError("Not a port.");
  return n;
}

function program() {
  const out = [];
  const cmd = new Command("serve")
    .description("serve files")
    .version("1.2.3")
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.push(s), writeErr: (s) => out.push(`ERR ${s}`) })
    .option("-p, --port <n>", "port to listen on", parsePort, 8080)
    .option("-v, --verbose", "more output", (_, prev) => prev + 1, 0)
    .addOption(new Option("--mode <m>", "mode").choices(["dev", "prod"]).default("dev"))
    .argument("<root>", "folder to serve")
    .argument("[extra...]", "more folders");
  return { cmd, out };
}

function run(argv) {
  const { cmd, out } = program();
  try {
    cmd.parse(argv, { from: "user" });
    return `root=${cmd.args[0]} extra=${cmd.processedArgs[1].join(",")} opts=${JSON.stringify(cmd.opts())}`;
  } catch (e) {
    return `caught: ${e.name} ${e.code} exit=${e.exitCode} ${out.join("").trim().split("\n")[0]}`;
  }
}

function main() {
  console.log(run(["public", "a", "b", "-p", "3000", "-vvv", "--mode", "prod"]));
  console.log(run(["site"]));
  console.log(run(["site", "--port", "99999"]));
  console.log(run(["site", "--mode", "test"]));
  console.log(run([]));
  const { cmd, out } = program();
  cmd.outputHelp();
  console.log(out.join("").trim());
  console.log("commander done");
}

main();
