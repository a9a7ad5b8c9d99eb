// The smallest honest implicit-flow client, as a person would write it by hand: state in sessionStorage, checked
// on return; the token kept in sessionStorage; the first 20 systems fetched with the bearer header and drawn as
// text. make bench measures the app against it (scripts/bench.py).
"use strict";

(() => {
  const clientId = document.currentScript.dataset.clientId;
  const redirectUri = location.origin + location.pathname;
  const app = document.getElementById("app");

  function signIn() {
    const bytes = crypto.getRandomValues(new Uint8Array(32));
    const state = btoa(String.fromCharCode(...bytes)).replace(/[+/=]/g, "");
    sessionStorage.setItem("baseline.state", state);
    const query = new URLSearchParams({ response_type: "token", client_id: clientId, redirect_uri: redirectUri,
      state, scope: "public" });
    location.assign("/auth/oauth/authorize?" + query);
  }

  const response = new URLSearchParams(location.hash.slice(1));
  if (response.get("access_token")) {
    history.replaceState(null, "", location.pathname);
    if (response.get("state") === sessionStorage.getItem("baseline.state")) {
      const expiresAt = Date.now() / 1000 + Number(response.get("expires_in") || 300);
      sessionStorage.setItem("baseline.token", JSON.stringify({ token: response.get("access_token"), expiresAt }));
    }
    sessionStorage.removeItem("baseline.state");
  }
  const kept = JSON.parse(sessionStorage.getItem("baseline.token") || "null");
  if (!kept || kept.expiresAt <= Date.now() / 1000) {
    const button = document.createElement("button");
    button.textContent = "Sign in";
    button.addEventListener("click", signIn);
    app.replaceChildren(button);
    return;
  }
  fetch("/api/engine/v2/systems?limit=20", { headers: { Authorization: "Bearer " + kept.token } })
    .then((r) => r.json())
    .then((systems) => {
      const list = document.createElement("ul");
      for (const system of systems) {
        const row = document.createElement("li");
        row.className = "system-row";
        row.textContent = `${system.name} · ${system.capacity} seats`;
        list.appendChild(row);
      }
      app.replaceChildren(list);
    });
})();
