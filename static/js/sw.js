// Offline tolerance of the survey pages: a survey opened once opens again without a connection.
// Served at /<lang>/s/sw.js, so its scope is /<lang>/s/: staff pages, the API and every other page never
// pass through it. It keeps only the survey's form page (new, unanswered: no personal data) and the
// static files; never a POST's answer, the thank-you page or anything else. Sending a form the phone
// could not send is the page's work (survey.js), so it works where no worker runs.
"use strict";
var PREFIX = "delaktig-survey-";
var CACHE = PREFIX + "v1"; // a new version of this file gets a new name; the old copies go on activate
var FORM_PAGE = /^\/[^/]+\/s\/[a-z0-9-]+$/;

function keepable(url) {
  return url.origin === self.location.origin && (FORM_PAGE.test(url.pathname) || url.pathname.indexOf("/static/") === 0);
}

// Network first (what the server says now wins), and a copy of every good answer for when it is gone.
function fetchAndKeep(request, event) {
  return fetch(request).then(function (response) {
    if (response.status === 200 && response.type === "basic" && !response.redirected) {
      var copy = response.clone();
      event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.put(request, copy); }));
    }
    return response;
  });
}

self.addEventListener("install", function () { self.skipWaiting(); });

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name.indexOf(PREFIX) === 0 && name !== CACHE; })
      .map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

// The page that was open before this worker came asks it to keep a copy of itself, its style and script.
self.addEventListener("message", function (event) {
  var urls = (event.data && event.data.keep) || [];
  event.waitUntil(Promise.all(urls.map(function (raw) {
    var url = new URL(raw, self.location.href);
    return keepable(url) ? fetchAndKeep(new Request(url.href, { credentials: "same-origin" }), event).catch(function () {}) : null;
  })));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method === "POST" && url.origin === self.location.origin && FORM_PAGE.test(url.pathname)) {
    // The POST goes to the network as it is. Once the server took the form (it answers with a redirect),
    // the kept copy's submission key is spent: the next person on this phone (a kiosk) needs a fresh page.
    event.respondWith(fetch(request).then(function (response) {
      if (response.type === "opaqueredirect" || response.redirected) {
        event.waitUntil(caches.open(CACHE).then(function (cache) {
          return cache.delete(url.origin + url.pathname, { ignoreSearch: true, ignoreVary: true });
        }));
      }
      return response;
    }));
    return;
  }
  if (request.method !== "GET" || !keepable(url)) { return; }
  event.respondWith(fetchAndKeep(request, event).catch(function (error) {
    return caches.match(request, { ignoreVary: true }).then(function (kept) {
      if (kept) { return kept; }
      throw error;
    });
  }));
});
