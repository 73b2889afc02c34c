// Live forum results: poll the session's results with If-None-Match about once a second. An unchanged
// session costs the server one tiny query and a bodiless 304; no worker is held between polls.
(function () {
  "use strict";
  var list = document.querySelector("[data-live]");
  if (!list || !window.fetch) { return; }
  var url = list.getAttribute("data-live");
  var etag = null;
  var delay = 1000;

  var hidden = "";

  function setField(root, name, value) {
    if (value === undefined) { return; }
    var el = root.querySelector("[data-field=" + name + "]");
    var text = value === null ? hidden : String(value);  // null: a count too small to show
    if (el && el.textContent !== text) { el.textContent = text; }
  }

  function apply(data) {
    hidden = data.hidden || "";
    var rows = {};
    list.querySelectorAll("[data-item]").forEach(function (row) { rows[row.getAttribute("data-item")] = row; });
    data.items.forEach(function (item) {
      var row = rows[String(item.id)];
      if (!row) { return; }  // a new topic: it appears on the next reload with its vote buttons
      setField(row, "votes", item.votes);
      setField(row, "agree", item.agree);
      setField(row, "disagree", item.disagree);
      setField(row, "pass", item.pass);
    });
    setField(document, "participants", data.participants);
    if (list.classList.contains("ranking")) {
      // On the projector the ranking reorders itself; the server already sorted the items.
      data.items.forEach(function (item) {
        var row = rows[String(item.id)];
        if (row) { list.appendChild(row); }
      });
      var changed = String(data.voting_open) !== list.getAttribute("data-voting") || data.status === "closed";
      if (changed || data.items.some(function (item) { return !rows[String(item.id)]; })) {
        window.location.reload();
      }
    }
    if (!list.classList.contains("ranking")) {
      // On a phone: when voting opens or closes, or new topics are approved, show the new buttons,
      // unless the participant is in the middle of typing a proposal.
      var changedState = String(data.voting_open) !== list.getAttribute("data-voting") ||
        data.status !== list.getAttribute("data-status") ||
        data.items.some(function (item) { return !rows[String(item.id)]; });
      var typing = document.querySelector("form.propose textarea");
      if (changedState && !(typing && typing.value.trim())) { window.location.reload(); }
    }
    list.setAttribute("data-version", String(data.version));
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
      .then(function (data) { if (data) { apply(data); } delay = 1000; })
      .catch(function () { delay = Math.min(delay * 2, 15000); })
      .then(function () { window.setTimeout(poll, document.hidden ? 5000 : delay); });
  }
  window.setTimeout(poll, delay);
})();
