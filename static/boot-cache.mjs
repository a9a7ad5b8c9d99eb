// The loader's head start for later visits: three kinds of entry in Cache Storage, all made in this browser in
// idle time after a visit, all optional (without Cache Storage, or with an entry unusable, the loader boots the
// ordinary way and drops the entry). static/boot.js imports this alongside the runtime.
//
// The runtime's two large files, Pyodide's wasm and stdlib, as they were read from the HTTP cache, never
// downloaded for this. The HTTP cache holds them brotli-compressed (as they travel) and the browser decodes all
// 17.5 MB again on every start: ~160 ms on a 2-core machine, the longest step of a returning visit. Kept decoded
// here they read in ~30 ms. Keyed by their URLs, which name the runtime build, with their size, so that an entry
// that is not whole is never handed to Pyodide; a hint in localStorage holds the runtime's URL while they are kept.
//
// The start-up snapshot: a memory snapshot of a freshly started interpreter that has imported the stdlib modules
// the app uses (server/settings.py SNAPSHOT_IMPORTS) and every module of the app. Later visits restore it
// instead of starting CPython and importing the app, at no cost on the wire. Its key names the runtime build and
// the stdlib modules, so a new build or a new import list makes a new snapshot; it is kept with the ETag of the
// app.zip its app modules came from, and the loader uses those only with that same app.zip: after an app update
// it forgets them, imports the new app.zip's, and a new snapshot is made in idle time. A hint in
// localStorage holds the key while the snapshot is kept, so that the loader can start Pyodide without first
// asking Cache Storage; a hint that outlives its snapshot (storage cleared in part) costs one failed restore.
//
// The app's bytecode: a zip of the app's compiled modules (app/core/bytecode.py), kept with the ETag of the app.zip it
// was compiled from. The contract: it is unpacked only over the app.zip with that same ETag, so an app update can
// never run stale bytecode; and when a start that used it fails, it is dropped, so "Try again" compiles from
// source (broken bytecode costs one failed start, never two).

const SNAPSHOT_CACHE = "placeos-pyodide-snapshot";
const BYTECODE_CACHE = "placeos-app-bytecode";
const BYTECODE_KEY = "/app-bytecode";
const RUNTIME_CACHE = "placeos-pyodide-runtime";
const SIZE = "X-Runtime-Bytes";

async function cached(name, key) {
  try {
    return (await (await caches.open(name)).match(key)) || null;
  } catch {
    return null; // no Cache Storage (e.g. some private modes)
  }
}

async function store(name, key, response) {
  await caches.delete(name); // one entry per cache: drop what an older runtime or app build left
  await (await caches.open(name)).put(key, response);
}

function message(error) {
  return error && error.message ? error.message : String(error);
}

// The snapshot is kept without its all-zero pages: two thirds of a fresh interpreter's 31 MB are free heap, and
// reading the other 14 MB from Cache Storage alongside the runtime's downloads makes Python ready ~15 ms sooner.
// Layout: u32 length, u32 count, count u32 page numbers (ascending), then those pages' bytes.
const PAGE = 65536;
const LAYOUT = "nonzero-pages/65536"; // in X-Snapshot-Layout: an entry without it is not read (made before it)

function zeroPage(memory, start, end) {
  for (let i = start; i < end; i++) if (memory[i] !== 0) return false;
  return true;
}

export function pack(memory) {
  const kept = [];
  for (let start = 0; start < memory.length; start += PAGE) {
    if (!zeroPage(memory, start, Math.min(start + PAGE, memory.length))) kept.push(start / PAGE);
  }
  let size = 8 + 4 * kept.length;
  for (const page of kept) size += Math.min(PAGE, memory.length - page * PAGE);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, memory.length, true);
  view.setUint32(4, kept.length, true);
  let offset = 8 + 4 * kept.length;
  kept.forEach((page, i) => {
    view.setUint32(8 + 4 * i, page, true);
    const bytes = memory.subarray(page * PAGE, Math.min((page + 1) * PAGE, memory.length));
    out.set(bytes, offset);
    offset += bytes.length;
  });
  return out;
}

// Pyodide restores a snapshot into a heap of a fixed 30 MiB and copies it in without checking its size
// (pyodide/pyodide#6254): a larger one fails on every restore, and each start would drop it and make it again. So
// one over the limit is never kept, and the loader says once why (a marker per snapshot key stops the retries).
export const SNAPSHOT_LIMIT = 31457280;

// The heap a snapshot holds: Pyodide's makeSnapshot writes a header (u32 magic, u32 header length, then the
// serialised JS state) and then the whole wasm heap.
export function heapOf(snapshot) {
  if (snapshot.length < 8) return snapshot.length;
  const header = new DataView(snapshot.buffer, snapshot.byteOffset, 8).getUint32(4, true);
  return header <= snapshot.length ? snapshot.length - header : snapshot.length;
}

export function tooLarge(heap, limit = SNAPSHOT_LIMIT) {
  return heap > limit
    ? `its heap is ${heap} bytes and Pyodide restores at most ${limit} (pyodide/pyodide#6254): ` +
        "starts take the slower path until the app imports less at start-up"
    : "";
}

// The memory `pack` was given, or an error if `buffer` is not a whole, well-formed pack (a corrupt entry must
// fail here, before Pyodide is handed it, and never allocate more than the memory it claims, at most 1 GiB).
export function unpack(buffer) {
  const packed = new Uint8Array(buffer);
  if (packed.length < 8) throw new Error("snapshot: truncated");
  const view = new DataView(packed.buffer, packed.byteOffset, packed.length);
  const length = view.getUint32(0, true);
  const count = view.getUint32(4, true);
  const pages = Math.ceil(length / PAGE);
  if (length > 2 ** 30 || count > pages || 8 + 4 * count > packed.length) throw new Error("snapshot: bad header");
  const memory = new Uint8Array(length);
  let offset = 8 + 4 * count;
  let last = -1;
  for (let i = 0; i < count; i++) {
    const page = view.getUint32(8 + 4 * i, true);
    if (page <= last || page >= pages) throw new Error("snapshot: bad page list");
    const size = Math.min(PAGE, length - page * PAGE);
    if (offset + size > packed.length) throw new Error("snapshot: truncated");
    memory.set(packed.subarray(offset, offset + size), page * PAGE);
    offset += size;
    last = page;
  }
  if (offset !== packed.length) throw new Error("snapshot: trailing bytes");
  return memory;
}

function hinted(name) {
  try {
    return localStorage.getItem(name);
  } catch {
    return null;
  }
}

function hint(name, value) {
  try {
    if (value) localStorage.setItem(name, value);
    else localStorage.removeItem(name);
  } catch {
    // no storage: the loader asks Cache Storage each time
  }
}

// `snapshotKey` names the snapshot (runtime build and stdlib imports), `modules` are those imports, and the hints
// are the localStorage keys that say, without asking Cache Storage, that a snapshot or the runtime's files are kept.
export function headStart({ snapshotKey, modules, snapshotHint, runtimeHint }) {
  return {
    // The runtime's kept file at `url`, as a response for Pyodide, or null: not kept (evicted: the hint goes with
    // it, so later starts stop asking), or not whole. blob() is a handle on the stored bytes, not a read of them.
    async runtimeFile(url) {
      const entry = await cached(RUNTIME_CACHE, url);
      const body = entry && (await entry.blob().catch(() => null));
      if (body && String(body.size) === entry.headers.get(SIZE)) {
        return new Response(body, { headers: { "Content-Type": entry.headers.get("Content-Type") || "" } });
      }
      await this.dropRuntime();
      return null;
    },
    dropRuntime() {
      hint(runtimeHint, "");
      return caches.delete(RUNTIME_CACHE).catch(() => {});
    },
    // Keeps the files `names` under `indexURL` from the HTTP cache (only from there: keeping them never costs a
    // download); once per runtime build, as the hint says.
    async keepRuntime(indexURL, names) {
      if (hinted(runtimeHint) === indexURL) return;
      try {
        await this.dropRuntime(); // an older build's files go, and no hint stands for a half-kept build
        const cache = await caches.open(RUNTIME_CACHE);
        for (const name of names) {
          const response = await fetch(indexURL + name, { cache: "only-if-cached", mode: "same-origin" });
          if (!response.ok) throw new Error(`${name} is not in the HTTP cache (${response.status})`);
          const body = await response.blob();
          const headers = { "Content-Type": response.headers.get("Content-Type") || "", [SIZE]: String(body.size) };
          await cache.put(indexURL + name, new Response(body, { headers }));
        }
        hint(runtimeHint, indexURL);
        performance.mark("runtime-kept");
      } catch (error) {
        console.info("runtime files not kept:", message(error));
      }
    },

    // The kept snapshot, { app, memory() }, or null: `app` is the ETag of the app.zip whose modules it holds,
    // memory() reads it (a promise of the Uint8Array Pyodide restores, rejected if the entry is unusable).
    async snapshot() {
      const entry = await cached(SNAPSHOT_CACHE, snapshotKey);
      hint(snapshotHint, entry ? snapshotKey : ""); // one kept before there was a hint gets one now
      if (!entry) return null;
      return {
        app: entry.headers.get("X-App-ETag") || "",
        async memory() {
          if (entry.headers.get("X-Snapshot-Layout") !== LAYOUT) throw new Error("snapshot: an older layout");
          return unpack(await entry.arrayBuffer());
        },
      };
    },
    dropSnapshot() {
      hint(snapshotHint, "");
      return caches.delete(SNAPSHOT_CACHE).catch(() => {});
    },
    // `app`: the app.zip this page runs, { zip, etag }; its start-up modules go into the snapshot with it.
    async saveSnapshot(loadPyodide, indexURL, app) {
      const oversized = snapshotHint + ":too-large";
      if (hinted(oversized) === snapshotKey) return; // said once for this build: not made again
      try {
        const maker = await loadPyodide({ indexURL, packageBaseUrl: indexURL, _makeSnapshot: true });
        maker.runPython("import " + modules.join(", "));
        maker.unpackArchive(app.zip.slice(0), "zip");
        maker.runPython("import app.main; app.main.import_all()"); // every app module: a start imports none
        const memory = maker.makeMemorySnapshot();
        const detail = { bytes: heapOf(memory), limit: SNAPSHOT_LIMIT };
        const why = tooLarge(detail.bytes);
        if (why) {
          hint(oversized, snapshotKey);
          console.info("start-up snapshot not kept:", why);
          performance.mark("snapshot-too-large", { detail });
          return;
        }
        const headers = { "X-App-ETag": app.etag, "X-Snapshot-Layout": LAYOUT };
        hint(snapshotHint, ""); // store() drops the old entry first
        await store(SNAPSHOT_CACHE, snapshotKey, new Response(pack(memory), { headers }));
        hint(snapshotHint, snapshotKey);
        performance.mark("snapshot-saved", { detail });
      } catch (error) {
        console.info("start-up snapshot not saved:", message(error));
      }
    },

    // The saved bytecode archive if it was compiled from the app.zip with this ETag, else null.
    async bytecodeFor(etag) {
      const entry = await cached(BYTECODE_CACHE, BYTECODE_KEY);
      return etag && entry && entry.headers.get("X-App-ETag") === etag ? entry.arrayBuffer() : null;
    },
    dropBytecode: () => caches.delete(BYTECODE_CACHE).catch(() => {}),
    async saveBytecode(pyodide, etag) {
      try {
        const main = pyodide.pyimport("app.main");
        const archive = main.bytecode_archive();
        main.destroy();
        await store(BYTECODE_CACHE, BYTECODE_KEY, new Response(archive, { headers: { "X-App-ETag": etag } }));
        performance.mark("bytecode-saved");
      } catch (error) {
        console.info("app bytecode not saved:", message(error));
      }
    },
  };
}
