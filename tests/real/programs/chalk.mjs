// chalk 5 (ESM-only, "type": "module", subpath imports into its vendored code): terminal colours.
import chalk, { Chalk } from "chalk";

function styled() {
  const c = new Chalk({ level: 1 });
  return [
    c.red("red"),
    c.bold.underline.green("bold green"),
    c.bgBlue.white(`nested ${c.yellow("yellow")} back`),
    c.hex("#ff8800")("hex at level 1"),
    c.dim.italic("dim", "two", "args"),
  ];
}

function main() {
  for (const s of styled()) console.log(JSON.stringify(s));
  console.log("level 0 plain:", new Chalk({ level: 0 }).red("plain"));
  console.log("default instance has a level:", typeof chalk.level);
  try {
    new Chalk({ level: 7 });
  } catch (e) {
    console.log("caught:", e.name, e.message);
  }
  console.log("chalk done");
}

main();
