// The redirect URI of a renewal in a hidden frame (app/auth/flows.py): no Pyodide, nothing else. It takes the
// authorization response out of its address bar and hands it to the page that framed it, on the app's own origin
// only; Python there checks its state exactly as for a top-level callback.
"use strict";

(() => {
  const response = location.hash.slice(1) || location.search.slice(1);
  history.replaceState(null, "", location.pathname);
  if (window.parent !== window) {
    window.parent.postMessage({ type: "placeos-authorization-response", response }, location.origin);
  }
})();
