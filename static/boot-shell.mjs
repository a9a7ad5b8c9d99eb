// The loader's last part: the offline app shell, registered once the person has the app, so it costs the start
// nothing (static/boot-start.mjs imports this then). The worker (static/sw.js) caches this build, mostly from the
// HTTP cache, for the next start without network. A build without it removes a worker an earlier build left.

const UPDATE_CHECK_MS = 3600000; // how often a kiosk looks for a new build

export function keepShell(WORKER, configText) {
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
