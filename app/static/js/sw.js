// The judges' service worker, served as /sw.js with scope /judge/ (app/judging/offline.py).
// Static assets from the precache; the judge's pages network-first with the last copy kept;
// a page never kept answers with the offline page. Scores never go through here: the page keeps
// them in IndexedDB and sends them through the API (static/js/offline.js).
// No skipWaiting(): a new version waits until every judge page is closed, so two versions never
// disagree about the queue; activate deletes old caches only, never IndexedDB.
const VERSION = "__VERSION__";
const STATIC_CACHE = "jx-static-" + VERSION;
const PAGES = "jx-pages";
const ASSETS = ["__ASSETS__"];
const OFFLINE = "/judge/offline";

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(STATIC_CACHE).then((cache) => cache.addAll([...ASSETS, OFFLINE])));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((keys) => Promise.all(
    keys.filter((k) => k.startsWith("jx-static-") && k !== STATIC_CACHE).map((k) => caches.delete(k)))));
});

function keepable(response) {
  // A redirect (to the sign-in page) or an error page is never kept as the judge's page.
  return response && response.ok && !response.redirected && response.type === "basic"
    && (response.headers.get("Content-Type") || "").startsWith("text/html");
}

async function pageFirstFromNetwork(request) {
  try {
    const response = await fetch(request);
    if (keepable(response)) {
      const cache = await caches.open(PAGES);
      await cache.put(request.url, response.clone());
    }
    return response;
  } catch (err) {
    const kept = await caches.match(request.url, { cacheName: PAGES });
    return kept || (await caches.match(OFFLINE)) || Response.error();
  }
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== self.location.origin || event.request.method !== "GET") return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(event.request, { ignoreSearch: true })
      .then((hit) => hit || fetch(event.request)));
  } else if (event.request.mode === "navigate" && url.pathname.startsWith("/judge/")) {
    event.respondWith(pageFirstFromNetwork(event.request));
  }
});

// "Prepare for offline": the page names the sheet pages to keep (its event's list).
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "keep" && Array.isArray(data.urls)) {
    event.waitUntil((async () => {
      const cache = await caches.open(PAGES);
      for (const path of data.urls.slice(0, 500)) {
        const url = new URL(path, self.location.origin);
        if (url.origin !== self.location.origin || !url.pathname.startsWith("/judge/")) continue;
        try {
          const response = await fetch(url.href, { credentials: "same-origin" });
          if (keepable(response)) await cache.put(url.href, response);
        } catch (err) { return; }  // offline now: keep what we have
      }
    })());
  }
  if (data.type === "forget") {  // signing out: the kept pages hold personal data
    event.waitUntil(caches.delete(PAGES));
  }
});
