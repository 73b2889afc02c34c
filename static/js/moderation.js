// Moderation decisions in place: the same forms are sent with fetch asking for JSON, the decided item leaves
// the list and the keyboard focus moves to the next item's first button, so a moderator goes from text to
// text with Tab and Enter. Without this script every form posts as usual and comes back to the next item.
(function () {
  "use strict";
  var list = document.querySelector(".moderation-list");
  var status = document.getElementById("queue");
  if (!list || !window.fetch || !window.FormData) { return; }

  function say(message) {
    if (status) { status.textContent = message; }
  }

  function focusAfter(item) {
    var next = item.nextElementSibling || item.previousElementSibling;
    var target = next && next.querySelector("[data-primary]");
    item.remove();
    if (target) { target.focus(); } else if (status) { status.focus(); }
  }

  function send(form, submitter) {
    var body = new FormData(form);
    if (submitter && submitter.name) { body.append(submitter.name, submitter.value); }
    return fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) { throw new Error("not json"); }
      return response.json();
    });
  }

  function plainly(form, submitter) {
    // Something unexpected (an expired session, a lost token): let the browser post the form itself.
    form.setAttribute("data-plain", "1");
    if (form.requestSubmit) { form.requestSubmit(submitter || undefined); } else { form.submit(); }
  }

  function decided(form, data) {
    var item = form.closest(".moderation-item");
    if (data.ok) {
      say(data.message);
      focusAfter(item);
      return;
    }
    var error = item.querySelector(".item-error");
    if (error) { error.textContent = data.message; }
    var details = item.querySelector("details");
    if (details) { details.open = true; }
    var field = item.querySelector("textarea");
    if (field) { field.focus(); }
  }

  function marked(form, data) {
    var item = form.closest(".moderation-item");
    var button = form.querySelector("button");
    var needed = form.querySelector("input[name=needed]");
    item.querySelector(".reader-mark").hidden = !data.needed;
    needed.value = data.needed ? "0" : "1";
    button.textContent = button.getAttribute(data.needed ? "data-unmark" : "data-mark");
    say(data.message);
  }

  list.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.getAttribute("data-plain")) { return; }
    var isDecision = form.classList.contains("moderation-actions");
    if (!isDecision && !form.classList.contains("reader-form")) { return; }
    event.preventDefault();
    var submitter = event.submitter || null;
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (button) { button.disabled = true; });
    send(form, submitter).then(function (data) {
      buttons.forEach(function (button) { button.disabled = false; });
      (isDecision ? decided : marked)(form, data);
    }).catch(function () {
      buttons.forEach(function (button) { button.disabled = false; });
      plainly(form, submitter);
    });
  });
})();
