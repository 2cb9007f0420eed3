// `/`: the hall's front page on its own network. Where staff go to work
// (窗口工作台, 管理后台) and every category's queue at a glance, live from
// the public event stream. Shows no ticket or person, only counts.
"use strict";

(function () {
  const { t, $, h, api, clock, nameOf, fmtDuration, fmtDateTime } = Lobby;
  const state = { hall: null, queue: null };

  function render() {
    const hall = state.hall;
    if (hall) {
      const name = nameOf(hall.centre);
      $("#centre-name").textContent = name;
      document.title = name + " · " + t("idx.title");
      const c = hall.centre;
      $("#contact").textContent = [c.address, c.phone && t("idx.phone", { phone: c.phone })]
        .filter(Boolean)
        .join("　");
    }
    const body = $("#queues tbody");
    body.replaceChildren();
    if (!state.queue) return;
    let site = null;
    for (const q of state.queue.categories) {
      const cat = hall && hall.categories.find((c) => c.id === q.category);
      if (q.site !== site) {
        site = q.site;
        const s = hall && hall.sites.find((x) => x.id === site);
        body.append(h("tr", { class: "site-row" }, h("th", { colspan: 6 }, s ? nameOf(s) : site)));
      }
      body.append(
        h(
          "tr",
          { dataset: { category: q.category } },
          h("td", null, cat ? nameOf(cat) : q.name),
          h("td", { class: "num waiting" }, q.waiting),
          h("td", { class: "num" }, q.waiting ? fmtDuration(q.longest_wait_s) : "—"),
          h("td", { class: "num" }, fmtDuration(q.estimated_wait_s)),
          h("td", { class: "num" }, q.issued),
          h("td", { class: "num" }, q.completed),
        ),
      );
    }
    $("#updated").textContent = t("idx.updated", { at: fmtDateTime(state.queue.at) });
  }

  async function refresh() {
    try {
      state.queue = await api("GET", "/api/queue");
      clock.sync(state.queue.at);
      Lobby.show($("#offline"), false);
    } catch (e) {
      Lobby.show($("#offline"), true);
    }
    render();
  }

  const refreshSoon = Lobby.coalesce(refresh, 1000);

  function tick() {
    $("#now").textContent = fmtDateTime();
  }

  async function start() {
    Lobby.applyI18n(document);
    Lobby.langButton($("#lang"));
    document.addEventListener("lobby:lang", () => {
      render();
      tick();
    });
    try {
      state.hall = await api("GET", "/api/hall");
    } catch (e) {
      // Names come with the queue view too.
    }
    await refresh();
    tick();
    setInterval(tick, 30000);
    new Lobby.Stream({
      onEvent: refreshSoon,
      onSnapshot: refreshSoon,
      onState: (online) => {
        Lobby.show($("#offline"), !online);
        if (online) refreshSoon();
      },
    }).start();
  }

  start();
})();
