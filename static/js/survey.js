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
  var current = 0;
  var hasErrors = !!document.getElementById("problem");
  var bar = document.createElement("progress");
  var label = document.createElement("p");
  var nav = document.createElement("div");
  var back = document.createElement("button");
  var next = document.createElement("button");

  function visibleSteps() {
    return steps.filter(function (step) { return step.getAttribute("data-skipped") !== "1"; });
  }

  function answered(step) {
    return !!step.querySelector("input:checked") ||
      Array.prototype.some.call(step.querySelectorAll("select, textarea, input[type=text]"), function (el) { return el.value.trim() !== ""; });
  }

  function render() {
    var visible = visibleSteps();
    if (current >= visible.length) { current = visible.length - 1; }
    steps.forEach(function (step) { step.hidden = visible.indexOf(step) !== current; });
    var last = current === visible.length - 1;
    submit.hidden = !last;
    next.hidden = last;
    back.hidden = current === 0;
    bar.max = visible.length;
    bar.value = current + 1;
    label.textContent = form.getAttribute("data-progress")
      .replace("{current}", String(current + 1)).replace("{total}", String(visible.length));
  }

  function move(delta) {
    var step = visibleSteps()[current];
    var stale = step.querySelector(".error.js");
    if (stale && answered(step)) {
      stale.remove();
      step.removeAttribute("aria-describedby");
    }
    if (delta > 0 && step.getAttribute("data-required") && !answered(step)) {
      var note = step.querySelector(".error.js") || document.createElement("p");
      note.className = "error js";
      note.id = step.id + "-js-error";
      note.textContent = form.getAttribute("data-required");
      step.setAttribute("aria-describedby", note.id);
      step.insertBefore(note, step.querySelector("legend").nextSibling);
      step.querySelector("input, select, textarea").focus();
      return;
    }
    current += delta;
    applyShowIf();
    render();
    var heading = visibleSteps()[current].querySelector("legend, h2");
    heading.setAttribute("tabindex", "-1");
    heading.focus();
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
  if (hasErrors || steps.length < 2) { return; }
  stepping = true;

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
  form.addEventListener("submit", function (event) {
    // Enter in a text field (the phone keyboard's Go) moves on, it does not send a half-answered survey.
    if (current < visibleSteps().length - 1) {
      event.preventDefault();
      move(1);
      return;
    }
    submit.querySelector("button").disabled = true;
  });
  render();
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
