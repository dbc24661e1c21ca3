// The offline app's service worker (issue 16, docs/adr/0016-offline-app.md), rendered by web/offline_views.py so
// it names the static files by their served URLs. It caches the shell only: scripts, styles, fonts, the page.
// Personal data never goes into this cache: the agent's slice lives in IndexedDB, encrypted (store.js).
const VERSION = "{{ version }}";
const CACHE = `ansinh-offline-${VERSION}`;
const SHELL = {{ shell|safe }};
const KIOSK = {{ kiosk_prefix|safe }};  // the rally kiosk's pages: per site, cached as they are opened

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith("ansinh-offline-") && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (SHELL.includes(url.pathname)) {
    // The shell: from the cache (it changes only with VERSION), the network when it is missing.
    event.respondWith(caches.match(url.pathname).then((hit) => hit || fetch(event.request)));
  }
  else if (url.pathname.startsWith(KIOSK) && event.request.mode === "navigate") {
    // A kiosk page: the network when there is one (a fresh checklist), kept for later; the copy kept when offline.
    event.respondWith(fetch(event.request).then((response) => {
      if (response.ok) { const copy = response.clone(); caches.open(CACHE).then((cache) => cache.put(url.pathname, copy)); }
      return response;
    }).catch(() => caches.match(url.pathname).then((hit) => hit || Response.error())));
  }
  // Everything else (the sync API, the slice) goes to the network: offline it fails and the app says so.
});
