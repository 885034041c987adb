// uuid 14 (ESM-only with an exports map that has a "node" condition): deterministic UUIDs.
import { NIL, parse, stringify, v1, v3, v5, validate, version } from "uuid";

function names(): string[] {
  return ["example.com", "tph", "corpus"].map((n) => v5(n, v5.DNS));
}

function main(): void {
  for (const id of names()) console.log(id, version(id));
  console.log("v3:", v3("hello", v3.URL));
  const v1id = v1({
    msecs: Date.UTC(2024, 0, 2, 3, 4, 5),
    nsecs: 1234,
    clockseq: 0x1234,
    node: Uint8Array.of(1, 2, 3, 4, 5, 6),
  });
  console.log("v1:", v1id, version(v1id));
  const bytes = parse(names()[0]);
  console.log("bytes:", Array.from(bytes.slice(0, 4)).join(","), stringify(bytes) === names()[0]);
  console.log("valid:", validate(NIL), validate("nope"));
  try {
    parse("not-a-uuid");
  } catch (e) {
    console.log("caught:", (e as Error).name, (e as Error).message);
  }
  console.log("uuid done");
}

main();
