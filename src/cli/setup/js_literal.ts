// Values of the config (TOML or JSON) as JavaScript source for the file `tph setup` writes: what
// the user configured, spelled so that running it rebuilds exactly that value, and readable so
// that it can be edited there.

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * How an object literal names a property: bare when it is an identifier, else quoted; never a
 * plain `__proto__` (which would set the object's prototype instead of making a property).
 *
 * @param key The property name.
 * @returns Source text for the key.
 *
 * @example
 * ```ts
 * import { propertyKey } from "./src/cli/setup/js_literal.ts";
 * console.log(propertyKey("user-id"), propertyKey("__proto__")); // "user-id" ["__proto__"]
 * ```
 */
export function propertyKey(key: string): string {
  if (key === "__proto__") return '["__proto__"]';
  return IDENTIFIER.test(key) ? key : JSON.stringify(key);
}

/** A TOML date or time (smol-toml's TomlDate): a Date with these methods. */
interface TomlDateLike extends Date {
  isTime?(): boolean;
  toISOString(): string;
}

/**
 * JavaScript source that evaluates to a value read from the config: numbers (with `NaN`,
 * `Infinity` and `-0`), bigints, strings, booleans, null, lists, tables and TOML dates (a time of
 * day alone, which no Date holds, as its text).
 *
 * @param value The value.
 * @returns Source text (an expression).
 *
 * @example
 * ```ts
 * import { jsLiteral } from "./src/cli/setup/js_literal.ts";
 * console.log(jsLiteral({ user_id: "abc", n: [1, 2] })); // { user_id: "abc", n: [1, 2] }
 * ```
 */
export function jsLiteral(value: unknown): string {
  switch (typeof value) {
    case "number":
      if (Object.is(value, -0)) return "-0";
      return Number.isNaN(value) ? "NaN" : String(value);
    case "bigint":
      return `${value}n`;
    case "string":
      return JSON.stringify(value);
    case "boolean":
      return String(value);
    case "undefined":
      return "undefined";
  }
  if (value === null) return "null";
  if (Array.isArray(value)) return `[${value.map(jsLiteral).join(", ")}]`;
  if (value instanceof Date) {
    const d = value as TomlDateLike;
    if (typeof d.isTime === "function" && d.isTime()) return JSON.stringify(d.toISOString());
    return Number.isNaN(d.getTime())
      ? "new Date(NaN)"
      : `new Date(${JSON.stringify(d.toISOString())})`;
  }
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return "{}";
    return `{ ${entries.map(([k, v]) => `${propertyKey(k)}: ${jsLiteral(v)}`).join(", ")} }`;
  }
  return "undefined";
}
