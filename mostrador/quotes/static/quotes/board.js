// Por cotizar: drag a card to another column (SortableJS), or focus it and press ← / →. The
// server decides; a refused or conflicting move puts the card back and says why. Every open board
// follows the others live through the realtime socket.
(function () {
  "use strict";
  const $ = (sel, root) => (root || document).querySelector(sel);
  const app = $("#quotes-app");
  if (!app || !window.mostrador) return;
  const board = $("#board");
  const words = JSON.parse($("#board-words").textContent);
  const STAGES = ["to_quote", "quoted", "won", "lost"];
  const csrf = () => JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
  let dragging = false;
  let sortables = [];

  function toast(text) {
    const el = $("#board-toast");
    el.textContent = text;
    el.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { el.hidden = true; }, 5000);
  }

  // A reason, asked in a dialog: "lost" always needs one, and so does a skipped step. The answer
  // is taken from the form's submit and the dialog's cancel, which fire with the person's own
  // click or key: the dialog's "close" event comes later, as a task, and on a busy page it could
  // reach the next question instead of the one it closed.
  const dialog = $("#board-dialog");
  let answer = null;
  function settle(value) {
    const done = answer;
    answer = null;
    if (done) done(value);
  }
  $("form", dialog).addEventListener("submit", (ev) => {
    const text = $("#board-dialog-answer").value.trim();
    settle(ev.submitter && ev.submitter.value === "ok" && text ? text : null);
  });
  dialog.addEventListener("cancel", () => settle(null));

  function ask(question) {
    settle(null);
    $("#board-dialog-question").textContent = question;
    const input = $("#board-dialog-answer");
    input.value = "";
    dialog.showModal();
    input.focus();
    return new Promise((done) => { answer = done; });
  }

  function skips(from, to) {
    const i = STAGES.indexOf(from), j = STAGES.indexOf(to);
    if (from === "to_quote") return j > 1;
    if (to === "to_quote") return i > 1;
    return false;
  }

  async function move(card, to) {
    const from = card.dataset.stage;
    if (!to || to === from) return refresh();
    const body = new URLSearchParams({ from: from, to: to });
    if (to === "lost") {
      const why = await ask(words.lost);
      if (!why) return refresh();
      body.set("lost_reason", why);
    } else if (skips(from, to)) {
      const why = await ask(words.skip);
      if (!why) return refresh();
      body.set("reason", why);
    }
    const url = app.dataset.moveUrl.replace("/0/", "/" + card.dataset.id + "/");
    const response = await fetch(url, { method: "POST", body: body, headers: { "X-CSRFToken": csrf() } });
    if (!response.ok) {
      let detail = words.failed;
      try { detail = (await response.json()).detail || detail; } catch (err) { /* not JSON */ }
      toast(detail);
    }
    refresh();
  }

  const refresh = window.mostrador.coalesced(80, 300, async () => {
    if (dragging) return;
    const filters = new URLSearchParams(new FormData($("#board-filters")));
    const response = await fetch(app.dataset.boardUrl + "?" + filters.toString(), { headers: { "HX-Request": "true" } });
    if (!response.ok || dragging) return;
    const focused = document.activeElement && document.activeElement.closest(".card");
    board.innerHTML = await response.text();
    setUp();
    if (focused) {
      const again = $('.card[data-id="' + focused.dataset.id + '"]', board);
      if (again) again.focus();
    }
  });

  function setUp() {
    for (const s of sortables) s.destroy();
    sortables = [];
    if (!window.Sortable) return;
    for (const list of board.querySelectorAll(".cards")) {
      sortables.push(window.Sortable.create(list, {
        group: "quotes",
        sort: false,
        animation: 120,
        draggable: ".card",
        onStart: () => { dragging = true; },
        onEnd: (ev) => {
          dragging = false;
          if (ev.from === ev.to) return refresh();
          move(ev.item, ev.to.dataset.stage);
        },
      }));
    }
  }

  board.addEventListener("click", (ev) => {
    const card = ev.target.closest(".card");
    if (!card) return;
    const step = ev.target.closest("[data-step]");
    if (step) {
      const next = STAGES[STAGES.indexOf(card.dataset.stage) + Number(step.dataset.step)];
      if (next) move(card, next);
      return;
    }
    openChat(card);
  });
  board.addEventListener("keydown", (ev) => {
    const card = ev.target.closest(".card");
    if (!card || ev.target !== card) return;
    const steps = { ArrowRight: 1, ArrowLeft: -1 };
    if (ev.key in steps) {
      ev.preventDefault();
      const next = STAGES[STAGES.indexOf(card.dataset.stage) + steps[ev.key]];
      if (next) move(card, next);
    } else if (ev.key === "Enter") {
      openChat(card);
    }
  });

  function openChat(card) {
    for (const c of board.querySelectorAll(".card.open")) c.classList.remove("open");
    card.classList.add("open");
    if (window.htmx) htmx.ajax("GET", "/ui/c/" + card.dataset.conversation, { target: "#pane", swap: "innerHTML" });
  }

  document.body.addEventListener("htmx:afterSwap", (ev) => { if (ev.detail.target === board) setUp(); });
  window.mostrador.onEvent((event) => {
    if (event.type === "quote.changed" || event.type === "reconnected") refresh();
  });
  setUp();
})();
