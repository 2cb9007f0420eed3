// /window: the staff member's desk. Log in, choose one of your windows,
// then work it: call, recall, start, complete, no-show, transfer, pause and
// resume, with function-key shortcuts; live from the event stream.
"use strict";

(function () {
  const { t, h, $, api, session, clock, nameOf, fmtDuration } = Lobby;
  const WINDOW_KEY = "lobby.window";

  // Function keys of the actions. The browser's own uses of these keys
  // (help, find, reload, caret browsing …) are suppressed on this page.
  const KEYS = {
    F1: "call",
    F2: "recall",
    F3: "start",
    F4: "complete",
    F5: "no_show",
    F6: "transfer",
    F7: "pause",
    F8: "call_ticket",
    F9: "slip",
  };

  // Pause reasons offered as buttons. What is sent is the Chinese term,
  // so supervisors' records read the same whatever the page's language.
  const PAUSE_PRESETS = [
    ["pause.preset.lunch", "午休"],
    ["pause.preset.away", "临时离开"],
    ["pause.preset.fault", "系统故障"],
    ["pause.preset.consult", "业务咨询"],
    ["pause.preset.meeting", "会议培训"],
  ];

  const state = {
    session: null, // {token, staff}
    hall: null, // GET /api/hall
    queue: null, // QueueView
    windowNo: null,
    stream: null,
    busy: false,
    // Whether the event stream is connected; actions wait while it is not
    // (they could not reach the server either).
    online: true,
    pauseReason: null,
    log: [],
    // Bumped by every answer to an action, so that a hall view fetched
    // before it does not overwrite it.
    version: 0,
  };

  // ------------------------------------------------------------ helpers

  function token() {
    return state.session && state.session.token;
  }

  function myWindow() {
    if (!state.queue) return null;
    return state.queue.windows.find((w) => w.number === state.windowNo) || null;
  }

  function hallCategory(id) {
    return state.hall ? state.hall.categories.find((c) => c.id === id) : null;
  }

  function categoryName(id) {
    const c = hallCategory(id);
    return c ? nameOf(c) : id;
  }

  function matterName(id) {
    if (!id || !state.hall) return "";
    const m = state.hall.matters.find((x) => x.id === id);
    return m ? nameOf(m) : id;
  }

  function showView(name) {
    for (const v of ["login", "choose", "desk"]) Lobby.show($("#" + v + "-view"), v === name);
    const inDesk = name === "desk";
    Lobby.show($("#window-title"), inDesk);
    Lobby.show($("#window-state"), inDesk);
    Lobby.show($("#switch-window"), inDesk);
    Lobby.show($("#who"), name !== "login");
    Lobby.show($("#logout"), name !== "login");
  }

  function say(text, ok) {
    const m = $("#message");
    m.textContent = text;
    m.className = "message " + (ok ? "ok" : "error");
    state.log.unshift({ at: clock.now(), text, ok });
    state.log.length = Math.min(state.log.length, 30);
    renderLog();
  }

  function renderLog() {
    $("#log").replaceChildren(
      ...state.log.map((l) =>
        h("li", { class: l.ok ? "" : "error" }, Lobby.fmtTime(new Date(l.at).toISOString()) + "  " + l.text),
      ),
    );
  }

  // An API error: a lapsed session sends the user back to the login form;
  // anything else is shown as the server's own message.
  function failed(err, where) {
    if (err instanceof Lobby.ApiError && err.status === 401 && token()) {
      logout(t("login.expired"));
      return;
    }
    if (where) {
      where.textContent = err.message;
    } else {
      say(err.message, false);
    }
  }

  // --------------------------------------------------------------- login

  async function login(ev) {
    ev.preventDefault();
    const err = $("#login-error");
    err.textContent = "";
    const button = $("#login-submit");
    button.disabled = true;
    button.textContent = t("login.busy");
    try {
      const ans = await api("POST", "/api/login", {
        username: $("#username").value.trim(),
        password: $("#password").value,
      });
      state.session = { token: ans.token, staff: ans.staff, expires_at: ans.expires_at };
      session.set(state.session);
      $("#password").value = "";
      await afterLogin();
    } catch (e) {
      err.textContent = e.message;
    } finally {
      button.disabled = false;
      button.textContent = t("login.submit");
    }
  }

  async function logout(message) {
    const tok = token();
    leaveDesk();
    session.clear();
    sessionStorage.removeItem(WINDOW_KEY);
    state.session = null;
    state.windowNo = null;
    if (tok && !message) {
      try {
        await api("POST", "/api/logout", null, tok);
      } catch (e) {
        // The session ends here either way.
      }
    }
    showView("login");
    $("#login-error").textContent = message || "";
    $("#username").focus();
  }

  async function loadHall() {
    if (!state.hall) state.hall = await api("GET", "/api/hall");
    $("#centre-name").textContent = nameOf(state.hall.centre) || t("win.page_title");
  }

  async function afterLogin() {
    const staff = state.session.staff;
    $("#who").textContent = t("win.staff", { name: staff.display_name || staff.username });
    await loadHall();
    // `/window?window=15` goes straight to window 15 (a terminal's
    // bookmark); whether this account may work it is the server's call.
    const asked = Number(new URLSearchParams(location.search).get("window"));
    const saved = Number(sessionStorage.getItem(WINDOW_KEY));
    if (asked) {
      await enterWindow(asked);
    } else if (saved && (staff.role === "admin" || staff.windows.includes(saved))) {
      await enterWindow(saved);
    } else {
      showChooser();
    }
  }

  // -------------------------------------------------------------- choose

  function showChooser() {
    leaveDesk();
    showView("choose");
    $("#choose-error").textContent = "";
    const staff = state.session.staff;
    const list = $("#window-choices");
    list.replaceChildren(
      ...staff.windows.map((n) => {
        const w = state.hall.windows.find((x) => x.number === n);
        const primary = w ? w.categories.slice(0, w.primary).map(categoryName).join("、") : "";
        return h(
          "button",
          { type: "button", class: "window-choice", dataset: { window: n }, onclick: () => enterWindow(n) },
          t("window.n", { n }),
          h("small", null, primary),
        );
      }),
    );
    const admin = staff.role === "admin";
    Lobby.show($("#no-windows"), !staff.windows.length && !admin);
    Lobby.show($("#other-window"), admin);
  }

  async function enterWindow(n) {
    try {
      // Only the server knows whether this account may work window n: its
      // waiting list answers 403 (with the reason) if not.
      await api("GET", "/api/windows/" + n + "/waiting", null, token());
      const queue = await api("GET", "/api/queue", null, token());
      state.queue = queue;
      clock.sync(queue.at);
      state.windowNo = n;
      sessionStorage.setItem(WINDOW_KEY, String(n));
      if (!myWindow().open) {
        const ans = await api("POST", "/api/windows/" + n + "/open", null, token());
        applyWindow(ans.window);
        say(t("ok.opened"), true);
      }
      showView("desk");
      render();
      startStream();
    } catch (e) {
      state.windowNo = null;
      sessionStorage.removeItem(WINDOW_KEY);
      showChooser();
      failed(e, $("#choose-error"));
    }
  }

  function leaveDesk() {
    if (state.stream) state.stream.stop();
    state.stream = null;
    state.online = true;
    Lobby.show($("#offline"), false);
    closeDialogs();
  }

  // ------------------------------------------------------------- stream

  // Whether an event can change what this desk shows: its own window, or
  // a queue it serves. Other windows' comings and goings are ignored, so
  // a busy hall does not make every desk refetch the hall's view.
  function concernsMe(ev) {
    const w = myWindow();
    if (!w) return true;
    if (ev.window === state.windowNo || ev.from_window === state.windowNo) return true;
    const cats = w.categories;
    const mentioned = [ev.category, ev.from_category, ev.next_stop, ev.ticket && ev.ticket.category];
    if (ev.to) mentioned.push(ev.to.category);
    if (ev.to && ev.to.window === state.windowNo) return true;
    if (mentioned.some((c) => c && cats.includes(c))) return true;
    // Events that name no category may still change a queue.
    return ["cancelled", "reactivated", "expired", "day_changed", "site_closed"].includes(ev.type);
  }

  function startStream() {
    if (state.stream) state.stream.stop();
    state.stream = new Lobby.Stream({
      token: token(),
      onSnapshot: (msg) => {
        state.queue = msg.queue;
        render();
      },
      onEvent: (ev) => {
        if (concernsMe(ev)) refreshSoon();
      },
      onState: (online) => {
        state.online = online;
        Lobby.show($("#offline"), !online);
        render();
        if (online) refreshSoon();
      },
    });
    state.stream.start();
  }

  async function refresh() {
    if (!state.windowNo || !token()) return;
    const version = state.version;
    try {
      const queue = await api("GET", "/api/queue", null, token());
      if (version !== state.version) {
        // An action answered while this view was on its way: the view may
        // predate it. Ask again rather than show the past.
        refreshSoon();
        return;
      }
      state.queue = queue;
      clock.sync(queue.at);
      render();
      if ($("#waiting-dialog").open) loadWaiting();
    } catch (e) {
      if (e.code === "network") {
        if (state.stream) state.stream.kick();
      } else {
        failed(e);
      }
    }
  }

  const refreshSoon = Lobby.coalesce(refresh, 700);

  function applyWindow(view) {
    state.version++;
    if (!state.queue || !view) return;
    const i = state.queue.windows.findIndex((w) => w.number === view.number);
    if (i >= 0) state.queue.windows[i] = view;
  }

  // ------------------------------------------------------------- render

  // What each action needs, given the window's state.
  function allowed(action, w) {
    if (!w) return false;
    const cur = w.current;
    const status = cur && cur.status;
    switch (action) {
      case "call":
      case "call_ticket":
        return w.open && !w.paused && !cur;
      case "recall":
      case "no_show":
        return status === "called";
      case "start":
        return status === "called";
      case "complete":
        return status === "serving";
      case "transfer":
        return !!cur;
      case "pause":
        return w.open && (!!w.paused || !cur);
      case "slip":
        return true;
      case "open_close":
        return !w.open || !cur;
      default:
        return false;
    }
  }

  function render() {
    const w = myWindow();
    if (!w || $("#desk-view").hidden) return;
    $("#window-title").textContent = t("window.n", { n: w.number });
    const chip = $("#window-state");
    if (!w.open) {
      chip.className = "chip closed";
      chip.textContent = t("win.state_closed");
    } else if (w.paused) {
      chip.className = "chip paused";
      chip.textContent = t("win.state_paused", { reason: w.paused });
    } else {
      chip.className = "chip open";
      chip.textContent = t("win.state_open");
    }
    renderCurrent(w);
    for (const b of document.querySelectorAll(".actions button")) {
      const a = b.dataset.action;
      // The slip needs only the catalogue already loaded: it works offline.
      b.disabled = (a !== "slip" && (state.busy || !state.online)) || !allowed(a, w);
    }
    $("#pause-label").textContent = w.paused ? t("act.resume") : t("act.pause");
    $("#open-close-label").textContent = w.open ? t("act.sign_off") : t("act.open");
    renderQueue(w);
    for (const k of ["called", "completed", "no_shows", "transferred"]) {
      $("#today-" + k).textContent = String(w.today[k] || 0);
    }
    tick();
  }

  function renderCurrent(w) {
    const cur = w.current;
    const panel = $("#current");
    panel.classList.toggle("called", !!cur && cur.status === "called");
    panel.classList.toggle("serving", !!cur && cur.status === "serving");
    panel.classList.toggle("paused", !cur && !!w.paused);
    Lobby.show($("#current-ticket"), !!cur);
    Lobby.show($("#current-empty"), !cur);
    if (!cur) {
      const empty = $("#current-empty");
      if (!w.open) empty.replaceChildren(h("strong", null, t("cur.closed")));
      else if (w.paused)
        empty.replaceChildren(h("strong", null, t("cur.paused")), t("cur.paused_reason", { reason: w.paused }));
      else empty.replaceChildren(t("cur.none"));
      return;
    }
    $("#cur-number").textContent = cur.number;
    $("#cur-status").textContent = t("status." + cur.status);
    $("#cur-recalls").textContent = cur.recalls ? t("cur.recalls", { n: cur.recalls }) : "";
    Lobby.show($("#cur-green"), !!cur.green);
    Lobby.show($("#cur-assisted"), !!cur.assisted);
    $("#cur-category").textContent = categoryName(cur.category);
    $("#cur-matter").textContent = cur.matter ? matterName(cur.matter) : t("cur.matter_none");
    $("#cur-issued").textContent = Lobby.fmtTime(cur.issued_at);
    $("#cur-elapsed-label").textContent = cur.status === "serving" ? t("cur.serving_for") : t("cur.called_for");
  }

  // Times that run on: refreshed every second without asking the server.
  function tick() {
    const w = myWindow();
    if (!w || $("#desk-view").hidden) return;
    const cur = w.current;
    if (cur) {
      const waited = cur.called_at
        ? Math.max(0, (Date.parse(cur.called_at) - Date.parse(cur.issued_at)) / 1000)
        : clock.since(cur.issued_at);
      $("#cur-waited").textContent = fmtDuration(waited);
      const from = cur.status === "serving" ? cur.started_at : cur.called_at;
      $("#cur-elapsed").textContent = fmtDuration(clock.since(from));
    }
    const drift = state.queue ? Math.max(0, (clock.now() - Date.parse(state.queue.at)) / 1000) : 0;
    for (const cell of document.querySelectorAll("#queue-rows td[data-longest]")) {
      // Empty for a queue nobody waits in.
      if (cell.dataset.longest === "") continue;
      const waited = Number(cell.dataset.longest) + drift;
      cell.textContent = fmtDuration(waited);
      const warnAt = Number(cell.dataset.warn);
      cell.parentElement.classList.toggle("warn", warnAt > 0 && waited >= warnAt);
    }
  }

  function renderQueue(w) {
    const rows = w.categories.map((id, i) => {
      const q = state.queue.categories.find((c) => c.category === id) || {};
      const cat = hallCategory(id);
      const warn = cat ? cat.warn_wait_min * 60 : 0;
      return h(
        "tr",
        { dataset: { category: id } },
        h(
          "td",
          null,
          (q.prefix ? q.prefix + " " : "") + categoryName(id),
          i >= w.primary ? h("span", { class: "subtle" }, "（" + t("win.overflow") + "）") : null,
          q.green ? h("div", { class: "subtle" }, t("queue.green", { n: q.green })) : null,
        ),
        h("td", { class: "num big-num waiting-count" }, String(q.waiting || 0)),
        h("td", { class: "num longest", dataset: { longest: q.waiting ? q.longest_wait_s || 0 : "", warn } }, q.waiting ? "" : "—"),
        h("td", { class: "num" }, q.waiting ? fmtDuration(q.estimated_wait_s) : "—"),
      );
    });
    $("#queue-rows").replaceChildren(...rows);
    const here = $("#here-row");
    Lobby.show(here, w.waiting_here > 0);
    here.textContent = t("queue.here") + "：" + w.waiting_here;
  }

  // ------------------------------------------------------------ actions

  const PATHS = {
    recall: ["recall", "ok.recalled"],
    start: ["start", "ok.started"],
    complete: ["complete", "ok.completed"],
    no_show: ["no-show", "ok.no_show"],
  };

  async function post(path, body) {
    return api("POST", "/api/windows/" + state.windowNo + "/" + path, body || null, token());
  }

  // Runs one request at a time; the buttons are disabled meanwhile.
  async function busy(fn) {
    if (state.busy) return;
    state.busy = true;
    render();
    try {
      await fn();
    } finally {
      state.busy = false;
      render();
    }
  }

  // A ticket as the window holds it, from a TicketView (until the next
  // refresh brings the server's own).
  function currentOf(tv) {
    return {
      id: tv.id,
      number: tv.number,
      category: tv.category,
      matter: tv.matter,
      status: tv.status,
      green: tv.priority === "green",
      assisted: tv.assisted,
      issued_at: tv.issued_at,
      called_at: tv.called_at,
      started_at: null,
      recalls: 0,
    };
  }

  async function callTicket(id) {
    await busy(async () => {
      try {
        const tv = await post("call", id ? { ticket: id } : null);
        if (!tv) {
          say(t("ok.nobody"), true);
        } else {
          const w = myWindow();
          state.version++;
          if (w) w.current = currentOf(tv);
          say(t("ok.called", { number: tv.number }), true);
        }
        closeDialogs();
      } catch (e) {
        failed(e, id ? $("#waiting-error") : null);
      }
    });
    refreshSoon();
  }

  async function simple(action) {
    const [path, ok] = PATHS[action];
    const number = myWindow() && myWindow().current ? myWindow().current.number : "";
    await busy(async () => {
      try {
        const ans = await post(path);
        applyWindow(ans.window);
        const tv = ans.ticket;
        if (action === "complete" && tv && tv.status === "waiting") {
          say(t("ok.completed_next", { number: tv.number, category: tv.category_name }), true);
        } else {
          say(t(ok, { number: tv ? tv.number : number }), true);
        }
      } catch (e) {
        failed(e);
      }
    });
    refreshSoon();
  }

  async function openClose() {
    const w = myWindow();
    await busy(async () => {
      try {
        const ans = await post(w.open ? "close" : "open");
        applyWindow(ans.window);
        say(t(w.open ? "ok.closed" : "ok.opened"), true);
      } catch (e) {
        failed(e);
      }
    });
    if (w.open && !myWindow().open) showChooser();
  }

  function act(action) {
    const w = myWindow();
    if (!allowed(action, w)) return;
    if (action !== "slip" && (state.busy || !state.online)) return;
    switch (action) {
      case "call":
        return callTicket(null);
      case "call_ticket":
        return openWaiting();
      case "transfer":
        return openTransfer();
      case "pause":
        return w.paused ? resume() : openPause();
      case "slip":
        return openSlip();
      case "open_close":
        return openClose();
      default:
        return simple(action);
    }
  }

  async function resume() {
    await busy(async () => {
      try {
        const ans = await post("resume");
        applyWindow(ans.window);
        say(t("ok.resumed"), true);
      } catch (e) {
        failed(e);
      }
    });
  }

  // ------------------------------------------------------------ dialogs

  function closeDialogs() {
    for (const d of document.querySelectorAll("dialog[open]")) d.close();
  }

  function anyDialogOpen() {
    return !!document.querySelector("dialog[open]");
  }

  async function openWaiting() {
    $("#waiting-error").textContent = "";
    $("#waiting-rows").replaceChildren();
    Lobby.show($("#waiting-empty"), false);
    $("#waiting-dialog").showModal();
    await loadWaiting();
  }

  async function loadWaiting() {
    try {
      const list = await api("GET", "/api/windows/" + state.windowNo + "/waiting", null, token());
      renderWaiting(list);
    } catch (e) {
      failed(e, $("#waiting-error"));
    }
  }

  function renderWaiting(list) {
    const here = myWindow() ? myWindow().waiting_here : 0;
    $("#waiting-rows").replaceChildren(
      ...list.map((tv, i) =>
        h(
          "tr",
          { dataset: { ticket: tv.number } },
          h(
            "td",
            null,
            h("b", { class: "big-num" }, tv.number),
            " ",
            tv.priority === "green" ? h("span", { class: "chip green" }, t("mark.green")) : null,
            tv.assisted ? h("span", { class: "chip assisted" }, t("mark.assisted")) : null,
            i < here ? h("span", { class: "chip warn" }, t("waiting.here")) : null,
          ),
          h("td", null, tv.category_name, tv.matter_name ? h("div", { class: "subtle" }, tv.matter_name) : null),
          h("td", { class: "num" }, fmtDuration(clock.since(tv.issued_at))),
          h(
            "td",
            null,
            h("button", { type: "button", class: "primary", onclick: () => callTicket(tv.id) }, t("waiting.call")),
          ),
        ),
      ),
    );
    Lobby.show($("#waiting-empty"), list.length === 0);
  }

  function openTransfer() {
    const w = myWindow();
    const cur = w.current;
    $("#transfer-title").textContent = t("transfer.title", { number: cur.number });
    $("#transfer-error").textContent = "";
    const site = (state.hall.windows.find((x) => x.number === w.number) || {}).site;
    const select = $("#transfer-category");
    select.replaceChildren(
      ...state.hall.categories
        .filter((c) => c.site === site && c.id !== cur.category)
        .map((c) => h("option", { value: c.id }, c.prefix + " " + nameOf(c))),
    );
    $("#transfer-window").value = "";
    $("#transfer-kind-category").checked = true;
    $("#transfer-dialog").showModal();
    select.focus();
  }

  async function submitTransfer(ev) {
    ev.preventDefault();
    const byWindow = $("#transfer-kind-window").checked;
    const body = byWindow
      ? { window: Number($("#transfer-window").value) }
      : { category: $("#transfer-category").value };
    if ((byWindow && !body.window) || (!byWindow && !body.category)) {
      $("#transfer-error").textContent = t("transfer.need_target");
      return;
    }
    const number = myWindow().current ? myWindow().current.number : "";
    await busy(async () => {
      try {
        const ans = await post("transfer", body);
        applyWindow(ans.window);
        say(t("ok.transferred", { number: ans.ticket ? ans.ticket.number : number }), true);
        closeDialogs();
      } catch (e) {
        failed(e, $("#transfer-error"));
      }
    });
    refreshSoon();
  }

  function openPause() {
    state.pauseReason = null;
    $("#pause-error").textContent = "";
    $("#pause-other").value = "";
    renderPresets();
    $("#pause-dialog").showModal();
  }

  function renderPresets() {
    $("#pause-presets").replaceChildren(
      ...PAUSE_PRESETS.map(([key, zh]) =>
        h(
          "button",
          {
            type: "button",
            "aria-pressed": state.pauseReason === zh ? "true" : "false",
            dataset: { reason: zh },
            onclick: () => {
              state.pauseReason = zh;
              $("#pause-other").value = "";
              renderPresets();
            },
          },
          t(key),
        ),
      ),
    );
  }

  async function submitPause(ev) {
    ev.preventDefault();
    const reason = ($("#pause-other").value.trim() || state.pauseReason || "").slice(0, 100);
    if (!reason) {
      $("#pause-error").textContent = t("pause.need_reason");
      return;
    }
    await busy(async () => {
      try {
        const ans = await post("pause", { reason });
        applyWindow(ans.window);
        say(t("ok.paused"), true);
        closeDialogs();
      } catch (e) {
        failed(e, $("#pause-error"));
      }
    });
  }

  function openSlip() {
    const w = myWindow();
    const cur = w && w.current;
    let selected = cur && cur.matter;
    if (!selected) {
      const first = state.hall.matters.find((m) => w && w.categories.includes(m.category));
      selected = first ? first.id : null;
    }
    LobbySlip.fillSelect($("#slip-matter"), state.hall, selected, w ? w.categories : null);
    renderSlip();
    $("#slip-dialog").showModal();
  }

  function renderSlip() {
    const id = $("#slip-matter").value;
    const matter = state.hall.matters.find((m) => m.id === id);
    LobbySlip.render($("#slip"), state.hall, matter);
  }

  // -------------------------------------------------------------- start

  function onKey(ev) {
    const action = KEYS[ev.key];
    // Outside the desk (login, choosing) the keys keep their usual meaning.
    if (!action || $("#desk-view").hidden) return;
    ev.preventDefault();
    if (ev.repeat || anyDialogOpen()) return;
    act(action);
  }

  async function init() {
    Lobby.applyI18n();
    Lobby.langButton($("#lang"));
    document.addEventListener("lobby:lang", () => {
      if (state.session) {
        const staff = state.session.staff;
        $("#who").textContent = t("win.staff", { name: staff.display_name || staff.username });
      }
      if (state.hall) $("#centre-name").textContent = nameOf(state.hall.centre);
      if (!$("#choose-view").hidden) showChooser();
      render();
      // Names in the queue view come in the request's language.
      refreshSoon();
    });
    $("#login-form").addEventListener("submit", login);
    $("#logout").addEventListener("click", () => logout());
    $("#switch-window").addEventListener("click", () => {
      sessionStorage.removeItem(WINDOW_KEY);
      showChooser();
    });
    $("#other-window").addEventListener("submit", (ev) => {
      ev.preventDefault();
      enterWindow(Number($("#other-window-no").value));
    });
    for (const b of document.querySelectorAll(".actions button")) {
      b.addEventListener("click", () => act(b.dataset.action));
    }
    for (const b of document.querySelectorAll("dialog [data-close]")) {
      b.addEventListener("click", () => b.closest("dialog").close());
    }
    $("#transfer-form").addEventListener("submit", submitTransfer);
    $("#transfer-window").addEventListener("input", () => {
      $("#transfer-kind-window").checked = true;
    });
    $("#transfer-category").addEventListener("change", () => {
      $("#transfer-kind-category").checked = true;
    });
    $("#pause-form").addEventListener("submit", submitPause);
    $("#pause-other").addEventListener("input", () => {
      state.pauseReason = null;
      renderPresets();
    });
    $("#slip-matter").addEventListener("change", renderSlip);
    $("#slip-print").addEventListener("click", () => Lobby.printOnly($("#slip")));
    document.addEventListener("keydown", onKey);
    setInterval(tick, 1000);
    // A periodic refresh keeps estimates honest and notices a server that
    // went away without closing the socket.
    setInterval(() => {
      if (state.windowNo && !$("#desk-view").hidden) refresh();
    }, 30000);

    state.session = session.get();
    if (!state.session) {
      showView("login");
      return;
    }
    try {
      await api("GET", "/api/me", null, token());
      await afterLogin();
    } catch (e) {
      if (e.status === 401) logout(t("login.expired"));
      else {
        showView("login");
        $("#login-error").textContent = e.message;
      }
    }
  }

  init();
})();
