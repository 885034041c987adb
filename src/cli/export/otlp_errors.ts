// What `tph export --otlp-endpoint` / `--otlp` checks before it reads the run, and how it fails:
// the collector's URL (from the command line, else OpenTelemetry's standard variables), the
// headers sent with each request, and what is never printed (credentials, header values).

/** Why the collector could not take the run: one line for the user. */
export class OtlpSendError extends Error {}

/** Where requests go, with what, and how the place is shown. */
export interface OtlpTarget {
  /** The traces URL, without credentials. */
  url: URL;
  /** Headers of each request: OTEL_EXPORTER_OTLP_(TRACES_)HEADERS, and the URL's credentials. */
  headers: [string, string][];
  /** Texts never to print (credentials, header values): see {@linkcode scrub}. */
  secrets: string[];
}

/** The collector's default address (OpenTelemetry's, for OTLP/HTTP). */
export const DEFAULT_OTLP_ENDPOINT = "http://localhost:4318";

/**
 * The collector to send to. The command line's `--otlp-endpoint` wins; else
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (used as it is), else `OTEL_EXPORTER_OTLP_ENDPOINT` (a
 * base URL: `/v1/traces` is appended), else http://localhost:4318. Headers come from
 * `OTEL_EXPORTER_OTLP_HEADERS` and `OTEL_EXPORTER_OTLP_TRACES_HEADERS` (which wins, name by name);
 * credentials in the URL (`http://user:password@host`) become `Authorization: Basic …` and leave
 * the URL, so that neither the runtime nor any line of tph's sees them.
 *
 * @throws {OtlpSendError} One line naming the option or variable; it never holds a secret.
 */
export function otlpTarget(
  endpoint: string | undefined,
  env: Record<string, string | undefined> = {},
): OtlpTarget {
  const set = (name: string) => {
    const v = env[name]?.trim();
    return v === undefined || v === "" ? undefined : v;
  };
  let url: URL;
  if (endpoint !== undefined) {
    url = parseUrl(endpoint, "--otlp-endpoint");
    // The collector's base URL or its traces URL, as the user wrote it.
    if (!url.pathname.endsWith("/v1/traces")) appendPath(url);
  } else if (set("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") !== undefined) {
    url = parseUrl(
      set("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")!,
      "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    );
  } else {
    const base = set("OTEL_EXPORTER_OTLP_ENDPOINT");
    url = parseUrl(base ?? DEFAULT_OTLP_ENDPOINT, "OTEL_EXPORTER_OTLP_ENDPOINT");
    appendPath(url);
  }
  const headers = new Map<string, [string, string]>();
  const secrets: string[] = [];
  for (const name of ["OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS"]) {
    const list = set(name);
    if (list === undefined) continue;
    for (const [key, value] of parseHeaders(list, name)) {
      headers.set(key.toLowerCase(), [key, value]);
      secrets.push(value);
    }
  }
  if (url.username !== "" || url.password !== "") {
    const user = decode(url.username), password = decode(url.password);
    const basic = "Basic " + base64Utf8(`${user}:${password}`);
    headers.set("authorization", ["Authorization", basic]);
    secrets.push(user, password, url.username, url.password, basic);
    url.username = "";
    url.password = "";
  }
  return { url, headers: [...headers.values()], secrets: secrets.filter((s) => s !== "") };
}

/** `text` with every secret replaced by `***` (longest first, so that none shows in part). */
export function scrub(text: string, secrets: readonly string[]): string {
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    text = text.split(s).join("***");
  }
  return text;
}

/** A URL as the user may see it: what stands before an `@` of its authority is left out. */
export function withoutCredentials(text: string): string {
  return text.replace(/^([^:/?#]*:\/\/)[^/?#]*@/, "$1***@");
}

function parseUrl(text: string, from: string): URL {
  const bad = () =>
    new OtlpSendError(`${from} takes an http(s) URL, got "${withoutCredentials(text)}"`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw bad();
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw bad();
  return url;
}

function appendPath(url: URL): void {
  url.pathname = url.pathname.replace(/\/$/, "") + "/v1/traces";
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** An HTTP header name (RFC 9110's token). */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** `k=v,k2=v2` with URL-encoded values (OpenTelemetry's form); errors name no value. */
function parseHeaders(list: string, name: string): [string, string][] {
  const form = `${name} takes key=value pairs separated by commas, values URL-encoded`;
  const out: [string, string][] = [];
  const entries = list.split(",");
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i].trim();
    if (entry === "") continue;
    const eq = entry.indexOf("=");
    const key = eq < 0 ? "" : entry.slice(0, eq).trim();
    if (eq < 0 || !TOKEN.test(key)) {
      throw new OtlpSendError(`entry ${i + 1} of ${name} is not a header: ${form}`);
    }
    let value: string;
    try {
      value = decodeURIComponent(entry.slice(eq + 1).trim());
    } catch {
      throw new OtlpSendError(`the value of ${key} in ${name} is not URL-encoded: ${form}`);
    }
    // deno-lint-ignore no-control-regex
    if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value) || /[^\u0000-\u00ff]/.test(value)) {
      throw new OtlpSendError(
        `the value of ${key} in ${name} holds a character a header cannot: ${form}`,
      );
    }
    out.push([key, value]);
  }
  return out;
}

/**
 * A text's UTF-8 bytes in base64, as `Buffer.from(text, "utf8").toString("base64")` (lone
 * surrogates as U+FFFD) without node:buffer: the CLI's bundle on Deno (deno_bundle.ts) loads each
 * built-in a bundled module imports at its start, and this one only an OTLP export with a
 * password needs (~1 ms of every command).
 */
function base64Utf8(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}
