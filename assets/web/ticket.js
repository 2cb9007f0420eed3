// /t/{id}: the public page behind a ticket's QR code. Shows this ticket
// only: its number, people ahead, the estimated wait, and the window once
// called. Live from the public event stream (which carries no ticket ids,
// so events are matched by this ticket's number and category), with
// polling as a fallback. Once the visit is completed, the visitor rates
// it (好差评) here: the ticket's id, which only its holder has, is the
// token.
"use strict";

(function () {
  const { t, $, api, nameOf } = Lobby;

  const id = decodeURIComponent(location.pathname.replace(/^\/t\//, "").replace(/\/$/, ""));
  // The rating key from the ticket's QR code (`#k=…`): a fragment, so it
  // never reaches a server log. Without it the page shows the status only.
  const ratingKey = new URLSearchParams(location.hash.slice(1)).get("k") || "";
  const state = { ticket: null, stream: null, lastSeen: 0, hall: null, rating: null, sending: false };
  const BAD = ["dissatisfied", "very_dissatisfied"];

  // The hall's configuration is large; it is read only to name the
  // further stops of a multi-stop visit.
  async function loadHall() {
    try {
      state.hall = await api("GET", "/api/hall");
      render();
    } catch (e) {
      // Category ids stand in for names.
    }
  }

  function categoryName(cid) {
    const c = state.hall && state.hall.categories.find((x) => x.id === cid);
    return c ? nameOf(c) : cid;
  }

  // Events that may move this ticket: anything naming its number or its
  // queue, and the few that name neither but can still change a queue.
  function concernsMe(ev) {
    const tk = state.ticket;
    if (!tk) return true;
    if (ev.number === tk.number) return true;
    const cat = tk.category;
    if (ev.category === cat || ev.from_category === cat || ev.next_stop === cat) return true;
    if (ev.to && ev.to.category === cat) return true;
    if (ev.ticket && typeof ev.ticket === "object" && ev.ticket.category === cat) return true;
    return ["cancelled", "reactivated", "expired", "day_changed", "site_closed", "window_opened", "window_closed", "resumed", "paused"].includes(ev.type);
  }

  async function load() {
    try {
      const tk = await api("GET", "/api/tickets/" + encodeURIComponent(id));
      const before = state.ticket && state.ticket.status;
      state.ticket = tk;
      state.lastSeen = Date.now();
      if (tk.stops && tk.stops.length && !state.hall) loadHall();
      if (before && before !== "called" && tk.status === "called" && navigator.vibrate) navigator.vibrate([300, 100, 300]);
      render();
    } catch (e) {
      if (e.status === 404) {
        state.ticket = null;
        Lobby.show($("#loading"), false);
        Lobby.show($("#ticket"), false);
        Lobby.show($("#not-found"), true);
      } else if (e.code === "network") {
        Lobby.show($("#offline"), true);
      }
    }
  }

  const loadSoon = Lobby.coalesce(load, 800);

  function render() {
    const tk = state.ticket;
    if (!tk) return;
    Lobby.show($("#loading"), false);
    Lobby.show($("#not-found"), false);
    Lobby.show($("#ticket"), true);
    document.title = tk.number + " · " + t("pub.page_title");
    $("#number").textContent = tk.number;
    $("#category").textContent = t("pub.category", { name: tk.category_name });
    $("#status").textContent = t("status." + tk.status);
    const callout = $("#callout");
    const waiting = tk.status === "waiting";
    Lobby.show($("#figures"), waiting);
    if (waiting) {
      $("#ahead").textContent = t("pub.ahead_n", { n: tk.ahead });
      const min = Lobby.minutesUp(tk.estimated_wait_s);
      $("#estimate").textContent = min === 0 ? t("pub.estimate_soon") : t("pub.estimate_n", { n: min });
    }
    let text = null;
    let kind = "";
    switch (tk.status) {
      case "called":
        text = t("pub.go_to", { window: tk.window });
        break;
      case "serving":
        text = t("pub.serving_at", { window: tk.window });
        kind = "serving";
        break;
      case "completed":
        text = t("pub.done");
        kind = "final";
        break;
      case "no_show":
        text = t("pub.no_show");
        kind = "final";
        break;
      case "expired":
        text = t("pub.expired");
        kind = "final";
        break;
      case "cancelled":
        text = t("pub.cancelled");
        kind = "final";
        break;
    }
    Lobby.show(callout, !!text);
    callout.className = "callout " + kind;
    callout.textContent = text || "";
    $("#area").textContent = tk.area ? t("pub.area", { area: tk.area }) : "";
    const next = $("#next-stop");
    Lobby.show(next, tk.stops && tk.stops.length > 0);
    next.textContent = tk.stops && tk.stops.length ? t("pub.next_stop", { names: tk.stops.map(categoryName).join("、") }) : "";
    renderRating(tk);
    $("#issued").textContent = t("pub.issued_at", { at: Lobby.fmtTime(tk.issued_at) });
    $("#updated").textContent = t("pub.updated", { at: Lobby.fmtTime(new Date(state.lastSeen).toISOString()) });
  }

  // The rating form: after completion, until rated, for the holder of the
  // ticket's QR code.
  function renderRating(tk) {
    const due = tk.status === "completed" && !tk.rating;
    const open = due && !!ratingKey;
    Lobby.show($("#rate"), open);
    Lobby.show($("#rated"), !!tk.rating || (due && !ratingKey));
    if (tk.rating) $("#rated").textContent = t("rate.thanks", { rating: t("rating." + tk.rating) });
    else if (due && !ratingKey) $("#rated").textContent = t("rate.need_qr");
    if (!open) return;
    for (const b of document.querySelectorAll("#rate [data-rating]")) {
      b.setAttribute("role", "radio");
      b.setAttribute("aria-checked", String(b.dataset.rating === state.rating));
    }
    Lobby.show($("#comment-box"), !!state.rating);
    const bad = BAD.includes(state.rating);
    $("#comment-label").textContent = t(bad ? "rate.comment_bad" : "rate.comment_good");
    const send = $("#rate-send");
    send.disabled = !state.rating || state.sending;
    send.textContent = t(state.sending ? "rate.sending" : "rate.send");
  }

  async function sendRating(ev) {
    ev.preventDefault();
    const err = $("#rate-error");
    if (!state.rating) {
      err.textContent = t("rate.choose");
      Lobby.show(err, true);
      return;
    }
    state.sending = true;
    Lobby.show(err, false);
    render();
    const comment = $("#comment").value.trim();
    try {
      const body = { rating: state.rating };
      if (comment) body.comment = comment;
      const tk = await api("POST", "/api/tickets/" + encodeURIComponent(id) + "/rating", body, ratingKey);
      state.ticket = tk;
      state.lastSeen = Date.now();
    } catch (e) {
      if (e.code === "already_rated") {
        load();
      } else {
        err.textContent = e.message;
        Lobby.show(err, true);
      }
    } finally {
      state.sending = false;
      render();
    }
  }

  function init() {
    Lobby.applyI18n();
    Lobby.langButton($("#lang"));
    document.addEventListener("lobby:lang", () => {
      render();
      // The category's name comes in the request's language.
      loadSoon();
    });
    for (const b of document.querySelectorAll("#rate [data-rating]")) {
      b.addEventListener("click", () => {
        state.rating = b.dataset.rating;
        Lobby.show($("#rate-error"), false);
        render();
      });
    }
    $("#rate").addEventListener("submit", sendRating);
    state.stream = new Lobby.Stream({
      onSnapshot: () => loadSoon(),
      onEvent: (ev) => {
        if (concernsMe(ev)) loadSoon();
      },
      onState: (online) => {
        Lobby.show($("#offline"), !online);
        if (online) loadSoon();
      },
    });
    state.stream.start();
    load();
    // Polling fallback: often while the stream is down, rarely otherwise.
    setInterval(() => {
      const every = state.stream.online ? 60000 : 15000;
      if (Date.now() - state.lastSeen >= every - 500) load();
    }, 5000);
  }

  init();
})();
