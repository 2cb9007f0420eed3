// Shared client of the Lobby pages: language, the HTTP API, the live event
// stream, the server's clock, and small DOM helpers. Plain ES2017, no
// build step, no network access beyond lobby-server itself.
//
// Layout:
// - Lobby.t / lang / setLang / applyI18n: strings from i18n.js.
// - Lobby.api(method, path, body, token): fetch with the bearer token;
//   failures throw Lobby.ApiError carrying the server's own message.
// - Lobby.Stream: the WebSocket /api/events with resume from the last
//   sequence, automatic reconnect and an online/offline callback.
// - Lobby.clock: the server's "now" (it may run a fake clock in tests).
// - Lobby.h / fmt*: building DOM without innerHTML, formatting times.
"use strict";

// Uncaught script errors are kept for the end-to-end tests (and anyone
// looking at a misbehaving terminal from the developer tools).
window.lobbyErrors = [];
window.addEventListener("error", (e) => window.lobbyErrors.push(String(e.message)));
window.addEventListener("unhandledrejection", (e) => window.lobbyErrors.push(String(e.reason)));

window.Lobby = (function () {
  const LANG_KEY = "lobby.lang";
  const SESSION_KEY = "lobby.session";

  // ---------------------------------------------------------------- i18n

  function lang() {
    const asked = new URLSearchParams(location.search).get("lang");
    if (asked === "en" || asked === "zh") return asked;
    const stored = localStorage.getItem(LANG_KEY);
    return stored === "en" ? "en" : "zh";
  }

  function t(key, params) {
    const dict = window.LOBBY_I18N[lang()] || window.LOBBY_I18N.zh;
    let s = dict[key];
    if (s === undefined) s = window.LOBBY_I18N.zh[key];
    if (s === undefined) return key;
    if (params) {
      s = s.replace(/\{(\w+)\}/g, (m, name) =>
        params[name] === undefined || params[name] === null ? m : String(params[name]),
      );
    }
    return s;
  }

  // Fills every element marked with data-i18n (text), data-i18n-placeholder,
  // data-i18n-title or data-i18n-aria-label under `root`.
  function applyI18n(root) {
    root = root || document;
    document.documentElement.lang = lang() === "en" ? "en" : "zh-CN";
    root.querySelectorAll("[data-i18n]").forEach((el) => {
      el.textContent = t(el.dataset.i18n);
    });
    for (const attr of ["placeholder", "title", "aria-label"]) {
      const data = "data-i18n-" + attr;
      root.querySelectorAll("[" + data + "]").forEach((el) => {
        el.setAttribute(attr, t(el.getAttribute(data)));
      });
    }
  }

  function setLang(l) {
    localStorage.setItem(LANG_KEY, l === "en" ? "en" : "zh");
    applyI18n(document);
    document.dispatchEvent(new CustomEvent("lobby:lang"));
  }

  // Wires a button that switches between Chinese and English.
  function langButton(button) {
    button.addEventListener("click", () => setLang(lang() === "en" ? "zh" : "en"));
  }

  // ----------------------------------------------------------------- API

  class ApiError extends Error {
    constructor(status, code, message, field) {
      super(message);
      this.status = status;
      this.code = code;
      this.field = field || null;
    }
  }

  // A fresh idempotency key.
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  }

  // Calls the API and returns the parsed JSON answer (null for 204).
  // Throws ApiError with the server's message (in the page's language) on
  // an error answer, or with code "network" when the server is unreachable.
  //
  // Issuing and the window actions carry an Idempotency-Key: when the
  // answer is lost (the network drops, or the server cannot confirm the
  // save), the same request is sent again with the same key, and the
  // server answers with the first outcome instead of acting twice.
  async function api(method, path, body, token) {
    const headers = { Accept: "application/json", "Accept-Language": lang() === "en" ? "en" : "zh-CN" };
    if (token) headers.Authorization = "Bearer " + token;
    const init = { method, headers, cache: "no-store" };
    if (body !== undefined && body !== null) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const keyed = method === "POST" && /^\/api\/(tickets$|windows\/\d+\/)/.test(path);
    if (keyed) headers["Idempotency-Key"] = newKey();
    let res;
    for (let attempt = 0; ; attempt++) {
      let lost = false;
      try {
        res = await fetch(path, init);
        lost = res.status === 503;
      } catch (e) {
        lost = true;
        res = null;
      }
      if (!lost || !keyed || attempt >= 2) break;
      await new Promise((done) => setTimeout(done, 500 * (attempt + 1)));
    }
    if (!res) throw new ApiError(0, "network", t("err.network"));
    if (res.status === 204) return null;
    let data = null;
    const text = await res.text();
    if (text) {
      try {
        data = JSON.parse(text);
      } catch (e) {
        throw new ApiError(res.status, "unreadable", t("err.unexpected"));
      }
    }
    if (!res.ok) {
      const err = data && data.error;
      if (err && err.message) throw new ApiError(res.status, err.code, err.message, err.field);
      throw new ApiError(res.status, "http_" + res.status, t("err.unexpected") + " (HTTP " + res.status + ")");
    }
    return data;
  }

  // The logged-in session of this browser tab: {token, staff}. Kept in
  // sessionStorage so it ends with the tab and never lingers on a shared
  // hall computer.
  const session = {
    get() {
      try {
        const s = JSON.parse(sessionStorage.getItem(SESSION_KEY) || "null");
        return s && s.token ? s : null;
      } catch (e) {
        return null;
      }
    },
    set(s) {
      sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
    },
    clear() {
      sessionStorage.removeItem(SESSION_KEY);
    },
  };

  // --------------------------------------------------------------- clock

  // The server's time: pages show waits measured against the server's
  // clock, which in tests is a fake clock far from the browser's.
  const clock = {
    offset: 0,
    sync(serverIso) {
      const at = Date.parse(serverIso);
      if (!Number.isNaN(at)) this.offset = at - Date.now();
    },
    now() {
      return Date.now() + this.offset;
    },
    // Seconds from an ISO instant to now (never negative).
    since(iso) {
      if (!iso) return 0;
      return Math.max(0, Math.floor((this.now() - Date.parse(iso)) / 1000));
    },
  };

  // ------------------------------------------------------------- stream

  // The live event stream. `onSnapshot(msg)` gets snapshot messages,
  // `onEvent(event, seq)` each event, `onDevice(report)` device reports,
  // `onState(online)` every change of connectivity. Reconnects by itself
  // (with back-off), resuming after the last sequence seen; a gap in the
  // sequence makes it reconnect so the server sends what was missed.
  class Stream {
    constructor(opts) {
      this.opts = opts;
      this.seq = null;
      this.ws = null;
      // Unknown until the first attempt: its outcome is always reported.
      this.online = null;
      this.stopped = false;
      this.delay = 500;
      this.timer = null;
    }

    url() {
      const proto = location.protocol === "https:" ? "wss:" : "ws:";
      const q = new URLSearchParams();
      if (this.seq !== null) q.set("since", String(this.seq));
      if (this.opts.token) q.set("token", this.opts.token);
      q.set("lang", lang());
      return proto + "//" + location.host + "/api/events?" + q.toString();
    }

    start() {
      this.stopped = false;
      this.connect();
    }

    stop() {
      this.stopped = true;
      clearTimeout(this.timer);
      if (this.ws) {
        // Stopping on purpose is not going offline: no more callbacks.
        this.ws.onclose = null;
        this.ws.onmessage = null;
        this.ws.close();
      }
      this.ws = null;
    }

    // Drops the connection and connects again at once (used when a page
    // notices the server is unreachable before the socket does).
    kick() {
      if (this.ws) this.ws.close();
    }

    setState(online) {
      if (online !== this.online) {
        this.online = online;
        if (this.opts.onState) this.opts.onState(online);
      }
    }

    connect() {
      clearTimeout(this.timer);
      let ws;
      try {
        ws = new WebSocket(this.url());
      } catch (e) {
        this.retry();
        return;
      }
      this.ws = ws;
      ws.onopen = () => {
        this.delay = 500;
        this.setState(true);
      };
      ws.onmessage = (m) => {
        let msg;
        try {
          msg = JSON.parse(m.data);
        } catch (e) {
          return;
        }
        this.handle(msg);
      };
      ws.onclose = () => {
        if (this.ws === ws) this.ws = null;
        this.setState(false);
        if (!this.stopped) this.retry();
      };
      ws.onerror = () => {
        // onclose follows and reconnects.
      };
    }

    retry() {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.connect(), this.delay);
      this.delay = Math.min(this.delay * 2, 5000);
    }

    handle(msg) {
      if (msg.kind === "snapshot") {
        this.seq = msg.seq;
        if (msg.queue && msg.queue.at) clock.sync(msg.queue.at);
        if (this.opts.onSnapshot) this.opts.onSnapshot(msg);
      } else if (msg.kind === "event") {
        if (this.seq !== null && msg.seq <= this.seq) return; // already seen
        if (this.seq !== null && msg.seq !== this.seq + 1) {
          // Missed something: reconnect and let the server fill the gap.
          this.kick();
          return;
        }
        this.seq = msg.seq;
        if (this.opts.onEvent) this.opts.onEvent(msg.event, msg.seq);
      } else if (msg.kind === "device") {
        if (this.opts.onDevice) this.opts.onDevice(msg.device);
      }
    }
  }

  // Runs `fn` at most once per `ms`, at the end of a burst: many events in
  // a row cause one refresh, not one each.
  function coalesce(fn, ms) {
    let timer = null;
    let last = 0;
    return function () {
      if (timer) return;
      const wait = Math.max(0, last + ms - Date.now());
      timer = setTimeout(() => {
        timer = null;
        last = Date.now();
        fn();
      }, wait);
    };
  }

  // ---------------------------------------------------------------- DOM

  // h("div", {class: "x", onclick: f}, "text", child…): an element whose
  // text is always set as text, never parsed as HTML.
  // Prints only `container` (a notification slip, a report): a copy goes
  // into a print-only root, then the browser's print dialog opens.
  function printOnly(container) {
    let root = document.querySelector(".print-root");
    if (!root) {
      root = h("div", { class: "print-root" });
      document.body.append(root);
    }
    const copy = container.cloneNode(true);
    copy.removeAttribute("id");
    root.replaceChildren(copy);
    window.print();
  }

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v === undefined || v === null || v === false) continue;
        if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
        else if (k === "class") el.className = v;
        else if (k === "dataset") Object.assign(el.dataset, v);
        else if (v === true) el.setAttribute(k, "");
        else el.setAttribute(k, String(v));
      }
    }
    for (const c of children.flat()) {
      if (c === undefined || c === null || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  function $(sel, root) {
    return (root || document).querySelector(sel);
  }

  function show(el, visible) {
    el.hidden = !visible;
  }

  // ------------------------------------------------------------ format

  // A duration for people: "45 秒", "12 分钟", "1 小时 5 分".
  function fmtDuration(s) {
    s = Math.max(0, Math.floor(s || 0));
    if (s < 60) return t("dur.seconds", { n: s });
    const m = Math.floor(s / 60);
    if (m < 60) return t("dur.minutes", { n: m });
    return t("dur.hours", { h: Math.floor(m / 60), m: m % 60 });
  }

  // Whole minutes, rounded up (an estimate of 30 s is "1 分钟").
  function minutesUp(s) {
    return Math.ceil(Math.max(0, s || 0) / 60);
  }

  // Local hall time (Asia/Shanghai) of an ISO instant, "09:05".
  function fmtTime(iso) {
    if (!iso) return "";
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return "";
    return d.toLocaleTimeString(lang() === "en" ? "en-GB" : "zh-CN", {
      hour: "2-digit",
      minute: "2-digit",
      timeZone: "Asia/Shanghai",
    });
  }

  function fmtDateTime(iso) {
    const d = iso ? new Date(iso) : new Date(clock.now());
    if (Number.isNaN(d.getTime())) return "";
    return d.toLocaleString(lang() === "en" ? "en-GB" : "zh-CN", {
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      timeZone: "Asia/Shanghai",
    });
  }

  // The name of a hall object ({name, name_en}) in the page's language.
  function nameOf(o) {
    if (!o) return "";
    return lang() === "en" && o.name_en ? o.name_en : o.name;
  }

  return {
    t,
    lang,
    setLang,
    applyI18n,
    langButton,
    ApiError,
    api,
    session,
    clock,
    Stream,
    coalesce,
    h,
    $,
    show,
    fmtDuration,
    minutesUp,
    fmtTime,
    fmtDateTime,
    nameOf,
    printOnly,
  };
})();
