// Saved answers in the composer: "/" at the start of a reply opens the list, which filters as one
// types (shortcode or text, accents and capitals ignored); choosing one puts its text, filled in
// for this chat, in the box to edit. A variable the chat has no value for stays visible, and a
// line under the box names it: nothing is sent with a blank where a name should be.
(function () {
  "use strict";
  if (window.mostradorCanned) return;
  window.mostradorCanned = true;
  const $ = (sel, root) => (root || document).querySelector(sel);

  const kept = new Map();
  function answersFor(conversationId) {
    // One request per chat opened; each answer's folded words are computed once, so filtering a
    // thousand of them fits in a frame.
    if (!kept.has(conversationId)) {
      const fold = window.mostrador.fold;
      kept.set(conversationId, fetch("/canned/ui/c/" + conversationId)
        .then((response) => (response.ok ? response.json() : { answers: [] }))
        .then((found) => {
          for (const answer of found.answers) answer.folded = fold(answer.shortcode + " " + answer.text);
          // What text expansion may finish: her frequent sentences, then saved answers that
          // need nothing filled in.
          const texts = new Set([...(found.phrases || []), ...found.answers.filter((a) => !a.missing.length).map((a) => a.text)]);
          found.expansions = [...texts].map((text) => ({ text, lead: leading(text), folded: fold(text.slice(leading(text))) }));
          return found;
        }, () => ({ answers: [], expansions: [] })));
    }
    return kept.get(conversationId);
  }
  // A new chat, or a change to its fields: ask again, as soon as the box is used.
  document.addEventListener("htmx:afterSwap", (ev) => { if (ev.detail.target.id === "pane") kept.clear(); });
  document.addEventListener("focusin", (ev) => {
    const conv = ev.target.matches && ev.target.matches("#composer textarea") && ev.target.closest("[data-conversation-id]");
    if (conv && window.mostrador) answersFor(conv.dataset.conversationId);
  });

  function typedCode(area) {
    const before = area.value.slice(0, area.selectionStart);
    const found = before.match(/^\/(\S{0,40})$/);
    return found ? found[1] : null;
  }

  // A line of the composer's own above the box (what is missing, what could complete the
  // sentence), made the first time it is needed and announced when it changes.
  function lineAbove(form, name, className) {
    let line = form.querySelector("[data-" + name + "]");
    if (!line) {
      line = document.createElement("p");
      line.className = className + " small";
      line.setAttribute("data-" + name, "");
      line.dataset.testid = name;
      line.setAttribute("role", "status");
      $("textarea", form).before(line);
    }
    return line;
  }

  function warn(form, missing, words) {
    if (!missing.length) { const line = $("[data-canned-missing]", form); if (line) line.remove(); return; }
    const line = lineAbove(form, "canned-missing", "canned-missing");
    line.textContent = words.missing + " " + missing.map((name) => "{{" + name + "}}").join(", ");
  }

  function insert(area, answer, words) {
    area.value = answer.text;
    area.setSelectionRange(area.value.length, area.value.length);
    area.dispatchEvent(new Event("input", { bubbles: true }));
    warn(area.form, answer.missing, words);
    // Straight to the first blank left, so it can be typed over.
    const blank = answer.missing.length ? area.value.indexOf("{{" + answer.missing[0]) : -1;
    if (blank >= 0) area.setSelectionRange(blank, area.value.indexOf("}}", blank) + 2);
    area.focus();
  }

  function list(found) {
    return {
      testid: "canned-picker",
      className: "canned-picker",
      render(li, answer) {
        const code = document.createElement("b");
        code.textContent = "/" + answer.shortcode;
        const text = document.createElement("span");
        text.className = "canned-preview";
        text.textContent = answer.text;
        li.append(code, text);
        if (answer.language) {
          const language = document.createElement("span");
          language.className = "canned-language";
          language.textContent = answer.language;
          li.append(language);
        }
      },
      choose: (area, answer) => insert(area, answer, found.words),
      footer() {
        const li = document.createElement("li");
        li.className = "canned-manage";
        const link = document.createElement("a");
        link.href = found.manage_url;
        link.textContent = found.words.manage;
        li.append(link);
        return li;
      },
    };
  }

  function closeOurs() {
    if (window.mostrador.picker.showing() === "canned-picker") window.mostrador.picker.close();
  }

  document.addEventListener("input", async (ev) => {
    const area = ev.target;
    if (!(area instanceof HTMLTextAreaElement) || !area.form || !area.form.matches("#composer") || !window.mostrador) return;
    if (!/\{\{[^}]+\}\}/.test(area.value)) warn(area.form, [], null);
    const mode = $("input[name=mode]:checked", area.form);
    const typed = mode && mode.value === "note" ? null : typedCode(area);
    const conv = area.closest("[data-conversation-id]");
    if (typed === null || !conv) return closeOurs();
    const found = await answersFor(conv.dataset.conversationId);
    if (typedCode(area) !== typed) return; // typed on meanwhile: that keystroke draws its own list
    const query = window.mostrador.fold(typed);
    const words = query.split(/[\s_-]+/).filter(Boolean);
    const matching = found.answers.filter((a) => a.shortcode.startsWith(query) || words.every((w) => a.folded.includes(w)));
    matching.sort((a, b) => Number(!a.shortcode.startsWith(query)) - Number(!b.shortcode.startsWith(query)));
    if (matching.length) window.mostrador.picker.open(area, matching.slice(0, 50), list(found));
    else closeOurs();
  });

  // ---- text expansion --------------------------------------------------------------------
  // As the seller types a reply, the start of one of her frequent sentences or of a saved
  // answer shows the rest above the box: Tab takes it, Esc puts it away. The sentence being
  // typed is what follows the last finished one, compared without accents or capitals.
  const dismissed = new Set();
  let offered = null; // { area, rest, text }

  // Opening marks ("¡", "¿", quotes) are not what is being typed: "¡Sí, ten" finishes "Sí, tenemos."
  function leading(text) { return text.match(/^[^\p{L}\p{N}]*/u)[0].length; }

  function typedStart(text) {
    const parts = text.split(/(?<=[.!?…])\s+|\n+/);
    return parts[parts.length - 1].replace(/^\s+/, "");
  }

  function hideOffer(form) {
    const line = form && $("[data-expansion]", form);
    if (line) line.remove();
    offered = null;
  }

  function showOffer(area, start, rest, found) {
    const line = lineAbove(area.form, "expansion", "expansion");
    const key = document.createElement("kbd");
    key.textContent = "Tab";
    const typed = document.createElement("span");
    typed.className = "expansion-typed";
    typed.textContent = start;
    const more = document.createElement("span");
    more.className = "expansion-rest";
    more.textContent = rest;
    const help = document.createElement("span");
    help.className = "expansion-help";
    help.textContent = found.words.accept + " · " + found.words.dismiss;
    line.replaceChildren(key, " ", typed, more, " ", help);
  }

  async function offer(area) {
    const form = area.form;
    const conv = area.closest("[data-conversation-id]");
    const mode = $("input[name=mode]:checked", form);
    const value = area.value;
    if (!conv || (mode && mode.value === "note") || value.startsWith("/") || area.selectionStart !== value.length) return hideOffer(form);
    const start = typedStart(value);
    const core = start.slice(leading(start));
    if (core.length < 3) return hideOffer(form);
    const found = await answersFor(conv.dataset.conversationId);
    if (area.value !== value) return; // typed on meanwhile: that keystroke offers its own
    const folded = window.mostrador.fold(core);
    const match = (found.expansions || []).find((e) => e.text.length > e.lead + core.length && !dismissed.has(e.text) && e.folded.startsWith(folded));
    if (!match) return hideOffer(form);
    offered = { area, text: match.text, rest: match.text.slice(match.lead + core.length) };
    showOffer(area, start, offered.rest, found);
  }

  document.addEventListener("input", (ev) => {
    const area = ev.target;
    if (area instanceof HTMLTextAreaElement && area.form && area.form.matches("#composer") && window.mostrador) offer(area);
  });
  // Before the page's own keys: Esc here dismisses the offer instead of leaving the box.
  document.addEventListener("keydown", (ev) => {
    if (!offered || ev.target !== offered.area || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === "Tab" && !ev.shiftKey) {
      ev.preventDefault();
      const area = offered.area;
      area.value += offered.rest;
      area.setSelectionRange(area.value.length, area.value.length);
      hideOffer(area.form);
      area.dispatchEvent(new Event("input", { bubbles: true }));
    } else if (ev.key === "Escape") {
      ev.preventDefault();
      dismissed.add(offered.text);
      hideOffer(offered.area.form);
    }
  }, true);

  // A reply that still holds a blank variable does not leave: the line under the box says which.
  document.addEventListener("submit", (ev) => {
    const form = ev.target;
    if (!form.matches || !form.matches("#composer")) return;
    const area = $("textarea", form);
    const mode = $("input[name=mode]:checked", form);
    const left = area && area.value.match(/\{\{\s*[a-z_]+(\.[\w-]+)?\s*\}\}/gi);
    if (!left || (mode && mode.value === "note") || !$("[data-canned-missing]", form)) return;
    ev.preventDefault();
    ev.stopImmediatePropagation();
    const line = $("[data-canned-missing]", form);
    line.classList.remove("shake");
    void line.offsetWidth;
    line.classList.add("shake");
    area.focus();
  }, true);
})();
