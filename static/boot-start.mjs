// The loader's second part: the start. static/boot.js captured what arrived, drew what it could and began the
// runtime's downloads; this starts Pyodide (from the head start kept by static/boot-cache.mjs where there is one),
// shows the progress, and hands over to Python (app/main.py). A failure is said on screen with "Try again".

const STALL_MS = 60000;
const KEPT_FILES = ["pyodide.asm.wasm", "python_stdlib.zip"];
// Run in a restored snapshot whose app modules are not this app.zip's: importing then reads the new ones.
const FORGET_APP = "import sys\nfor name in [n for n in sys.modules if n == 'app' or n.startswith('app.')]:\n"
  + "    del sys.modules[name]";
const STEPS = { download: [3, 62], python: [62, 90], app: [90, 99] };

export function boot(loader) {
  const { indexURL, headStart, runtimeModule, person, pending, stopWaiting } = loader;
  const RUNTIME = loader.runtime;
  const SNAPSHOT_KEY = loader.snapshotKey;
  const SNAPSHOT_HINT = loader.snapshotHint;
  const RUNTIME_HINT = loader.runtimeHint;
  let step = "download";
  let attempt = 0;

  const el = (id) => document.getElementById(id);
  // This module may arrive after the page is parsed (from the HTTP cache) or before (a slow first visit).
  const domReady = document.readyState === "loading"
    ? new Promise((resolve) => document.addEventListener("DOMContentLoaded", resolve, { once: true }))
    : Promise.resolve();
  let shown = ["download", 0];
  domReady.then(() => show(...shown));

  function show(name, fraction) {
    step = name;
    shown = [name, fraction];
    const [from, to] = STEPS[name];
    const pct = Math.round(from + (to - from) * Math.min(1, fraction));
    const bar = el("boot-progress");
    const steps = el("boot-steps");
    if (!bar || !steps) return; // Python's first screen has replaced the loader's
    bar.setAttribute("aria-valuenow", String(pct));
    el("boot-fill").style.width = pct + "%";
    el("boot-stage").textContent = {
      download: "Downloading the Python runtime…",
      python: "Starting Python…",
      app: "Starting the app…",
    }[name];
    for (const li of steps.children) {
      const order = Object.keys(STEPS);
      li.className = order.indexOf(li.dataset.step) < order.indexOf(name) ? "done"
        : li.dataset.step === name ? "active" : "";
    }
  }

  async function fail(message) {
    await domReady;
    const box = el("boot-error");
    if (!box || !box.hidden) return;
    // The app could not start: say so instead of showing what it last knew, or a card whose button cannot work.
    el("saved-view")?.remove();
    el("first-screen")?.remove();
    stopWaiting();
    document.documentElement.classList.remove("saved-view", "saved-page", "first-visit");
    el("boot").setAttribute("aria-busy", "false");
    el("boot-error-text").textContent = message;
    box.hidden = false;
    el("boot-retry").focus();
  }

  // Runtime downloads, watched through Resource Timing: the progress bar advances as each file arrives, and an
  // HTTP error on one of them is reported at once (Pyodide only logs a failed wasm fetch and then waits forever).
  const weights = { "pyodide.mjs": 0.03, "pyodide.asm.mjs": 0.12, "python_stdlib.zip": 0.25, "pyodide.asm.wasm": 0.6 };
  let arrived = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (!entry.name.includes("/" + RUNTIME)) continue;
      const file = entry.name.split("/").pop();
      const status = entry.responseStatus || 0;
      if (status >= 400) {
        fail(`The Python runtime could not be downloaded (${file}: HTTP ${status}). ` +
             "Check that the server has fetched it (make setup), then try again.");
        continue;
      }
      // A download that failed on the way (a reset or dropped connection) ends with status 0 and no bytes:
      // Pyodide logs it and waits forever, so say so now rather than when the stall timer runs out.
      if (entry.responseStatus === 0 && entry.encodedBodySize === 0 && entry.transferSize === 0) {
        fail(`The Python runtime could not be downloaded (${file}: the connection failed). ` +
             "Check your connection, then try again.");
        continue;
      }
      if (file in weights && step === "download") {
        arrived += weights[file];
        show(file === "pyodide.asm.wasm" ? "python" : "download", file === "pyodide.asm.wasm" ? 0 : arrived);
      }
    }
  });
  observer.observe({ type: "resource", buffered: true });

  // Whether this browser keeps a start-up snapshot, or the runtime's large files, for this runtime, known without
  // asking Cache Storage (a round trip of ~30 ms that would delay Pyodide's downloads): boot-cache.mjs writes each
  // hint with what it stands for.
  function hinted(name, value) {
    try {
      return localStorage.getItem(name) === value;
    } catch {
      return false;
    }
  }
  const snapshotKept = () => hinted(SNAPSHOT_HINT, SNAPSHOT_KEY);
  let runtimeFromKept = false; // this start's runtime files came from their kept copies

  // Pyodide fetches its wasm and stdlib itself, with the global fetch, as loadPyodide begins. When a visit has
  // kept them (decoded, in Cache Storage: boot-cache.mjs), those two requests are answered from there instead of
  // the HTTP cache, which decodes 17.5 MB of brotli on every start: fresh data ~90 ms sooner on a 2-core machine.
  // Only for the length of `start`, only those two URLs, each once; any other request, and one whose kept copy
  // is gone or not whole, goes to the network as before.
  async function withKeptRuntime(start) {
    if (!hinted(RUNTIME_HINT, indexURL)) return start();
    const network = window.fetch;
    const kept = new Set(KEPT_FILES.map((name) => indexURL + name));
    const answer = function (resource, options) {
      const url = resource instanceof Request ? resource.url : String(resource);
      if (!kept.delete(url)) return network.apply(this, arguments);
      return headStart.then((cache) => cache && cache.runtimeFile(url)).then((file) => {
        if (!file) return network(resource, options);
        runtimeFromKept = true;
        performance.mark("runtime-from-kept");
        return file;
      });
    };
    window.fetch = answer;
    try {
      return await start();
    } finally {
      if (window.fetch === answer) window.fetch = network;
    }
  }

  // The snapshot to restore, { bytes, app } or null when there is none. `bytes` is a promise: Pyodide starts the
  // runtime's downloads first and awaits the snapshot's read only when it needs the memory, so the two overlap.
  // `app` is a promise of the ETag of the app.zip whose modules it holds (boot-cache.mjs).
  async function snapshotLookup() {
    let found;
    if (snapshotKept()) {
      found = headStart.then((cache) => cache && cache.snapshot());
    } else {
      const cache = await headStart; // no hint (a first visit, or one kept before the hint): ask
      found = Promise.resolve(cache ? await cache.snapshot() : null);
      if (!(await found)) return null;
    }
    const bytes = found.then((snapshot) => {
      if (!snapshot) throw new Error("the start-up snapshot is gone"); // evicted: startPython starts afresh
      return snapshot.memory();
    });
    const app = found.then((snapshot) => (snapshot ? snapshot.app : ""), () => "");
    bytes.catch(() => {});
    return { bytes, app };
  }

  async function startPython(loadPyodide, snapshot) {
    // packageBaseUrl is explicit, or Pyodide would fall back to its CDN for packages missing locally.
    const options = { indexURL, packageBaseUrl: indexURL };
    if (snapshot) {
      try {
        const pyodide = await withKeptRuntime(() => loadPyodide({ ...options, _loadSnapshot: snapshot.bytes }));
        performance.mark("snapshot-restored");
        return { pyodide, restored: true };
      } catch (error) {
        console.info("start-up snapshot unusable, starting Python afresh");
        await (await headStart)?.dropSnapshot();
      }
    }
    return { pyodide: await withKeptRuntime(() => loadPyodide(options)), restored: false };
  }

  async function fetchOk(url) {
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    return response;
  }

  async function boot() {
    const thisAttempt = ++attempt;
    const stall = setTimeout(() => {
      if (thisAttempt === attempt) {
        if (runtimeFromKept) headStart.then((cache) => cache?.dropRuntime()); // "Try again" asks the network
        fail("Loading is taking far longer than it should. Check your connection, then try again.");
      }
    }, STALL_MS);
    runtimeFromKept = false;
    let compiled = false;
    let appInSnapshot = false;
    let cache = null;
    try {
      show("download", 0);
      // The app's code and configuration download while the runtime boots.
      const appZip = fetchOk("app.zip").then(async (response) => ({
        etag: response.headers.get("ETag"),
        zip: await response.arrayBuffer(),
      }));
      const config = fetchOk("app-config.json").then((r) => r.text());
      // What the loader itself reads of it, parsed once; Python reads the rest and says what is wrong with it.
      const told = config.then((text) => Object(JSON.parse(text))).catch(() => ({}));
      appZip.catch(() => {});
      config.catch(() => {});
      // The first attempt uses the import begun with the page; "Try again" asks anew.
      const pyodideModule = thisAttempt === 1 ? runtimeModule : import(indexURL + "pyodide.mjs");
      const snapshot = await snapshotLookup(); // at once when the hint says there is one
      // The saved bytecode serves only a start whose snapshot does not hold this app: read at once when there is
      // no snapshot, else only if the snapshot turns out to hold another app.zip's modules.
      const lookUpBytecode = () => headStart.then((c) => c && appZip.then((app) => c.bytecodeFor(app.etag)));
      const bytecodeLookup = snapshot ? null : lookUpBytecode();
      bytecodeLookup?.catch(() => {});
      const { loadPyodide } = await pyodideModule;
      const { pyodide, restored } = await startPython(loadPyodide, snapshot);
      cache = await headStart; // here long since
      performance.mark("python-ready");
      // For developers prototyping against PlaceOS from the console (see the README): app.main.app
      window.pyodide = pyodide;
      show("app", 0.2);
      const app = await appZip;
      // The snapshot holds the app's modules as of the app.zip it was made with: used only with that same
      // app.zip, else forgotten before this one's are imported, so an app update never runs stale code.
      appInSnapshot = restored && Boolean(app.etag) && (await snapshot.app) === app.etag;
      if (restored && !appInSnapshot) pyodide.runPython(FORGET_APP);
      if (appInSnapshot) performance.mark("app-in-snapshot");
      // serve.py --reload swaps a saved module in place against the source it started from (app.pages.hotswap):
      // that needs the app's files at once, where a snapshot start would otherwise leave them to idle time.
      const unpackNow = appInSnapshot && (await told).reload === true;
      if (unpackNow) {
        pyodide.unpackArchive(app.zip, "zip");
        performance.mark("app-unpacked");
      }
      if (!appInSnapshot) {
        // The app imported from its files, and from its saved bytecode if that was made from this app.zip.
        pyodide.unpackArchive(app.zip, "zip");
        const bytecode = await (bytecodeLookup || lookUpBytecode());
        compiled = Boolean(bytecode);
        if (compiled) {
          pyodide.unpackArchive(bytecode, "zip");
          performance.mark("bytecode-restored");
        }
      }
      show("app", 0.5);
      const main = pyodide.pyimport("app.main");
      performance.mark("app-imported");
      await domReady;
      const painted = Boolean(person && document.getElementById("saved-view"));
      const early = attempt === 1 && person ? person.early : null; // answers a retry would find stale
      const { fragment, query, capturedAt } = loader.take();
      const handoff = { fragment, config: await config, capturedAt, query, painted, pending, early };
      await main.start(handoff);
      main.destroy();
      stopWaiting();
      performance.mark("app-ready");
      observer.disconnect();
      import(loader.shell).then((shell) => shell.keepShell(loader.worker, handoff.config))
        .catch((error) => console.info("offline app shell not registered:", error && error.message));
      const keep = (await told).keep_start_up !== false; // app-config.json's keep_start_up
      if (cache && "caches" in window && !keep) {
        // Not kept on this device (app-config.json's keep_start_up): what an earlier visit kept goes too.
        Promise.all([cache.dropSnapshot(), cache.dropBytecode(), cache.dropRuntime()])
          .then(() => performance.mark("start-up-not-kept"));
      }
      if (cache && "caches" in window && (keep || appInSnapshot)) {
        // Once the person has the app, in the browser's idle time: the app's files when the snapshot held all of
        // it (tracebacks show their lines), and the next visit's head start.
        const later = window.requestIdleCallback || ((fn) => setTimeout(fn, 1000));
        setTimeout(() => later(async () => {
          if (appInSnapshot && !unpackNow) {
            pyodide.unpackArchive(app.zip, "zip");
            performance.mark("app-unpacked");
          } else if (!appInSnapshot && keep) {
            if (!compiled && app.etag) await cache.saveBytecode(pyodide, app.etag);
            await cache.saveSnapshot(loadPyodide, indexURL, app);
          }
          if (keep) await cache.keepRuntime(indexURL, KEPT_FILES);
          performance.mark("idle-work-done"); // whatever this visit keeps for the next is kept (or refused)
        }), 1500);
      }
    } catch (error) {
      console.warn("app start failed:", error && error.message ? error.message : String(error));
      // "Try again" then starts from what it is sure of: the app compiled from source, outside any snapshot.
      if (compiled && cache) cache.dropBytecode();
      if (appInSnapshot && cache) await cache.dropSnapshot();
      if (runtimeFromKept) await (await headStart)?.dropRuntime();
      fail(describe(error));
    } finally {
      clearTimeout(stall);
    }
  }

  function describe(error) {
    const text = error && error.message ? error.message : String(error);
    if (/Failed to fetch|NetworkError|dynamically imported module|HTTP \d/.test(text)) {
      return "The app could not be downloaded. Check your connection, then try again.";
    }
    return "Something went wrong while starting the app. Try again; if it keeps happening, reload the page.";
  }

  boot();
  domReady.then(() => {
    el("boot-retry").addEventListener("click", () => {
      el("boot-error").hidden = true;
      el("boot").setAttribute("aria-busy", "true");
      arrived = 0;
      boot();
    });
  });
}
