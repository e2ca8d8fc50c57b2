// Progressive enhancement of the compare shortlist (every page works without it: the buttons post forms).
// - The cards' "加入对比" buttons become toggles (aria-pressed) that show whether the provider is on the shortlist.
// - Adding and removing happen in place: the form is posted with fetch, the tray is redrawn from the JSON answer,
//   the outcome is announced in the tray's status line and the header's count follows.
// - Keyboard focus is never left under the sticky tray (WCAG 2.4.11): site.css reserves the tray's height with
//   scroll-padding-bottom, which this script keeps equal to the tray's real height; a focused element that still
//   ends up under the tray is scrolled clear of it.
(function () {
  "use strict";

  function tray() { return document.getElementById("compare-tray"); }

  function shortlist() {
    var element = tray();
    var value = element ? element.getAttribute("data-shortlist") : "";
    return value ? value.split(" ") : [];
  }

  function markToggles() {
    var slugs = shortlist();
    document.querySelectorAll(".shortlist-toggle").forEach(function (button) {
      button.setAttribute("aria-pressed", slugs.indexOf(button.value) >= 0 ? "true" : "false");
    });
  }

  function updateHeaderCount(count) {
    document.querySelectorAll("[data-shortlist-count]").forEach(function (badge) {
      badge.hidden = count === 0;
      var number = badge.querySelector(".nav-count__number");
      if (number) number.textContent = String(count);
    });
  }

  // The tray's height, reserved at the bottom of the viewport for scrolling focus into view.
  function reserveTrayHeight() {
    var element = tray();
    var sticky = element && element.classList.contains("compare-tray--sticky");
    var height = sticky ? Math.ceil(element.getBoundingClientRect().height) + 12 : 0;
    document.documentElement.style.setProperty("--compare-tray-height", height + "px");
  }

  function keepFocusClear(event) {
    var target = event.target;
    // After the browser's own scrolling to the focused element (it does not always honour scroll-padding).
    window.requestAnimationFrame(function () {
      var element = tray();
      if (!element || !element.classList.contains("compare-tray--sticky") || element.contains(target)) return;
      var covered = element.getBoundingClientRect();
      var rect = target.getBoundingClientRect();
      if (rect.bottom > covered.top && rect.top < covered.bottom) {
        window.scrollBy(0, rect.bottom - covered.top + 12);
      }
    });
  }

  function redraw(html) {
    var old = tray();
    if (!old) return;
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var fresh = holder.querySelector("#compare-tray");
    if (!fresh) return;
    var status = old.querySelector(".compare-tray__status");
    // Keep the status line (a live region is announced only while it stays in the page); swap the rest.
    Array.prototype.slice.call(old.children).forEach(function (child) {
      if (child !== status) old.removeChild(child);
    });
    Array.prototype.slice.call(fresh.children).forEach(function (child) {
      if (!child.classList.contains("compare-tray__status")) old.insertBefore(child, status);
    });
    old.className = fresh.className;
    old.setAttribute("data-shortlist", fresh.getAttribute("data-shortlist"));
  }

  function announce(text) {
    var status = tray() && tray().querySelector(".compare-tray__status");
    if (!status) return;
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  // One change at a time: two requests at once would each save the session they read, and one change would be lost.
  var queue = Promise.resolve();

  function submit(event) {
    var form = event.target;
    if (form.id !== "shortlist-add-form" && form.id !== "shortlist-remove-form") return;
    if (form.hasAttribute("data-plain")) return;
    var button = event.submitter;
    if (!button || !button.value) return;
    event.preventDefault();
    queue = queue.then(function () { return send(form, button); });
  }

  function send(form, button) {
    var data = new FormData(form);
    data.set("slug", button.value);
    if (button.classList.contains("shortlist-toggle") && button.getAttribute("aria-pressed") === "true") {
      data.set("action", "remove");
    }
    var fromTray = form.id === "shortlist-remove-form";
    // form.getAttribute: the form's input named "action" shadows form.action.
    return fetch(form.getAttribute("action"), {
      method: "POST", body: data, credentials: "same-origin", headers: { Accept: "application/json" },
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    }).then(function (answer) {
      redraw(answer.tray);
      markToggles();
      updateHeaderCount(answer.shortlist.length);
      reserveTrayHeight();
      if (fromTray) {
        // The pressed × is gone: focus the next one left, or the tray's heading.
        var next = tray().querySelector(".compare-tray__remove") || tray().querySelector(".compare-tray__title");
        if (next) next.focus();
      }
      announce(answer.message);
    }).catch(function () {
      // Let the server answer the plain way (it shows the message after the redirect).
      form.setAttribute("data-plain", "");
      form.requestSubmit(button);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!tray()) return;
    markToggles();
    reserveTrayHeight();
    if (window.ResizeObserver) new ResizeObserver(reserveTrayHeight).observe(tray());
    window.addEventListener("resize", reserveTrayHeight);
    document.addEventListener("submit", submit);
    document.addEventListener("focusin", keepFocusClear);
  });
})();
