// The one-time notification slip (一次性告知单) of a matter, rendered from
// GET /api/hall as a print-friendly section, and printed with the
// browser's own print dialog (app.css keeps only the slip on paper).
"use strict";

window.LobbySlip = (function () {
  const { t, h, nameOf } = Lobby;

  // The place where a matter is handled: its category's area and site.
  function where(hall, matter) {
    const cat = hall.categories.find((c) => c.id === matter.category);
    if (!cat) return "";
    const site = hall.sites.find((s) => s.id === cat.site);
    return [site ? nameOf(site) : "", nameOf(cat), cat.area].filter(Boolean).join(" · ");
  }

  // Builds the slip of `matter` into `container` (emptied first).
  function render(container, hall, matter) {
    container.replaceChildren();
    if (!matter) {
      container.append(h("p", { class: "subtle" }, t("slip.empty")));
      return;
    }
    const centre = hall.centre || {};
    const days = (n) => (n === 0 ? t("slip.on_the_spot") : t("slip.days", { n }));
    const facts = h(
      "dl",
      null,
      h("dt", null, t("slip.kind")),
      h("dd", null, t("kind." + matter.kind)),
      h("dt", null, t("slip.department")),
      h("dd", null, matter.department),
      h("dt", null, t("slip.promised")),
      h("dd", { class: "slip-promised" }, days(matter.promised_days)),
      matter.legal_days !== null && matter.legal_days !== undefined
        ? [h("dt", null, t("slip.legal")), h("dd", null, days(matter.legal_days))]
        : null,
      h("dt", null, t("slip.fee")),
      h("dd", null, matter.fee || t("slip.fee_none")),
      h("dt", null, t("slip.where")),
      h("dd", null, where(hall, matter)),
      h("dt", null, t("slip.phone")),
      h("dd", null, matter.phone || centre.phone || ""),
      h("dt", null, t("slip.basis")),
      h("dd", null, matter.legal_basis || t("common.none")),
      matter.online ? [h("dt", null, ""), h("dd", null, t("slip.online"))] : null,
    );
    const rows = matter.materials.map((m, i) =>
      h(
        "tr",
        null,
        h("td", { class: "num" }, i + 1),
        h("td", null, m.name, m.required === false ? " " + t("slip.conditional") : ""),
        h("td", { class: "num" }, m.originals || "—"),
        h("td", { class: "num" }, m.copies || "—"),
        h("td", null, m.source || ""),
        h("td", null, m.note || ""),
      ),
    );
    const materials = h(
      "table",
      { class: "slip-materials" },
      h(
        "thead",
        null,
        h(
          "tr",
          null,
          h("th", null, t("slip.col_no")),
          h("th", null, t("slip.col_name")),
          h("th", null, t("slip.col_originals")),
          h("th", null, t("slip.col_copies")),
          h("th", null, t("slip.col_source")),
          h("th", null, t("slip.col_note")),
        ),
      ),
      h("tbody", null, rows),
    );
    const notes =
      matter.notes && matter.notes.length
        ? [h("h4", null, t("slip.notes")), h("ol", null, matter.notes.map((n) => h("li", null, n)))]
        : null;
    container.append(
      h("h3", null, t("slip.title")),
      h("p", { class: "slip-centre" }, nameOf(centre)),
      h("p", { class: "slip-matter" }, nameOf(matter)),
      facts,
      h("h4", null, t("slip.materials")),
      materials,
      ...(notes || []),
      h(
        "p",
        { class: "slip-footer" },
        t("slip.footer"),
        h("br"),
        [centre.address, centre.phone].filter(Boolean).join("  "),
        h("br"),
        t("slip.printed_at", { at: Lobby.fmtDateTime() }),
      ),
    );
  }

  // Fills a <select> with every matter of the catalogue, grouped by
  // category, the categories in `first` (a window's own) leading, and
  // selects `selected` (a matter id) if given.
  function fillSelect(select, hall, selected, first) {
    select.replaceChildren();
    const lead = first || [];
    const cats = lead.concat(hall.categories.map((c) => c.id).filter((id) => !lead.includes(id)));
    for (const id of cats) {
      const cat = hall.categories.find((c) => c.id === id);
      const matters = hall.matters.filter((m) => m.category === id);
      if (!cat || !matters.length) continue;
      const group = h("optgroup", { label: nameOf(cat) });
      for (const m of matters) group.append(h("option", { value: m.id }, nameOf(m)));
      select.append(group);
    }
    if (selected) select.value = selected;
  }

  return { render, fillSelect };
})();
