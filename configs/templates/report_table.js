// The takeaways table: filter, sort and page rows read from the inert JSON block #rows. Text reaches the
// page only through textContent and attribute setters, never as HTML. Filters start from the address's
// query (?theme=…&doc=…), so other pages can link to a filtered view.
(() => {
  "use strict";
  const data = JSON.parse(document.getElementById("rows").textContent);
  const PAGE = 50;
  const form = document.getElementById("filters");
  const body = document.querySelector("#table tbody");
  const count = document.getElementById("count");
  const pager = document.getElementById("pager");
  const pageLabel = document.getElementById("page");
  const docs = data.documents;
  const rows = data.rows.map((r, i) => ({
    i, doc: r[0], rank: r[1], theme: r[2], text: r[3], where: r[4], speaker: r[5], score: r[6],
    reviewed: r[7], anchor: r[8], evidence: r[9], date: docs[r[0]][2], label: docs[r[0]][0],
    page: `documents/${docs[r[0]][1]}`,
  }));
  let sortKey = null, sortDir = 1, page = 0;

  const el = (tag, text, attrs) => {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    return node;
  };
  const fill = (select, values) => {
    for (const [value, label] of values) select.append(el("option", label, { value }));
  };
  fill(form.elements.theme, Object.entries(data.themes).map(([id, [label]]) => [id, label]));
  const speakers = [...new Set(rows.map((r) => r.speaker).filter(Boolean))].sort();
  fill(form.elements.speaker, speakers.map((s) => [s, s]));

  const query = new URLSearchParams(location.search);
  for (const name of ["theme", "speaker", "doc", "from", "to", "reviewed", "q"]) {
    if (query.has(name)) form.elements[name].value = query.get(name);
  }

  const matches = (r, f) => {
    if (f.theme && r.theme !== f.theme) return false;
    if (f.speaker && r.speaker !== f.speaker) return false;
    if (f.reviewed && String(r.reviewed) !== f.reviewed) return false;
    if (f.from && (!r.date || r.date < f.from)) return false;
    if (f.to && (!r.date || r.date > f.to)) return false;
    if (f.doc) {
      const d = f.doc.toLowerCase();
      if (!r.label.toLowerCase().includes(d) && !r.page.toLowerCase().includes(d)) return false;
    }
    if (f.q && !r.text.toLowerCase().includes(f.q.toLowerCase())) return false;
    return true;
  };
  const compare = (a, b) => {
    const x = a[sortKey], y = b[sortKey];
    if (x === y) return a.i - b.i;
    return (x < y ? -1 : 1) * sortDir;
  };

  const theme = (id) => {
    const [label, colour] = data.themes[id] || [id, "#777777"];
    const chip = el("span", label, { class: "theme" });
    chip.style.background = colour;
    return chip;
  };
  const render = () => {
    const f = Object.fromEntries(new FormData(form).entries());
    let shown = rows.filter((r) => matches(r, f));
    if (sortKey) shown = shown.slice().sort(compare);
    const pages = Math.max(1, Math.ceil(shown.length / PAGE));
    page = Math.min(page, pages - 1);
    body.replaceChildren();
    for (const r of shown.slice(page * PAGE, (page + 1) * PAGE)) {
      const tr = el("tr", null, { "data-row": r.i });
      const doc = el("td");
      doc.append(el("a", r.label, { href: r.page }));
      const themeCell = el("td");
      themeCell.append(theme(r.theme));
      if (r.reviewed) themeCell.append(" ", el("span", "reviewed", { class: "tag" }));
      const point = el("td", null, { class: "point" });
      point.append(el("a", r.text, { href: `${r.page}#${r.anchor}` }), " ", el("span", r.where, { class: "where" }));
      const evidence = el("td");
      if (r.evidence.length) {
        const list = el("ul");
        for (const [text, where, anchor] of r.evidence) {
          const item = el("li");
          item.append(el("a", text, { href: `${r.page}#${anchor}` }), " ", el("span", where, { class: "where" }));
          list.append(item);
        }
        evidence.append(list);
      }
      tr.append(doc, el("td", r.date), el("td", r.rank, { class: "num" }), themeCell, point, evidence, el("td", r.speaker));
      body.append(tr);
    }
    count.textContent = `${shown.length} of ${rows.length} takeaways`;
    pageLabel.textContent = `page ${page + 1} of ${pages}`;
    pager.querySelector("[data-step='-1']").disabled = page === 0;
    pager.querySelector("[data-step='1']").disabled = page >= pages - 1;
  };

  for (const th of document.querySelectorAll("#table th[data-key]")) {
    const button = el("button", th.textContent, { type: "button" });
    button.addEventListener("click", () => {
      const key = th.dataset.key === "doc" ? "label" : th.dataset.key;
      sortDir = sortKey === key ? -sortDir : 1;
      sortKey = key;
      render();
    });
    th.replaceChildren(button);
  }
  form.addEventListener("input", () => { page = 0; render(); });
  form.addEventListener("submit", (event) => event.preventDefault());
  pager.addEventListener("click", (event) => {
    const step = event.target.closest("button")?.dataset.step;
    if (step) { page += Number(step); render(); }
  });
  form.hidden = false;
  pager.hidden = false;
  render();
})();
