// City profile: policy timeline (GET /api/cities/{code}/policies). Separate file: the CSP allows only
// this origin's scripts, and app.js belongs to the dashboard.
(function () {
  "use strict";
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  async function load() {
    const box = document.getElementById("policy-timeline");
    if (!box) return;
    const code = box.dataset.code;
    const empty = box.dataset.empty || "—";
    let data;
    try {
      const r = await fetch("/api/cities/" + encodeURIComponent(code) + "/policies");
      if (!r.ok) throw new Error(r.status);
      data = await r.json();
    } catch (err) {
      box.replaceChildren(el("p", "muted", empty));
      return;
    }
    if (!data.items.length) { box.replaceChildren(el("p", "muted", empty)); return; }
    const list = el("ol", "policy-timeline");
    let year = null;
    for (const it of data.items) {
      if (it.year !== year) { year = it.year; list.appendChild(el("li", "policy-year", String(year))); }
      const li = el("li", "policy-item policy-" + it.kind);
      const head = el("p", "policy-head");
      head.appendChild(el("span", "policy-kind", it.kind_zh));
      head.appendChild(document.createTextNode(" "));
      head.appendChild(el("strong", "", it.title));
      if (it.department) head.appendChild(el("span", "muted", " · " + it.department));
      li.appendChild(head);
      if (it.text) {
        const t = it.text.length > 160 ? it.text.slice(0, 160) + "…" : it.text;
        li.appendChild(el("p", "policy-text", t));
      }
      if (it.tags.length) {
        const tags = el("ul", "tags");
        for (const tg of it.tags) tags.appendChild(el("li", "", tg));
        li.appendChild(tags);
      }
      const src = el("p", "muted small");
      if (it.source_url) { const a = el("a", "", it.source); a.href = it.source_url; a.rel = "noopener"; src.appendChild(a); }
      else src.textContent = it.source;
      li.appendChild(src);
      list.appendChild(li);
    }
    box.replaceChildren(list);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", load);
  else load();
})();
