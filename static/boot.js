// The loader, and the only JavaScript in the app: it loads Pyodide and hands over to Python (app/main.py).
// It runs as the first script in <head>, so an OAuth response leaves the address bar before anything else loads;
// parsing and checking that response is Python's job.
"use strict";

(() => {
  // Written into index.html by the server (server/settings.py RUNTIME_ID and SNAPSHOT_IMPORTS): no copy here.
  const script = document.currentScript;
  const RUNTIME = script.dataset.runtime;
  const STALL_MS = 60000;
  const SNAPSHOT_MODULES = (script.dataset.snapshotImports || "").split(" ").filter(Boolean);
  const WORKER = script.dataset.serviceWorker; // the offline app shell (static/sw.js), if this build has one
  const UPDATE_CHECK_MS = 3600000; // how often a kiosk looks for a new build
  // The head start kept from earlier visits (start-up snapshot, app bytecode): static/boot-cache.mjs, fetched
  // alongside everything else from the start (its address, like this script's, carries its content's hash).
  const SNAPSHOT_KEY = "/" + RUNTIME + "snapshot?" + SNAPSHOT_MODULES.join(",");
  const SNAPSHOT_HINT = "placeos.snapshot"; // = SNAPSHOT_KEY while a snapshot is kept (boot-cache.mjs)
  const RUNTIME_HINT = "placeos.runtime"; // = indexURL while the runtime's large files are kept (boot-cache.mjs)
  const KEPT_FILES = ["pyodide.asm.wasm", "python_stdlib.zip"];
  const indexURL = new URL(RUNTIME, document.baseURI).href;
  const headStart = import(new URL(script.dataset.bootCache || "static/boot-cache.mjs", document.baseURI).href)
    .then((module) => module.headStart({ snapshotKey: SNAPSHOT_KEY, modules: SNAPSHOT_MODULES,
      snapshotHint: SNAPSHOT_HINT, runtimeHint: RUNTIME_HINT }))
    .catch(() => null);
  // The runtime's entry module, asked for now: Pyodide starts its downloads only once it is imported.
  const runtimeModule = import(indexURL + "pyodide.mjs");
  runtimeModule.catch(() => {}); // a failure is reported where boot() awaits it
  // Run in a restored snapshot whose app modules are not this app.zip's: importing then reads the new ones.
  const FORGET_APP = "import sys\nfor name in [n for n in sys.modules if n == 'app' or n.startswith('app.')]:\n"
    + "    del sys.modules[name]";
  const STEPS = { download: [3, 62], python: [62, 90], app: [90, 99] };

  // An authorization response (RFC 6749 §4.1.2, §4.2.2 and their errors), in the fragment or the query and
  // whatever flow this app uses: its parameters are kept in memory only and the history entry is replaced, so no
  // token, code or state stays in the address bar or in history. Python decides whether the response arrived
  // where this app's flow expects it (app/auth/oauth.py holds the same two lists).
  const MARKERS = ["access_token", "refresh_token", "id_token", "code", "state", "error"];
  const RESPONSE = new Set([...MARKERS, "token_type", "expires_in", "scope", "error_description", "error_uri",
    "session_state", "iss"]);
  function takeResponse(text) {
    const pairs = text.split("&").filter(Boolean);
    const name = (pair) => {
      try {
        return decodeURIComponent(pair.split("=")[0].replace(/\+/g, " "));
      } catch {
        return ""; // not percent-decodable: not a parameter name we know
      }
    };
    if (!pairs.some((pair) => MARKERS.includes(name(pair)))) return ["", text];
    return [pairs.filter((pair) => RESPONSE.has(name(pair))).join("&"),
      pairs.filter((pair) => !RESPONSE.has(name(pair))).join("&")];
  }
  let [oauthFragment] = takeResponse(location.hash.slice(1));
  let [oauthQuery, ownQuery] = takeResponse(location.search.slice(1));
  let capturedAt = 0;
  if (oauthFragment || oauthQuery) {
    capturedAt = Date.now(); // token expiry counts from its arrival, not from when Python is up
    const query = oauthQuery ? (ownQuery ? "?" + ownQuery : "") : location.search;
    history.replaceState(history.state, "", location.pathname + query + (oauthFragment ? "" : location.hash));
  }

  // A kiosk board's last state, as Python last drew it (app/kiosk/board.py), shown while Python starts so that a
  // reload or a reboot never shows a loading screen. It comes from storage, so it is built as the app builds its
  // screens: elements from a short list, text as text nodes, attributes from an allow-list (app/browser/dom.py).
  const PAINT_TAGS = new Set(["main", "header", "section", "nav", "div", "span", "h1", "h2", "p", "ul", "li", "time",
    "a", "dl", "dt", "dd"]);
  const PAINT_ATTRS = new Set(["id", "class", "role", "data-room"]);
  function build(node, depth) {
    if (typeof node === "string") return document.createTextNode(node);
    if (!Array.isArray(node) || depth > 12 || !PAINT_TAGS.has(node[0])) return document.createTextNode("");
    const element = document.createElement(node[0]);
    for (const [name, value] of Object.entries(node[1] || {})) {
      if ((PAINT_ATTRS.has(name) || name.startsWith("aria-")) && typeof value === "string") {
        element.setAttribute(name, value);
      }
    }
    for (const child of node.slice(2)) element.appendChild(build(child, depth + 1));
    return element;
  }
  function savedView() {
    try {
      const nodes = JSON.parse(localStorage.getItem("placeos.board.painted") || "null");
      return Array.isArray(nodes) && nodes.length ? nodes : null;
    } catch {
      return null; // no storage, or not JSON: the loading screen it is
    }
  }
  // A person's last list or detail, kept per tab for this very address while the tab holds a live token: shown
  // the same way, marked as refreshing, until Python replaces it with the same page, fresh (app/browse/rooms.py). The
  // GET requests that drew it are sent again now, with the kept token, so their answers are in by the time Python
  // asks for them (app/api/early.py): fresh data then waits for Pyodide only, not for Pyodide and then the network.
  function savedPage() {
    try {
      const token = JSON.parse(sessionStorage.getItem("placeos.token") || "null");
      const page = JSON.parse(sessionStorage.getItem("placeos.page.painted") || "null");
      const live = token && typeof token.expires_at === "number" && token.expires_at > Date.now() / 1000 + 5;
      const here = page && page.path === location.pathname + location.search;
      if (!live || !here || !Array.isArray(page.nodes) || !page.nodes.length) return null;
      return { nodes: page.nodes, early: askEarly(page.requests, token) };
    } catch {
      return null;
    }
  }
  function isHttp(url) {
    try {
      return typeof url === "string" && /^https?:$/.test(new URL(url).protocol);
    } catch {
      return false; // not an absolute URL: not one app/api/client.py sent
    }
  }
  function askEarly(requests, token) {
    if (!Array.isArray(requests) || typeof token.access_token !== "string") return null;
    const answers = [];
    for (const url of requests.slice(0, 4)) { // app/api/early.py MAX_EARLY
      if (!isHttp(url)) continue;
      // As app/api/client.py sends it: the same URL, headers, credentials and cache mode.
      const headers = { Accept: "application/json", Authorization: "Bearer " + token.access_token };
      const answer = fetch(url, { headers, credentials: "same-origin", cache: "no-store" })
        .then(async (response) => ({ status: response.status, headers: [...response.headers],
          body: await response.text() }));
      answer.catch(() => {}); // Python asks the network itself when an early request failed
      answers.push({ url, answer });
    }
    return answers.length ? { askedAt: Date.now(), expiresAt: token.expires_at, answers } : null;
  }
  // A first visit's sign-in card, drawn by the server into the page (server/first_screen.py): shown instead of
  // the loading screen when it is certain to be Python's first screen, that is when nothing can sign this tab in
  // or change the card's words: no sign-in response, no token kept, no other tab signed in (the hint
  // app/auth/session.py reads the same way), no sign-out just made. A press on its button before Python is ready is
  // kept, said on the button, and carried out by Python when it starts (app/main.py).
  function firstVisit() {
    if (script.dataset.firstScreen !== "1" || oauthFragment || oauthQuery) return false;
    try {
      const until = localStorage.getItem("placeos.signed-in-until") || "";
      const othersSignedIn = /^[0-9]{1,11}$/.test(until) && Number(until) > Date.now() / 1000;
      return !othersSignedIn && !sessionStorage.getItem("placeos.token") && !localStorage.getItem("placeos.token")
        && !sessionStorage.getItem("placeos.signed-out");
    } catch {
      return false; // no storage to ask: the loading screen, as before
    }
  }
  const pending = { action: "" }; // read by Python once it has started (app/main.py)
  function waitForPython(event) {
    const button = event.target instanceof Element && event.target.closest("#first-screen [data-action=sign_in]");
    if (!button) return; // Python's first render replaces the card, and then its own listener hears presses
    event.stopImmediatePropagation();
    pending.action = "sign_in";
    button.setAttribute("aria-disabled", "true");
    button.textContent = "Starting sign-in…";
  }
  const firstScreen = firstVisit();
  if (firstScreen) {
    document.documentElement.classList.add("first-visit");
    document.addEventListener("click", waitForPython);
  }

  // Drawn the moment the parser has made #app, before the first frame; until then the class hides the loading
  // screen, so no frame shows it.
  const board = oauthFragment || oauthQuery || firstScreen ? null : savedView();
  const person = board || oauthFragment || oauthQuery || firstScreen ? null : savedPage();
  const saved = board || (person && person.nodes);
  if (saved) {
    document.documentElement.classList.add(board ? "saved-view" : "saved-page");
    const watch = new MutationObserver(() => {
      const app = document.getElementById("app");
      if (!app) return;
      watch.disconnect();
      const view = document.createElement("div");
      view.id = "saved-view";
      for (const node of saved) view.appendChild(build(node, 0));
      app.prepend(view);
      performance.mark("saved-view-painted");
    });
    watch.observe(document, { childList: true, subtree: true });
  }

  let step = "download";
  let attempt = 0;

  const el = (id) => document.getElementById(id);
  const domReady = new Promise((resolve) => document.addEventListener("DOMContentLoaded", resolve, { once: true }));
  let shown = ["download", 0];
  domReady.then(() => {
    if (!firstScreen) el("first-screen")?.remove(); // not this visit's screen: its ids stay unique
    show(...shown);
  });

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
    document.removeEventListener("click", waitForPython);
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
      const handoff = { fragment: oauthFragment, config: await config, capturedAt, query: oauthQuery, painted, pending,
        early };
      // Handed over once: if this start fails, "Try again" starts clean instead of failing on the same response.
      oauthFragment = "";
      oauthQuery = "";
      capturedAt = 0;
      await main.start(handoff);
      main.destroy();
      document.removeEventListener("click", waitForPython);
      performance.mark("app-ready");
      observer.disconnect();
      keepShell(handoff.config);
      if (cache && "caches" in window) {
        // Once the person has the app, in the browser's idle time: the app's files when the snapshot held all of
        // it (tracebacks show their lines), and the next visit's head start.
        const later = window.requestIdleCallback || ((fn) => setTimeout(fn, 1000));
        setTimeout(() => later(async () => {
          if (appInSnapshot) {
            pyodide.unpackArchive(app.zip, "zip");
            performance.mark("app-unpacked");
          } else {
            if (!compiled && app.etag) await cache.saveBytecode(pyodide, app.etag);
            await cache.saveSnapshot(loadPyodide, indexURL, app);
          }
          await cache.keepRuntime(indexURL, KEPT_FILES);
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

  // The offline app shell, registered once the person has the app, so it costs the start nothing; the worker then
  // caches this build (mostly from the HTTP cache) for the next start without network. A build without it removes
  // a worker an earlier build left.
  function keepShell(configText) {
    if (!("serviceWorker" in navigator)) return;
    if (!WORKER) {
      if (navigator.serviceWorker.controller) {
        navigator.serviceWorker.getRegistration("./").then((registration) => registration?.unregister());
      }
      return;
    }
    let kiosk = false;
    try {
      kiosk = JSON.parse(configText).kiosk === true;
    } catch {
      // not JSON: Python has said so on screen already
    }
    navigator.serviceWorker.register(WORKER, { scope: "./", updateViaCache: "none" })
      .then((registration) => {
        performance.mark("shell-registered");
        // A display runs for weeks and never navigates, so it asks for a new build itself; when one has been
        // cached whole and taken over, it reloads into it, which shows nothing: its board is drawn from its saved
        // copy before Python starts. A person's page takes a new build on its next load.
        if (kiosk) {
          setInterval(() => registration.update().catch(() => {}), UPDATE_CHECK_MS);
          let had = navigator.serviceWorker.controller;
          navigator.serviceWorker.addEventListener("controllerchange", () => {
            if (had) location.reload();
            had = navigator.serviceWorker.controller;
          });
        }
      })
      .catch((error) => console.info("offline app shell not registered:", error && error.message));
  }

  function describe(error) {
    const text = error && error.message ? error.message : String(error);
    if (/Failed to fetch|NetworkError|dynamically imported module|HTTP \d/.test(text)) {
      return "The app could not be downloaded. Check your connection, then try again.";
    }
    return "Something went wrong while starting the app. Try again; if it keeps happening, reload the page.";
  }

  // Start at once: the runtime downloads while the rest of the page is parsed.
  boot();
  domReady.then(() => {
    el("boot-retry").addEventListener("click", () => {
      el("boot-error").hidden = true;
      el("boot").setAttribute("aria-busy", "true");
      arrived = 0;
      boot();
    });
  });
})();
