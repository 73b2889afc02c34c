/* The survey builder, a little faster with JavaScript (every page works without it).
 *
 * - New survey: the web address is made from the title as it is typed, until it is edited by hand.
 * - Question page: only the settings of the chosen kind are shown.
 * - Options (question page) and the list of questions (survey page): each form is sent in the background
 *   to the same route as without JavaScript, with the X-Builder-Fragment header; the part of the page
 *   that comes back replaces the old one (also on a refusal: 422 with the message and what was typed).
 * - The question itself the same way: saving it, and "add another question", swap the question's editor
 *   and put its address in the history, so building a survey loads no page after the first question.
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
    var groups = kind.form.querySelectorAll(".kind-settings[data-kinds]");
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
    // A question: a refused field first, else the new option of the saved question (its options come next).
    if (form.classList.contains("question-form")) { return "[aria-invalid=true], #new-label"; }
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
    return swap(part, form.action, { method: "POST", body: data }, focusTarget(form, submitter));
  }

  function swap(part, address, request, target) {
    // Fetch the part anew from `address` and put it in the old one's place; the keyboard goes to `target`.
    part.setAttribute("aria-busy", "true");
    request.credentials = "same-origin";
    request.headers = { "X-Builder-Fragment": "1" };
    return fetch(address, request).then(function (response) {
      if (response.status !== 200 && response.status !== 422) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) {
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var fresh = holder.querySelector("#" + part.id);
      if (!fresh) { throw new Error("the answer has no part to show"); }
      part.replaceWith(fresh);
      if (fresh.dataset.location) {  // the question's editor: its own address, title and settings
        if (fresh.dataset.location !== window.location.pathname) {
          window.history.pushState({ builder: true }, "", fresh.dataset.location);
        }
        document.title = fresh.dataset.title;
        kindSettings();
      }
      var focus = [target, "[aria-invalid=true]", "#new-label", "h2", "h1"].map(function (selector) {
        return selector ? fresh.querySelector(selector) : null;
      }).filter(function (element) { return element && !element.disabled; })[0];
      if (focus) {
        if (/^H[12]$/.test(focus.tagName)) { focus.setAttribute("tabindex", "-1"); }
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

  function loadInPlace() {
    // "Add another question": the empty editor in place of the last one.
    document.addEventListener("click", function (event) {
      var link = event.target instanceof Element && event.target.closest("a[data-builder-load]");
      if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) { return; }
      var part = link.closest("[data-builder-fragment]");
      if (!part) { return; }
      event.preventDefault();
      swap(part, link.href, { method: "GET" }, "#prompt").catch(function () { window.location.href = link.href; });
    });
    // Back and forward through questions built in place: the page of that address.
    window.addEventListener("popstate", function () { window.location.reload(); });
  }

  deriveSlug();
  kindSettings();
  inPlace();
  loadInPlace();
}());
