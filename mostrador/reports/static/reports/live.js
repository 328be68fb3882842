// The live monitor and the high-load view: their body is drawn by the server and drawn again
// (coalesced) whenever the realtime socket says something changed, or on reconnecting.
(function () {
  "use strict";
  const body = document.querySelector("[data-live-body]");
  if (!body || !window.mostrador) return;
  const filters = document.getElementById("live-filters");

  function dress() {
    for (const bar of body.querySelectorAll("[data-width]")) bar.style.width = Math.min(100, Number(bar.dataset.width)) + "%";
  }

  function query() {
    return filters ? new URLSearchParams(new FormData(filters)).toString() : "";
  }

  const refresh = window.mostrador.coalesced(150, 700, async () => {
    // A transfer menu someone has open is not swept away under their pointer.
    if (body.contains(document.activeElement) && document.activeElement.tagName === "SELECT") return;
    const response = await fetch(body.dataset.url + "?" + query(), { headers: { "HX-Request": "true" } });
    if (!response.ok) return;
    body.innerHTML = await response.text();
    dress();
  });
  window.mostrador.onEvent(() => refresh());

  if (filters) {
    filters.addEventListener("change", () => {
      history.replaceState(null, "", "?" + query());
      refresh();
    });
  }

  // One click to transfer a waiting chat from the monitor.
  body.addEventListener("change", async (event) => {
    const select = event.target.closest(".monitor-transfer select");
    if (!select || !select.value) return;
    const form = select.form;
    const response = await fetch(form.action, { method: "POST", body: new FormData(form), headers: { "HX-Request": "true" } });
    select.blur();
    if (!response.ok) {
      const note = document.getElementById("live-note");
      if (note) { note.textContent = await response.text(); note.hidden = false; }
    }
    refresh();
  });
  dress();
})();
