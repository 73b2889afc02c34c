// Live forum pages (phones, projector, facilitator): poll results.json with If-None-Match about once a
// second; an unchanged session costs one tiny query and a bodiless 304, and no worker is held between polls.
// A phone's page (data-paced) waits as long as results.json's poll_after says: one second in a small
// room, longer in a big one (participation/forum/live.py); its own vote it sees at once in the answer.
// New counts change words, bar lengths (CSS animates them) and the ranking's order in place. When more
// changes (a switch, the reveal, new items, a translation) the page is fetched and its [data-swap]
// regions and [data-list] rows are replaced, never the whole page: a phone's list does not move. Vote
// forms marked data-async post with fetch and take their new state the same way. Without JavaScript
// everything works through plain forms and links.
(function () {
  "use strict";
  var root = document.querySelector("[data-live]");
  if (!root || !window.fetch || !window.DOMParser) { return; }
  var url = root.getAttribute("data-live");
  var page = root.getAttribute("data-page") || window.location.pathname;
  var always = root.hasAttribute("data-refresh-always");  // the facilitator's page: any change
  var paced = root.hasAttribute("data-paced");  // a phone: the server says how long to wait
  var etag = null;
  var pace = 1000;
  var delay = pace;
  var sending = false;

  function each(scope, selector, fn) { Array.prototype.forEach.call(scope.querySelectorAll(selector), fn); }

  function setText(el, text) { if (el && typeof text === "string" && el.textContent !== text) { el.textContent = text; } }

  function typing(region) {
    var box = region.querySelector("textarea, input[type=text]");
    return box && (box.value.trim() || document.activeElement === box);
  }

  function syncList(old, fresh) {
    // Rows keep their place; new ones (proposals come last) are added, gone ones removed.
    var keep = {};
    each(fresh, ":scope > [data-item]", function (row) {
      var id = row.getAttribute("data-item");
      keep[id] = true;
      var mine = old.querySelector(":scope > [data-item='" + id + "']");
      if (!mine) { old.appendChild(document.importNode(row, true)); } else { mine.className = row.className; }
    });
    each(old, ":scope > :not([data-item])", function (row) { if (fresh.querySelector(":scope > [data-item]")) { row.remove(); } });
    each(old, ":scope > [data-item]", function (row) {
      if (!keep[row.getAttribute("data-item")] && !row.contains(document.activeElement)) { row.remove(); }
    });
  }

  function swapRegion(old, next) {
    if (old.innerHTML === next.innerHTML || (old.hasAttribute("data-keep-typing") && typing(old))) { return; }
    var focused = document.activeElement;
    var had = old.contains(focused) && focused !== old;
    var key = !had ? null : focused.id ? "#" + focused.id
      : focused.name ? "[name='" + focused.name + "'][value='" + focused.value + "']" : null;
    old.innerHTML = next.innerHTML;
    if (had) {
      var again = (key && old.querySelector(key)) || old;
      if (again === old) { old.setAttribute("tabindex", "-1"); }
      again.focus();
    }
  }

  function swap(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-live]");
    if (!fresh) { return; }
    root.setAttribute("data-state", fresh.getAttribute("data-state") || "");
    if (fresh.hasAttribute("data-version")) { root.setAttribute("data-version", fresh.getAttribute("data-version")); }
    root.className = fresh.className;
    each(root, "[data-list]", function (old) {
      var next = fresh.querySelector("[data-list='" + old.getAttribute("data-list") + "']");
      if (next) { syncList(old, next); }
    });
    each(root, "[data-swap]", function (old) {
      var next = fresh.querySelector("[data-swap='" + old.getAttribute("data-swap") + "']");
      if (next) { swapRegion(old, next); }
    });
    countdowns();
  }

  function refresh() {
    return fetch(page, { credentials: "same-origin", cache: "no-cache" })
      .then(function (response) { return response.text(); })
      .then(swap);
  }

  function apply(data) {
    if (always || data.state !== root.getAttribute("data-state")) { return refresh(); }
    data.items.forEach(function (item) {
      each(document, "[data-item='" + item.id + "']", function (row) {
        Object.keys(item.labels || {}).forEach(function (name) {
          var el = row.querySelector("[data-field=" + name + "]");
          setText(el, item.labels[name]);
          if (el) { el.setAttribute("data-count", item[name] === null ? "" : String(item[name])); }
        });
        Object.keys(item.widths || {}).forEach(function (name) {
          var bar = row.querySelector("[data-bar=" + name + "]");
          if (bar) { bar.className = bar.className.replace(/\bw\d+\b/, item.widths[name]); }
        });
      });
    });
    each(document, "[data-field=participants]", function (el) {
      setText(el, data.participants_label);
      el.setAttribute("data-count", data.participants === null ? "" : String(data.participants));
    });
    each(document, "[data-rank]", function (list) {  // the server already sorted the items
      data.items.forEach(function (item) {
        var row = list.querySelector(":scope > [data-item='" + item.id + "']");
        if (row) { list.appendChild(row); }
      });
    });
    return null;
  }

  function poll() {
    var headers = etag ? { "If-None-Match": etag } : {};
    fetch(url, { headers: headers, credentials: "same-origin", cache: "no-cache" })
      .then(function (response) {
        if (response.status === 304) { return null; }
        if (!response.ok) { throw new Error(String(response.status)); }
        etag = response.headers.get("ETag");
        return response.json();
      })
      .then(function (data) {
        if (data && paced && data.poll_after > 0) { pace = Math.min(Number(data.poll_after), 15000); }
        delay = pace;
        // Older than the page this phone already has (its own vote's answer): nothing to show.
        if (!data || data.version < Number(root.getAttribute("data-version") || 0)) { return null; }
        root.setAttribute("data-version", String(data.version));
        return apply(data);
      })
      .catch(function () { delay = Math.min(delay * 2, 15000); })
      .then(function () { window.setTimeout(poll, document.hidden ? Math.max(5000, delay) : delay); });
  }

  // A vote posts without leaving the page; the answer (the page after the redirect, or the page with
  // the reason a vote was refused) gives the item its new state. One at a time: a double tap is one vote.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-async")) { return; }
    event.preventDefault();
    if (sending) { return; }
    sending = true;
    var body = new FormData(form);
    var button = event.submitter;
    if (button && button.name) { body.append(button.name, button.value); }
    // form.action would be the button named "action": read the attribute.
    fetch(form.getAttribute("action"), { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(swap)
      .catch(function () {  // offline or refused by the network: the plain form instead
        if (button && button.name) {
          var hidden = document.createElement("input");
          hidden.type = "hidden"; hidden.name = button.name; hidden.value = button.value;
          form.appendChild(hidden);
        }
        HTMLFormElement.prototype.submit.call(form);
      })
      .then(function () { sending = false; });
  });

  // A countdown the facilitator started: the server said how many seconds were left; this clock counts.
  function countdowns() {
    each(document, "[data-countdown]", function (el) {
      if (!el.liveEnd) { el.liveEnd = Date.now() + 1000 * Number(el.getAttribute("data-countdown")); }
    });
  }
  function tick() {
    each(document, "[data-countdown]", function (el) {
      var left = Math.max(0, Math.ceil((el.liveEnd - Date.now()) / 1000));
      var time = el.querySelector(".countdown-time");
      if (left === 0) { setText(el, el.getAttribute("data-ended")); return; }
      setText(time, Math.floor(left / 60) + ":" + (left % 60 < 10 ? "0" : "") + (left % 60));
    });
  }
  countdowns();
  window.setInterval(tick, 500);
  window.setTimeout(poll, delay);
})();
