// Run by spawn.ts: prints its arguments, or fails on request.
import semver from "semver";

const args = process.argv.slice(2);
if (args[0] === "--fail") {
  console.error("child failing on purpose");
  process.exit(3);
}
console.log(`child got ${args.join("+")}; semver says ${semver.inc("1.0.0", "major")}`);
