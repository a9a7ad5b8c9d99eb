// Runs static/boot-cache.mjs's snapshot layout (pack, unpack) in Node for tests/test_snapshot_layout.py: each line
// on stdin is {op: "roundtrip" | "unpack", data: base64} or {op: "guard", length} or {op: "heap", data}; each line out is what came of it.
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

const { pack, unpack, tooLarge, heapOf, SNAPSHOT_LIMIT } = await import(pathToFileURL(process.argv[2]).href);

for await (const line of createInterface({ input: process.stdin })) {
  const { op, data, length } = JSON.parse(line);
  const bytes = new Uint8Array(Buffer.from(data || "", "base64"));
  let answer;
  try {
    if (op === "guard") {
      answer = { ok: true, why: tooLarge(length), limit: SNAPSHOT_LIMIT };
    } else if (op === "heap") {
      answer = { ok: true, heap: heapOf(bytes) };
    } else if (op === "roundtrip") {
      const packed = pack(bytes);
      const back = unpack(packed.buffer.slice(0));
      answer = { ok: true, same: Buffer.from(back).equals(Buffer.from(bytes)), packed: packed.length };
    } else {
      const memory = unpack(bytes.buffer);
      answer = { ok: true, length: memory.length };
    }
  } catch (error) {
    answer = { ok: false, error: `${error.name}: ${error.message}` };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
}
