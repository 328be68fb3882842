// Search: Ctrl+K (or the top bar's button) opens one box on every page; results come as the
// person types. Arrow keys move through them, Enter opens the first (or the one focused).
(function () {
  "use strict";
  const dialog = () => document.getElementById("search-dialog");
  const results = () => Array.from(document.querySelectorAll("#search-results a.found"));

  function open() {
    const box = dialog();
    if (!box) return;
    if (!box.open) box.showModal();
    const input = box.querySelector("input[name=q]");
    input.focus();
    input.select();
  }

  function move(from, step) {
    const all = results();
    if (!all.length) return;
    const at = all.indexOf(from);
    const next = at < 0 ? (step > 0 ? all[0] : all[all.length - 1]) : all[at + step];
    if (next) next.focus();
    else if (step < 0) dialog().querySelector("input[name=q]").focus();
  }

  // The dialog is written in the top bar, which folds into a menu on a phone: it is moved to
  // the page's body so it can open from there, and a magnifier goes beside the menu button.
  function settle() {
    const box = dialog();
    if (!box || box.parentElement === document.body) return;
    document.body.append(box);
    const toggle = document.querySelector(".menu-toggle");
    const button = document.querySelector("[data-search-open]");
    if (toggle && button) {
      const phone = document.createElement("button");
      phone.type = "button";
      phone.className = "search-open search-open-phone";
      phone.dataset.searchOpen = "";
      phone.dataset.testid = "search-open-phone";
      phone.setAttribute("aria-label", button.title);
      phone.textContent = "🔍";
      toggle.before(phone);
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", settle);
  else settle();

  document.addEventListener("keydown", (ev) => {
    if ((ev.ctrlKey || ev.metaKey) && !ev.altKey && ev.key.toLowerCase() === "k") {
      ev.preventDefault();
      open();
      return;
    }
    const box = dialog();
    if (!box || !box.open || !box.contains(ev.target)) return;
    if (ev.key === "Escape") {
      // Closes at once, also from a search field with text (which would only clear it).
      ev.preventDefault();
      box.close();
    } else if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      move(ev.target.closest("a.found"), ev.key === "ArrowDown" ? 1 : -1);
    } else if (ev.key === "Enter" && ev.target.matches("input[name=q]")) {
      ev.preventDefault();
      const first = results()[0];
      if (first) first.click();
    }
  });

  document.addEventListener("click", (ev) => {
    if (ev.target.closest("[data-search-open]")) open();
    else if (ev.target.closest("[data-search-close]")) dialog().close();
    else if (ev.target === dialog()) dialog().close(); // a click on the backdrop
  });
})();
