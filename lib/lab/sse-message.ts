const encoder = new TextEncoder();

/** One server-sent event as the bytes on the wire: its id, its name and one line of JSON. */
export function encodeSseMessage(id: number, event: string, json: string): Uint8Array {
  return encoder.encode(`id: ${id}\nevent: ${event}\ndata: ${json}\n\n`);
}
