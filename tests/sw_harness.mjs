// Runs the real static/sw.js, with a manifest written in by server/shell.py, in Node's VM with the worker's globals
// stubbed, for tests/test_shell.py: each line on stdin is a request {method, url, mode}; each line out says whether
// the worker answered it, and from which cache key. Node's URL is the WHATWG parser the browser uses.
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import vm from "node:vm";

const [workerPath, scope] = process.argv.slice(2);
const listeners = {};
let asked = null;
const context = vm.createContext({
  URL,
  console,
  self: {
    registration: { scope },
    addEventListener: (type, listener) => { listeners[type] = listener; },
  },
  caches: { match: async (key) => { asked = key; return null; } },
  fetch: async () => null,
});
vm.runInContext(readFileSync(workerPath, "utf8"), context);

for await (const line of createInterface({ input: process.stdin })) {
  const request = JSON.parse(line);
  let answered = false;
  asked = null;
  listeners.fetch({ request, respondWith: (promise) => { answered = true; promise.catch(() => {}); } });
  await new Promise((resolve) => setImmediate(resolve));
  process.stdout.write(JSON.stringify({ answered, key: asked }) + "\n");
}
