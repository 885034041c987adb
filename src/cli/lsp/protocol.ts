// The Language Server Protocol's base layer (LSP 3.17, "Base Protocol"): each message is a header
// part (`Content-Length: N`, CRLF-ended lines, an empty line) and N bytes of UTF-8 JSON-RPC 2.0.
// The reader takes bytes as they come (any split, several messages in one chunk) and hands over
// each message's parsed JSON; the writer frames one. No I/O here: the server (server.ts) feeds
// stdin's chunks in and writes what `frame` makes to stdout.

/** A message larger than this is refused (a client gone wrong must not make the server hold GBs). */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** A JSON-RPC message as it comes: a request (id and method), a notification, or a response. */
export interface Message {
  jsonrpc?: string;
  id?: number | string | null;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

/**
 * What the reader makes of the bytes: a message; one message's body that is no JSON object
 * (`invalid`: answered with a parse error, the stream goes on); or a problem with the stream
 * itself (then it stops).
 */
export type Read = { message: Message } | { invalid: string } | { problem: string };

const CR = 13, LF = 10;
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Reads framed messages from chunks of bytes. */
export class MessageReader {
  /** The header part read so far (at most 8 KB and a chunk), while no header is complete. */
  #head: Uint8Array = new Uint8Array(0);
  /** The body's length once its header is read, else -1. */
  #need = -1;
  /** The body's pieces so far, copied from the chunks (joined once the body is whole). */
  #pieces: Uint8Array[] = [];
  #got = 0;
  #failed = false;

  /**
   * Take a chunk of bytes; returns the messages (or the problem) it completes, in order. After a
   * problem the stream cannot be resynchronised: every later chunk is ignored.
   *
   * A body's pieces are kept in a list and joined once it is whole (each byte copied at most
   * twice), the header part looked at from where the last look ended: time and memory linear in
   * the bytes, however the stream is split.
   */
  push(chunk: Uint8Array): Read[] {
    const out: Read[] = [];
    let rest = chunk;
    while (!this.#failed) {
      if (this.#need < 0) {
        // Only the header part: at most 8 KB kept, looked at again from its last 3 bytes.
        const from = Math.max(0, this.#head.length - 3);
        const head = this.#head.length === 0 ? rest : concat([this.#head, rest]);
        const end = headerEnd(head, from);
        if (end < 0) {
          if (head.length > 8192) out.push(this.#fail("a header part longer than 8 KB"));
          else this.#head = head === rest ? rest.slice() : head;
          break;
        }
        const length = contentLength(decodeAscii(head.subarray(0, end)));
        if (typeof length === "string") {
          out.push(this.#fail(length));
          break;
        }
        this.#head = new Uint8Array(0);
        this.#need = length;
        this.#pieces = [];
        this.#got = 0;
        rest = head.subarray(end + 4);
      }
      const take = Math.min(this.#need - this.#got, rest.length);
      this.#got += take;
      if (this.#got < this.#need) {
        // Kept past this call: a copy (the caller may reuse its chunk).
        if (take > 0) this.#pieces.push(rest.slice(0, take));
        break;
      }
      if (take > 0) this.#pieces.push(rest.subarray(0, take));
      rest = rest.subarray(take);
      const body = concat(this.#pieces);
      this.#pieces = [];
      this.#need = -1;
      out.push(parseBody(body));
      if (rest.length === 0) break;
    }
    return out;
  }

  #fail(problem: string): Read {
    this.#failed = true;
    this.#head = new Uint8Array(0);
    this.#pieces = [];
    return { problem };
  }
}

/** Byte arrays joined, once (one of them as it is). */
function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Where the header part ends (its closing CRLF CRLF's index, looked for from `from`), or -1. */
function headerEnd(buf: Uint8Array, from = 0): number {
  for (let i = from; i + 3 < buf.length; i++) {
    if (buf[i] === CR && buf[i + 1] === LF && buf[i + 2] === CR && buf[i + 3] === LF) return i;
  }
  return -1;
}

function decodeAscii(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

/** The Content-Length a header part gives, or what is wrong with it. */
function contentLength(header: string): number | string {
  let length: number | null = null;
  for (const line of header.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) return `a header line without a colon: ${JSON.stringify(line.slice(0, 80))}`;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (name !== "content-length") continue;
    const value = line.slice(colon + 1).trim();
    if (!/^\d{1,12}$/.test(value)) return `a Content-Length that is not a number: ${value}`;
    length = Number(value);
  }
  if (length === null) return "a message without a Content-Length header";
  if (length > MAX_MESSAGE_BYTES) {
    return `a message of ${length} bytes (at most ${MAX_MESSAGE_BYTES})`;
  }
  return length;
}

/** A message's JSON, or a parse error as the problem of that one message (the stream goes on). */
function parseBody(body: Uint8Array): Read {
  let text: string;
  try {
    text = decoder.decode(body);
  } catch {
    return { invalid: "its body is not UTF-8" };
  }
  try {
    const v = JSON.parse(text);
    if (v === null || typeof v !== "object" || Array.isArray(v)) {
      return { invalid: "its body is not a JSON object" };
    }
    return { message: v as Message };
  } catch {
    return { invalid: "its body is not JSON" };
  }
}

/** A message framed for the wire. */
export function frame(message: Message): Uint8Array {
  const body = encoder.encode(JSON.stringify({ jsonrpc: "2.0", ...message }));
  const head = encoder.encode(`Content-Length: ${body.length}\r\n\r\n`);
  const out = new Uint8Array(head.length + body.length);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
}

/** JSON-RPC's error codes the server answers with. */
export const ERRORS = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  serverNotInitialized: -32002,
} as const;
