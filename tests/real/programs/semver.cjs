// semver 7 (CommonJS, no "type"; index.js requires some 50 internal files): version parsing.
const semver = require("semver");

function main() {
  const versions = ["1.2.3", "1.10.0", "1.2.3-beta.2", "1.2.3-beta.10", "0.9.0", "2.0.0-rc.1"];
  console.log("sorted:", semver.sort([...versions]).join(" "));
  console.log("max ^1.2.0:", semver.maxSatisfying(versions, "^1.2.0"));
  console.log("satisfies:", semver.satisfies("1.5.0", ">=1.2.0 <2.0.0 || 3.x"));
  console.log("inc:", semver.inc("1.2.3", "minor"), semver.inc("1.2.3-beta.2", "prerelease"));
  console.log("coerce:", semver.coerce("v2.4 final").version, semver.valid("nope"));
  console.log("range:", new semver.Range("~1.2.3 || ^2").toString(), semver.minVersion("^1.2.3 || >=2.5").version);
  try {
    new semver.SemVer("not.a.version");
  } catch (e) {
    console.log("caught:", e.name, e.message);
  }
  console.log("semver done");
}

main();
