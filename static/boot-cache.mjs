// The loader's head start for later visits: two entries in Cache Storage, both made in this browser in idle time
// after a visit, both optional (without Cache Storage, or with an entry unusable, the loader boots the ordinary
// way and drops the entry). static/boot.js imports this alongside the runtime.
//
// The start-up snapshot: a memory snapshot of a freshly started interpreter that has imported the stdlib modules
// the app uses (server/settings.py SNAPSHOT_IMPORTS). Later visits restore it instead of starting CPython (~80 ms
// less), at no cost on the wire. It holds no app code, so app updates do not invalidate it. Its key names the
// runtime build and the modules, so a new build or a new import list makes a new snapshot.
//
// The app's bytecode: a zip of the app's compiled modules (app/bytecode.py), kept with the ETag of the app.zip it
// was compiled from. The contract: it is unpacked only over the app.zip with that same ETag, so an app update can
// never run stale bytecode; and when a start that used it fails, it is dropped, so "Try again" compiles from
// source (broken bytecode costs one failed start, never two).

const SNAPSHOT_CACHE = "placeos-pyodide-snapshot";
const BYTECODE_CACHE = "placeos-app-bytecode";
const BYTECODE_KEY = "/app-bytecode";

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

export function headStart(runtime, modules) {
  const snapshotKey = "/" + runtime + "snapshot?" + modules.join(",");
  return {
    snapshot: () => cached(SNAPSHOT_CACHE, snapshotKey),
    dropSnapshot: () => caches.delete(SNAPSHOT_CACHE).catch(() => {}),
    async saveSnapshot(loadPyodide, indexURL) {
      try {
        const maker = await loadPyodide({ indexURL, packageBaseUrl: indexURL, _makeSnapshot: true });
        maker.runPython("import " + modules.join(", "));
        await store(SNAPSHOT_CACHE, snapshotKey, new Response(maker.makeMemorySnapshot()));
        performance.mark("snapshot-saved");
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
