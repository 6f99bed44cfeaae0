/**
 * The page's service worker: once the page has loaded, every file of the site is in a cache,
 * so that the page opens and runs offline. The build (web/vite.config.ts) fills in the version
 * and the list of the build's files below; a new build is a new cache, and the old ones are removed.
 * Only the site's own files are cached; nothing else is ever requested.
 */
const CACHE = 'p2pmarket-__VERSION__';
const FILES = __FILES__;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('p2pmarket-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

// Cache first (the files are named by their content's hash), the network for anything else of the site.
self.addEventListener('fetch', (event) => {
  if (event.request.method !== 'GET') return;
  event.respondWith(caches.match(event.request, { ignoreSearch: true }).then((hit) => hit ?? fetch(event.request)));
});
