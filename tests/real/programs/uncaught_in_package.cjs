// Ends with an uncaught TypeError thrown inside a package (semver), so the stack has frames in
// node_modules.
const semver = require("semver");

function bump(version) {
  const parsed = new semver.SemVer(version);
  return parsed.inc("patch").version;
}

console.log("bumped:", bump("1.2.3"));
console.log("uncaught_in_package about to fail");
bump("one.two");
