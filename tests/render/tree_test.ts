import assert from "node:assert/strict";
import { formatDuration, renderTree } from "../../src/render/tree.ts";
import type { CallNodeJSON } from "../../src/types.ts";

function node(name: string, extra: Partial<CallNodeJSON> = {}): CallNodeJSON {
  return {
    name,
    module: "m.ts",
    file: "/p/m.ts",
    line: 1,
    args: {},
    return_value: "undefined",
    start_ms: 0,
    elapsed_ms: 0.012,
    children: [],
    ...extra,
  };
}

const TREE = [
  node("handleRequest", {
    return_value: '{ id: 42, name: "Alice" }',
    elapsed_ms: 0.03,
    children: [
      node("fetchUser", { args: { userId: "42" }, return_value: '{ id: 42, name: "Alice" }' }),
      node("audit", { exception: "RangeError: bad amount -1", return_value: null }),
    ],
  }),
];

Deno.test("renderTree() draws unicode connectors with args, returns, errors and times", () => {
  assert.equal(
    renderTree(TREE),
    [
      '└── handleRequest() -> { id: 42, name: "Alice" }  [30µs]',
      '    ├── fetchUser(userId=42) -> { id: 42, name: "Alice" }  [12µs]',
      "    └── audit() !! RangeError: bad amount -1  [12µs]",
    ].join("\n"),
  );
});

Deno.test("renderTree() draws ascii connectors and hides args and returns on request", () => {
  assert.equal(
    renderTree(TREE, { style: "ascii", showArgs: false, showReturn: false }),
    [
      "`-- handleRequest()  [30µs]",
      "    |-- fetchUser()  [12µs]",
      "    `-- audit() !! RangeError: bad amount -1  [12µs]",
    ].join("\n"),
  );
});

Deno.test("renderTree() collapses calls below maxDepth and shows calls left out", () => {
  const deep = [node("a", { children: [node("b", { children: [node("c")] })], dropped: 3 })];
  assert.equal(
    renderTree(deep, { maxDepth: 1 }),
    "└── a() -> undefined  [12µs]\n    └── … 5 more calls",
  );
  assert.equal(
    renderTree([node("a", { dropped: 2 })]),
    "└── a() -> undefined  [12µs]\n    └── … 2 calls left out by limits",
  );
});

Deno.test("renderTree() marks unfinished and external calls and filters by name", () => {
  const roots = [
    node("main", {
      children: [
        node("JSON.parse", { external: true, args: { "0": '"{}"' }, return_value: "{}" }),
        node("pending", { unfinished: true, elapsed_ms: null, return_value: null }),
      ],
    }),
    node("other"),
  ];
  const text = renderTree(roots);
  assert.match(text, /JSON\.parse\("\{\}"\) -> \{\} \[ext\]/);
  assert.match(text, /pending\(\)  \[unfinished\]/);
  assert.equal(
    renderTree(roots, { filter: "pend" }),
    "└── main() -> undefined  [12µs]\n    └── pending()  [unfinished]",
  );
});

Deno.test("formatDuration() picks µs, ms or s", () => {
  assert.equal(formatDuration(0.0004), "0µs");
  assert.equal(formatDuration(0.5), "500µs");
  assert.equal(formatDuration(3.214), "3.21ms");
  assert.equal(formatDuration(1500), "1.50s");
  assert.equal(formatDuration(2, "us"), "2000µs");
});
