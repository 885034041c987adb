// JSON: an import with a type attribute (a package's JSON and a local one), require() of a local
// JSON file, and mime-types (CommonJS) whose mime-db dependency is `require('./db.json')`.
import { createRequire } from "node:module";
import db from "mime-db/db.json" with { type: "json" };
import local from "./data/sample.json" with { type: "json" };

const require = createRequire(import.meta.url);

function summarize(data) {
  const sorted = [...data.numbers].sort((a, b) => a - b);
  return `${data.name}: ${sorted.join(",")} ${data.nested.label}`;
}

function main() {
  console.log("import:", summarize(local));
  const required = require("./data/sample.json");
  console.log("require:", summarize(required), "same object:", required === local);
  console.log("mime-db entries > 1000:", Object.keys(db).length > 1000, db["application/json"].extensions);
  const mime = require("mime-types");
  console.log("lookup:", mime.lookup("photo.JPG"), mime.lookup("x.ts"), mime.contentType("md"));
  console.log("extension:", mime.extension("text/html"), mime.charset("text/css"));
  console.log("mime-types uses the same db:", mime.types.json === "application/json");
  try {
    require("./data/missing.json");
  } catch (e) {
    console.log("caught:", e.code);
  }
  console.log("json done");
}

main();
