// Protobuf messages defined from published field numbers, encoded with protobufjs (loaded only
// when a protobuf format is written): the perfetto export and `--otlp-endpoint`.

import type protobuf from "protobufjs/light.js";

/** A message's fields: name, type, number, and whether it repeats. */
export type Fields = Record<string, { type: string; id: number; rule?: "repeated" }>;

/**
 * A message of a protobufjs JSON descriptor. `proto2` gives fields explicit presence (a 0 is
 * written) and leaves repeated numbers unpacked, as the proto2 definitions they come from.
 */
export function message(fields: Fields, edition?: "proto2"): { fields: Fields; edition?: string } {
  return edition === undefined ? { fields } : { edition, fields };
}

/** A message type of a descriptor, ready to encode. */
export async function messageType(
  descriptor: protobuf.INamespace,
  name: string,
): Promise<protobuf.Type> {
  const { default: pb } = await import("protobufjs/light.js");
  return pb.Root.fromJSON(descriptor).lookupType(name);
}
