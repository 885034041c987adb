// ajv 8 (CommonJS compiled by tsc with `__esModule`; it require()s its JSON meta-schemas and
// fast-deep-equal, json-schema-traverse, fast-uri): a JSON schema validator, from a .cjs file.
const Ajv = require("ajv");

const schema = {
  $id: "https://example.com/order.json",
  type: "object",
  properties: {
    id: { type: "integer", minimum: 1 },
    customer: { type: "string", minLength: 2 },
    items: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        properties: { sku: { type: "string", pattern: "^[A-Z]{3}-\\d+$" }, qty: { type: "integer" } },
        required: ["sku", "qty"],
        additionalProperties: false,
      },
    },
    status: { enum: ["new", "paid", "shipped"] },
  },
  required: ["id", "customer", "items"],
};

function describe(errors) {
  return (errors || []).map((e) => `${e.instancePath || "/"} ${e.keyword}: ${e.message}`);
}

function main() {
  const ajv = new Ajv.default({ allErrors: true });
  console.log("interop:", typeof Ajv, typeof Ajv.default, Ajv.default === Ajv);
  const validate = ajv.compile(schema);
  const good = { id: 7, customer: "Ada", items: [{ sku: "ABC-1", qty: 2 }], status: "paid" };
  const bad = { id: 0, customer: "A", items: [{ sku: "abc", qty: 1.5, extra: true }], status: "lost" };
  console.log("good:", validate(good), describe(validate.errors));
  console.log("bad:", validate(bad));
  for (const line of describe(validate.errors)) console.log("  ", line);
  console.log("meta-schema:", ajv.getSchema("http://json-schema.org/draft-07/schema") !== undefined);
  try {
    ajv.compile({ type: "object", properties: { x: { type: "nonsense" } } });
  } catch (e) {
    console.log("caught:", e.constructor.name, e.message.split("\n")[0]);
  }
  console.log("ajv done");
}

main();
