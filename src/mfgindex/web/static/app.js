/* mfgindex dashboard: fills the server-rendered page shells from the JSON API.
 * Every name from the data is inserted as text (textContent) or HTML-escaped (ECharts tooltips), never as
 * markup. No external resources: ECharts is served from /static/vendor. */
"use strict";

const D = JSON.parse(document.getElementById("page-data").textContent);
const T = D.t;
const LANG = D.lang;

// ---------------------------------------------------------------- helpers
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}
const $ = (id) => document.getElementById(id);
const esc = (s) => (window.echarts ? echarts.format.encodeHTML(String(s ?? "")) : String(s ?? ""));
function fmt(v, d = 2) { return v === null || v === undefined || Number.isNaN(v) ? "–" : Number(v).toFixed(d); }
/* a rank in the UI language: 第10 in Chinese, #10 in English ("–" when there is none) */
function rankLabel(r) { return r === null || r === undefined ? "–" : (LANG === "en" ? "#" + r : "第" + r); }
function tr(key, vars) {
  let s = T[key] || key;
  for (const [k, v] of Object.entries(vars || {})) s = s.replace("{" + k + "}", v);
  return s;
}
async function api(path, options) {
  const res = await fetch(path, options);
  const body = await res.json().catch(() => ({ detail: res.statusText }));
  if (!res.ok) { const err = new Error(body.detail || res.statusText); err.status = res.status; throw err; }
  return body;
}
const dimName = (d) => (LANG === "zh" ? d.name_zh : d.name_en) || d.id;
function cityName(row) {
  if (LANG === "zh") return row.name;
  if (row.name_en) return row.name_en + " " + row.name;
  if (!row.pinyin) return row.name;
  const py = row.pinyin.split(" ")[0];
  return py.charAt(0).toUpperCase() + py.slice(1) + " " + row.name;
}
const provName = (row) => (LANG === "zh" ? row.province : row.province_en || row.province) || "";
const REGION_EN = { "东部": "East", "中部": "Central", "西部": "West", "东北": "Northeast" };
const regionName = (r) => (LANG === "zh" ? r : REGION_EN[r] || r) || "";
// movement since last year for every city; "新进N强" marks only a city inside the top N now and outside it
// (or unranked) last year
function isNewTop(row, topN) {
  return topN > 0 && row.rank !== null && row.rank !== undefined && row.rank <= topN &&
    (row.prev_rank === null || row.prev_rank === undefined || row.prev_rank > topN);
}
function changeCell(delta, row, topN) {
  const span = el("span", { class: "move" });
  if (delta === null || delta === undefined) span.append(el("span", { class: "muted", text: "–", title: T.no_prev }));
  else if (delta > 0) span.append(el("span", { class: "up", text: "↑" + delta, title: T.up + " " + delta }));
  else if (delta < 0) span.append(el("span", { class: "down", text: "↓" + (-delta), title: T.down + " " + (-delta) }));
  else span.append(el("span", { class: "muted", text: "—", title: T.same }));
  if (row && isNewTop(row, topN)) span.append(el("span", { class: "new", text: tr("new_top", { n: topN }) }));
  return span;
}
// 苏10 → [10, "苏"]: province ranks sort by number, then by province
const provRankNum = (v) => { const m = /(\d+)$/.exec(v || ""); return m ? Number(m[1]) : null; };
function matches(row, needle) {
  if (!needle) return true;
  const n = needle.toLowerCase().replace(/\s+/g, "");
  return row.name.toLowerCase().includes(n) || row.code.includes(n) ||
    (row.pinyin || "").split(" ").some((p) => p.startsWith(n));
}
function fillSelect(select, items, selected) {
  for (const it of items) select.append(el("option", { value: it.value, selected: String(it.value) === String(selected), text: it.label }));
}
function yearSelect(meta, onChange, selected) {
  const s = $("f-year");
  if (!s) return;
  fillSelect(s, meta.years.slice().reverse().map((y) => ({ value: y, label: y })), selected || meta.year);
  s.addEventListener("change", () => onChange(Number(s.value)));
}
function showError(where, err) {
  const target = where || document.querySelector("main");
  target.prepend(el("p", { class: "error", role: "alert", text: T.error + ": " + err.message }));
}
function chart(id) {
  const c = echarts.init($(id), null, { renderer: "canvas" });
  window.addEventListener("resize", () => c.resize());
  return c;
}
const GREY = "#cfd3d8";
// ECharts' save-as-image button on every chart (PNG at 2× with a white background)
/* A rank axis: 1 at the top, its name above the axis (not on the first year's label), at least ranks 1-10
 * shown so that a move from 1st to 2nd does not fill the chart like a fall. */
function rankAxis() {
  return { type: "value", inverse: true, min: 1, max: (v) => Math.max(v.max, 10), minInterval: 1, name: T.rank, nameLocation: "start" };
}

function saveTool(name) {
  return { right: 8, top: 4, feature: { saveAsImage: { title: T.save_image, name: String(name).replace(/[\\/:*?"<>|\s]+/g, "_"), pixelRatio: 2, backgroundColor: "#fff" } } };
}
const FONT = '"Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif';
const PALETTE = ["#c0392b", "#1f5fa8", "#1e7b45", "#9a6700", "#6b3fa0"];

// ---------------------------------------------------------------- ranking page
async function rankingPage() {
  const meta = await api("/api/meta");
  const topN = (meta.framework && meta.framework.top_n) || 0;
  const q = new URLSearchParams(window.location.search);
  const qYear = Number(q.get("year"));
  const S = { year: meta.years.includes(qYear) ? qYear : meta.year, data: null, whatif: null, dirty: false, sortKey: "rank", sortDir: 1, seq: 0, controller: null };
  yearSelect(meta, (y) => { S.year = y; S.whatif = null; load(); }, S.year);
  fillSelect($("f-region"), meta.regions.map((r) => ({ value: r.id, label: LANG === "zh" ? r.name_zh : r.name_en })));
  fillSelect($("f-province"), meta.provinces.map((p) => ({ value: p.id, label: LANG === "zh" ? p.name_zh : p.name_en })));
  fillSelect($("f-cluster"), meta.clusters.map((c) => ({ value: c.id, label: LANG === "zh" ? c.name_zh : c.name_en })));
  // shareable state: filters, sort and what-if weights live in the query string
  const FILTERS = [["region", "f-region"], ["province", "f-province"], ["cluster", "f-cluster"], ["top", "f-top"], ["q", "f-search"]];
  for (const [k, id] of FILTERS) {
    const v = q.get(k);
    if (v === null) continue;
    const box = $(id);
    if (box.tagName === "SELECT" && ![...box.options].some((o) => o.value === v)) continue;
    box.value = v;
  }
  if (q.get("sort")) { S.sortKey = q.get("sort"); S.sortDir = q.get("dir") === "desc" ? -1 : 1; }
  for (const id of ["f-region", "f-province", "f-cluster", "f-top"]) $(id).addEventListener("change", render);
  let searchTimer = null;
  $("f-search").addEventListener("input", () => { clearTimeout(searchTimer); searchTimer = setTimeout(render, 120); });

  // what-if sliders
  const dims = meta.dimensions;
  const sliders = {};
  for (const d of dims) {
    const input = el("input", { type: "range", min: 0, max: 50, step: 0.1, value: (d.weight * 100).toFixed(1),
      id: "w-" + d.id, "data-dim": d.id, "aria-label": dimName(d) });
    const out = el("output", { for: "w-" + d.id, text: "" });
    sliders[d.id] = { input, out, nominal: d.weight };
    input.addEventListener("input", () => { S.dirty = true; showShares(); scheduleWhatif(); });
    $("sliders").append(el("label", { class: "slider" }, el("span", { text: dimName(d) }), input, out));
  }
  const qWeights = q.get("w");
  if (qWeights) {
    for (const part of qWeights.split(",")) {
      const [k, v] = part.split(":");
      if (sliders[k] && Number.isFinite(Number(v))) { sliders[k].input.value = String(Math.min(50, Math.max(0, Number(v)))); S.dirty = true; }
    }
    if (q.get("stages") === "0") $("keep-stages").checked = false;
    if (S.dirty) $("whatif").open = true;
  }
  function weights() { const w = {}; for (const [id, s] of Object.entries(sliders)) w[id] = Number(s.input.value) / 100; return w; }
  // the sliders start at the nominal weights (rounded to 0.1 %): until one is moved, show the nominal ranking
  function isNominal() { return !S.dirty; }
  function showShares() {
    const w = weights(); const total = Object.values(w).reduce((a, b) => a + b, 0);
    for (const [id, s] of Object.entries(sliders)) s.out.textContent = total > 0 ? (100 * w[id] / total).toFixed(1) + "%" : "–";
  }
  showShares();
  let timer = null;
  function scheduleWhatif() { clearTimeout(timer); timer = setTimeout(runWhatif, 60); }
  $("keep-stages").addEventListener("change", () => { S.dirty = true; scheduleWhatif(); });
  $("reset-weights").addEventListener("click", () => {
    for (const s of Object.values(sliders)) s.input.value = (s.nominal * 100).toFixed(1);
    $("keep-stages").checked = true; showShares(); S.whatif = null; S.dirty = false; $("whatif-summary").textContent = ""; render();
  });
  async function runWhatif() {
    if (isNominal()) { S.whatif = null; $("whatif-summary").textContent = ""; render(); return; }
    if (S.controller) S.controller.abort();
    S.controller = new AbortController();
    const seq = ++S.seq;
    try {
      const res = await api("/api/whatif", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ weights: weights(), year: S.year, stages: $("keep-stages").checked, format: "columns" }), signal: S.controller.signal });
      if (seq !== S.seq) return;
      // compact response: one array per field, in the order of res.codes
      const fields = Object.keys(res.columns);
      S.whatif = new Map(res.codes.map((code, i) => {
        const row = { code };
        for (const f of fields) row[f] = res.columns[f][i];
        return [code, row];
      }));
      $("whatif-summary").textContent = tr("changed", { n: res.changed, m: res.max_abs_change, r: fmt(res.rank_correlation, 3) });
      $("whatif-summary").classList.remove("error");
      render();
    } catch (err) {
      if (err.name === "AbortError") return;
      $("whatif-summary").textContent = T.error + ": " + err.message;
      $("whatif-summary").classList.add("error");
    }
  }

  async function load() {
    $("row-count").textContent = T.loading;
    S.data = await api("/api/rankings?year=" + S.year);
    if (!isNominal()) await runWhatif(); else render();
  }

  function currentRows() {
    const region = $("f-region").value, province = $("f-province").value, cluster = $("f-cluster").value;
    const top = Number($("f-top").value) || 0; const needle = $("f-search").value.trim();
    let rows = S.data.rows.map((r) => {
      if (!S.whatif) return r;
      const w = S.whatif.get(r.code);
      const merged = Object.assign({}, r, w || {});
      merged.nominal_rank = w ? w.nominal_rank : r.rank;
      return merged;
    });
    rows = rows.filter((r) => (!region || r.region === region) && (!province || r.province === province) &&
      (!cluster || (r.clusters || []).includes(cluster)) && (!top || (r.rank !== null && r.rank <= top)) && matches(r, needle));
    const k = S.sortKey, dir = S.sortDir;
    rows.sort((a, b) => {
      const x = k === "province_rank" ? provRankNum(a[k]) : a[k], y = k === "province_rank" ? provRankNum(b[k]) : b[k];
      if (x === y && k === "province_rank" && a.province !== b.province) return (a.province || "").localeCompare(b.province || "", "zh") * dir;
      if (x === y) return (a.rank ?? 1e9) - (b.rank ?? 1e9);
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      return (typeof x === "string" ? x.localeCompare(y, "zh") : x - y) * dir;
    });
    return rows;
  }

  // rank, city and index first: on a phone they are what fits without scrolling sideways
  function header() {
    const cols = [["rank", T.rank, 1, "c-rank"], ["name", T.city, 1, "text c-city"], [D.index_id, T.index, -1, "c-index"]];
    if (S.whatif) cols.push(["rank_change", T.whatif_change, -1], ["nominal_rank", T.nominal_rank, 1]);
    else cols.push(["rank_change", T.change, -1]);
    cols.push(["province", T.province, 1, "text"], ["region", T.region, 1, "text"]);
    if (!S.whatif) cols.push(["province_rank", T.province_rank, 1, "text"]);
    for (const d of dims) cols.push([d.id, dimName(d), -1]);
    return cols;
  }

  function render() {
    if (!S.data) return;
    const cols = header();
    const head = $("ranking-head");
    // each header is a button: Tab reaches it, Enter or Space sorts (aria-sort tells screen readers)
    head.replaceChildren(...cols.map(([key, label, dir, cls]) => el("th", {
      class: cls, scope: "col", "data-key": key, "aria-sort": S.sortKey === key ? (S.sortDir > 0 ? "ascending" : "descending") : null,
    }, el("button", { type: "button", class: "sort", "data-key": key, onclick: () => {
      if (S.sortKey === key) S.sortDir = -S.sortDir; else { S.sortKey = key; S.sortDir = dir; }
      render(); const b = head.querySelector('button[data-key="' + key + '"]'); if (b) b.focus();
    } }, label, el("span", { class: "arrow", "aria-hidden": "true", text: S.sortKey === key ? (S.sortDir > 0 ? " ▲" : " ▼") : "" })))));
    const rows = currentRows();
    const frag = document.createDocumentFragment();
    for (const r of rows) {
      const cells = [el("td", { class: "c-rank", text: r.rank ?? "–" }),
        el("th", { class: "text c-city", scope: "row" }, el("a", { href: "/city/" + encodeURIComponent(r.code), text: cityName(r) })),
        el("td", { class: "c-index" }, el("b", { text: fmt(r[D.index_id]) }))];
      if (S.whatif) cells.push(el("td", {}, changeCell(r.rank_change)), el("td", { text: r.nominal_rank ?? "–" }));
      else cells.push(el("td", {}, changeCell(r.rank_change, r, topN)));
      cells.push(el("td", { class: "text", text: provName(r) }), el("td", { class: "text", text: regionName(r.region) }));
      if (!S.whatif) cells.push(el("td", { class: "text", text: r.province_rank || "–" }));
      for (const d of dims) {
        const rk = S.whatif ? null : r[d.id + "_rank"];
        cells.push(el("td", {}, fmt(r[d.id], 1), rk ? el("span", { class: "r", text: "#" + rk }) : null));
      }
      frag.append(el("tr", { "data-code": r.code }, ...cells));
    }
    $("ranking-body").replaceChildren(frag);
    $("row-count").textContent = tr("rows", { n: rows.length }) + " · " + S.year;
    explainEmpty(rows.length);
    updateDownloads();
    saveState();
  }

  // a search that finds a unit this ranking leaves out (北京, 上海, 重庆, 天津) says why, in the page's language
  function explainEmpty(n) {
    const needle = $("f-search").value.trim();
    const box = $("search-note");
    const hits = needle && !n ? (meta.unranked || []).filter((u) => matches(u, needle)) : [];
    box.replaceChildren(...hits.slice(0, 4).map((u) => el("p", {}, el("a", { href: "/city/" + encodeURIComponent(u.code), text: u.name }), "：" + (LANG === "zh" ? u.reason_zh : u.reason_en))));
    if (needle && !n && !hits.length) box.replaceChildren(el("p", { text: tr("no_match", { q: needle }) }));
    box.hidden = !box.childElementCount;
  }

  function saveState() {
    const p = new URLSearchParams();
    if (S.year !== meta.year) p.set("year", S.year);
    for (const [k, id] of FILTERS) { const v = $(id).value.trim(); if (v) p.set(k, v); }
    if (S.sortKey !== "rank" || S.sortDir !== 1) { p.set("sort", S.sortKey); p.set("dir", S.sortDir > 0 ? "asc" : "desc"); }
    if (!isNominal()) {
      p.set("w", Object.entries(sliders).map(([k, s]) => k + ":" + s.input.value).join(","));
      if (!$("keep-stages").checked) p.set("stages", "0");
    }
    const qs = p.toString();
    history.replaceState(null, "", qs ? "?" + qs : window.location.pathname);
  }

  function updateDownloads() {
    const p = new URLSearchParams({ year: S.year, lang: LANG });
    for (const [k, id] of [["region", "f-region"], ["province", "f-province"], ["cluster", "f-cluster"], ["top", "f-top"], ["q", "f-search"]]) {
      const v = $(id).value.trim(); if (v) p.set(k, v);
    }
    if (S.whatif) {
      p.set("weights", Object.entries(weights()).map(([k, v]) => k + ":" + v).join(","));
      p.set("stages", $("keep-stages").checked ? "true" : "false");
    }
    for (const f of ["csv", "xlsx"]) { p.set("format", f); $("dl-" + f).href = "/api/export?" + p.toString(); }
  }
  await load();
}

// ---------------------------------------------------------------- map page
// The prefectures are the regions of a geo component that the map series colours (geoIndex 0); province
// borders and the South China Sea line are silent `lines` series drawn over it, so they never take the
// mouse from a city. The South China Sea is shown in an inset (geo 1) instead of stretching the main map.
const SCS_CODE = "460300";  // 三沙市: its islands are drawn in the inset only
function linesOf(fc) {
  const out = [];
  for (const f of fc.features) {
    const g = f.geometry;
    const lines = g.type === "MultiLineString" ? g.coordinates : g.type === "LineString" ? [g.coordinates]
      : g.type === "Polygon" ? g.coordinates : g.coordinates.flat();
    for (const coords of lines) out.push({ coords });
  }
  return out;
}
// Sutherland–Hodgman: a ring clipped to the box [x0, y0, x1, y1] (the inset shows only what lies inside)
function clipRing(ring, [x0, y0, x1, y1]) {
  const edges = [[(p) => p[0] >= x0, (a, b) => [x0, a[1] + ((b[1] - a[1]) * (x0 - a[0])) / (b[0] - a[0])]],
    [(p) => p[0] <= x1, (a, b) => [x1, a[1] + ((b[1] - a[1]) * (x1 - a[0])) / (b[0] - a[0])]],
    [(p) => p[1] >= y0, (a, b) => [a[0] + ((b[0] - a[0]) * (y0 - a[1])) / (b[1] - a[1]), y0]],
    [(p) => p[1] <= y1, (a, b) => [a[0] + ((b[0] - a[0]) * (y1 - a[1])) / (b[1] - a[1]), y1]]];
  let out = ring;
  for (const [inside, cut] of edges) {
    const src = out; out = [];
    for (let i = 0; i < src.length; i++) {
      const cur = src[i], prev = src[(i + src.length - 1) % src.length];
      if (inside(cur)) { if (!inside(prev)) out.push(cut(prev, cur)); out.push(cur); }
      else if (inside(prev)) out.push(cut(prev, cur));
    }
    if (!out.length) break;
  }
  return out;
}
function clipFeatures(fc, box) {
  const features = [];
  for (const f of fc.features) {
    const g = f.geometry;
    const polys = (g.type === "Polygon" ? [g.coordinates] : g.coordinates)
      .map((poly) => poly.map((ring) => clipRing(ring, box)).filter((r) => r.length > 2)).filter((p) => p.length);
    if (polys.length) features.push({ ...f, geometry: { type: "MultiPolygon", coordinates: polys } });
  }
  return { type: "FeatureCollection", features };
}
const INSET_BOX = [106.5, 3, 123.5, 24];  // lon/lat box of the South China Sea inset
function quantileBreaks(values, n) {
  const v = values.slice().sort((a, b) => a - b);
  const out = [];
  for (let i = 1; i < n; i++) out.push(v[Math.min(v.length - 1, Math.floor((i * v.length) / n))]);
  return [...new Set(out.map((x) => Math.round(x * 10) / 10))];
}
async function mapPage() {
  const meta = await api("/api/meta");
  const [pref, borders, dash] = await Promise.all([api("/api/geo/prefectures"), api("/api/geo/province_borders"), api("/api/geo/nine_dash")]);
  echarts.registerMap("china_main", { type: "FeatureCollection", features: pref.features.filter((f) => f.properties.adcode !== SCS_CODE) });
  echarts.registerMap("china_scs", clipFeatures(pref, INSET_BOX));
  const names = Object.fromEntries(pref.features.map((f) => [f.properties.adcode, f.properties.name]));
  const metric = $("f-metric");
  fillSelect(metric, [{ value: D.index_id, label: T.index }, ...meta.dimensions.map((d) => ({ value: d.id, label: dimName(d) }))]);
  const q = new URLSearchParams(window.location.search);
  const years = meta.years;
  let year = years.includes(Number(q.get("year"))) ? Number(q.get("year")) : meta.year;
  if (q.get("metric") && [...metric.options].some((o) => o.value === q.get("metric"))) metric.value = q.get("metric");
  const view = { zoom: Number(q.get("zoom")) || null, center: (q.get("center") || "").split(",").map(Number) };
  if (view.center.length !== 2 || view.center.some((x) => !Number.isFinite(x))) view.center = null;
  const slider = $("f-year-range"), yearOut = $("f-year-value");
  slider.max = String(years.length - 1); slider.value = String(years.indexOf(year));
  $("f-year-ticks").replaceChildren(...years.map((y, i) => el("option", { value: i, label: String(y) })));
  const c = chart("map");
  c.on("click", (p) => { if (p.data && p.data.code) window.location.href = "/city/" + encodeURIComponent(p.data.code); });
  c.on("georoam", () => {
    const g = c.getOption().geo[0];
    view.zoom = g.zoom; view.center = g.center;
    saveState();
  });
  function saveState() {
    const p = new URLSearchParams();
    if (year !== meta.year) p.set("year", year);
    if (metric.value !== D.index_id) p.set("metric", metric.value);
    if (view.zoom && Math.abs(view.zoom - 1) > 1e-6) p.set("zoom", view.zoom.toFixed(2));
    if (view.center) p.set("center", view.center.map((x) => Number(x).toFixed(2)).join(","));
    const s = p.toString();
    history.replaceState(null, "", s ? "?" + s : window.location.pathname);
  }
  async function draw() {
    yearOut.textContent = String(year);
    slider.setAttribute("aria-valuetext", String(year));
    const data = await api("/api/rankings?year=" + year);
    const key = metric.value;
    const label = metric.options[metric.selectedIndex].text;
    const values = data.rows.filter((r) => r[key] !== null && r.rank !== null).map((r) => ({ name: r.code, value: r[key], code: r.code, city: cityName(r), rank: r[key + "_rank"] ?? r.rank }));
    const breaks = quantileBreaks(values.map((v) => v.value), 5);
    const colors = ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"];
    const pieces = [];
    for (let i = breaks.length; i >= 0; i--) {
      const lo = breaks[i - 1], hi = breaks[i];
      const piece = { color: colors[Math.round((i * (colors.length - 1)) / breaks.length)] };
      if (lo !== undefined) piece.gte = lo;
      if (hi !== undefined) piece.lt = hi;
      piece.label = lo === undefined ? "< " + fmt(hi, 1) : hi === undefined ? "≥ " + fmt(lo, 1) : fmt(lo, 1) + " – " + fmt(hi, 1);
      pieces.push(piece);
    }
    // a phone gets the map across the full width, with the legend and the inset below it
    const narrow = $("map").clientWidth < 700;
    const mainBox = narrow ? { top: 10, bottom: 190, left: 6, right: 6 } : { top: 20, bottom: 20, left: 150, right: 150 };
    const inset = narrow ? { right: 12, bottom: 16, width: 96, height: 130 } : { right: 20, bottom: 24, width: 126, height: 170 };
    const geoBase = { nameProperty: "adcode", silent: false, roam: false, aspectScale: 0.8, itemStyle: { areaColor: GREY, borderColor: "#fff", borderWidth: 0.3 }, label: { show: false } };
    c.setOption({
      textStyle: { fontFamily: FONT },
      title: { text: year + "年 " + label, subtext: T.legend_note, left: narrow ? 8 : 16, bottom: narrow ? 142 : 168, textStyle: { fontSize: 14 }, subtextStyle: { color: "#555" } },
      toolbox: saveTool(T.nav_map + "-" + label + "-" + year),
      tooltip: { trigger: "item", className: "map-tip", showDelay: 0, hideDelay: 0, transitionDuration: 0, formatter: (p) => {
        if (p.seriesType === "lines") return "";
        if (!p.data || !p.data.code) return esc(names[p.name] || "") + "<br>" + esc(T.not_ranked);
        return esc(p.data.city) + "<br>" + esc(label) + ": " + fmt(p.value) + "（" + esc(T.rank) + " " + esc(p.data.rank) + "）";
      } },
      visualMap: { type: "piecewise", pieces, outOfRange: { color: GREY }, seriesIndex: [0, 1], left: narrow ? 8 : 16, bottom: narrow ? 12 : 24, itemWidth: 18, itemHeight: 12, itemGap: narrow ? 6 : 10, textStyle: { fontSize: 12 } },
      geo: [
        { ...geoBase, map: "china_main", roam: true, scaleLimit: { min: 0.8, max: 12 }, ...mainBox,
          zoom: view.zoom || 1, center: view.center || undefined,
          emphasis: { label: { show: false }, itemStyle: { areaColor: "#f5b041" } }, select: { disabled: true } },
        { ...geoBase, map: "china_scs", ...inset,
          boundingCoords: [[INSET_BOX[0], INSET_BOX[3]], [INSET_BOX[2], INSET_BOX[1]]],
          emphasis: { label: { show: false }, itemStyle: { areaColor: "#f5b041" } }, select: { disabled: true } },
      ],
      graphic: [{ type: "rect", right: inset.right - 6, bottom: inset.bottom - 6, shape: { width: inset.width + 12, height: inset.height + 12 }, style: { fill: "none", stroke: "#888", lineWidth: 1 }, silent: true }],
      series: [
        // `color` is what a region without data (unranked) gets; the legend colours the ranked ones
        { type: "map", geoIndex: 0, data: values, selectedMode: false, color: GREY },
        { type: "map", geoIndex: 1, data: values, selectedMode: false, color: GREY },  // the inset: 三沙 is ranked too
        { type: "lines", coordinateSystem: "geo", geoIndex: 0, polyline: true, silent: true, data: borderLines, lineStyle: { color: "#555", width: 0.7, opacity: 1 }, z: 3 },
        { type: "lines", coordinateSystem: "geo", geoIndex: 1, polyline: true, silent: true, data: dashLines, lineStyle: { color: "#222", width: 1.2, opacity: 1 }, z: 3 },
      ],
    }, true);
    saveState();
  }
  const borderLines = linesOf(borders), dashLines = linesOf(dash);
  slider.addEventListener("input", () => { year = years[Number(slider.value)]; draw(); });
  metric.addEventListener("change", draw);
  await draw();
}

// ---------------------------------------------------------------- city page
async function cityPage() {
  const code = $("city").dataset.code;
  const meta = await api("/api/meta");
  const topN = (meta.framework && meta.framework.top_n) || 0;
  const qYear = Number(new URLSearchParams(window.location.search).get("year"));
  let year = meta.years.includes(qYear) ? qYear : meta.year;
  const charts = { radar: chart("radar"), bars: chart("bars"), history: chart("history") };
  $("print").addEventListener("click", () => window.print());
  // print: each chart is also kept as an image that the print style sheet shows (scaled to the column) in
  // place of the canvas, so a printed or PDF profile has every chart without relying on beforeprint
  function snapshot(c) {
    const holder = c.getDom();
    let img = holder.parentNode.querySelector("img.chart-print");
    if (!img) { img = el("img", { class: "chart-print", alt: holder.getAttribute("aria-label") || "" }); holder.after(img); }
    img.src = c.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff", excludeComponents: ["toolbox"] });
  }
  yearSelect(meta, (y) => {
    year = y;
    history.replaceState(null, "", y === meta.year ? window.location.pathname : "?year=" + y);
    load().catch((e) => showError($("city"), e));
  }, year);
  async function load() {
    let p;
    try { p = await api("/api/cities/" + encodeURIComponent(code) + "?year=" + year); }
    catch (err) {
      if (err.status !== 404) throw err;
      // ranked in another year but not in this one: say so in the page's language, keep the year switch
      $("city-sub").textContent = tr("not_ranked_year", { y: year });
      for (const id of ["city-badges", "strengths", "weaknesses", "peers", "gaps"]) $(id).replaceChildren();
      $("indicators").querySelector("tbody").replaceChildren();
      for (const c of Object.values(charts)) c.clear();
      return;
    }
    document.title = cityName(p) + " · " + T.profile + " · " + T.site;
    $("city-name").textContent = cityName(p);
    $("city-sub").textContent = [provName(p), regionName(p.region), p.stage ? T.stage + " " + p.stage : ""].filter(Boolean).join(" · ");
    const badge = (label, value, extra) => el("div", { class: "badge" }, label, el("b", { text: value }), extra || null);
    $("city-badges").replaceChildren(
      badge(T.rank + " (" + p.year + ")", p.rank + " / " + p.units),
      badge(T.index, fmt(p.index)),
      badge(T.province_rank, p.province_rank || "–"),
      el("div", { class: "badge" }, T.change, el("b", {}, changeCell(p.rank_change, p, topN))),
      ...(p.rank_interval ? [badge(T.interval, fmt(p.rank_interval.p05_rank, 0) + "–" + fmt(p.rank_interval.p95_rank, 0))] : []));
    const dims = p.dimensions;
    const names = dims.map(dimName);
    const stem = cityName(p) + "-" + p.year;
    charts.radar.setOption({
      animation: false, textStyle: { fontFamily: FONT }, color: PALETTE, legend: { bottom: 0 }, tooltip: {}, toolbox: saveTool(stem + "-" + T.radar),
      radar: { indicator: dims.map((d) => ({ name: dimName(d), max: 100 })), radius: "62%", axisName: { color: "#333" } },
      series: [{ type: "radar", data: [
        { name: cityName(p), value: dims.map((d) => d.score), areaStyle: { opacity: 0.25 } },
        { name: T.median, value: dims.map((d) => d.median), lineStyle: { type: "dashed" } },
        { name: T.top10, value: dims.map((d) => d.top10_mean), lineStyle: { type: "dotted" } }] }],
    }, true);
    charts.bars.setOption({
      // the legend names the diamond (全国中位数); ranks read 第N in Chinese, #N in English
      animation: false, textStyle: { fontFamily: FONT }, grid: { left: 90, right: 70, top: 30, bottom: 56 }, toolbox: saveTool(stem + "-" + T.dims),
      legend: { bottom: 0, data: [T.score, T.median] },
      tooltip: { trigger: "axis", formatter: (ps) => ps.map((x) => esc(x.seriesName) + ": " + fmt(x.value, 1)).join("<br>") },
      xAxis: { type: "value", max: 100 }, yAxis: { type: "category", data: names, inverse: true },
      series: [{ type: "bar", name: T.score, data: dims.map((d) => d.score), itemStyle: { color: "#1f5fa8" },
        label: { show: true, position: "right", formatter: (x) => fmt(x.value, 1) + "  " + rankLabel(dims[x.dataIndex].rank) } },
        { type: "scatter", name: T.median, data: dims.map((d) => d.median), symbol: "diamond", symbolSize: 10, itemStyle: { color: "#c0392b" } }],
    }, true);
    const tag = (x) => el("li", { text: dimName(x) + " " + (LANG === "en" ? x.label_en : x.label_zh) });
    $("strengths").replaceChildren(...(p.strengths.length ? p.strengths.map(tag) : [el("li", { text: T.none })]));
    $("weaknesses").replaceChildren(...(p.weaknesses.length ? p.weaknesses.map(tag) : [el("li", { text: T.none })]));
    $("strengths").title = $("weaknesses").title = p.strength_rule[LANG] || "";
    $("peers").replaceChildren(...p.peers.map((x) => el("li", {}, el("a", { href: "/city/" + encodeURIComponent(x.code), text: x.name + " #" + x.rank }))));
    const gaps = [];
    if (p.city_above) gaps.push([T.city_above, el("a", { href: "/city/" + encodeURIComponent(p.city_above.code), text: p.city_above.name + " #" + p.city_above.rank })],
      [T.gap_above, fmt(p.index_gap_to_above)]);
    if (p.index_gap_to_top10 !== null && p.index_gap_to_top10 > 0) gaps.push([T.gap_top10, fmt(p.index_gap_to_top10)]);
    $("gaps").replaceChildren(...gaps.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", {}, v)]));
    charts.history.setOption({
      animation: false, textStyle: { fontFamily: FONT }, grid: { left: 50, right: 20, top: 34, bottom: 30 }, tooltip: { trigger: "axis" }, toolbox: saveTool(stem + "-" + T.history),
      xAxis: { type: "category", data: p.history.map((h) => String(h.year)) },
      yAxis: rankAxis(),
      series: [{ type: "line", name: T.rank, data: p.history.map((h) => h.rank), label: { show: true }, itemStyle: { color: "#c0392b" } }],
    }, true);
    for (const c of Object.values(charts)) snapshot(c);
    const thead = $("indicators").querySelector("thead"), tbody = $("indicators").querySelector("tbody");
    thead.replaceChildren(el("tr", {}, ...[T.dimension, T.indicator, T.raw, T.unit, T.normalised, T.rank, T.weight, T.imputed, T.treated, T.source]
      .map((h, i) => el("th", { class: i < 2 || i > 8 ? "text" : null, text: h }))));
    const frag = document.createDocumentFragment();
    for (const d of dims) {
      for (const ind of d.indicators) {
        frag.append(el("tr", {},
          el("td", { class: "text", text: dimName(d) }),
          el("td", { class: "text", title: ind.proxy ? T.proxy + ": " + ind.proxy : null }, LANG === "zh" ? ind.name_zh : ind.name_en, ind.proxy ? el("span", { class: "r", text: "*" }) : null),
          el("td", { text: fmt(ind.raw, 2) }), el("td", { class: "text", text: ind.unit }),
          el("td", { text: fmt(ind.normalised, 1) }), el("td", { text: ind.rank ?? "–" }),
          el("td", { text: fmt(100 * (ind.nominal_global_weight || 0), 1) + "%" }),
          el("td", { text: ind.imputed ? T.yes : "" }), el("td", { text: ind.treated ? T.yes : "" }),
          el("td", { class: "text small src", text: (LANG === "zh" ? ind.source_zh : ind.source_en) || ind.source })));
      }
    }
    tbody.replaceChildren(frag);
    $("add-compare").href = "/compare?codes=" + encodeURIComponent(code);
  }
  await load();
}

// ---------------------------------------------------------------- compare page
async function comparePage() {
  const meta = await api("/api/meta");
  const ranking = await api("/api/rankings?year=" + meta.year);
  const byCode = new Map(ranking.rows.map((r) => [r.code, r]));
  const params = new URLSearchParams(window.location.search);
  let codes = (params.get("codes") || "").split(",").filter((c) => byCode.has(c)).slice(0, 4);
  const list = $("city-list");
  for (const r of ranking.rows) list.append(el("option", { value: r.name + " " + r.code }));
  const radar = chart("compare-radar");
  function find(text) {
    const t = text.trim(); if (!t) return null;
    const code = t.match(/\d{6}/);
    if (code && byCode.has(code[0])) return code[0];
    const hit = ranking.rows.find((r) => matches(r, t));
    return hit ? hit.code : null;
  }
  function add() {
    const c = find($("compare-search").value);
    if (c && !codes.includes(c) && codes.length < 4) codes.push(c);
    $("compare-search").value = ""; update();
  }
  $("compare-add").addEventListener("click", add);
  $("compare-search").addEventListener("keydown", (e) => { if (e.key === "Enter") add(); });
  $("compare-clear").addEventListener("click", () => { codes = []; update(); });
  const trend = chart("compare-trend");
  const panelChart = chart("compare-panel");
  const profiles = new Map();  // code → the city's profile (history, strengths, weaknesses)
  const panels = new Map();  // code → {years, index}: the panel-normalised index, comparable across years
  async function drawTrend() {
    await Promise.all(codes.filter((c) => !profiles.has(c)).map(async (c) => {
      profiles.set(c, await api("/api/cities/" + encodeURIComponent(c)));
    }));
    const histories = new Map(codes.map((c) => [c, profiles.get(c).history]));
    const years = meta.years.map(String);
    trend.setOption({
      textStyle: { fontFamily: FONT }, color: PALETTE, legend: { bottom: 0 }, tooltip: { trigger: "axis" },
      toolbox: saveTool(T.compare_title + "-" + T.trend), grid: { left: 50, right: 24, top: 34, bottom: 50 },
      xAxis: { type: "category", data: years }, yAxis: rankAxis(),
      series: codes.map((c) => {
        const by = new Map((histories.get(c) || []).map((h) => [String(h.year), h.rank]));
        return { type: "line", name: cityName(byCode.get(c)), data: years.map((y) => by.get(y) ?? null), connectNulls: false };
      }),
    }, true);
    standings();
    // the first request computes the panel for every city (a few seconds): say so instead of an empty chart
    if (codes.some((c) => !panels.has(c))) panelChart.showLoading({ text: T.computing, fontFamily: FONT });
    try {
      await Promise.all(codes.filter((c) => !panels.has(c)).map(async (c) => {
        panels.set(c, await api("/api/panel/" + encodeURIComponent(c)));
      }));
    } finally {
      panelChart.hideLoading();
    }
    panelChart.setOption({
      textStyle: { fontFamily: FONT }, color: PALETTE, legend: { bottom: 0 }, tooltip: { trigger: "axis", valueFormatter: (v) => fmt(v, 1) },
      toolbox: saveTool(T.compare_title + "-" + T.panel_trend), grid: { left: 50, right: 24, top: 34, bottom: 50 },
      xAxis: { type: "category", data: years }, yAxis: { type: "value", name: T.index, scale: true },
      series: codes.map((c) => {
        const p = panels.get(c);
        const by = new Map(p.years.map((y, i) => [String(y), p.index[i]]));
        return { type: "line", name: cityName(byCode.get(c)), data: years.map((y) => by.get(y) ?? null), connectNulls: false };
      }),
    }, true);
    $("compare-panel").dataset.drawn = codes.join(",");  // for the browser tests: the lines of these cities are drawn
  }
  /* 优势维度 and 短板维度 rows of the side-by-side table: the profile's strengths and weaknesses (the one rule of
   * analysis.strengths, as on the city page) */
  function standings() {
    const body = $("compare-table").querySelector("tbody");
    body.querySelectorAll("tr.standing").forEach((tr) => tr.remove());
    if (!codes.length) return;
    const text = (xs) => (xs.length ? xs.map((x) => dimName(x) + " " + (LANG === "en" ? x.label_en : x.label_zh)).join(LANG === "en" ? ", " : "、") : T.none);
    for (const [label, key] of [[T.strengths, "strengths"], [T.weaknesses, "weaknesses"]]) {
      body.append(el("tr", { class: "standing" }, el("th", { class: "text", text: label }),
        ...codes.map((c) => el("td", { class: "text wrap", title: profiles.get(c)?.strength_rule?.[LANG] || "", text: profiles.has(c) ? text(profiles.get(c)[key]) : "" }))));
    }
  }
  function update() {
    history.replaceState(null, "", codes.length ? "?codes=" + codes.join(",") : window.location.pathname);
    drawTrend().catch((e) => showError(null, e));
    $("compare-chips").replaceChildren(...codes.map((c) => el("li", {}, el("a", { href: "/city/" + c, text: cityName(byCode.get(c)) }),
      el("button", { type: "button", "aria-label": T.remove, text: "×", onclick: () => { codes = codes.filter((x) => x !== c); update(); } }))));
    const dims = ranking.dimensions;
    radar.setOption({
      textStyle: { fontFamily: FONT }, color: PALETTE, legend: { bottom: 0 }, tooltip: {}, toolbox: saveTool(T.compare_title + "-" + T.radar),
      radar: { indicator: dims.map((d) => ({ name: dimName(d), max: 100 })), radius: "62%" },
      series: [{ type: "radar", data: codes.map((c) => ({ name: cityName(byCode.get(c)), value: dims.map((d) => byCode.get(c)[d.id]), areaStyle: { opacity: 0.12 } })) }],
    }, true);
    const table = $("compare-table");
    table.querySelector("thead").replaceChildren(el("tr", {}, el("th", { class: "text", text: "" }), ...codes.map((c) => el("th", { text: cityName(byCode.get(c)) }))));
    const rowsOf = [[T.rank, (r) => r.rank], [T.index, (r) => fmt(r[D.index_id]) + " "], ...dims.map((d) => [dimName(d), (r) => fmt(r[d.id], 1) + "  #" + (r[d.id + "_rank"] ?? "–")])];
    table.querySelector("tbody").replaceChildren(...(codes.length ? rowsOf.map(([label, f]) => el("tr", {}, el("th", { class: "text", text: label }), ...codes.map((c) => el("td", { text: f(byCode.get(c)) })))) : []));
    standings();
  }
  update();
}

// ---------------------------------------------------------------- about page
async function aboutPage() {
  const [meta, tree] = await Promise.all([api("/api/meta"), api("/api/framework")]);
  const tbody = $("framework").querySelector("tbody");
  $("framework").querySelector("thead").replaceChildren(el("tr", {}, ...[T.dimension, T.indicator, T.unit, T.nominal_weight, T.proxy, T.source].map((h) => el("th", { class: "text", text: h }))));
  const frag = document.createDocumentFragment();
  const walk = (node, depth, dimLabel) => {
    for (const c of node.children || []) {
      if (c.children) walk(c, depth + 1, dimName(c) + " (" + fmt(100 * c.weight, 1) + "%)");
      else frag.append(el("tr", {}, el("td", { class: "text", text: dimLabel }), el("td", { class: "text", text: LANG === "zh" ? c.name_zh : c.name_en }),
        el("td", { class: "text", text: c.unit || "" }), el("td", { class: "text", text: fmt(100 * (c.global_weight || 0), 1) + "%" }),
        el("td", { class: "text small", text: c.proxy || "" }), el("td", { class: "text small src", text: (LANG === "zh" ? c.source_zh : c.source_en) || c.source || "" })));
    }
  };
  walk(tree, 0, "");
  tbody.replaceChildren(frag);
  if (tree.stages) {
    const st = tree.stages; const dims = meta.dimensions;
    const t = el("table", { class: "grid" }, el("thead", {}, el("tr", {}, el("th", { class: "text", text: T.stage_weights }), ...dims.map((d) => el("th", { text: dimName(d) })))),
      el("tbody", {}, ...st.stages.map((s) => {
        const total = dims.reduce((a, d) => a + (s.weights[d.id] ?? 1), 0);
        return el("tr", {}, el("td", { class: "text", text: LANG === "zh" ? s.name_zh : s.name_en || s.id }), ...dims.map((d) => el("td", { text: fmt(100 * (s.weights[d.id] ?? 1) / total, 1) + "%" })));
      })));
    $("stage-table").replaceChildren(el("p", { class: "muted", text: st.description || "" }), el("div", { class: "table-wrap", tabindex: 0, role: "region", "aria-label": T.stage_weights }, t));
  }
  $("coverage").querySelector("tbody").replaceChildren(...Object.entries(meta.coverage).map(([k, v]) => {
    const d = meta.dimensions.find((x) => x.id === k);
    return el("tr", {}, el("td", { class: "text", text: d ? dimName(d) : T.index }), el("td", { text: fmt(100 * v, 1) + "%" }));
  }));
  $("sources").replaceChildren(...meta.data_sources.map((s) => el("li", { title: s.file + " · sha256 " + s.sha256 }, (LANG === "zh" ? s.label_zh : s.label_en) || s.file)));
  $("warnings").replaceChildren(el("li", { text: T.history_note }), el("li", { text: (LANG === "zh" ? meta.map_caption.zh : meta.map_caption.en) }),
    ...meta.warnings.slice(0, 20).map((w) => el("li", { text: w })));
  $("version").textContent = meta.version + " · " + (LANG === "zh" && meta.source === "embedded default data" ? T.embedded : meta.source);
}

// ---------------------------------------------------------------- summary page (梯队, regions, provinces, 城市群)
function gridTable(id, headers, rows) {
  const table = $(id);
  table.querySelector("thead").replaceChildren(el("tr", {}, ...headers.map(([h, cls]) => el("th", { scope: "col", class: cls || null, text: h }))));
  table.querySelector("tbody").replaceChildren(...rows.map((cells) => el("tr", {}, ...cells.map(([v, cls]) => el("td", { class: cls || null }, v)))));
}
const cityLinks = (refs, max) => {
  const span = el("span", { class: "city-list" });
  refs.slice(0, max || refs.length).forEach((c, i) => { if (i) span.append("、"); span.append(el("a", { href: "/city/" + encodeURIComponent(c.code), text: c.name })); });
  if (max && refs.length > max) span.append(" " + tr("more", { n: refs.length - max }));
  return span;
};
const pct = (x) => fmt(100 * x, 1) + "%";
async function summaryPage() {
  const meta = await api("/api/meta");
  const qYear = Number(new URLSearchParams(window.location.search).get("year"));
  let year = meta.years.includes(qYear) ? qYear : meta.year;
  const regionChart = chart("region-chart");
  const provEn = Object.fromEntries(meta.provinces.map((p) => [p.id, p.name_en]));
  const clusterEn = Object.fromEntries(meta.clusters.map((c) => [c.id, c.name_en]));
  yearSelect(meta, (y) => { year = y; history.replaceState(null, "", y === meta.year ? window.location.pathname : "?year=" + y); load().catch((e) => showError(null, e)); }, year);
  async function load() {
    const s = await api("/api/summary?year=" + year);
    const n = s.top_n;
    $("summary-note").textContent = tr("summary_note", { n });
    gridTable("tiers", [[T.tiers, "text"], [T.tier_ranks], [T.count], [T.index_range], [T.index_mean], ...["东部", "中部", "西部", "东北"].map((r) => [regionName(r)]), [T.cities, "text"]],
      s.tiers.map((t) => [[LANG === "zh" ? t.name_zh : t.name_en, "text"], [t.first + "–" + (t.last ?? s.ranked)], [t.count], [fmt(t.index_min, 2) + "–" + fmt(t.index_max, 2)], [fmt(t.index_mean, 2)],
        ...["东部", "中部", "西部", "东北"].map((r) => [t.regions[r] ?? 0]), [cityLinks(t.cities, 12), "text wrap"]]));
    if (!s.regions) return;
    gridTable("regions", [[T.region, "text"], [T.top10_n], [T.top20_n], [tr("topn_n", { n })], [T.units_in_region], [T.share_units], [T.best_city, "text"]],
      s.regions.map((r) => [[regionName(r.region), "text"], [r.top10], [r.top20], [r.topN], [r.units_in_region], [pct(r.share_of_units)],
        [r.best ? cityLinks([r.best]) : T.none, "text"]]));
    regionChart.setOption({
      textStyle: { fontFamily: FONT }, color: PALETTE, legend: { bottom: 0 }, tooltip: { trigger: "axis" }, toolbox: saveTool(T.by_region + "-" + year),
      grid: { left: 50, right: 20, top: 30, bottom: 40 }, xAxis: { type: "category", data: s.regions.map((r) => regionName(r.region)) }, yAxis: { type: "value", minInterval: 1 },
      series: [["top10", T.top10_n], ["top20", T.top20_n], ["topN", tr("topn_n", { n })]].map(([k, name]) => ({ type: "bar", name, data: s.regions.map((r) => r[k]), label: { show: true, position: "top" } })),
    }, true);
    gridTable("provinces", [[T.province, "text"], [T.region, "text"], [tr("topn_n", { n })], [T.top10_n], [T.top20_n], [T.best_city, "text"], [T.cities, "text"]],
      s.provinces.map((p) => [[LANG === "zh" ? p.province : provEn[p.province] || p.province, "text"], [regionName(p.region), "text"], [p.count], [p.top10], [p.top20], [cityLinks([p.best]), "text"], [cityLinks(p.cities), "text wrap"]]));
    $("unlisted").textContent = s.provinces_unlisted.length ? T.unlisted + "：" + s.provinces_unlisted.join("、") : "";
    gridTable("clusters", [[T.cluster, "text"], [tr("topn_n", { n })], [T.top10_n], [T.share_top10], [T.members], [T.cities, "text"]],
      s.clusters.map((c) => [[LANG === "zh" ? c.cluster : clusterEn[c.cluster_id] || c.cluster, "text"], [c.count], [c.top10], [pct(c.share_of_top10)], [c.members], [cityLinks(c.cities), "text wrap"]]));
  }
  await load();
}

// ---------------------------------------------------------------- boot
const PAGES = { ranking: rankingPage, map: mapPage, city: cityPage, compare: comparePage, about: aboutPage, summary: summaryPage };
document.addEventListener("DOMContentLoaded", () => {
  const fn = PAGES[D.page];
  if (!fn) { document.body.dataset.ready = "1"; return; }
  fn().then(() => { document.body.dataset.ready = "1"; }).catch((err) => { console.error(err); showError(null, err); document.body.dataset.ready = "error"; });
});
