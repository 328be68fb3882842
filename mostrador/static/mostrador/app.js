// Mostrador's browser glue. The server renders everything; this file keeps it live: a WebSocket
// says what changed (with the list's changed rows, rendered by the server), and we patch or
// re-fetch the parts a person is looking at.
(function () {
  "use strict";

  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

  // Mirrors format_span() in inbox/templatetags/mostrador.py.
  function formatSpan(seconds) {
    seconds = Math.max(Math.floor(seconds), 0);
    if (seconds < 60) return seconds + " s";
    const minutes = Math.floor(seconds / 60);
    if (minutes < 60) return minutes + " min";
    const hours = Math.floor(minutes / 60);
    if (hours < 24) return hours + " h " + String(minutes % 60).padStart(2, "0");
    return Math.floor(hours / 24) + " d " + (hours % 24) + " h";
  }

  // Mirrors rules/sla.py: amber from half the target, red past it.
  function waitColour(waitSeconds, targetSeconds) {
    if (waitSeconds > targetSeconds) return "red";
    if (waitSeconds >= targetSeconds / 2) return "amber";
    return "green";
  }

  function openConversationId() {
    const conv = $("#conv");
    return conv ? conv.dataset.conversationId : "";
  }

  // ---- refreshing the list and the open conversation ----------------------------------------
  // What the page asks on its own to keep up with live changes says so: the server works on a
  // person's clicks first, so a thousand tabs catching up at once never hold up a seller's reply
  // (core/request_gate.py).
  const REFRESH_HEADERS = { "HX-Request": "true", "X-Mostrador-Refresh": "live" };
  // Live refreshes are coalesced. The first change schedules a refresh a moment later and the
  // changes arriving meanwhile ride along with it; a change that lands while a refresh is in
  // flight queues exactly one more, for when it is done. While changes keep coming, refreshes
  // start at most every `gap` ms: a busy number then costs each open screen a few requests a
  // second, not one per message. (Restarting a timer on every change, or starting a request over
  // an unfinished one, would instead freeze the screen exactly when sellers need it live.)
  function coalesced(delay, gap, run) {
    let timer = null;
    let busy = false;
    let again = false;
    let lastStart = 0;
    function fire() {
      timer = null;
      if (busy) { again = true; return; }
      busy = true;
      lastStart = Date.now();
      // htmx leaves its promise unsettled when a swap throws: never wait on one for good.
      const settled = Promise.resolve().then(run).catch((err) => console.error(err));
      Promise.race([settled, new Promise((done) => setTimeout(done, 10000))]).finally(() => {
        busy = false;
        if (again) { again = false; schedule(); }
      });
    }
    function schedule() {
      if (!timer) timer = setTimeout(fire, Math.max(delay, lastStart + gap - Date.now()));
    }
    return schedule;
  }

  // The list a person asked for last (tab, scope, inbox). A live refresh must re-request that
  // list, not the one on screen, or a refresh racing a tab click would undo the click.
  let listQuery = null;
  let listSeq = 0;
  const refreshList = coalesced(80, 400, () => {
    const root = $(".list-root");
    const app = $("#app");
    if (!root || !app || !window.htmx) return;
    const params = new URLSearchParams(listQuery || root.dataset.query);
    const open = openConversationId();
    if (open) params.set("open", open); else params.delete("open");
    // As many rows as are on screen (older pages she scrolled to stay), and where she was.
    params.set("shown", String($$(".rows .row", root).length));
    const rows = $(".rows", root);
    listScroll = rows ? rows.scrollTop : 0;
    return htmx.ajax("GET", app.dataset.listUrl + "?" + params.toString(), { target: "#list", swap: "innerHTML", headers: REFRESH_HEADERS });
  });
  let listScroll = null;

  // A live change is patched into the rows on screen: the frame itself carries the changed
  // chats' rows in the list this page said it shows (see watchList), and each is put where the
  // list's order places it, instead of every open tab drawing its whole list again for every
  // event. A frame without them (another list, one still loading) has the page ask for just
  // those rows and the tab counts.
  const changedIds = new Set();
  const MOST_CHANGED = 50;
  function listChanged(id) {
    changedIds.add(String(id));
    patchRows();
  }
  const patchRows = coalesced(80, 400, async () => {
    const root = $(".list-root");
    const app = $("#app");
    if (!changedIds.size) return;
    const ids = [...changedIds];
    changedIds.clear();
    if (!root || !app || !app.dataset.rowsUrl || ids.length > MOST_CHANGED) return refreshList();
    const params = new URLSearchParams(listQuery || root.dataset.query);
    const open = openConversationId();
    if (open) params.set("open", open); else params.delete("open");
    params.set("ids", ids.join(","));
    const seq = listSeq;
    const response = await fetch(app.dataset.rowsUrl + "?" + params.toString(), { headers: REFRESH_HEADERS });
    if (seq !== listSeq || $(".list-root") !== root) {
      // Another list was asked for meanwhile (a tab, a filter): patch that one instead.
      for (const id of ids) changedIds.add(id);
      patchRows();
      return;
    }
    if (!response.ok) return refreshList();
    const fresh = $(".changed", new DOMParser().parseFromString(await response.text(), "text/html"));
    if (!fresh) return refreshList();
    patchInto(root, fresh, ids);
  });

  // Which list this page shows, said over the socket whenever it changes: frames then carry its
  // changed rows, rendered once for everyone who sees that list alike.
  // With `page`, the server also sends the list's whole first page as it is now, made once for
  // every tab that asks at the same moment (all of them reconnect together after a restart).
  function watchList(page = false) {
    const root = $(".list-root");
    if (root) window.mostrador.send({ type: "watch", list: root.dataset.query, lang: document.documentElement.lang, page });
    return Boolean(root);
  }
  let listLoading = false;
  function takeRows(event) {
    const root = $(".list-root");
    // Rows of another list (the page moved on since), or a list on its way that may predate this
    // change: those chats are fetched instead, as the frame's events already asked (after a gap,
    // the whole list is).
    if (!root || listLoading || root.dataset.query !== event.list) {
      if (event.whole) refreshList();
      return;
    }
    let ids = event.asked.map(String);
    // After a gap the frame carries the list's whole first page: any row held that is not in it
    // left the list (or moved past its first page) meanwhile.
    if (event.whole) ids = [...new Set([...ids, ...$$(".rows .row", root).map((row) => row.dataset.id)])];
    if ((event.first_page || event.whole) && root.dataset.scrolled) {
      // A busy frame carries the rows of the list's first page only, and she has scrolled past
      // it: her list is asked for again, as long as she holds it.
      for (const id of ids) changedIds.delete(id);
      return refreshList();
    }
    const fresh = $(".changed", new DOMParser().parseFromString(event.html, "text/html"));
    if (!fresh) return;
    for (const id of ids) changedIds.delete(id);
    patchInto(root, fresh, ids);
  }

  // What is on screen made to read as the fresh markup, keeping its elements (idiomorph): the row
  // under a seller's finger stays, so her tap lands; a message she is selecting stays selected.
  function morphed(current, fresh) {
    const [kept] = Idiomorph.morph(current, fresh, { morphStyle: "outerHTML" });
    return kept || current;
  }

  function patchInto(root, fresh, ids) {
    const list = $(".rows", root);
    const active = document.activeElement;
    const focused = active && active.matches && active.matches(".rows .row") ? { id: active.dataset.id, at: rows().indexOf(active) } : null;
    // A row that stays in the list is updated in place, the same element: a tap that has begun
    // on it still lands, however many patches arrive meanwhile. It moves only if its place did.
    // Where the loaded pages end: a row placed after every other is still among them up to there.
    const loaded = $$(".row", list);
    const end = loaded.length ? loaded[loaded.length - 1].dataset.sort : "";
    const held = new Map();
    for (const id of ids) {
      const old = $('.row[data-id="' + id + '"]', list);
      if (old) held.set(id, old);
    }
    const staying = new Set($$(".rows > li .row", fresh).map((row) => row.dataset.id));
    for (const [id, old] of held) if (!staying.has(id)) old.closest("li").remove();
    // Rows beyond the last one held belong to pages not loaded yet: they come when scrolled to.
    const more = $(".more-rows", list);
    for (const item of $$(".rows > li", fresh)) {
      const now = $(".row", item);
      const kept = held.get(now.dataset.id);
      const row = kept ? morphed(kept, now) : now;
      const li = row.closest("li");
      const key = row.dataset.sort;
      const before = $$(".row", list).find((other) => other !== row && other.dataset.sort > key);
      if (before) {
        if (li.nextElementSibling !== before.closest("li")) list.insertBefore(li, before.closest("li"));
      } else if (more && key > end) {
        if (kept) li.remove();
        continue;
      } else if (more) {
        // The last row loaded: just above the line that loads the next page.
        if (li.nextElementSibling !== more) list.insertBefore(li, more);
      } else if (li.parentNode !== list || li.nextElementSibling) {
        list.appendChild(li);
      }
      row.classList.toggle("open", row.dataset.id === openConversationId());
      if (window.htmx) htmx.process(li);
    }
    // Only the counts change: the tab bar itself stays (on a phone it keeps its sideways scroll).
    for (const count of $$(".counts [data-count]", fresh)) {
      const current = $('nav.tabs [data-count="' + count.dataset.count + '"]', root);
      if (current) current.textContent = count.textContent;
    }
    root.dataset.pending = fresh.dataset.pending;
    const empty = $(".empty", list);
    const hasRows = !!$(".row", list);
    // The first row replaces "all caught up"; the list left empty is drawn by the server (it
    // says why it is empty), and so is one whose held rows all left while more pages remain.
    // Drawing it all again when a first row came would swap that row away under a tap.
    if (hasRows && empty) empty.remove();
    if (!hasRows && (!empty || more)) return refreshList();
    if (focused && document.activeElement === document.body) {
      const all = rows();
      const row = all.find((r) => r.dataset.id === focused.id) || all[Math.min(focused.at, all.length - 1)];
      if (row) row.focus({ preventScroll: true });
    }
    tick();
  }

  function trackListRequests() {
    document.body.addEventListener("htmx:configRequest", (ev) => {
      // Older rows keep the open chat marked too.
      if (ev.detail.path.includes("/ui/list/more") && openConversationId()) ev.detail.parameters.open = openConversationId();
      if (!ev.detail.target || ev.detail.target.id !== "list") return;
      const url = new URL(ev.detail.path, location.href);
      const params = new URLSearchParams(url.search);
      for (const [key, value] of Object.entries(ev.detail.parameters || {})) params.set(key, value);
      // Which chat is open and how many rows a refresh redraws are not part of which list it is.
      params.delete("open");
      params.delete("shown");
      listQuery = params.toString();
    });
    document.body.addEventListener("htmx:beforeRequest", (ev) => {
      if (!ev.detail.target || ev.detail.target.id !== "list") return;
      ev.detail.xhr.mostradorSeq = ++listSeq;
      listLoading = true;
    });
    document.body.addEventListener("htmx:afterRequest", (ev) => {
      if (ev.detail.target && ev.detail.target.id === "list" && ev.detail.xhr.mostradorSeq === listSeq) listLoading = false;
    });
    document.body.addEventListener("htmx:beforeSwap", (ev) => {
      if (!ev.detail.target || ev.detail.target.id !== "list") return;
      // Only the newest list request may paint; older answers arriving late are dropped.
      if (ev.detail.xhr.mostradorSeq !== listSeq) { ev.detail.shouldSwap = false; return; }
      const active = document.activeElement;
      focusedRow = active && active.matches && active.matches(".rows .row")
        ? { id: active.dataset.id, at: rows().indexOf(active) } : null;
    });
    // Older rows came in: the list holds more than its first page (until it is drawn afresh),
    // which a busy frame's rows do not cover (takeRows).
    document.body.addEventListener("htmx:afterSwap", (ev) => {
      const root = $(".list-root");
      if (root && ev.detail.requestConfig && ev.detail.requestConfig.path.includes("/ui/list/more")) root.dataset.scrolled = "1";
    });
    // On a phone the tab bar scrolls sideways: the chosen tab is kept in view when the list is
    // drawn ("Todos" would otherwise sit off screen, chosen but unseen).
    document.body.addEventListener("htmx:afterSwap", (ev) => {
      if (!ev.detail.target || ev.detail.target.id !== "list") return;
      showChosenTab();
      watchList();
    });
    showChosenTab();
    // A seller moving with j/k keeps her place when the list is repainted under her: the same
    // chat's row, or the one that took its place when the chat left the list.
    document.body.addEventListener("htmx:afterSwap", (ev) => {
      if (!ev.detail.target || ev.detail.target.id !== "list" || !focusedRow) return;
      const all = rows();
      const same = all.find((row) => row.dataset.id === focusedRow.id);
      const row = same || all[Math.min(focusedRow.at, all.length - 1)];
      focusedRow = null;
      if (row && document.activeElement === document.body) row.focus({ preventScroll: true });
    });
  }
  let focusedRow = null;
  function showChosenTab() {
    const tab = $(".list-root nav.tabs .tab.active");
    const bar = tab && tab.parentElement;
    if (!bar || bar.scrollWidth <= bar.clientWidth) return;
    const at = tab.getBoundingClientRect();
    const within = bar.getBoundingClientRect();
    bar.scrollLeft += at.left - within.left - (within.width - at.width) / 2;
  }

  // Bumped whenever a person's action repaints the pane (resolve, assign, reply...): a live
  // refresh that was already on its way then carries an older state and must not paint over it.
  let paneSwaps = 0;
  const refreshOpenConversation = coalesced(60, 300, async () => {
    const id = openConversationId();
    if (!id) return;
    const swapsBefore = paneSwaps;
    // A chat opened on one message (a search result) keeps that message drawn, however old.
    const linked = linkedMessageId();
    const response = await fetch("/ui/c/" + id + (linked ? "?msg=" + linked : ""), { headers: REFRESH_HEADERS });
    if (!response.ok) return;
    const html = await response.text();
    // Checked once the whole answer is in: a seller who opened the next chat while its body was
    // still on its way would otherwise see this chat's messages over the other's reply box.
    if (paneSwaps !== swapsBefore || openConversationId() !== id) { refreshOpenConversation(); return; }
    const doc = new DOMParser().parseFromString(html, "text/html");
    // Replace everything but the composer, so a half-written reply survives the refresh; a
    // seller who scrolled up to read stays where she was.
    const before = $("#timeline");
    const readingAt = before && !followTimeline ? before.scrollTop : null;
    for (const sel of [".conv-head", "#timeline"]) {
      const fresh = $(sel, doc);
      const current = $(sel);
      if (fresh && current) {
        redraw(current, fresh);
      }
    }
    // ...unless the channel's service window opened or closed: then the composer itself changes.
    const freshComposer = $("#composer", doc);
    const composer = $("#composer");
    if (freshComposer && composer && freshComposer.dataset.kind !== composer.dataset.kind) {
      composer.replaceWith(freshComposer);
      if (window.htmx) htmx.process(freshComposer);
    }
    const conv = $("#conv");
    const freshConv = $("#conv", doc);
    if (conv && freshConv) conv.dataset.state = freshConv.dataset.state;
    markLinkedMessage();
    if (readingAt === null) scrollTimeline(); else $("#timeline").scrollTop = readingAt;
    tick();
    markSeen();
  });

  // `current` made to read as `fresh`, keeping its elements (idiomorph, as for a list row): a
  // browser drops a click whose element left the page between press and release, even to be
  // put back, so a tap on "back" or Resolve just as a live refresh came would otherwise be lost.
  function redraw(current, fresh) {
    const kept = morphed(current, fresh);
    if (window.htmx) htmx.process(kept);
  }

  const refreshSimulator = coalesced(60, 300, () => {
    const thread = $("#sim-thread");
    if (thread && window.htmx) return htmx.ajax("GET", thread.dataset.threadUrl, { target: "#sim-thread", swap: "innerHTML", headers: REFRESH_HEADERS });
  });

  // The top bar's counters (Pendientes, Por cotizar...) on every page, kept live.
  let lastPending = null;
  const refreshCounters = coalesced(150, 1000, async () => {
    const url = document.body.dataset.countersUrl;
    if (!url || !$("[data-counter]")) return;
    const asked = performance.now();
    const response = await fetch(url, { headers: REFRESH_HEADERS });
    if (!response.ok) return;
    const counts = await response.json();
    // A frame told a newer Pendientes while this was on its way.
    if (asked < pendingToldAt) delete counts.pending;
    showCounters(counts);
  });
  let pendingToldAt = -1;
  function showCounters(counts) {
    // More customers waiting than a moment ago: say so to a screen reader.
    const announcer = $("#announcer");
    if (announcer && lastPending !== null && counts.pending > lastPending) {
      announcer.textContent = announcer.dataset.words + " " + counts.pending;
    }
    if (counts.pending !== undefined) lastPending = counts.pending;
    // A copy (the phone's bar shows Pendientes outside its menu) follows its counter.
    for (const el of $$("[data-counter], [data-counter-copy]")) {
      const value = counts[el.dataset.counter || el.dataset.counterCopy];
      if (value === undefined) continue;
      el.textContent = value;
      // A counter shown only when there is something to count (the bell's) hides by `zero`.
      el.classList.toggle("zero", !value);
    }
  }
  // What a frame can change of the top bar's counters, as the server's capabilities declared
  // it (realtime/events.py): some events move none (a colleague coming online); others move
  // only Pendientes (customers and sellers writing, the AI's window), which a frame carrying rows
  // also tells (`pending`). After anything else (a note that may mention, an assignment, a
  // quote, a notification) the page asks for its counters.
  const declared = (name) => new Set((document.body.dataset[name] || "").split(" ").filter(Boolean));
  let leaving = null;
  let onlyPending = null;
  function leavesCounters(event) {
    leaving = leaving || declared("leaveCounters");
    return leaving.has(event.type);
  }
  function movesOnlyPending(event) {
    onlyPending = onlyPending || declared("onlyPending");
    return onlyPending.has(event.type) || onlyPending.has(event.type + ":" + event.reason);
  }
  function takeFrame(frame) {
    const last = frame[frame.length - 1];
    const told = last && last.type === "list.rows" && last.pending !== undefined;
    if (told) {
      pendingToldAt = performance.now();
      showCounters({ pending: last.pending });
    }
    const counted = frame.every((event) => event === last && told || leavesCounters(event) || told && movesOnlyPending(event));
    // "Resumed" with the list's whole first page: the list is patched from it, not fetched.
    const carriesList = told && Boolean(last.whole);
    for (const event of frame) onEvent(event, counted, carriesList);
  }

  // Capabilities' pages register what a live event means to them (the quotes board).
  const eventListeners = [];
  window.mostrador = { onEvent: (fn) => eventListeners.push(fn), coalesced };

  // ---- a list under the composer --------------------------------------------------------------
  // What a capability offers while one types ("@" colleagues in a note, "/" saved answers):
  // arrows move, Enter or Tab choose, Escape closes, a click chooses. It runs before the
  // composer's Enter-sends, so Enter picks while the list is up.
  const picker = { el: null, items: [], chosen: 0, area: null, options: null };
  function closePicker() {
    if (picker.el) picker.el.remove();
    picker.el = null;
    picker.items = [];
    picker.area = null;
  }
  function drawPicker() {
    const { area, items, options } = picker;
    if (picker.el) picker.el.remove();
    picker.el = null;
    if (!area || !items.length) return;
    const list = document.createElement("ul");
    list.className = "composer-picker " + (options.className || "");
    list.setAttribute("role", "listbox");
    list.dataset.testid = options.testid;
    items.forEach((item, i) => {
      const li = document.createElement("li");
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", String(i === picker.chosen));
      li.className = i === picker.chosen ? "chosen" : "";
      options.render(li, item);
      li.addEventListener("mousedown", (ev) => { ev.preventDefault(); choose(i); });
      list.appendChild(li);
    });
    if (options.footer) list.appendChild(options.footer());
    area.form.appendChild(list);
    picker.el = list;
    const current = list.children[picker.chosen];
    if (current && current.scrollIntoView) current.scrollIntoView({ block: "nearest" });
  }
  function choose(i) {
    const { area, items, options } = picker;
    closePicker();
    if (area && items[i]) options.choose(area, items[i]);
  }
  function openPicker(area, items, options) {
    picker.area = area;
    picker.items = items;
    picker.options = options;
    picker.chosen = 0;
    drawPicker();
  }
  document.addEventListener("keydown", (ev) => {
    if (!picker.el || ev.target !== picker.area) return;
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      picker.chosen = (picker.chosen + (ev.key === "ArrowDown" ? 1 : picker.items.length - 1)) % picker.items.length;
      drawPicker();
    } else if (ev.key === "Enter" || ev.key === "Tab") {
      choose(picker.chosen);
    } else if (ev.key === "Escape") {
      closePicker();
    } else {
      return;
    }
    ev.preventDefault();
    ev.stopImmediatePropagation();
  }, true);
  // Lower case without accents: "cotizacion" finds "Cotización".
  const fold = (text) => text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  window.mostrador.picker = {
    open: openPicker,
    close: closePicker,
    // Which list is up ("" for none), so each capability closes only its own.
    showing: () => (picker.el ? picker.options.testid : ""),
  };
  window.mostrador.fold = fold;

  function onEvent(event, counted, carriesList) {
    // The answer to the heartbeat: the socket is alive, and nothing changed.
    if (event.type === "pong") return;
    if (event.type === "list.rows") {
      // The last item of a frame: the rows of the chats its events name, in this page's list.
      if (!$("#sim-thread")) takeRows(event);
      return;
    }
    if (event.type === "live.paused" || event.type === "live.resumed") {
      // The server's own link to the other processes was cut, then came back: the socket stayed
      // open, but changes made meanwhile were announced to nobody here.
      showLive(event.type === "live.resumed");
      if (event.type === "live.resumed") catchUp(!carriesList);
      return;
    }
    if (!counted) refreshCounters();
    for (const fn of eventListeners) fn(event);
    if (!event.conversation_id) return;
    if ($("#sim-thread")) {
      refreshSimulator();
      return;
    }
    listChanged(event.conversation_id);
    if (String(event.conversation_id) === openConversationId()) refreshOpenConversation();
  }

  // ---- realtime socket, reconnecting with backoff -------------------------------------------
  let current = null;
  let heartbeat = null;
  // Capabilities tell the server things over the same socket (the tab went idle).
  window.mostrador.send = (message) => {
    if (current && current.readyState === WebSocket.OPEN) current.send(JSON.stringify(message));
  };
  function catchUp(list = true) {
    if (list) refreshList();
    refreshOpenConversation(); refreshSimulator(); refreshCounters();
    for (const fn of eventListeners) fn({ type: "reconnected" });
  }
  function showLive(live) {
    const status = $("#live-status");
    document.documentElement.dataset.live = live ? "1" : "0";
    if (!status) return;
    if (!live) status.textContent = status.dataset.offline;
    status.hidden = live;
  }
  function connect(path) {
    let delay = 500;
    function open() {
      const scheme = location.protocol === "https:" ? "wss://" : "ws://";
      const socket = new WebSocket(scheme + location.host + path);
      current = socket;
      socket.onopen = () => {
        // A ping now and then says this tab is still open (presence) and keeps proxies from
        // closing a quiet socket.
        clearInterval(heartbeat);
        heartbeat = setInterval(() => window.mostrador.send({ type: "ping" }), 30000);
        // Changes committed while there was no socket (between the page being served and this
        // moment, or while it was away) were announced to nobody here: look once, now. The list
        // comes over the socket itself.
        catchUp(!watchList(true));
        delay = 500;
        showLive(true);
      };
      socket.onmessage = (msg) => {
        // A frame holds one committed change's events, in order.
        try { takeFrame(JSON.parse(msg.data)); } catch (err) { console.error(err); }
      };
      socket.onclose = () => {
        showLive(false);
        // Every tab lost its socket at the same moment (a restart): a random share of the wait
        // spreads their returns, instead of a thousand at once on a server just back.
        setTimeout(open, delay * (0.5 + Math.random() / 2));
        delay = Math.min(delay * 2, 10000);
      };
    }
    open();
  }

  // ---- the clock: waits and AI countdowns tick every second ---------------------------------
  let expiryRequested = false;
  function tick() {
    const now = Date.now();
    for (const el of $$("[data-wait]")) {
      const holder = el.dataset.waitingSince ? el : el.closest("[data-waiting-since]");
      if (!holder || !holder.dataset.waitingSince) continue;
      const waited = (now - Number(holder.dataset.waitingSince)) / 1000;
      el.textContent = formatSpan(waited);
      const colour = waitColour(waited, Number(holder.dataset.target));
      el.classList.remove("wait-green", "wait-amber", "wait-red");
      el.classList.add("wait-" + colour);
    }
    for (const el of $$("[data-ai-left]")) {
      const holder = el.dataset.aiDeadline ? el : el.closest("[data-ai-deadline]");
      if (!holder) continue;
      const left = Math.ceil((Number(holder.dataset.aiDeadline) - now) / 1000);
      const label = el.dataset.label || el.textContent.split(" ")[0];
      if (left <= 0) {
        el.textContent = label + " 0:00";
        // The server announces the moment too; this only covers a socket that is reconnecting.
        if (!expiryRequested) {
          expiryRequested = true;
          setTimeout(() => { expiryRequested = false; refreshList(); refreshOpenConversation(); }, 1500);
        }
      } else {
        el.textContent = label + " " + Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
      }
    }
    const root = $(".list-root");
    if (root) {
      const pending = Number(root.dataset.pending || 0);
      document.title = document.title.replace(/^\(\d+\)\s*/, "");
      if (pending) document.title = "(" + pending + ") " + document.title;
    }
  }

  // The timeline follows the newest message unless the seller scrolled up to read: then new
  // messages and photos that finish loading leave her where she is.
  let followTimeline = true;
  const atBottom = (el) => el.scrollTop + el.clientHeight >= el.scrollHeight - 24;
  document.addEventListener("scroll", (ev) => {
    if (ev.target.id === "timeline") followTimeline = atBottom(ev.target);
  }, true);
  document.addEventListener("load", (ev) => {
    if (followTimeline && ev.target.closest && ev.target.closest("#timeline")) scrollTimeline();
  }, true);

  // A link to one message (a search result: "#m-<id>") shows that message, marked, and the
  // timeline stays there instead of following the newest.
  function linkedMessageId() {
    const wanted = /^#m-(\d+)$/.exec(location.hash);
    return wanted ? wanted[1] : null;
  }
  function markLinkedMessage() {
    const id = linkedMessageId();
    const message = id && document.getElementById("m-" + id);
    if (!message || !message.closest("#timeline")) return null;
    message.classList.add("msg-linked");
    return message;
  }
  function showLinkedMessage() {
    const message = markLinkedMessage();
    if (!message) return;
    message.scrollIntoView({ block: "center" });
    followTimeline = false;
  }

  function scrollTimeline() {
    const timeline = $("#timeline");
    if (timeline) { timeline.scrollTop = timeline.scrollHeight; followTimeline = true; }
    const thread = $(".phone-thread");
    if (thread) thread.scrollTop = thread.scrollHeight;
  }

  // ---- right-click menu on a row ------------------------------------------------------------
  function setupContextMenu() {
    const menu = $("#ctx-menu");
    if (!menu) return;
    let target = null;
    document.addEventListener("contextmenu", (ev) => {
      const row = ev.target.closest(".row");
      if (!row) return;
      ev.preventDefault();
      target = row;
      const resolved = row.dataset.resolved === "1";
      $("[data-action=resolve]", menu).hidden = resolved;
      $("[data-action=reopen]", menu).hidden = !resolved;
      menu.hidden = false;
      const x = Math.min(ev.clientX, window.innerWidth - menu.offsetWidth - 8);
      const y = Math.min(ev.clientY, window.innerHeight - menu.offsetHeight - 8);
      menu.style.left = x + "px";
      menu.style.top = y + "px";
      $("button:not([hidden])", menu).focus();
    });
    const close = () => { menu.hidden = true; target = null; };
    document.addEventListener("click", (ev) => { if (!menu.contains(ev.target)) close(); });
    document.addEventListener("keydown", (ev) => { if (ev.key === "Escape") close(); });
    window.addEventListener("blur", close);
    menu.addEventListener("click", async (ev) => {
      const button = ev.target.closest("button[data-action]");
      if (!button || !target) return;
      const id = target.dataset.id;
      const action = button.dataset.action;
      const row = target;
      close();
      if (action === "open") { row.click(); return; }
      if (action === "transfer") {
        // Open the chat with its transfer form unfolded, ready for a person and a note.
        if (window.htmx) {
          await htmx.ajax("GET", "/ui/c/" + id + "?transfer=1", { target: "#pane", swap: "innerHTML" });
          const picker = $("[data-testid=transfer-user]");
          if (picker) picker.focus();
        }
        return;
      }
      const csrf = csrfToken();
      const url = action === "post" ? button.dataset.url.replace("{id}", id) : "/ui/c/" + id + "/" + action;
      const response = await fetch(url, {
        method: "POST",
        headers: { "X-CSRFToken": csrf, "HX-Request": "true" },
      });
      if (response.ok && id === openConversationId()) {
        $("#pane").innerHTML = await response.text();
        if (window.htmx) htmx.process($("#pane"));
        scrollTimeline();
      }
      refreshList();
    });
  }

  const composing = (form) => Boolean(form && form.matches && form.matches(".composer, .phone-composer"));
  // Whether, while her reply travelled, she went somewhere outside the chat (Escape to the list,
  // j to the next chat): its answer then redraws the chat without pulling her back.
  function movedOn() {
    const active = document.activeElement;
    const pane = $("#pane");
    return Boolean(active && active !== document.body && pane && !pane.contains(active));
  }

  // ---- composer: Enter sends, Shift+Enter adds a line; reply or internal note ----------------
  function setupComposer() {
    document.addEventListener("keydown", (ev) => {
      const area = ev.target;
      if (!(area instanceof HTMLTextAreaElement) || !area.form) return;
      if (!area.form.matches(".composer, .phone-composer")) return;
      if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
        ev.preventDefault();
        if (area.value.trim()) area.form.requestSubmit();
      }
    });
    document.addEventListener("change", (ev) => {
      const form = ev.target.form;
      if (!form || !form.matches("#composer")) return;
      if (ev.target.name === "mode") {
        applyMode(form, ev.target.value);
        saveDraft();
        $("textarea", form).focus();
      }
      if (ev.target.type === "file") showAttachment(form);
    });
    document.addEventListener("input", (ev) => {
      if (ev.target.matches && ev.target.matches("#composer textarea")) saveDraft();
    });
    document.addEventListener("click", (ev) => {
      const remove = ev.target.closest("[data-remove-attachment]");
      if (!remove) return;
      const form = remove.closest("form");
      $("input[type=file]", form).value = "";
      showAttachment(form);
      $("textarea", form).focus();
    });
    document.addEventListener("htmx:configRequest", (ev) => {
      const form = ev.detail.elt;
      if (!form.matches || !form.matches(".composer")) return;
      const mode = $("input[name=mode]:checked", form);
      if (mode && mode.value === "note") ev.detail.path = form.dataset.noteUrl;
    });
    // Sellers (and customers on the sandbox phone) often send several short messages in a row.
    // The box empties as soon as a message leaves (the request already holds it), and whatever
    // is typed while it travels survives the answer, which re-draws the composer or clears it.
    document.addEventListener("htmx:beforeRequest", (ev) => {
      const form = ev.detail.elt;
      const area = composing(form) && $("textarea", form);
      if (!area) return;
      form.dataset.sent = area.value;
      area.value = "";
      saveDraft();
    });
    document.addEventListener("htmx:afterRequest", (ev) => {
      // When the answer replaced the form, htmx announces it on the nearest element still on
      // the page; the request itself remembers which form sent it.
      const form = ev.detail.requestConfig ? ev.detail.requestConfig.elt : ev.detail.elt;
      if (!composing(form)) return;
      const old = $("textarea", form);
      const typed = old ? old.value : "";
      const file = $("input[type=file]", form);
      if (file) file.value = "";
      // The seller's answer replaces the whole composer; the phone's leaves it in place.
      const area = form.isConnected ? old : $("#composer textarea");
      if (!area) return;
      // A send that never arrived gives its text back; one the server refused comes back
      // filled in by the server.
      const fromServer = area === old ? "" : area.value;
      const back = ev.detail.successful ? fromServer : form.dataset.sent || "";
      area.value = [back, typed].filter(Boolean).join("\n");
      if (area.form) showAttachment(area.form);
      saveDraft();
      if (!movedOn()) area.focus();
    });
  }

  // Reply or internal note: a note looks unmistakably different, and the composer stays in the
  // mode it was last used in (the server draws it so after a note).
  function applyMode(form, mode) {
    const note = mode === "note";
    const radio = $("input[name=mode][value=" + (note ? "note" : "reply") + "]", form);
    if (radio) radio.checked = true;
    form.classList.toggle("composer-note", note);
    const area = $("textarea", form);
    area.placeholder = note ? area.dataset.notePlaceholder : area.dataset.replyPlaceholder;
    const send = $("button[type=submit]", form);
    if (send) send.textContent = note ? send.dataset.noteLabel : send.dataset.replyLabel;
    const banner = $("[data-note-banner]", form);
    if (banner) banner.hidden = !note;
    // Notes carry no files: the attachment stays for the reply.
    const file = $("input[type=file]", form);
    if (file) file.disabled = note;
  }

  function showAttachment(form) {
    const file = $("input[type=file]", form);
    const chip = $("[data-attachment]", form);
    if (!file || !chip) return;
    const chosen = file.files && file.files[0];
    chip.hidden = !chosen;
    $("[data-attachment-name]", chip).textContent = chosen ? chosen.name + " · " + formatSize(chosen.size) : "";
  }

  function formatSize(bytes) {
    if (bytes < 1024) return bytes + " B";
    if (bytes < 1024 * 1024) return Math.round(bytes / 1024) + " KB";
    return (bytes / (1024 * 1024)).toFixed(1) + " MB";
  }

  // A draft per conversation, kept for this tab only (sessionStorage): switching chats or
  // reloading the page never loses what was being written, nor the note mode.
  function draftKey() {
    const id = openConversationId();
    return id ? "mostrador.draft." + id : "";
  }
  function saveDraft() {
    const key = draftKey();
    const form = $("#composer");
    if (!key || !form || form.dataset.kind !== "free") return;
    const text = $("textarea", form).value;
    const mode = ($("input[name=mode]:checked", form) || {}).value || "reply";
    try {
      if (text || mode === "note") sessionStorage.setItem(key, JSON.stringify({ text, mode }));
      else sessionStorage.removeItem(key);
    } catch (err) { /* storage full or refused: drafts are a convenience */ }
  }
  function restoreDraft() {
    const key = draftKey();
    const form = $("#composer");
    if (!key || !form || form.dataset.kind !== "free") return;
    let kept = null;
    try { kept = JSON.parse(sessionStorage.getItem(key) || "null"); } catch (err) { kept = null; }
    if (!kept) { saveDraft(); return; }
    const area = $("textarea", form);
    if (kept.text && !area.value) area.value = kept.text;
    applyMode(form, kept.mode);
  }

  // ---- seen: only while the person is looking ---------------------------------------------
  // Drawing a chat is not reading it: a tab in the background must not send the customer blue
  // ticks. The customer's new messages are marked seen when the page is visible and focused.
  function csrfToken() {
    return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
  }
  // Looking at a chat also reads its mentions and notices: say so once per chat opened, and
  // again whenever new customer messages are on screen.
  let seenInFlight = false;
  let lookedAt = "";
  async function markSeen() {
    const conv = $("#conv");
    if (!conv || seenInFlight) return;
    const id = conv.dataset.conversationId;
    if (lookedAt === id && !$("[data-unseen]", conv)) return;
    if (document.visibilityState !== "visible" || !document.hasFocus()) return;
    seenInFlight = true;
    try {
      const response = await fetch("/ui/c/" + id + "/seen", {
        method: "POST", headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
      });
      if (response.ok) {
        lookedAt = id;
        for (const el of $$("[data-unseen]", conv)) el.removeAttribute("data-unseen");
      }
    } finally {
      seenInFlight = false;
    }
  }
  document.addEventListener("visibilitychange", markSeen);
  window.addEventListener("focus", markSeen);

  // ---- phones: the bar's menu, and the way back from a chat to the list ---------------------
  document.addEventListener("click", (ev) => {
    const toggle = ev.target.closest(".menu-toggle");
    const bar = $(".topbar");
    if (toggle && bar) {
      const open = !bar.classList.contains("menu-open");
      bar.classList.toggle("menu-open", open);
      toggle.setAttribute("aria-expanded", String(open));
      return;
    }
    if (bar && bar.classList.contains("menu-open") && !ev.target.closest(".topbar-menu")) {
      bar.classList.remove("menu-open");
      $(".menu-toggle", bar).setAttribute("aria-expanded", "false");
    }
    if (ev.target.closest("[data-back]")) backToList();
  });
  document.addEventListener("keydown", (ev) => {
    const bar = $(".topbar.menu-open");
    if (ev.key === "Escape" && bar) {
      bar.classList.remove("menu-open");
      const toggle = $(".menu-toggle", bar);
      toggle.setAttribute("aria-expanded", "false");
      toggle.focus();
    }
  });
  function backToList() {
    const pane = $("#pane");
    const root = $(".list-root");
    if (!pane) return;
    const id = openConversationId();
    pane.innerHTML = "";
    const query = listQuery || (root && root.dataset.query) || "";
    history.pushState({}, "", "/" + (query ? "?" + query : ""));
    refreshList();
    // Back where she left: the chat's row in the list.
    const row = id && $('.row[data-id="' + id + '"]');
    if (row) row.focus();
  }

  // ---- the contact panel: opened beside the chat, and kept open from chat to chat ------------
  const contactKey = "mostrador.contactOpen";
  function showContact(open) {
    const panel = $("#contact-panel");
    if (!panel) return;
    panel.hidden = !open;
    for (const toggle of $$("[data-contact-toggle][aria-controls]")) toggle.setAttribute("aria-expanded", String(open));
    try { sessionStorage.setItem(contactKey, open ? "1" : ""); } catch (err) { /* a convenience */ }
    if (open) { const first = $("input:not([type=hidden])", panel); if (first && document.activeElement === document.body) first.focus(); }
  }
  document.addEventListener("click", (ev) => {
    if (!ev.target.closest("[data-contact-toggle]")) return;
    const panel = $("#contact-panel");
    if (panel) showContact(panel.hidden);
  });
  function restoreContact() {
    const panel = $("#contact-panel");
    let open = false;
    try { open = sessionStorage.getItem(contactKey) === "1"; } catch (err) { open = false; }
    if (panel && (open || !panel.hidden)) showContact(true);
  }

  // ---- keyboard: a seller's day without the mouse -------------------------------------------
  // j/k move through the list, Enter opens, r replies, n writes a note, e marks resolved, "/"
  // opens saved answers, ? lists the keys. Escape in the reply box goes back to the list, on
  // the chat's row, so the next j or k goes on from there.
  function rows() { return $$(".rows .row"); }
  function currentRow() {
    const active = document.activeElement;
    if (active && active.matches && active.matches(".rows .row")) return active;
    return $(".rows .row.open");
  }
  function moveInList(step) {
    const all = rows();
    if (!all.length) return;
    const at = all.indexOf(currentRow());
    const next = all[at < 0 ? 0 : Math.min(all.length - 1, Math.max(0, at + step))];
    next.focus();
    next.scrollIntoView({ block: "nearest" });
  }
  function compose(mode, text) {
    const form = $("#composer");
    if (!form) return;
    const area = $("textarea", form);
    if (form.dataset.kind === "free" && mode) {
      applyMode(form, mode);
      saveDraft();
    }
    area.focus();
    if (text !== undefined) {
      area.value = text;
      area.setSelectionRange(text.length, text.length);
      area.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }
  document.addEventListener("keydown", (ev) => {
    if (ev.defaultPrevented || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const target = ev.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable=true]")) {
      if (ev.key === "Escape" && target.matches("#composer textarea") && !$(".composer-picker")) {
        const row = $(".rows .row.open") || rows()[0];
        if (row && row.offsetParent !== null) row.focus(); else target.blur();
      }
      return;
    }
    if ($("dialog[open]")) return;
    const keys = {
      j: () => moveInList(1),
      k: () => moveInList(-1),
      r: () => compose("reply"),
      n: () => compose("note"),
      // Posted here rather than by clicking the button, which a live refresh may be replacing.
      e: () => {
        const id = openConversationId();
        if (id && $("[data-testid=resolve]") && window.htmx) htmx.ajax("POST", "/ui/c/" + id + "/resolve", { target: "#pane", source: "#pane" });
      },
      "/": () => compose("reply", "/"),
      "?": () => { const help = $("#shortcuts"); if (help) help.showModal(); },
    };
    const run = keys[ev.key];
    if (!run) return;
    ev.preventDefault();
    run();
  });

  // Switching the language comes back to the page as it is now (the tab and chat chosen since it
  // loaded are in the address, not in the form the server wrote).
  document.addEventListener("change", (ev) => {
    const select = ev.target.closest(".lang-form select");
    if (!select) return;
    $("input[name=next]", select.form).value = location.pathname + location.search;
    select.form.submit();
  });

  // Small behaviours the templates ask for with data attributes (the pages carry no inline
  // script: the Content-Security-Policy allows none).
  document.addEventListener("change", (ev) => {
    const el = ev.target;
    if (!(el instanceof HTMLElement)) return;
    if (el.matches("[data-submit-on-change]") && el.form) el.form.requestSubmit();
    if (el.matches("[data-inbox-picker]")) showTemplatesOf(el);
    if (el.matches("[data-template-picker]")) {
      // Show the chosen template's parameters; the others are hidden and not sent.
      for (const box of $$("[data-template-params]")) {
        box.hidden = box.dataset.templateParams !== el.value;
        for (const input of $$("input", box)) input.disabled = box.hidden;
      }
    }
  });

  // Starting a chat: the chosen inbox's templates, where its channel wants one; else free text.
  function showTemplatesOf(select) {
    const option = select.selectedOptions[0];
    const templated = option && option.dataset.templates === "1";
    for (const box of $$("[data-templates-of]")) {
      const mine = templated && box.dataset.templatesOf === select.value;
      box.hidden = !mine;
      const picker = $("[data-template-picker]", box);
      if (picker) picker.disabled = !mine;
      if (!mine) for (const input of $$("input", box)) input.disabled = true;
    }
    const free = $("[data-free-text]");
    if (free) { free.hidden = templated; $("textarea", free).disabled = templated; }
  }
  document.addEventListener("DOMContentLoaded", () => { const picker = $("[data-inbox-picker]"); if (picker) showTemplatesOf(picker); });

  // A form that writes as a customer empties itself once its message went through.
  document.addEventListener("htmx:afterRequest", (ev) => {
    const form = ev.detail.elt;
    if (!(form instanceof HTMLFormElement) || !form.matches("[data-reset-after-send]") || !ev.detail.successful) return;
    form.reset();
    const area = $("textarea", form);
    if (area) area.focus();
  });

  // Installable: the service worker keeps the app's shell (never customers' data).
  if ("serviceWorker" in navigator && document.body.dataset.wsPath) {
    // In the page's language: the worker words its offline notice in it.
    navigator.serviceWorker.register("/sw.js?lang=" + encodeURIComponent(document.documentElement.lang || ""), { scope: "/" }).catch(() => { /* the app works without it */ });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const app = $("#app") || $("#simulator");
    const wsPath = (app && app.dataset.wsPath) || document.body.dataset.wsPath;
    if (wsPath) connect(wsPath);
    trackListRequests();
    setupContextMenu();
    setupComposer();
    restoreDraft();
    restoreContact();
    scrollTimeline();
    showLinkedMessage();
    markSeen();
    tick();
    setInterval(tick, 1000);
    document.body.addEventListener("htmx:afterSwap", (ev) => {
      if (ev.detail.target.id === "pane") {
        paneSwaps += 1;
        // The composer's own answers put back what was typed meanwhile (htmx:afterRequest).
        const own = composing(ev.detail.requestConfig && ev.detail.requestConfig.elt);
        if (!own) restoreDraft();
        restoreContact();
        scrollTimeline();
        // A chat just opened takes the focus to its reply box; the answer to her own reply only
        // if she has not moved on meanwhile.
        const area = $("#composer textarea");
        if (area && !(own && movedOn())) area.focus();
        refreshList();
        markSeen();
      }
      if (ev.detail.target.id === "list" && listScroll !== null) {
        // A live refresh leaves the list where it was; a tab or filter change starts at the top.
        const rows = $(".rows");
        if (rows && ev.detail.requestConfig && ev.detail.requestConfig.verb === "get" && !ev.detail.requestConfig.elt.closest?.(".list-root")) rows.scrollTop = listScroll;
        listScroll = null;
      }
      if (ev.detail.target.id === "sim-thread") scrollTimeline();
      if (ev.detail.target.id === "phone-thread") keepPhoneScroll();
      tick();
    });
    document.body.addEventListener("htmx:beforeSwap", (ev) => {
      if (ev.detail.target.id === "phone-thread") notePhoneScroll();
    });
    // htmx settles an element's class a moment after a swap, which would undo the note mode
    // the draft or a key just gave the composer: its look follows its radio once settled.
    document.body.addEventListener("htmx:afterSettle", () => {
      markLinkedMessage();
      const form = $("#composer");
      const mode = form && $("input[name=mode]:checked", form);
      if (mode && form.dataset.kind === "free") applyMode(form, mode.value);
    });
  });

  // The sandbox phone re-draws its thread every second. Like a real phone it shows the newest
  // message, unless the customer scrolled up to read: then it stays where they were.
  let phoneScroll = null;
  function notePhoneScroll() {
    const thread = $(".phone-thread");
    if (!thread) return;
    phoneScroll = {
      top: thread.scrollTop,
      atBottom: thread.scrollTop + thread.clientHeight >= thread.scrollHeight - 8,
      count: thread.dataset.count,
    };
  }
  function keepPhoneScroll() {
    const thread = $(".phone-thread");
    if (!thread) return;
    if (!phoneScroll || phoneScroll.atBottom || thread.dataset.count !== phoneScroll.count) {
      thread.scrollTop = thread.scrollHeight;
    } else {
      thread.scrollTop = phoneScroll.top;
    }
  }
  // Admin forms: the agent kind shows its own section; "add a row" copies the last row of a
  // repeated group with the next index (names are Django's prefix-N-field).
  document.addEventListener("change", function (event) {
    const select = event.target.closest("[data-kind-switch]");
    if (!select) return;
    $$("[data-kind-section]").forEach(function (section) { section.hidden = section.dataset.kindSection !== select.value; });
  });
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-add-row]");
    if (!button) return;
    const rows = $$(".form-row", button.parentElement);
    const last = rows[rows.length - 1];
    if (!last) return;
    const copy = last.cloneNode(true);
    const next = rows.length + Math.max(0, ...rows.map(function (row) {
      const named = $("[name]", row);
      const found = named && named.name.match(/-(\d+)-[a-z_]+$/);
      return found ? Number(found[1]) : 0;
    }));
    $$("[name]", copy).forEach(function (field) {
      field.name = field.name.replace(/-(\d+)-([a-z_]+)$/, "-" + next + "-$2");
      if (field.id) field.id = field.id.replace(/-(\d+)-([a-z_]+)$/, "-" + next + "-$2");
      if (field.type === "checkbox") field.checked = false;
      else if (field.tagName === "SELECT") field.selectedIndex = 0;
      else field.value = "";
    });
    $$(".field-error", copy).forEach(function (error) { error.remove(); });
    last.after(copy);
    const first = $("input, textarea, select", copy);
    if (first) first.focus();
  });
})();
