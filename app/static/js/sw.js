// The judges' service worker, served as /sw.js with scope /judge (app/judging/offline.py): the
// judge's tasks page /judge and everything under /judge/.
// Static assets from the precache; the judge's pages network-first with the last copy kept (and
// the kept copy at once when the network hangs); a page never kept answers with the offline page.
// Scores never go through here: the page keeps them in IndexedDB and sends them through the API
// (static/js/offline.js).
// No skipWaiting(): a new version waits until every judge page is closed, so two versions never
// disagree about the queue; activate deletes old caches only, never IndexedDB.
const VERSION = "__VERSION__";
const STATIC_CACHE = "jx-static-" + VERSION;
const PAGES = "jx-pages";
const ASSETS = ["__ASSETS__"];
const OFFLINE = "__OFFLINE__";
const SCOPE = "__SCOPE__";
const KEEP_HEADER = "__KEEP_HEADER__";
const HANG_MS = 6000;          // a navigation waits this long for the network when a kept copy exists
const SHEET_LINK = /href="(\/judge\/events\/\d+\/sheets\/[^"?#\/]+)"/g;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(STATIC_CACHE).then((cache) => cache.addAll([...ASSETS, OFFLINE])));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((keys) => Promise.all(
    keys.filter((k) => k.startsWith("jx-static-") && k !== STATIC_CACHE).map((k) => caches.delete(k)))));
});

const inScope = (path) => path === SCOPE || path.startsWith(SCOPE + "/");

function keepable(response) {
  // Only a judge's own entry pages, which say so (a chief judge's overview, a redirect to the
  // sign-in page or an error page are never kept).
  return response && response.ok && !response.redirected && response.type === "basic"
    && response.headers.get(KEEP_HEADER) === "1";
}

async function pageFirstFromNetwork(request) {
  const cache = await caches.open(PAGES);
  const kept = await cache.match(request.url);
  const network = fetch(request).then(async (response) => {
    if (keepable(response)) await cache.put(request.url, response.clone());
    return response;
  });
  const fallback = async () => kept || (await caches.match(OFFLINE)) || Response.error();
  if (!kept) return network.catch(fallback);
  // With a kept copy, a network that hangs (a signal that comes and goes) does not keep the
  // judge waiting: the kept copy is shown, and the network's answer still refreshes the cache.
  let timer;
  const slow = new Promise((resolve) => { timer = setTimeout(() => resolve(null), HANG_MS); });
  try {
    const first = await Promise.race([network, slow]);
    return first || kept;
  } catch (err) {
    return fallback();
  } finally {
    clearTimeout(timer);
    network.catch(() => {});
  }
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== self.location.origin || event.request.method !== "GET") return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(event.request, { ignoreSearch: true })
      .then((hit) => hit || fetch(event.request)));
  } else if (event.request.mode === "navigate" && inScope(url.pathname)) {
    event.respondWith(pageFirstFromNetwork(event.request));
  }
});

// "Prepare for offline": a page names the pages it leads to; the missing ones are fetched and
// kept (depth 1: each kept event list's sheet pages too).
async function keep(paths, depth, refresh, cache) {
  for (const path of paths.slice(0, 500)) {
    const url = new URL(path, self.location.origin);
    if (url.origin !== self.location.origin || !inScope(url.pathname) || url.pathname === OFFLINE) continue;
    let response = refresh ? null : await cache.match(url.href);
    if (!response) {
      try {
        response = await fetch(url.href, { credentials: "same-origin", redirect: "follow" });
      } catch (err) { return false; }  // offline now: keep what we have
      if (!keepable(response)) continue;
      await cache.put(url.href, response.clone());
    }
    if (depth > 0) {
      const html = await response.text();
      const found = [...new Set([...html.matchAll(SHEET_LINK)].map((m) => m[1]))];
      if (!(await keep(found, depth - 1, false, cache))) return false;
    }
  }
  return true;
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "keep" && Array.isArray(data.urls)) {
    // The page asking has just been loaded from the network: its own copy is fresh; the event
    // lists a tasks page names are refreshed (they are few), sheets only fetched when missing.
    const [self_, ...rest] = data.urls;
    const depth = Math.max(0, Math.min(1, Number(data.depth) || 0));
    event.waitUntil(caches.open(PAGES).then(async (cache) => {
      await keep(rest, depth, depth > 0, cache);
      if (self_) await keep([self_], 0, false, cache);
    }));
  }
  if (data.type === "forget") {  // signing out: the kept pages hold personal data
    event.waitUntil(caches.delete(PAGES).then(() => { if (event.ports[0]) event.ports[0].postMessage("forgotten"); }));
  }
});
