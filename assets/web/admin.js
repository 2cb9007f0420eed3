// /admin: for centre managers only. The hall live (every window, every
// queue, yellow cards, today's counts), staff accounts, device tokens, and
// reports: any day's figures and the monthly window ranking, with CSV.
"use strict";

(function () {
  const { t, h, $, api, session, clock, nameOf, fmtDuration, fmtDateTime } = Lobby;

  const state = {
    session: null, // {token, staff|null, admin_token}
    hall: null,
    queue: null,
    stream: null,
    staff: [],
    devices: [],
    cards: [], // recent yellow cards, newest first
    day: null, // the day report shown
    ranking: null, // the monthly ranking shown
    audit: [], // audit entries shown, oldest first
    auditNext: null, // cursor of the next page
    tab: "live",
  };

  function token() {
    return state.session && state.session.token;
  }

  function showView(name) {
    for (const v of ["login", "refused", "admin"]) Lobby.show($("#" + v + "-view"), v === name);
    Lobby.show($("#who"), name === "admin");
    Lobby.show($("#logout"), name === "admin");
  }

  function message(el, text, ok) {
    el.textContent = text;
    el.className = "message " + (ok ? "ok" : "error");
  }

  // A lapsed session or a non-admin goes back to the door; anything else
  // is shown as the server's own message.
  function failed(err, el) {
    if (err instanceof Lobby.ApiError && err.status === 401) {
      logout(t("login.expired"));
      return;
    }
    if (err instanceof Lobby.ApiError && err.status === 403) {
      refuse();
      return;
    }
    if (el) message(el, err.message, false);
  }

  function categoryName(id) {
    const c = state.hall && state.hall.categories.find((x) => x.id === id);
    return c ? nameOf(c) : id;
  }

  function siteName(id) {
    const s = state.hall && state.hall.sites.find((x) => x.id === id);
    return s ? nameOf(s) : id || "—";
  }

  // "7,8,10-12" → [7, 8, 10, 11, 12]; null when malformed.
  function parseWindows(text) {
    const out = [];
    for (const part of text.split(/[,，、\s]+/).filter(Boolean)) {
      const m = /^(\d+)(?:[-–~](\d+))?$/.exec(part);
      if (!m) return null;
      const a = Number(m[1]);
      const b = m[2] ? Number(m[2]) : a;
      if (b < a || b - a > 500) return null;
      for (let n = a; n <= b; n++) if (!out.includes(n)) out.push(n);
    }
    return out.sort((x, y) => x - y);
  }

  // [7, 8, 9, 12] → "7-9, 12".
  function formatWindows(list) {
    const sorted = [...list].sort((a, b) => a - b);
    const parts = [];
    for (let i = 0; i < sorted.length; i++) {
      let j = i;
      while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
      parts.push(j > i ? sorted[i] + "-" + sorted[j] : String(sorted[i]));
      i = j;
    }
    return parts.join(", ");
  }

  // --------------------------------------------------------------- login

  async function login(ev) {
    ev.preventDefault();
    const err = $("#login-error");
    err.textContent = "";
    const button = $("#login-submit");
    button.disabled = true;
    try {
      const ans = await api("POST", "/api/login", {
        username: $("#username").value.trim(),
        password: $("#password").value,
      });
      $("#password").value = "";
      if (ans.staff.role !== "admin") {
        // Not for this page: end the session just opened, and say so.
        api("POST", "/api/logout", null, ans.token).catch(() => {});
        refuse();
        return;
      }
      state.session = { token: ans.token, staff: ans.staff, admin_token: false };
      session.set(state.session);
      await enter();
    } catch (e) {
      err.textContent = e.message;
    } finally {
      button.disabled = false;
    }
  }

  async function tokenLogin() {
    const err = $("#login-error");
    err.textContent = "";
    const tok = $("#admin-token").value.trim();
    if (!tok) return;
    try {
      const me = await api("GET", "/api/me", null, tok);
      if (me.kind !== "admin") {
        refuse();
        return;
      }
      $("#admin-token").value = "";
      state.session = { token: tok, staff: null, admin_token: true };
      session.set(state.session);
      await enter();
    } catch (e) {
      err.textContent = e.message;
    }
  }

  function refuse() {
    if (state.stream) state.stream.stop();
    state.stream = null;
    Lobby.show($("#offline"), false);
    showView("refused");
  }

  async function logout(text) {
    const tok = token();
    const wasAccount = state.session && !state.session.admin_token;
    if (state.stream) state.stream.stop();
    state.stream = null;
    Lobby.show($("#offline"), false);
    session.clear();
    state.session = null;
    if (tok && wasAccount && !text) api("POST", "/api/logout", null, tok).catch(() => {});
    showView("login");
    $("#login-error").textContent = text || "";
  }

  async function enter() {
    if (!state.hall) state.hall = await api("GET", "/api/hall");
    $("#centre-name").textContent = nameOf(state.hall.centre) + " · " + t("adm.page_title");
    const s = state.session;
    $("#who").textContent = s.staff ? s.staff.display_name || s.staff.username : t("adm.who_token");
    // The first admin-only read decides: a 403 here means not an admin.
    try {
      state.staff = await api("GET", "/api/staff", null, token());
    } catch (e) {
      if (e.status !== 403) throw e;
      session.clear();
      state.session = null;
      refuse();
      return;
    }
    state.queue = await api("GET", "/api/queue", null, token());
    clock.sync(state.queue.at);
    showView("admin");
    fillSites();
    selectTab(state.tab);
    renderLive();
    startStream();
  }

  // --------------------------------------------------------------- live

  function startStream() {
    if (state.stream) state.stream.stop();
    state.stream = new Lobby.Stream({
      token: token(),
      onSnapshot: (msg) => {
        state.queue = msg.queue;
        renderLive();
      },
      onEvent: (ev) => {
        if (ev.type === "yellow_card") {
          state.cards.unshift(ev);
          state.cards.length = Math.min(state.cards.length, 50);
          renderCards();
        }
        refreshSoon();
      },
      onDevice: (report) => {
        const d = state.devices.find((x) => x.id === report.device);
        if (d) {
          d.status = report;
          renderDevices();
        }
      },
      onState: (online) => {
        Lobby.show($("#offline"), !online);
        if (online) refreshSoon();
      },
    });
    state.stream.start();
  }

  async function refresh() {
    if (!token()) return;
    try {
      state.queue = await api("GET", "/api/queue", null, token());
      clock.sync(state.queue.at);
      renderLive();
    } catch (e) {
      if (e.code === "network") {
        if (state.stream) state.stream.kick();
      } else {
        failed(e);
      }
    }
  }

  const refreshSoon = Lobby.coalesce(refresh, 1000);

  function windowState(w) {
    if (!w.open) return "closed";
    if (w.paused) return "paused";
    if (w.current && w.current.status === "called") return "calling";
    if (w.current && w.current.status === "serving") return "serving";
    return "idle";
  }

  function renderLive() {
    if (!state.queue || $("#admin-view").hidden) return;
    renderSummary();
    renderWall();
    renderCategories();
    renderCards();
  }

  function renderSummary() {
    const q = state.queue;
    const sum = (k) => q.categories.reduce((a, c) => a + (c[k] || 0), 0);
    $("#sum-waiting").textContent = sum("waiting");
    $("#sum-issued").textContent = sum("issued");
    $("#sum-completed").textContent = sum("completed");
    $("#sum-no_shows").textContent = sum("no_shows");
    $("#sum-expired").textContent = sum("expired");
    $("#sum-open").textContent = q.windows.filter((w) => w.open).length + " / " + q.windows.length;
    $("#sum-paused").textContent = q.windows.filter((w) => w.open && w.paused).length;
    const late = q.categories.filter((c) => isLate(c)).length;
    $("#sum-warn").textContent = late;
    $("#sum-warn-box").classList.toggle("warn", late > 0);
  }

  // Seconds since the queue view was taken, so waits keep counting
  // between refreshes.
  function drift() {
    return state.queue ? Math.max(0, (clock.now() - Date.parse(state.queue.at)) / 1000) : 0;
  }

  function longest(c) {
    return c.waiting ? (c.longest_wait_s || 0) + drift() : 0;
  }

  function threshold(id) {
    const c = state.hall.categories.find((x) => x.id === id);
    return c ? c.warn_wait_min : 0;
  }

  function isLate(c) {
    const min = threshold(c.category);
    return c.waiting > 0 && min > 0 && longest(c) >= min * 60;
  }

  function renderWall() {
    const bySite = new Map();
    for (const w of state.queue.windows) {
      if (!bySite.has(w.site)) bySite.set(w.site, []);
      bySite.get(w.site).push(w);
    }
    const sections = [];
    for (const [site, windows] of bySite) {
      sections.push(
        h(
          "div",
          { class: "wall-site" },
          h("h3", null, siteName(site)),
          h("div", { class: "wall" }, windows.map(tile)),
        ),
      );
    }
    $("#wall").replaceChildren(...sections);
  }

  // Who signed in at a window: the account's name as the admin set it.
  function staffName(username) {
    if (!username) return "";
    const a = state.staff.find((x) => x.username === username);
    return (a && a.display_name) || username;
  }

  function tile(w) {
    const st = windowState(w);
    const cur = w.current;
    let line = t("adm.legend_" + st);
    let since = null;
    if (st === "paused") {
      line = w.paused;
      since = w.paused_at;
    } else if (cur) {
      line = cur.number;
      since = cur.status === "serving" ? cur.started_at : cur.called_at;
    }
    const cat = cur && state.hall.categories.find((c) => c.id === cur.category);
    const late =
      cur && cur.status === "serving" && cat && cat.warn_handle_min > 0 && clock.since(cur.started_at) >= cat.warn_handle_min * 60;
    const primary = w.categories.slice(0, w.primary).map(categoryName).join("、");
    return h(
      "div",
      {
        class: "tile " + st + (late ? " late" : ""),
        dataset: { window: w.number, state: st },
        title: [t("window.n", { n: w.number }), primary, staffName(w.staff)].filter(Boolean).join(" · "),
      },
      h("div", { class: "n" }, w.number, w.staff ? h("span", { class: "who" }, staffName(w.staff)) : null),
      h("div", { class: cur ? "tk" : "" }, line),
      since ? h("div", { class: "since", dataset: { since } }, fmtDuration(clock.since(since))) : null,
    );
  }

  function renderCategories() {
    const q = state.queue;
    const rows = q.categories.map((c) => {
      const late = isLate(c);
      const min = threshold(c.category);
      return h(
        "tr",
        { class: late ? "warn" : "", dataset: { category: c.category } },
        h("td", null, c.prefix + " " + c.name, late ? h("div", { class: "subtle" }, t("adm.warn_over", { n: min })) : null),
        h("td", { class: "num" }, h("b", null, c.waiting), c.green ? h("div", { class: "subtle" }, t("queue.green", { n: c.green })) : null),
        h("td", { class: "num" }, c.waiting ? fmtDuration(longest(c)) : "—"),
        h("td", { class: "num" }, c.issued),
        h("td", { class: "num" }, c.completed),
        h("td", { class: "num" }, c.no_shows),
        h("td", { class: "num" }, c.expired),
      );
    });
    const sum = (k) => q.categories.reduce((a, c) => a + (c[k] || 0), 0);
    rows.push(
      h(
        "tr",
        { class: "total" },
        h("td", null, t("adm.total")),
        h("td", { class: "num" }, sum("waiting")),
        h("td", { class: "num" }, ""),
        h("td", { class: "num" }, sum("issued")),
        h("td", { class: "num" }, sum("completed")),
        h("td", { class: "num" }, sum("no_shows")),
        h("td", { class: "num" }, sum("expired")),
      ),
    );
    $("#category-rows").replaceChildren(...rows);
  }

  function renderCards() {
    $("#cards").replaceChildren(
      ...state.cards.map((ev) =>
        h(
          "li",
          null,
          Lobby.fmtTime(ev.at) + "  ",
          ev.reason === "handling"
            ? t("adm.card_handling", { number: ev.number, category: categoryName(ev.category), window: ev.window, minutes: ev.minutes })
            : t("adm.card_waiting", { number: ev.number, category: categoryName(ev.category), minutes: ev.minutes }),
        ),
      ),
    );
    Lobby.show($("#cards-empty"), state.cards.length === 0);
  }

  // Running times, every second, without asking the server.
  function tick() {
    if (!state.queue || $("#admin-view").hidden || state.tab !== "live") return;
    for (const el of document.querySelectorAll("#wall .since")) {
      el.textContent = fmtDuration(clock.since(el.dataset.since));
    }
  }

  // ---------------------------------------------------------------- tabs

  function selectTab(name) {
    state.tab = name;
    for (const tab of ["live", "staff", "devices", "reports", "audit"]) {
      $("#tab-" + tab).setAttribute("aria-selected", tab === name ? "true" : "false");
      Lobby.show($("#panel-" + tab), tab === name);
    }
    if (name === "staff") loadStaff();
    if (name === "devices") loadDevices();
    if (name === "live") renderLive();
    if (name === "reports") openReports();
    if (name === "audit") openAudit();
  }

  // ------------------------------------------------------------- reports

  // The business day today (the server's), or the hall's calendar date.
  function hallToday() {
    if (state.queue && state.queue.day) return state.queue.day;
    const d = new Date(clock.now());
    const parts = new Intl.DateTimeFormat("en-CA", {
      timeZone: "Asia/Shanghai",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    }).format(d);
    return parts; // "2026-11-25"
  }

  function windowLabel(n) {
    return t("window.n", { n });
  }

  function department(n) {
    const w = state.hall && state.hall.windows.find((x) => x.number === n);
    return w ? w.label || w.department || "" : "";
  }

  function rating(w) {
    return w.mean_rating === null || w.mean_rating === undefined ? "—" : w.mean_rating.toFixed(2);
  }

  // A CSV file (UTF-8 with a byte-order mark, so spreadsheet programs read
  // the Chinese) as a data: address for a download link.
  function csvHref(rows) {
    const cell = (v) => {
      const s = v === null || v === undefined ? "" : String(v);
      return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
    };
    const text = "\ufeff" + rows.map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n";
    return "data:text/csv;charset=utf-8," + encodeURIComponent(text);
  }

  function headers(table) {
    return Array.from($(table).querySelectorAll("thead th")).map((th) => th.textContent);
  }

  async function loadDayReport() {
    const out = $("#report-message");
    out.textContent = "";
    const date = $("#report-date").value || hallToday();
    try {
      state.day = await api("GET", "/api/reports/day?date=" + encodeURIComponent(date), null, token());
      renderDayReport();
    } catch (e) {
      failed(e, out);
    }
  }

  function renderDayReport() {
    const r = state.day;
    if (!r) return;
    Lobby.show($("#day-report"), true);
    const tot = r.total;
    const tile = (key, value, id) => h("div", { id }, h("span", null, t(key)), h("b", null, value));
    $("#day-summary").replaceChildren(
      tile("adm.col_issued", tot.issued, "day-issued"),
      tile("mark.green", tot.green, "day-green"),
      tile("adm.col_completed", tot.completed, "day-completed"),
      tile("adm.col_no_shows", tot.no_shows, "day-no-shows"),
      tile("adm.col_expired", tot.expired, "day-expired"),
      tile("rep.mean_wait", fmtDuration(tot.mean_wait_s), "day-mean-wait"),
      tile("rep.max_wait", fmtDuration(tot.max_wait_s), "day-max-wait"),
      tile("rep.waiting_cards", r.waiting_cards, "day-cards"),
    );
    const c = r.channels;
    $("#day-channels").textContent = t("rep.channels", {
      kiosk: c.kiosk,
      guide: c.guide_desk,
      appointment: c.appointment,
      online: c.online,
    });
    const catRow = (x, name) => [
      name,
      x.issued,
      x.green,
      x.called,
      x.completed,
      x.no_shows,
      x.expired,
      x.cancelled,
      fmtDuration(x.mean_wait_s),
      fmtDuration(x.max_wait_s),
    ];
    const cats = r.categories.filter((x) => x.issued || x.called || x.completed);
    const catRows = cats.map((x) => catRow(x, categoryName(x.category)));
    catRows.push(catRow(tot, t("rep.total")));
    fillTable("#day-categories", catRows, catRows.length - 1);
    const winRows = r.windows.map((w) => [
      windowLabel(w.window),
      department(w.window),
      w.called,
      w.completed,
      fmtDuration(w.mean_service_s),
      w.no_shows,
      w.transferred,
      rating(w),
      w.bad_ratings,
      w.yellow_cards,
    ]);
    fillTable("#day-windows", winRows);
    Lobby.show($("#day-windows-empty"), winRows.length === 0);
    const staffRows = (r.staff || []).map(staffRow);
    fillTable("#day-staff", staffRows);
    // 差评 to follow up: who served, and what the visitor wrote.
    const badRows = (r.bad_ratings || []).map((b) => [
      Lobby.fmtTime(b.at),
      b.number,
      categoryName(b.category),
      b.window === null ? "—" : windowLabel(b.window),
      b.staff_name || b.staff || "—",
      t("rating." + b.rating),
      b.comment || "—",
    ]);
    fillTable("#day-bad", badRows);
    Lobby.show($("#day-bad-empty"), badRows.length === 0);
    const link = $("#day-csv");
    link.href = csvHref([
      [t("rep.day_title"), r.date],
      [],
      headers("#day-categories"),
      ...catRows,
      [],
      headers("#day-windows"),
      ...winRows,
      [],
      headers("#day-staff"),
      ...staffRows,
      [],
      headers("#day-bad"),
      ...badRows,
    ]);
    link.download = "lobby-" + r.date + ".csv";
    Lobby.show(link, true);
  }

  // A member of staff's line: name, windows, then what they did.
  function staffRow(s) {
    return [
      s.name,
      formatWindows(s.windows),
      s.called,
      s.completed,
      fmtDuration(s.mean_service_s),
      s.no_shows,
      s.transferred,
      rating(s),
      s.bad_ratings,
      s.yellow_cards,
    ];
  }

  // Fills a table's body with rows of text; `bold` marks a totals row.
  function fillTable(table, rows, bold) {
    const numeric = Array.from($(table).querySelectorAll("thead th")).map((th) => th.classList.contains("num"));
    $(table + " tbody").replaceChildren(
      ...rows.map((row, i) =>
        h(
          "tr",
          { class: i === bold ? "total" : null },
          row.map((v, j) => h("td", { class: numeric[j] ? "num" : null }, v)),
        ),
      ),
    );
  }

  async function loadRanking() {
    const out = $("#report-message");
    const month = $("#report-month").value || hallToday().slice(0, 7);
    try {
      state.ranking = await api("GET", "/api/rankings?month=" + encodeURIComponent(month), null, token());
      renderRanking();
    } catch (e) {
      failed(e, out);
    }
  }

  function renderRanking() {
    const r = state.ranking;
    if (!r) return;
    $("#ranking-rule").textContent = t("rep.rule", { month: r.month, rule: r.rule });
    const rows = r.windows.map((w) => [
      w.rank,
      windowLabel(w.window),
      department(w.window),
      w.completed,
      fmtDuration(w.mean_service_s),
      w.no_shows,
      rating(w),
      w.bad_ratings,
      w.yellow_cards,
    ]);
    fillTable("#ranking", rows);
    Lobby.show($("#ranking-empty"), rows.length === 0);
    const link = $("#ranking-csv");
    link.href = csvHref([[t("rep.rank_title"), r.month], [r.rule], headers("#ranking"), ...rows]);
    link.download = "lobby-ranking-" + r.month + ".csv";
    Lobby.show(link, rows.length > 0);
    const staffRows = (r.staff || []).map((s) => [s.rank, ...staffRow(s)]);
    fillTable("#staff-ranking", staffRows);
    const staffLink = $("#staff-ranking-csv");
    staffLink.href = csvHref([[t("rep.staff_rank_title"), r.month], [r.rule], headers("#staff-ranking"), ...staffRows]);
    staffLink.download = "lobby-staff-ranking-" + r.month + ".csv";
    Lobby.show(staffLink, staffRows.length > 0);
  }

  // ---------------------------------------------------------- audit trail

  // "admin-token", "staff:wang", "device:3", "anonymous" → people's words.
  function who(s) {
    if (!s) return "—";
    if (s === "admin-token") return t("aud.admin_token");
    if (s === "anonymous") return t("aud.anonymous");
    const [kind, id] = s.split(/:(.*)/s);
    if (kind === "staff") return staffName(id) === id ? id : staffName(id) + "（" + id + "）";
    if (kind === "device") {
      const d = state.devices.find((x) => String(x.id) === id);
      return t("aud.device", { id }) + (d ? " " + d.name : "");
    }
    return s;
  }

  // A key's text, or `fallback` when the dictionary has none.
  function tOr(key, fallback) {
    const s = t(key);
    return s === key ? fallback : s;
  }

  // A stored value in people's words: roles, reasons, yes/no.
  function value(field, v) {
    if (v === undefined || v === null || v === "") return "—";
    if (field === "role") return tOr("role." + v, v);
    if (field === "reason") return tOr("aud.reason_" + v, v);
    if (field === "disabled") return v === "true" ? t("aud.yes") : t("aud.no");
    if (field === "kind") return tOr("kind." + v, v);
    return v;
  }

  function change(c) {
    const name = tOr("aud.field_" + c.field, c.field);
    if (c.from !== undefined && c.from !== null) {
      return name + "：" + value(c.field, c.from) + " → " + value(c.field, c.to);
    }
    return name + "：" + value(c.field, c.to);
  }

  async function loadAudit(more) {
    const out = $("#audit-message");
    out.textContent = "";
    const date = $("#audit-date").value || hallToday();
    let path = "/api/audit?date=" + encodeURIComponent(date);
    if (more && state.auditNext) path += "&after=" + state.auditNext;
    try {
      if (!state.devices.length) state.devices = await api("GET", "/api/devices", null, token());
      const page = await api("GET", path, null, token());
      state.audit = more ? state.audit.concat(page.entries) : page.entries;
      state.auditNext = page.next;
      renderAudit();
    } catch (e) {
      failed(e, out);
    }
  }

  function renderAudit() {
    const rows = (state.audit || []).map((e) =>
      h(
        "tr",
        { dataset: { action: e.action } },
        // The hall's own clock, to the second ("2026-11-25 09:00:07").
        h("td", null, e.local_time ? e.local_time.slice(0, 19).replace("T", " ") : fmtDateTime(e.at)),
        h("td", null, who(e.actor)),
        h("td", null, t("aud.act_" + e.action)),
        h("td", null, who(e.target)),
        h("td", null, e.changes.map(change).join("；")),
        h("td", null, e.address || "—"),
      ),
    );
    $("#audit tbody").replaceChildren(...rows);
    Lobby.show($("#audit-empty"), rows.length === 0);
    Lobby.show($("#audit-more"), !!state.auditNext);
  }

  function openAudit() {
    if (!$("#audit-date").value) $("#audit-date").value = hallToday();
    loadAudit(false);
  }

  // The period table (受理情况统计表): matters accepted at windows and
  // online, as the centre reports them upwards.
  async function loadPeriod() {
    const out = $("#period-message");
    out.textContent = "";
    const today = hallToday();
    if (!$("#period-to").value) $("#period-to").value = today;
    if (!$("#period-from").value) $("#period-from").value = today.slice(0, 4) + "-01-01";
    const q = "from=" + encodeURIComponent($("#period-from").value) + "&to=" + encodeURIComponent($("#period-to").value);
    try {
      state.period = await api("GET", "/api/reports/period?" + q, null, token());
      renderPeriod();
    } catch (e) {
      failed(e, out);
    }
  }

  function renderPeriod() {
    const r = state.period;
    if (!r) return;
    Lobby.show($("#period-report"), true);
    const pct = (v) => (v === null || v === undefined ? "—" : v.toFixed(2) + "%");
    const tot = r.total;
    $("#period-heading").textContent = t("rep.period_heading", {
      centre: state.hall ? nameOf(state.hall.centre) : "",
      from: r.from,
      to: r.to,
    });
    $("#period-summary").textContent = t("rep.period_summary", {
      from: r.from,
      to: r.to,
      total: tot.accepted,
      window: tot.window,
      online: tot.online,
      done: tot.online_completed,
      rate: pct(tot.online_completion_pct),
    });
    const row = (x, name) => [name, x.accepted, x.window, x.online, x.online_completed, pct(x.online_completion_pct)];
    const rows = r.categories.map((x) => row(x, categoryName(x.category)));
    rows.push(row(tot, t("rep.total")));
    fillTable("#period-table", rows, rows.length - 1);
    const link = $("#period-csv");
    link.href = csvHref([[t("rep.period_title"), r.from, r.to], [$("#period-summary").textContent], [], headers("#period-table"), ...rows]);
    link.download = "lobby-accepted-" + r.from + "-" + r.to + ".csv";
    Lobby.show(link, true);
    Lobby.show($("#period-print"), true);
  }

  function openReports() {
    if (!$("#report-date").value) $("#report-date").value = hallToday();
    if (!$("#report-month").value) $("#report-month").value = hallToday().slice(0, 7);
    loadDayReport();
    loadRanking();
    loadPeriod();
  }

  // -------------------------------------------------------------- dialog

  // Asks for confirmation, or for one value when `opts.label` is given.
  // Resolves to the value (or true), or null when cancelled. `opts.check`
  // returns an error text for a bad value.
  function ask(opts) {
    return new Promise((resolve) => {
      const dialog = $("#ask-dialog");
      $("#ask-title").textContent = opts.title;
      $("#ask-error").textContent = "";
      const hasField = !!opts.label;
      Lobby.show($("#ask-field"), hasField);
      const input = $("#ask-input");
      $("#ask-label").textContent = opts.label || "";
      input.type = opts.type || "text";
      input.value = opts.value || "";
      input.required = hasField;
      $("#ask-ok").className = opts.danger ? "danger" : "primary";
      const done = (value) => {
        $("#ask-form").onsubmit = null;
        $("#ask-cancel").onclick = null;
        dialog.onclose = null;
        dialog.close();
        resolve(value);
      };
      $("#ask-form").onsubmit = (ev) => {
        ev.preventDefault();
        if (hasField && opts.check) {
          const problem = opts.check(input.value);
          if (problem) {
            $("#ask-error").textContent = problem;
            return;
          }
        }
        done(hasField ? input.value : true);
      };
      $("#ask-cancel").onclick = () => done(null);
      dialog.onclose = () => resolve(null);
      dialog.showModal();
      if (hasField) input.focus();
    });
  }

  // --------------------------------------------------------------- staff

  async function loadStaff() {
    try {
      state.staff = await api("GET", "/api/staff", null, token());
      renderStaff();
    } catch (e) {
      failed(e, $("#staff-message"));
    }
  }

  function renderStaff() {
    $("#staff-rows").replaceChildren(
      ...state.staff.map((s) =>
        h(
          "tr",
          { dataset: { username: s.username } },
          h("td", null, s.username),
          h("td", null, s.display_name),
          h("td", null, t("role." + s.role)),
          h("td", { class: "staff-windows" }, formatWindows(s.windows) || "—"),
          h("td", null, s.disabled ? h("span", { class: "chip closed" }, t("adm.staff_disabled")) : t("adm.staff_enabled")),
          h(
            "td",
            { class: "actions-cell" },
            h("button", { type: "button", class: "edit-windows", onclick: () => editWindows(s) }, t("adm.staff_edit_windows")),
            h("button", { type: "button", class: "reset-password", onclick: () => resetPassword(s) }, t("adm.staff_reset")),
            h(
              "button",
              { type: "button", class: "toggle-disabled" + (s.disabled ? "" : " danger"), onclick: () => toggleDisabled(s) },
              s.disabled ? t("adm.staff_enable") : t("adm.staff_disable"),
            ),
            h("button", { type: "button", class: "delete danger", onclick: () => deleteStaff(s) }, t("adm.staff_delete")),
          ),
        ),
      ),
    );
    Lobby.show($("#staff-empty"), state.staff.length === 0);
  }

  async function createStaff(ev) {
    ev.preventDefault();
    const out = $("#staff-message");
    const windows = parseWindows($("#new-windows").value);
    if (windows === null) return message(out, t("adm.staff_bad_windows"), false);
    const password = $("#new-password").value;
    if (password.length < 8) return message(out, t("adm.staff_short_password"), false);
    try {
      const view = await api(
        "POST",
        "/api/staff",
        {
          username: $("#new-username").value.trim(),
          display_name: $("#new-display").value.trim(),
          password,
          role: $("#new-role").value,
          windows,
        },
        token(),
      );
      $("#staff-form").reset();
      message(out, t("adm.staff_created", { username: view.username }), true);
      await loadStaff();
    } catch (e) {
      failed(e, out);
    }
  }

  async function patchStaff(s, patch, okKey) {
    const out = $("#staff-message");
    out.textContent = "";
    try {
      await api("PATCH", "/api/staff/" + encodeURIComponent(s.username), patch, token());
      message(out, t(okKey || "adm.staff_saved", { username: s.username }), true);
      await loadStaff();
    } catch (e) {
      failed(e, out);
    }
  }

  async function editWindows(s) {
    const value = await ask({
      title: t("adm.staff_edit_windows") + " · " + s.username,
      label: t("adm.staff_windows"),
      value: formatWindows(s.windows),
      check: (v) => (parseWindows(v) === null ? t("adm.staff_bad_windows") : null),
    });
    if (value !== null) await patchStaff(s, { windows: parseWindows(value) });
  }

  async function resetPassword(s) {
    const value = await ask({
      title: t("adm.staff_reset") + " · " + s.username,
      label: t("adm.staff_new_password"),
      type: "password",
      check: (v) => (v.length < 8 ? t("adm.staff_short_password") : null),
    });
    if (value !== null) await patchStaff(s, { password: value }, "adm.staff_password_reset");
  }

  async function toggleDisabled(s) {
    if (!s.disabled) {
      const ok = await ask({ title: t("adm.staff_confirm_disable", { username: s.username }), danger: true });
      if (!ok) return;
    }
    await patchStaff(s, { disabled: !s.disabled }, s.disabled ? "adm.staff_now_enabled" : "adm.staff_now_disabled");
  }

  async function deleteStaff(s) {
    const ok = await ask({ title: t("adm.staff_confirm_delete", { username: s.username }), danger: true });
    if (!ok) return;
    const out = $("#staff-message");
    try {
      await api("DELETE", "/api/staff/" + encodeURIComponent(s.username), null, token());
      message(out, t("adm.staff_deleted", { username: s.username }), true);
      await loadStaff();
    } catch (e) {
      failed(e, out);
    }
  }

  // ------------------------------------------------------------- devices

  function fillSites() {
    $("#device-site").replaceChildren(...state.hall.sites.map((s) => h("option", { value: s.id }, nameOf(s))));
  }

  async function loadDevices() {
    try {
      state.devices = await api("GET", "/api/devices", null, token());
      renderDevices();
    } catch (e) {
      failed(e, $("#device-message"));
    }
  }

  function renderDevices() {
    $("#device-rows").replaceChildren(
      ...state.devices.map((d) =>
        h(
          "tr",
          { dataset: { device: d.id } },
          h("td", null, d.id),
          h("td", null, d.name),
          h("td", null, t("kind." + d.kind)),
          h("td", null, siteName(d.site)),
          h("td", null, Lobby.fmtDateTime(d.created_at)),
          h(
            "td",
            null,
            d.status
              ? h(
                  "span",
                  { class: "chip " + (d.status.status === "ok" ? "open" : "warn") },
                  t("health." + d.status.status) + (d.status.detail ? "：" + d.status.detail : ""),
                )
              : "—",
          ),
          h(
            "td",
            { class: "actions-cell" },
            h("button", { type: "button", class: "revoke danger", onclick: () => revokeDevice(d) }, t("adm.device_revoke")),
          ),
        ),
      ),
    );
    Lobby.show($("#device-empty"), state.devices.length === 0);
  }

  async function createDevice(ev) {
    ev.preventDefault();
    const out = $("#device-message");
    out.textContent = "";
    Lobby.show($("#device-token"), false);
    try {
      const ans = await api(
        "POST",
        "/api/devices",
        { name: $("#device-name").value.trim(), kind: $("#device-kind").value, site: $("#device-site").value || null },
        token(),
      );
      $("#device-token-value").textContent = ans.token;
      Lobby.show($("#device-token"), true);
      $("#device-name").value = "";
      await loadDevices();
    } catch (e) {
      failed(e, out);
    }
  }

  async function revokeDevice(d) {
    const ok = await ask({ title: t("adm.device_confirm_revoke", { name: d.name }), danger: true });
    if (!ok) return;
    const out = $("#device-message");
    try {
      await api("DELETE", "/api/devices/" + d.id, null, token());
      Lobby.show($("#device-token"), false);
      message(out, t("adm.device_revoked", { name: d.name }), true);
      await loadDevices();
    } catch (e) {
      failed(e, out);
    }
  }

  // --------------------------------------------------------------- start

  async function init() {
    Lobby.applyI18n();
    Lobby.langButton($("#lang"));
    document.addEventListener("lobby:lang", () => {
      if (state.hall && !$("#admin-view").hidden) {
        $("#centre-name").textContent = nameOf(state.hall.centre) + " · " + t("adm.page_title");
        fillSites();
        renderLive();
        renderStaff();
        renderDevices();
        renderDayReport();
        renderRanking();
        renderPeriod();
        renderAudit();
        refreshSoon();
      }
    });
    $("#login-form").addEventListener("submit", login);
    $("#token-submit").addEventListener("click", tokenLogin);
    $("#logout").addEventListener("click", () => logout());
    $("#refused-back").addEventListener("click", () => logout());
    for (const tab of ["live", "staff", "devices", "reports", "audit"]) {
      $("#tab-" + tab).addEventListener("click", () => selectTab(tab));
    }
    $("#staff-form").addEventListener("submit", createStaff);
    $("#device-form").addEventListener("submit", createDevice);
    $("#report-load").addEventListener("click", loadDayReport);
    $("#ranking-load").addEventListener("click", loadRanking);
    $("#period-load").addEventListener("click", loadPeriod);
    $("#period-print").addEventListener("click", () => Lobby.printOnly($("#period-report")));
    $("#audit-load").addEventListener("click", () => loadAudit(false));
    $("#audit-more").addEventListener("click", () => loadAudit(true));
    setInterval(tick, 1000);
    setInterval(() => {
      if (!$("#admin-view").hidden) refresh();
    }, 30000);

    state.session = session.get();
    if (!state.session) {
      showView("login");
      return;
    }
    try {
      const me = await api("GET", "/api/me", null, token());
      if (me.kind !== "admin") {
        refuse();
        return;
      }
      await enter();
    } catch (e) {
      if (e.status === 401) logout(t("login.expired"));
      else if (e.status === 403) refuse();
      else {
        showView("login");
        $("#login-error").textContent = e.message;
      }
    }
  }

  init();
})();
