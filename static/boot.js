// The loader's first part, and the first script in <head>: what must happen before the first paint. An OAuth
// response leaves the address bar before anything else loads (parsing and checking it is Python's job); the last
// known page, a kiosk's board or a first visit's sign-in card is drawn; the runtime's downloads begin. Then
// static/boot-start.mjs starts Pyodide and hands over to Python (app/main.py), and once the person has the app,
// static/boot-shell.mjs keeps the offline app shell.
"use strict";

(() => {
  // Written into index.html by the server (server/static.py render_index): the runtime build, the snapshot's
  // imports, the storage keys and response markers Python uses (app/auth/session.py, app/auth/oauth.py), the
  // loader's other files by their content's address. No copy of any of them here.
  const script = document.currentScript;
  const data = script.dataset;
  const KEYS = JSON.parse(data.keys || "{}");
  const RUNTIME = data.runtime;
  const SNAPSHOT_MODULES = (data.snapshotImports || "").split(" ").filter(Boolean);
  // The head start kept from earlier visits (start-up snapshot, app bytecode): static/boot-cache.mjs, fetched
  // alongside everything else from the start (its address, like this script's, carries its content's hash).
  const SNAPSHOT_KEY = "/" + RUNTIME + "snapshot?" + SNAPSHOT_MODULES.join(",");
  const SNAPSHOT_HINT = "placeos.snapshot"; // = SNAPSHOT_KEY while a snapshot is kept (boot-cache.mjs)
  const RUNTIME_HINT = "placeos.runtime"; // = indexURL while the runtime's large files are kept (boot-cache.mjs)
  const indexURL = new URL(RUNTIME, document.baseURI).href;
  const headStart = import(new URL(data.bootCache || "static/boot-cache.mjs", document.baseURI).href)
    .then((module) => module.headStart({ snapshotKey: SNAPSHOT_KEY, modules: SNAPSHOT_MODULES,
      snapshotHint: SNAPSHOT_HINT, runtimeHint: RUNTIME_HINT }))
    .catch(() => null);
  // The runtime's entry module, asked for now: Pyodide starts its downloads only once it is imported.
  const runtimeModule = import(indexURL + "pyodide.mjs");
  runtimeModule.catch(() => {}); // a failure is reported where boot() awaits it

  // An authorization response (RFC 6749 §4.1.2, §4.2.2 and their errors), in the fragment or the query and
  // whatever flow this app uses: its parameters are kept in memory only and the history entry is replaced, so no
  // token, code or state stays in the address bar or in history. Python decides whether the response arrived
  // where this app's flow expects it (app/auth/oauth.py holds the same two lists).
  const MARKERS = (data.markers || "").split(" ").filter(Boolean);
  const RESPONSE = new Set((data.responseParams || "").split(" ").filter(Boolean));
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
  // A person's page is drawn whole (header, search box, filters with their choices, rows) so that Python's first
  // render lands on the same layout; it is inert until then. Links keep only this app's own addresses, pictures
  // only web addresses (the CSP's img-src still decides), booleans are present or absent.
  const PAINT_TAGS = new Set(["main", "header", "section", "nav", "div", "span", "h1", "h2", "p", "ul", "li", "time",
    "a", "dl", "dt", "dd", "wbr", "form", "label", "input", "select", "option", "button", "fieldset", "legend", "img"]);
  const PAINT_ATTRS = new Set(["id", "class", "role", "data-room", "type", "name", "value", "placeholder", "min",
    "max", "for", "alt", "tabindex", "checked", "selected", "disabled", "hidden"]);
  function safeUrl(name, value) {
    try {
      const url = new URL(value, location.href);
      return name === "href" ? url.origin === location.origin : name === "src" && /^https?:$/.test(url.protocol);
    } catch {
      return false;
    }
  }
  function build(node, depth) {
    if (typeof node === "string") return document.createTextNode(node);
    if (!Array.isArray(node) || depth > 12 || !PAINT_TAGS.has(node[0])) return document.createTextNode("");
    const element = document.createElement(node[0]);
    for (const [name, value] of Object.entries(node[1] || {})) {
      const url = typeof value === "string" && safeUrl(name, value);
      const known = PAINT_ATTRS.has(name) || name.startsWith("aria-") || url;
      if (!known || value === false || value === null) continue;
      if (value === true) element.setAttribute(name, "");
      else if (typeof value === "string" || typeof value === "number") element.setAttribute(name, String(value));
    }
    for (const child of node.slice(2)) element.appendChild(build(child, depth + 1));
    return element;
  }
  function savedView() {
    try {
      const nodes = JSON.parse(localStorage.getItem(KEYS.board) || "null");
      return Array.isArray(nodes) && nodes.length ? nodes : null;
    } catch {
      return null; // no storage, or not JSON: the loading screen it is
    }
  }
  // A person's last list or detail, kept per tab for this very address while the tab holds a live token: shown
  // the same way, marked as refreshing, until Python replaces it with the same page, fresh (app/browse/rooms.py). The
  // GET requests that drew it are sent again now, with the kept token, so their answers are in by the time Python
  // asks for them (app/api/early_answers.py): fresh data then waits for Pyodide only, not for Pyodide and then the network.
  function savedPage() {
    try {
      const token = JSON.parse(sessionStorage.getItem(KEYS.token) || "null");
      const page = JSON.parse(sessionStorage.getItem(KEYS.page) || "null");
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
    for (const url of requests.slice(0, Number(data.maxEarly) || 0)) { // app/api/early_answers.py MAX_EARLY
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
    if (data.firstScreen !== "1" || oauthFragment || oauthQuery) return false;
    try {
      const until = localStorage.getItem(KEYS.signedInUntil) || "";
      const othersSignedIn = /^[0-9]{1,11}$/.test(until) && Number(until) > Date.now() / 1000;
      return !othersSignedIn && !sessionStorage.getItem(KEYS.token) && !localStorage.getItem(KEYS.token)
        && !sessionStorage.getItem(KEYS.signedOut);
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
  } else {
    document.addEventListener(
      "DOMContentLoaded",
      () => document.getElementById("first-screen")?.remove(), // not this visit's screen: its ids stay unique
      { once: true },
    );
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
      view.inert = true; // a copy: nothing in it answers until Python has drawn the page itself
      for (const node of saved) view.appendChild(build(node, 0));
      app.prepend(view);
      performance.mark("saved-view-painted");
    });
    watch.observe(document, { childList: true, subtree: true });
  }

  // The start, in its own file: begun now, with everything above handed to it. The response is handed over once
  // (take): if the start fails, "Try again" starts clean instead of failing on the same response.
  const loader = {
    runtime: RUNTIME, indexURL, snapshotKey: SNAPSHOT_KEY, snapshotHint: SNAPSHOT_HINT, runtimeHint: RUNTIME_HINT,
    headStart, runtimeModule, person, pending, worker: data.serviceWorker,
    shell: new URL(data.bootShell || "static/boot-shell.mjs", document.baseURI).href,
    stopWaiting: () => document.removeEventListener("click", waitForPython),
    take() {
      const response = { fragment: oauthFragment, query: oauthQuery, capturedAt };
      oauthFragment = "";
      oauthQuery = "";
      capturedAt = 0;
      return response;
    },
  };
  import(new URL(data.bootStart || "static/boot-start.mjs", document.baseURI).href)
    .then((start) => start.boot(loader))
    .catch(() => {
      // The start itself could not be loaded: say so as the start would, and "Try again" loads the page anew.
      const show = () => {
        document.getElementById("saved-view")?.remove();
        document.getElementById("first-screen")?.remove();
        document.documentElement.classList.remove("saved-view", "saved-page", "first-visit");
        document.getElementById("boot").setAttribute("aria-busy", "false");
        document.getElementById("boot-error-text").textContent =
          "The app could not be downloaded. Check your connection, then try again.";
        document.getElementById("boot-error").hidden = false;
        document.getElementById("boot-retry").addEventListener("click", () => location.reload());
      };
      if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", show, { once: true });
      else show();
    });
})();
