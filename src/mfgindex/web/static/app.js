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
function changeCell(delta, label) {
  if (label === "new") return el("span", { class: "new", text: T.new });
  if (delta === null || delta === undefined) return "–";
  if (delta > 0) return el("span", { class: "up", text: "↑" + delta, title: T.up });
  if (delta < 0) return el("span", { class: "down", text: "↓" + (-delta), title: T.down });
  return el("span", { class: "muted", text: "—", title: T.same });
}
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
const FONT = '"Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif';
const PALETTE = ["#c0392b", "#1f5fa8", "#1e7b45", "#9a6700", "#6b3fa0"];

// ---------------------------------------------------------------- ranking page
async function rankingPage() {
  const meta = await api("/api/meta");
  const S = { year: meta.year, data: null, whatif: null, dirty: false, sortKey: "rank", sortDir: 1, seq: 0, controller: null };
  yearSelect(meta, (y) => { S.year = y; S.whatif = null; load(); }, meta.year);
  fillSelect($("f-region"), meta.regions.map((r) => ({ value: r.id, label: LANG === "zh" ? r.name_zh : r.name_en })));
  fillSelect($("f-province"), meta.provinces.map((p) => ({ value: p.id, label: LANG === "zh" ? p.name_zh : p.name_en })));
  fillSelect($("f-cluster"), meta.clusters.map((c) => ({ value: c.id, label: LANG === "zh" ? c.name_zh : c.name_en })));
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
      const x = a[k], y = b[k];
      if (x === y) return (a.rank ?? 1e9) - (b.rank ?? 1e9);
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      return (typeof x === "string" ? x.localeCompare(y, "zh") : x - y) * dir;
    });
    return rows;
  }

  function header() {
    const cols = [["rank", T.rank, 1], ["name", T.city, 1, "text"], ["province", T.province, 1, "text"],
      ["region", T.region, 1, "text"]];
    if (S.whatif) cols.push(["rank_change", T.whatif_change, -1], ["nominal_rank", T.nominal_rank, 1]);
    else cols.push(["province_rank", T.province_rank, 1, "text"], ["rank_change", T.change, -1]);
    cols.push([D.index_id, T.index, -1]);
    for (const d of dims) cols.push([d.id, dimName(d), -1]);
    return cols;
  }

  function render() {
    if (!S.data) return;
    const cols = header();
    const head = $("ranking-head");
    head.replaceChildren(...cols.map(([key, label, dir, cls]) => el("th", {
      class: cls, scope: "col", "data-key": key, "aria-sort": S.sortKey === key ? (S.sortDir > 0 ? "ascending" : "descending") : null,
      onclick: () => { if (S.sortKey === key) S.sortDir = -S.sortDir; else { S.sortKey = key; S.sortDir = dir; } render(); },
    }, label + (S.sortKey === key ? (S.sortDir > 0 ? " ▲" : " ▼") : ""))));
    const rows = currentRows();
    const frag = document.createDocumentFragment();
    for (const r of rows) {
      const cells = [el("td", { text: r.rank ?? "–" }),
        el("td", { class: "text" }, el("a", { href: "/city/" + encodeURIComponent(r.code), text: cityName(r) })),
        el("td", { class: "text", text: provName(r) }), el("td", { class: "text", text: regionName(r.region) })];
      if (S.whatif) cells.push(el("td", {}, changeCell(r.rank_change)), el("td", { text: r.nominal_rank ?? "–" }));
      else cells.push(el("td", { class: "text", text: r.province_rank || "–" }), el("td", {}, changeCell(r.rank_change, r.change)));
      cells.push(el("td", {}, el("b", { text: fmt(r[D.index_id]) })));
      for (const d of dims) {
        const rk = S.whatif ? null : r[d.id + "_rank"];
        cells.push(el("td", {}, fmt(r[d.id], 1), rk ? el("span", { class: "r", text: "#" + rk }) : null));
      }
      frag.append(el("tr", { "data-code": r.code }, ...cells));
    }
    $("ranking-body").replaceChildren(frag);
    $("row-count").textContent = tr("rows", { n: rows.length }) + " · " + S.year;
    updateDownloads();
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
function mapGeo(pref, provinces, dash) {
  const features = pref.features.slice();
  for (const f of provinces.features) {
    const g = f.geometry; const rings = g.type === "Polygon" ? g.coordinates : g.coordinates.flat();
    features.push({ type: "Feature", properties: { adcode: "border:" + f.properties.adcode, name: "" },
      geometry: { type: "MultiLineString", coordinates: rings } });
  }
  for (const f of dash.features) features.push({ type: "Feature", properties: { adcode: "nine_dash", name: "" }, geometry: f.geometry });
  return { type: "FeatureCollection", features };
}
async function mapPage() {
  const meta = await api("/api/meta");
  const [pref, provs, dash] = await Promise.all([api("/api/geo/prefectures"), api("/api/geo/provinces"), api("/api/geo/nine_dash")]);
  echarts.registerMap("china_pref", mapGeo(pref, provs, dash));
  const names = Object.fromEntries(pref.features.map((f) => [f.properties.adcode, f.properties.name]));
  const metric = $("f-metric");
  fillSelect(metric, [{ value: D.index_id, label: T.index }, ...meta.dimensions.map((d) => ({ value: d.id, label: dimName(d) }))]);
  const c = chart("map");
  let year = meta.year, data = null;
  c.on("click", (p) => { if (p.data && p.data.code) window.location.href = "/city/" + encodeURIComponent(p.data.code); });
  async function draw() {
    data = await api("/api/rankings?year=" + year);
    const key = metric.value;
    const values = data.rows.filter((r) => r[key] !== null).map((r) => ({ name: r.code, value: r[key], code: r.code, city: cityName(r), rank: r[key + "_rank"] ?? r.rank }));
    // line features (province borders, the South China Sea line) are styled through data items: a map
    // series applies per-region styles from its data, and draws a line region with its border colour
    const lines = [...provs.features.map((f) => ({ name: "border:" + f.properties.adcode, value: null,
      itemStyle: { borderColor: "#666", borderWidth: 0.8 }, emphasis: { disabled: true } })),
      { name: "nine_dash", value: null, itemStyle: { borderColor: "#222", borderWidth: 1.6 }, emphasis: { disabled: true } }];
    c.setOption({
      textStyle: { fontFamily: FONT },
      tooltip: { trigger: "item", formatter: (p) => {
        if (String(p.name).startsWith("border:") || p.name === "nine_dash") return "";
        if (!p.data || !p.data.code) return esc(names[p.name] || "") + "<br>" + esc(T.not_ranked);
        return esc(p.data.city) + "<br>" + esc(metric.options[metric.selectedIndex].text) + ": " + fmt(p.value) + " (#" + esc(p.data.rank) + ")";
      } },
      visualMap: { type: "continuous", min: 0, max: 100, calculable: true, left: 20, bottom: 30,
        inRange: { color: ["#fff5e6", "#fdd49e", "#fc8d59", "#d7301f", "#7f0000"] } },
      series: [{ type: "map", map: "china_pref", nameProperty: "adcode", roam: true, aspectScale: 0.8, top: 10, bottom: 10, data: [...values, ...lines], selectedMode: false,
        itemStyle: { areaColor: "#e6e6e6", borderColor: "#fff", borderWidth: 0.3 },
        emphasis: { label: { show: false }, itemStyle: { areaColor: "#f5b041" } },
        label: { show: false } }],
    }, true);
  }
  yearSelect(meta, (y) => { year = y; draw(); }, meta.year);
  metric.addEventListener("change", draw);
  await draw();
}

// ---------------------------------------------------------------- city page
async function cityPage() {
  const code = $("city").dataset.code;
  const meta = await api("/api/meta");
  let year = meta.year;
  const charts = { radar: chart("radar"), bars: chart("bars"), history: chart("history") };
  yearSelect(meta, (y) => { year = y; load().catch((e) => showError($("city"), e)); }, year);
  async function load() {
    let p;
    try { p = await api("/api/cities/" + encodeURIComponent(code) + "?year=" + year); }
    catch (err) { $("city-name").textContent = err.status === 404 ? err.message : T.error; throw err; }
    document.title = p.name + " · " + T.profile;
    $("city-name").textContent = cityName(p);
    $("city-sub").textContent = [provName(p), regionName(p.region), p.stage ? T.stage + " " + p.stage : ""].filter(Boolean).join(" · ");
    const badge = (label, value, extra) => el("div", { class: "badge" }, label, el("b", { text: value }), extra || null);
    $("city-badges").replaceChildren(
      badge(T.rank + " (" + p.year + ")", p.rank + " / " + p.units),
      badge(T.index, fmt(p.index)),
      badge(T.province_rank, p.province_rank || "–"),
      el("div", { class: "badge" }, T.change, el("b", {}, changeCell(p.rank_change, p.change))),
      ...(p.rank_interval ? [badge(T.interval, fmt(p.rank_interval.p05_rank, 0) + "–" + fmt(p.rank_interval.p95_rank, 0))] : []));
    const dims = p.dimensions;
    const names = dims.map(dimName);
    charts.radar.setOption({
      textStyle: { fontFamily: FONT }, color: PALETTE, legend: { bottom: 0 }, tooltip: {},
      radar: { indicator: dims.map((d) => ({ name: dimName(d), max: 100 })), radius: "62%", axisName: { color: "#333" } },
      series: [{ type: "radar", data: [
        { name: cityName(p), value: dims.map((d) => d.score), areaStyle: { opacity: 0.25 } },
        { name: T.median, value: dims.map((d) => d.median), lineStyle: { type: "dashed" } },
        { name: T.top10, value: dims.map((d) => d.top10_mean), lineStyle: { type: "dotted" } }] }],
    }, true);
    charts.bars.setOption({
      textStyle: { fontFamily: FONT }, grid: { left: 90, right: 70, top: 10, bottom: 30 },
      tooltip: { trigger: "axis", formatter: (ps) => ps.map((x) => esc(x.seriesName) + ": " + fmt(x.value, 1)).join("<br>") },
      xAxis: { type: "value", max: 100 }, yAxis: { type: "category", data: names, inverse: true },
      series: [{ type: "bar", name: T.score, data: dims.map((d) => d.score), itemStyle: { color: "#1f5fa8" },
        label: { show: true, position: "right", formatter: (x) => fmt(x.value, 1) + "  #" + (dims[x.dataIndex].rank ?? "–") } },
        { type: "scatter", name: T.median, data: dims.map((d) => d.median), symbol: "diamond", symbolSize: 10, itemStyle: { color: "#c0392b" } }],
    }, true);
    const tag = (x) => el("li", { text: dimName(x) + " #" + x.rank });
    $("strengths").replaceChildren(...(p.strengths.length ? p.strengths.map(tag) : [el("li", { text: T.none })]));
    $("weaknesses").replaceChildren(...(p.weaknesses.length ? p.weaknesses.map(tag) : [el("li", { text: T.none })]));
    $("peers").replaceChildren(...p.peers.map((x) => el("li", {}, el("a", { href: "/city/" + encodeURIComponent(x.code), text: x.name + " #" + x.rank }))));
    const gaps = [];
    if (p.city_above) gaps.push([T.city_above, el("a", { href: "/city/" + encodeURIComponent(p.city_above.code), text: p.city_above.name + " #" + p.city_above.rank })],
      [T.gap_above, fmt(p.index_gap_to_above)]);
    if (p.index_gap_to_top10 !== null && p.index_gap_to_top10 > 0) gaps.push([T.gap_top10, fmt(p.index_gap_to_top10)]);
    $("gaps").replaceChildren(...gaps.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", {}, v)]));
    charts.history.setOption({
      textStyle: { fontFamily: FONT }, grid: { left: 50, right: 20, top: 20, bottom: 30 }, tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: p.history.map((h) => String(h.year)) },
      yAxis: { type: "value", inverse: true, min: 1, minInterval: 1, name: T.rank },
      series: [{ type: "line", name: T.rank, data: p.history.map((h) => h.rank), label: { show: true }, itemStyle: { color: "#c0392b" } }],
    }, true);
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
          el("td", { class: "text small", text: ind.source })));
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
  function update() {
    history.replaceState(null, "", "?codes=" + codes.join(","));
    $("compare-chips").replaceChildren(...codes.map((c) => el("li", {}, el("a", { href: "/city/" + c, text: cityName(byCode.get(c)) }),
      el("button", { type: "button", "aria-label": T.remove, text: "×", onclick: () => { codes = codes.filter((x) => x !== c); update(); } }))));
    const dims = ranking.dimensions;
    radar.setOption({
      textStyle: { fontFamily: FONT }, color: PALETTE, legend: { bottom: 0 }, tooltip: {},
      radar: { indicator: dims.map((d) => ({ name: dimName(d), max: 100 })), radius: "65%" },
      series: [{ type: "radar", data: codes.map((c) => ({ name: cityName(byCode.get(c)), value: dims.map((d) => byCode.get(c)[d.id]), areaStyle: { opacity: 0.12 } })) }],
    }, true);
    const table = $("compare-table");
    table.querySelector("thead").replaceChildren(el("tr", {}, el("th", { class: "text", text: "" }), ...codes.map((c) => el("th", { text: cityName(byCode.get(c)) }))));
    const rowsOf = [[T.rank, (r) => r.rank], [T.index, (r) => fmt(r[D.index_id]) + " "], ...dims.map((d) => [dimName(d), (r) => fmt(r[d.id], 1) + "  #" + (r[d.id + "_rank"] ?? "–")])];
    table.querySelector("tbody").replaceChildren(...(codes.length ? rowsOf.map(([label, f]) => el("tr", {}, el("th", { class: "text", text: label }), ...codes.map((c) => el("td", { text: f(byCode.get(c)) })))) : []));
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
        el("td", { class: "text small", text: c.proxy || "" }), el("td", { class: "text small", text: c.source || "" })));
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
    $("stage-table").replaceChildren(el("p", { class: "muted", text: st.description || "" }), el("div", { class: "table-wrap" }, t));
  }
  $("coverage").querySelector("tbody").replaceChildren(...Object.entries(meta.coverage).map(([k, v]) => {
    const d = meta.dimensions.find((x) => x.id === k);
    return el("tr", {}, el("td", { class: "text", text: d ? dimName(d) : T.index }), el("td", { text: fmt(100 * v, 1) + "%" }));
  }));
  $("sources").replaceChildren(...meta.data_sources.map((s) => el("li", {}, el("code", { text: s.file }), " ", el("span", { class: "muted small", text: "sha256 " + s.sha256.slice(0, 12) + "…" }))));
  $("warnings").replaceChildren(el("li", { text: meta.history_note }), el("li", { text: (LANG === "zh" ? meta.map_caption.zh : meta.map_caption.en) }),
    ...meta.warnings.slice(0, 20).map((w) => el("li", { text: w })));
  $("version").textContent = meta.version + " · " + meta.source;
}

// ---------------------------------------------------------------- boot
const PAGES = { ranking: rankingPage, map: mapPage, city: cityPage, compare: comparePage, about: aboutPage };
document.addEventListener("DOMContentLoaded", () => {
  const fn = PAGES[D.page];
  if (fn) fn().then(() => { document.body.dataset.ready = "1"; }).catch((err) => { console.error(err); showError(null, err); document.body.dataset.ready = "error"; });
});
