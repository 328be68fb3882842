// Teamwork in the browser: the notification bell (live, with the browser's notifications and a
// sound, each switchable), availability that follows the person (idle tabs turn them away), and
// "@" in an internal note offering the colleagues who work the chat's inbox.
(function () {
  "use strict";
  if (window.mostradorTeamwork) return;
  window.mostradorTeamwork = true;
  const $ = (sel, root) => (root || document).querySelector(sel);

  function csrf() {
    return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
  }

  // ---- the bell ------------------------------------------------------------------------------
  function bell() { return $("#bell"); }

  function refreshBellList() {
    const b = bell();
    if (b && b.open && window.htmx) htmx.ajax("GET", b.dataset.listUrl, { target: "#bell-list", swap: "innerHTML" });
  }

  document.addEventListener("toggle", (ev) => {
    if (ev.target !== bell() || !ev.target.open) return;
    refreshBellList();
    // Asking needs a gesture; opening the bell is one.
    if (ev.target.dataset.notifyBrowser === "1" && "Notification" in window && Notification.permission === "default") {
      Notification.requestPermission();
    }
  }, true);

  document.addEventListener("click", (ev) => {
    const b = bell();
    if (b && b.open && !b.contains(ev.target)) b.open = false;
  });

  document.addEventListener("change", (ev) => {
    if (ev.target.name === "notify_browser" && ev.target.checked && "Notification" in window) Notification.requestPermission();
  });

  let audio = null;
  function chime() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = 880;
      gain.gain.setValueAtTime(0.0001, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.15, audio.currentTime + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.35);
      tone.connect(gain).connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.4);
    } catch (err) { /* no sound where the browser allows none */ }
  }

  async function announce(event) {
    const b = bell();
    if (!b) return;
    refreshBellList();
    b.classList.add("ring");
    setTimeout(() => b.classList.remove("ring"), 1200);
    if (b.dataset.notifySound === "1") chime();
    if (b.dataset.notifyBrowser !== "1" || !("Notification" in window) || Notification.permission !== "granted") return;
    if (document.visibilityState === "visible" && document.hasFocus()) return;
    const response = await fetch(b.dataset.noticeUrl.replace("/0", "/" + event.notification_id));
    if (!response.ok) return;
    const notice = await response.json();
    const shown = new Notification(notice.title, { body: notice.body, tag: "mostrador-" + event.notification_id });
    shown.onclick = () => { window.focus(); location.href = notice.url; };
  }

  // ---- availability --------------------------------------------------------------------------
  function switcher() { return $("#availability"); }

  function showAvailability(value) {
    const form = switcher();
    if (!form) return;
    form.className = "availability availability-" + value;
    form.dataset.availability = value;
    const select = $("select", form);
    if (select) select.value = value;
  }

  // The switch posts without replacing itself (a second choice made while the first is on its
  // way must not be undone by the first answer); it shows what the server accepted.
  document.addEventListener("htmx:afterRequest", (ev) => {
    const form = switcher();
    if (form && ev.detail.elt === form && ev.detail.successful) showAvailability($("select", form).value);
  });

  let lastActivity = Date.now();
  let idle = false;
  function active() {
    lastActivity = Date.now();
    if (idle) {
      idle = false;
      if (window.mostrador && window.mostrador.send) window.mostrador.send({ type: "active" });
    }
  }
  for (const kind of ["pointerdown", "pointermove", "keydown", "wheel", "touchstart", "focus"]) {
    window.addEventListener(kind, active, { passive: true, capture: true });
  }
  setInterval(() => {
    const form = switcher();
    const limit = form ? Number(form.dataset.awayAfter || 0) * 1000 : 0;
    if (!limit || idle || Date.now() - lastActivity < limit) return;
    idle = true;
    if (window.mostrador && window.mostrador.send) window.mostrador.send({ type: "idle" });
  }, 5000);

  // ---- "@" in a note ---------------------------------------------------------------------------
  const people = new Map();

  function peopleFor(conversationId) {
    // One request per chat, however fast the keys come.
    if (!people.has(conversationId)) {
      people.set(conversationId, fetch("/team/ui/people/" + conversationId)
        .then((response) => (response.ok ? response.json() : { people: [] }))
        .then((found) => found.people, () => []));
    }
    return people.get(conversationId);
  }

  function noteMode(area) {
    const mode = area.form && area.form.querySelector("input[name=mode]:checked");
    return mode && mode.value === "note";
  }

  function typedMention(area) {
    const before = area.value.slice(0, area.selectionStart);
    const found = before.match(/(^|\s)@([^\s@]{0,30})$/);
    return found ? { start: before.length - found[2].length - 1, query: found[2] } : null;
  }

  function insert(area, person) {
    const typed = typedMention(area);
    if (!typed) return;
    const after = area.value.slice(area.selectionStart);
    area.value = area.value.slice(0, typed.start) + "@" + person.name + " " + after;
    const caret = typed.start + person.name.length + 2;
    area.setSelectionRange(caret, caret);
    area.focus();
  }

  const mentionList = {
    testid: "mention-picker",
    className: "mention-picker",
    render(li, person) { li.textContent = person.name; li.dataset.availability = person.availability; },
    choose: insert,
  };

  document.addEventListener("input", async (ev) => {
    const area = ev.target;
    if (!(area instanceof HTMLTextAreaElement) || !area.form || !area.form.matches(".composer") || !window.mostrador) return;
    const typed = noteMode(area) && typedMention(area);
    const conv = area.closest("[data-conversation-id]");
    if (!typed || !conv) {
      if (window.mostrador.picker.showing() === mentionList.testid) window.mostrador.picker.close();
      return;
    }
    const everyone = await peopleFor(conv.dataset.conversationId);
    const fold = window.mostrador.fold;
    const query = fold(typed.query);
    const found = everyone.filter((p) => fold(p.name).split(/\s+/).some((word) => word.startsWith(query)) || fold(p.name).startsWith(query)).slice(0, 8);
    if (found.length) window.mostrador.picker.open(area, found, mentionList); else window.mostrador.picker.close();
  });

  // ---- live ------------------------------------------------------------------------------------
  function start() {
    if (!window.mostrador) return;
    window.mostrador.onEvent((event) => {
      if (event.type === "notification.created") announce(event);
      if (event.type === "availability.changed" && switcher() && String(event.user_id) === switcher().dataset.userId) {
        showAvailability(event.availability);
      }
      if (event.type === "reconnected" && idle && window.mostrador.send) window.mostrador.send({ type: "idle" });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
