// The offline app shell: a service worker, scoped to the app's base path, that starts the app from its own cache,
// so a kiosk rebooted during an outage shows its last state instead of the browser's offline page.
// The server writes the build's manifest into the SHELL line (server/shell.py) and serves this at <base>sw.js.
//
// - It answers for exactly the files of one build (the page, the loader, the app archive, its configuration, the
//   runtime), from the cache it filled when it was installed, whole or not at all. A new build is a new script:
//   the browser installs it beside the old one, it caches the new build whole, takes over and drops the old cache,
//   so the next load starts the new build and no load ever mixes two.
// - Everything else goes to the network untouched: API and auth requests, the live socket, the callback page, and
//   any page address that carries an authorization response (fragment or query). Nothing is cached at run time.
"use strict";

const SHELL = { build: "", files: [], enabled: false };
const PREFIX = "placeos-shell-";
const CACHE = PREFIX + SHELL.build;
const SCOPE = new URL(self.registration.scope);
const FILES = new Set(SHELL.files.map((file) => new URL(file, SCOPE).href));
const PAGE = new URL("./", SCOPE).href;
// The parameter names of an authorization response (static/boot.js and app/auth/oauth.py hold the same list).
const MARKERS = ["access_token", "refresh_token", "id_token", "code", "state", "error"];

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    if (SHELL.enabled) {
      // Revalidated, so the cache holds what the server has now; addAll stores all of it or nothing, and a
      // failed install leaves the old build in charge.
      const cache = await caches.open(CACHE);
      await cache.addAll([...FILES].map((url) => new Request(url, { cache: "no-cache", credentials: "same-origin" })));
    }
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && (name !== CACHE || !SHELL.enabled)) await caches.delete(name);
    }
    // A page that started before there was a worker (the first visit) is taken on too, so that it hears of the
    // next build. Turned off, the worker only passes everything to the network; the next page, from the network,
    // has no shell and unregisters it (static/boot.js).
    if (SHELL.enabled) await self.clients.claim();
  })());
});

function carriesAuthorizationResponse(url) {
  if (url.hash.length > 1) return true;
  for (const name of url.searchParams.keys()) if (MARKERS.includes(name)) return true;
  return false;
}

function shellKey(request) {
  if (request.method !== "GET") return null;
  const url = new URL(request.url);
  if (url.origin !== SCOPE.origin) return null;
  if (request.mode === "navigate") {
    // The app's own page, at any of its own addresses (?system=…); never a callback, never another page.
    return url.pathname === SCOPE.pathname && !carriesAuthorizationResponse(url) ? PAGE : null;
  }
  // Exactly a manifest address: the loader's files carry their content's hash (?v=…), nothing else a query.
  return !url.hash && FILES.has(url.href) ? url.href : null;
}

async function fromShell(key, request) {
  const hit = await caches.match(key, { cacheName: CACHE });
  // Not there (the browser evicted it): the network, as if there were no worker.
  return hit || fetch(request);
}

self.addEventListener("fetch", (event) => {
  if (!SHELL.enabled) return;
  const key = shellKey(event.request);
  if (key) event.respondWith(fromShell(key, event.request));
});
