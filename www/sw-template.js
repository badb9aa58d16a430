// Service worker: keeps the page's own files so it reloads with the network gone. Cache first,
// one cache per build (scripts/build-web.mjs writes sw.js from this file with the list and its
// hash); an older build's cache is dropped when this one takes over. It fetches nothing but the
// page's own files.
const CACHE = 'headroom-__VERSION__';
const FILES = __FILES__;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('headroom-') && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  // The share link's state travels in the fragment, which never reaches here.
  const key = url.pathname.endsWith('/') ? new Request(new URL('index.html', url)) : event.request;
  event.respondWith(caches.open(CACHE).then((cache) => cache.match(key, { ignoreSearch: true })
    .then((hit) => hit || fetch(event.request))));
});
