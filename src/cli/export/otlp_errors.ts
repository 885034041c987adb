// What `tph export --otlp-endpoint` checks before it reads the run, and how it fails.

/** Why the collector could not take the run: one line for the user. */
export class OtlpSendError extends Error {}

/** The URL requests go to: the endpoint's `/v1/traces` (unless it names that path already). */
export function tracesUrl(endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new OtlpSendError(`--otlp-endpoint takes an http(s) URL, got "${endpoint}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new OtlpSendError(`--otlp-endpoint takes an http(s) URL, got "${endpoint}"`);
  }
  if (!url.pathname.endsWith("/v1/traces")) {
    url.pathname = url.pathname.replace(/\/$/, "") + "/v1/traces";
  }
  return url;
}
