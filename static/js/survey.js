// Progressive enhancement of the survey form: show-if, and one question per screen with progress.
// The form works fully without this script; nothing here is needed to answer.
(function () {
  "use strict";
  var form = document.querySelector("form.survey");
  if (!form) { return; }

  function chosenOptionIds() {
    var ids = {};
    // Only options count: a scale point's value (1-5) must not be taken for an option id.
    form.querySelectorAll("[data-kind=single_choice] input:checked, [data-kind=multiple_choice] input:checked, " +
      "[data-kind=ranking] select").forEach(function (el) { if (el.value) { ids[el.value] = true; } });
    return ids;
  }

  function applyShowIf() {
    var chosen = chosenOptionIds();
    form.querySelectorAll("[data-show-if]").forEach(function (block) {
      var shown = !!chosen[block.getAttribute("data-show-if")];
      block.hidden = !shown;
      block.disabled = !shown;
      block.setAttribute("data-skipped", shown ? "" : "1");
    });
  }

  var steps = Array.prototype.slice.call(form.querySelectorAll("fieldset.question[data-kind]:not([data-kind=profile]), section.profile"));
  var submit = form.querySelector(".submit");
  var problemBox = document.getElementById("problem");
  var screenField = document.createElement("input");
  var bar = document.createElement("progress");
  var label = document.createElement("p");
  var nav = document.createElement("div");
  var back = document.createElement("button");
  var next = document.createElement("button");
  // A language switch posts the screen it was on; the server checked it is a small number.
  var current = parseInt(form.getAttribute("data-screen") || "0", 10);

  function data(el, name) { return el.getAttribute("data-" + name); }

  function visibleSteps() {
    return steps.filter(function (step) { return step.getAttribute("data-skipped") !== "1"; });
  }

  function answered(step) {
    return !!step.querySelector("input:checked") ||
      Array.prototype.some.call(step.querySelectorAll("select, textarea, input[type=text]"), function (el) { return el.value.trim() !== ""; });
  }

  // The same rule as surveys.answering.whole_number: Arabic-Indic and Persian digits count as 0-9.
  function whole(raw) {
    var text = raw.trim().replace(/\u2212/g, "-").replace(/[ \u00a0\u202f]/g, "").replace(/[\u0660-\u0669\u06f0-\u06f9]/g, function (d) {
      return String((d.charCodeAt(0) - 0x660) % 0x90);
    });
    return /^[+-]?[0-9]+$/.test(text) ? parseInt(text, 10) : null;
  }

  // What the server would say about this screen (surveys.answering), in its words from the page, or "".
  function problem(step) {
    var kind = data(step, "kind");
    var chosen = {};
    var twice = false;
    if (kind === "multiple_choice" && data(step, "max-choices") &&
        step.querySelectorAll("input:checked").length > parseInt(data(step, "max-choices"), 10)) {
      return data(step, "error-max");
    }
    if (kind === "ranking") {
      step.querySelectorAll("select").forEach(function (el) { twice = twice || !!(el.value && chosen[el.value]); chosen[el.value] = true; });
      if (twice) { return data(form, "error-rank"); }
    }
    if (kind === "free_text") {
      // Counted as the server counts: code points, line breaks sent as two, control characters dropped.
      var text = step.querySelector("textarea").value.replace(/\r?\n/g, "\r\n").replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, "").trim();
      var count = Array.from(text).length;
      var max = parseInt(data(form, "text-max"), 10);
      if (count > max) { return data(form, "error-long").replace("%(max)d", max).replace("%(count)d", count); }
    }
    if (kind === "number") {
      var raw = step.querySelector("input").value;
      var value = whole(raw);
      if (raw.trim() !== "" && value === null) { return data(form, "error-number"); }
      if (value !== null && (value < parseInt(data(step, "min"), 10) || value > parseInt(data(step, "max"), 10))) { return data(step, "error-range"); }
    }
    return data(step, "required") && !answered(step) ? data(form, "required") : "";
  }

  function controls(step) { return step.querySelectorAll("input:not([type=hidden]), select, textarea"); }

  function clear(step) {
    if (step.tagName !== "FIELDSET") { return; }  // the profile screen's follow-up code is checked by the server only
    step.querySelectorAll(".error").forEach(function (el) { el.remove(); });
    step.classList.remove("invalid");
    step.removeAttribute("aria-describedby");
    controls(step).forEach(function (el) { el.removeAttribute("aria-invalid"); });
  }

  function mark(step, message) {
    var note = document.createElement("p");
    clear(step);
    note.className = "error js";
    note.id = step.id + "-js-error";
    note.setAttribute("role", "alert");
    note.textContent = message;
    step.classList.add("invalid");
    step.setAttribute("aria-describedby", note.id);
    step.insertBefore(note, step.querySelector("legend").nextSibling);
    controls(step).forEach(function (el) { el.setAttribute("aria-invalid", "true"); });
    (step.querySelector("input:checked:not([type=radio]), input:not([type=radio]):not([type=checkbox]), select, textarea") || controls(step)[0]).focus();
  }

  function render() {
    var visible = visibleSteps();
    if (!(current < visible.length)) { current = visible.length - 1; }
    if (current < 0) { current = 0; }
    steps.forEach(function (step) { step.hidden = visible.indexOf(step) !== current; });
    var last = current === visible.length - 1;
    submit.hidden = !last;
    next.hidden = last;
    back.hidden = current === 0;
    bar.max = visible.length;
    bar.value = current + 1;
    screenField.value = String(current);
    label.textContent = form.getAttribute("data-progress")
      .replace("{current}", String(current + 1)).replace("{total}", String(visible.length));
  }

  function go(index) {
    current = index;
    applyShowIf();
    render();
    var heading = visibleSteps()[current].querySelector("legend, h2");
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }

  function move(delta) {
    var step = visibleSteps()[current];
    var message = problem(step);
    if (delta > 0 && message) {
      mark(step, message);
      return;
    }
    if (!message) { clear(step); }
    go(current + delta);
  }

  // The first shown screen with a problem this script finds (or, with `marked`, the server found), or -1.
  function firstProblem(marked) {
    var visible = visibleSteps();
    for (var i = 0; i < visible.length; i++) {
      if ((marked && visible[i].querySelector(".error")) || problem(visible[i])) { return i; }
    }
    return -1;
  }

  var stepping = false;
  // Read-aloud: a button by each question, only when this phone has a voice for the page's language.
  function voiceFor(synth) {
    var lang = (form.getAttribute("data-speech-lang") || "").toLowerCase();
    var primary = lang.split("-")[0];
    var voices = synth.getVoices() || [];
    var loose = null;
    for (var i = 0; i < voices.length; i++) {
      var code = String(voices[i].lang || "").toLowerCase().replace("_", "-");
      if (code === lang) { return voices[i]; }
      // Dari voices may be labelled with Dari's own code, prs.
      if (!loose && (code.split("-")[0] === primary || (primary === "fa" && code.indexOf("prs") === 0))) { loose = voices[i]; }
    }
    return loose;
  }

  function spokenText(fieldset) {
    var legend = fieldset.querySelector("legend").cloneNode(true);
    var number = legend.querySelector(".number");
    if (number) { number.remove(); }
    var parts = [legend.textContent];
    fieldset.querySelectorAll(".choice span, .scale-label").forEach(function (el) { parts.push(el.textContent); });
    return parts.map(function (part) { return part.replace(/\s+/g, " ").trim(); }).filter(Boolean).join(". ");
  }

  function addReadAloud() {
    var synth = window.speechSynthesis;
    if (!synth || typeof window.SpeechSynthesisUtterance !== "function" || form.querySelector(".read-aloud")) { return; }
    var voice = voiceFor(synth);
    if (!voice) { return; }
    form.querySelectorAll("fieldset.question[data-kind]:not([data-kind=profile])").forEach(function (fieldset) {
      var button = document.createElement("button");
      var icon = document.createElement("span");
      button.type = "button";
      button.className = "secondary read-aloud";
      icon.setAttribute("aria-hidden", "true");
      icon.textContent = "🔊 ";
      button.appendChild(icon);
      button.appendChild(document.createTextNode(form.getAttribute("data-read-aloud")));
      button.addEventListener("click", function () {
        var utterance = new window.SpeechSynthesisUtterance(spokenText(fieldset));
        utterance.voice = voice;
        utterance.lang = voice.lang;
        synth.cancel();
        synth.speak(utterance);
      });
      var legend = fieldset.querySelector("legend");
      fieldset.insertBefore(button, legend.nextSibling);
    });
  }

  addReadAloud();
  if (window.speechSynthesis && window.speechSynthesis.addEventListener) {
    // Voices load late on many phones.
    window.speechSynthesis.addEventListener("voiceschanged", addReadAloud);
  }

  form.addEventListener("change", function () {
    applyShowIf();
    // A question shown by this answer waits for its own screen.
    if (stepping) { render(); }
  });
  applyShowIf();
  if (steps.length < 2) { return; }
  stepping = true;

  form.classList.add("stepping");
  screenField.type = "hidden";
  screenField.name = "screen";
  form.appendChild(screenField);
  bar.className = "progress";
  bar.setAttribute("aria-hidden", "true");
  label.className = "hint";
  label.setAttribute("aria-live", "polite");
  nav.className = "stepper";
  back.type = "button";
  back.className = "secondary";
  back.textContent = form.getAttribute("data-back");
  next.type = "button";
  next.textContent = form.getAttribute("data-next");
  back.addEventListener("click", function () { move(-1); });
  next.addEventListener("click", function () { move(1); });
  nav.appendChild(back);
  nav.appendChild(next);
  form.insertBefore(label, steps[0]);
  form.insertBefore(bar, label);
  form.insertBefore(nav, submit);
  form.addEventListener("keydown", function (event) {
    // Enter in a text field (the phone keyboard's Go) moves on. Left to the browser it would press the
    // form's first submit button, which is the first language in the page's header.
    if (event.key !== "Enter" || event.target.tagName !== "INPUT" || event.target.type === "radio" || event.target.type === "checkbox") { return; }
    event.preventDefault();
    var send = submit.querySelector("button");
    if (current < visibleSteps().length - 1) { move(1); } else if (!send.disabled) { form.requestSubmit(send); }
  });
  form.addEventListener("submit", function (event) {
    if (event.submitter && event.submitter.hasAttribute("formaction")) {
      // A language: the page comes back in it at this screen (screenField), every answer kept, a skipped
      // question's too.
      form.querySelectorAll("[data-show-if]").forEach(function (block) { block.disabled = false; });
      return;
    }
    var wrong = firstProblem(false);
    if (wrong >= 0) {
      event.preventDefault();
      go(wrong);
      mark(visibleSteps()[wrong], problem(visibleSteps()[wrong]));
      return;
    }
    submit.querySelector("button").disabled = true;
  });
  form.querySelectorAll("fieldset.invalid").forEach(function (step) {
    controls(step).forEach(function (el) { el.setAttribute("aria-invalid", "true"); });
  });
  if (problemBox) {
    // After the server found problems: the first screen with one, not every question on one long page.
    var first = firstProblem(true);
    if (first >= 0) { current = first; }
    problemBox.addEventListener("click", function (event) {
      var link = event.target.closest("a");
      var target = link && document.getElementById(link.hash.slice(1));
      var index = target ? visibleSteps().indexOf(target.closest("fieldset.question, section.profile")) : -1;
      if (index >= 0) {
        event.preventDefault();
        go(index);
      }
    });
  }
  render();
  if (problemBox) { problemBox.focus(); }
})();

// --- Offline (issue 12): a form sent while the phone has no connection waits and goes when it is back ---
// The service worker (sw.js) keeps this page so it opens again offline. Online the form posts just as it
// does without this script. Offline, the answers are kept and sent once, with the form's own submission
// key, so even a second send stores nothing new.
(function () {
  "use strict";
  var form = document.querySelector("form.survey[data-worker]");
  var status = document.getElementById("offline-status");
  if (!form || !status || !window.fetch) { return; }
  var worker = navigator.serviceWorker;
  // The page came from the network before the worker ran: ask it to keep a copy of it, its style and script.
  var fresh = worker && !worker.controller;
  // sessionStorage, not localStorage: the answers outlive a reload or a tab the phone put to sleep, but
  // not the tab itself, so on a shared tablet they never wait for the next person. Gone once sent.
  var slot = "delaktig-unsent:" + form.action;
  var body = null;
  var timer = null;
  var delay = 1000;
  var sending = false;

  function say(name) { status.textContent = data(name); }
  function data(name) { return form.getAttribute("data-offline-" + name); }

  function keep(value) {
    body = value;
    try {
      if (value) { sessionStorage.setItem(slot, value); } else { sessionStorage.removeItem(slot); }
    } catch (e) { /* storage switched off: this page's own copy still goes */ }
  }

  function wait() {
    form.hidden = true;
    say("queued");
    later();
  }

  // Again soon, then less often: a connection that has just come back often fails its first requests.
  function later() {
    clearTimeout(timer);
    timer = setTimeout(send, delay);
    delay = Math.min(delay * 2, 30000);
  }

  function send() {
    if (sending || !body) { return; }
    if (!navigator.onLine) { later(); return; }
    sending = true;
    fetch(form.action, { method: "POST", body: new URLSearchParams(body), credentials: "same-origin" }).then(function (response) {
      if (response.status >= 500) { throw new Error("not now"); }
      return response.text().then(function (page) {
        clearTimeout(timer);
        keep(null);
        if (response.ok && response.redirected) {
          // Stored (or stored before, from the same key): on to the thank-you page it led to.
          say("arrived");
          setTimeout(function () { location.replace(response.url); }, 1500);
          return;
        }
        // Refused (a check to redo, an answer to look at): the server's page, every answer in it kept.
        document.open();
        document.write(page);
        document.close();
      });
    }).catch(function () {
      sending = false;
      later();
    });
  }

  form.addEventListener("submit", function (event) {
    // After the stepper's checks; a language button is left to the browser.
    if (event.defaultPrevented || navigator.onLine || (event.submitter && event.submitter.hasAttribute("formaction"))) { return; }
    event.preventDefault();
    keep(new URLSearchParams(new FormData(form)).toString());
    wait();
    status.tabIndex = -1;  // the send button it replaces had the focus
    status.focus();
  });
  window.addEventListener("online", function () {
    delay = 1000;
    send();
  });
  try { body = sessionStorage.getItem(slot); } catch (e) { body = null; }
  if (body) {
    wait();
    send();
  }
  if (!worker) { return; }
  worker.register(form.getAttribute("data-worker")).then(function () { return worker.ready; }).then(function (registration) {
    if (fresh && registration.active) {
      var urls = [location.href];
      document.querySelectorAll("link[rel=stylesheet], script[src]").forEach(function (el) { urls.push(el.href || el.src); });
      registration.active.postMessage({ keep: urls });
    }
  }).catch(function () { /* no worker: the page works as before */ });
})();

// --- Copy button for the follow-up code (the code page) -------------------------------------------
// Kept apart from the stepper above. The button is in the page hidden and appears only where the
// browser can copy, so without this script (or without a clipboard) nothing offers what cannot work.
(function () {
  "use strict";
  var button = document.querySelector("button[data-copy]");
  if (!button || !navigator.clipboard || !window.isSecureContext) { return; }
  var source = document.getElementById(button.getAttribute("data-copy"));
  var status = document.getElementById("copy-status");
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(source.textContent.trim()).then(function () {
      if (status) { status.textContent = button.getAttribute("data-copied"); }
    });
  });
})();
