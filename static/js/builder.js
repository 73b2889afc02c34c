/* The survey builder, a little faster with JavaScript (every page works without it).
 *
 * - New survey: the web address is made from the title as it is typed, until it is edited by hand.
 * - Question page: only the settings of the chosen kind are shown.
 * - Options (question page) and the list of questions (survey page): each form is sent in the background
 *   to the same route as without JavaScript, with the X-Builder-Fragment header; the part of the page
 *   that comes back replaces the old one (also on a refusal: 422 with the message and what was typed).
 */
(function () {
  "use strict";

  function slugFrom(title) {
    return title.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 70).replace(/-+$/g, "");
  }

  function deriveSlug() {
    var form = document.querySelector("form.new-survey");
    if (!form) { return; }
    var title = form.querySelector("#title");
    var slug = form.querySelector("#slug");
    if (!title || !slug) { return; }
    var byHand = slug.value !== "" && slug.value !== slugFrom(title.value);
    slug.addEventListener("input", function () { byHand = slug.value !== ""; });
    title.addEventListener("input", function () {
      if (!byHand) { slug.value = slugFrom(title.value); }
    });
  }

  function kindSettings() {
    var kind = document.querySelector("form.question-form select[name=kind]");
    if (!kind) { return; }
    var groups = document.querySelectorAll(".kind-settings[data-kinds]");
    function show() {
      groups.forEach(function (group) {
        group.hidden = group.getAttribute("data-kinds").split(" ").indexOf(kind.value) === -1;
      });
    }
    kind.addEventListener("change", show);
    show();
  }

  function focusTarget(form, submitter) {
    // Where the keyboard should be after the swap: the same control of the same item, or the new option's box.
    if (form.classList.contains("add-option")) { return "#new-label"; }
    var item = form.closest("[data-item]");
    if (!item) { return null; }
    if (submitter && submitter.name === "direction") {
      return "#" + item.id + " button[name=direction][value=" + submitter.value + "]";
    }
    return "#" + item.id + " input[name=label]";
  }

  function swapPart(form, submitter) {
    var part = form.closest("[data-builder-fragment]");
    var data = new FormData(form);
    if (submitter && submitter.name) { data.append(submitter.name, submitter.value); }
    var target = focusTarget(form, submitter);
    part.setAttribute("aria-busy", "true");
    return fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Builder-Fragment": "1" }
    }).then(function (response) {
      if (response.status !== 200 && response.status !== 422) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) {
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var fresh = holder.querySelector("#" + part.id);
      if (!fresh) { throw new Error("the answer has no part to show"); }
      part.replaceWith(fresh);
      var focus = [target, "[aria-invalid=true]", "#new-label", "h2"].map(function (selector) {
        return selector ? fresh.querySelector(selector) : null;
      }).filter(function (element) { return element && !element.disabled; })[0];
      if (focus) {
        if (focus.tagName === "H2") { focus.setAttribute("tabindex", "-1"); }
        focus.focus();
      }
    });
  }

  function inPlace() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!(form instanceof HTMLFormElement) || !form.closest("[data-builder-fragment]")) { return; }
      event.preventDefault();
      var submitter = event.submitter;
      // Something that cannot be undone asks first; without JavaScript the server's own page asks.
      if (form.dataset.confirm) {
        if (!window.confirm(form.dataset.confirm)) { return; }
        if (!form.querySelector("input[name=confirm]")) {
          var yes = document.createElement("input");
          yes.type = "hidden";
          yes.name = "confirm";
          yes.value = "yes";
          form.appendChild(yes);
        }
      }
      swapPart(form, submitter).catch(function () {
        // Anything unexpected: send the form the ordinary way, which always works.
        if (submitter && submitter.name) {
          var pressed = document.createElement("input");
          pressed.type = "hidden";
          pressed.name = submitter.name;
          pressed.value = submitter.value;
          form.appendChild(pressed);
        }
        form.submit();
      });
    });
  }

  deriveSlug();
  kindSettings();
  inPlace();
}());
