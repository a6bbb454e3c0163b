"use strict";
(function () {
  const boot = JSON.parse(document.getElementById("ops-boot").textContent);
  const T = boot.text;
  const grid = document.getElementById("ops-grid");
  const charts = [];
  let current = boot.screen, payload = null, carousel = null, lastAlert = 0, source = null, position = "";
  const mapState = { stack: [] };

  const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; };
  const fmt = (v) => v === null || v === undefined ? "—" : (Math.round(v * 10) / 10).toLocaleString("zh-CN");
  async function getJSON(url) {
    const r = await fetch(url, { headers: { accept: "application/json" } });
    if (!r.ok) throw new Error((await r.json()).error?.message || r.status);
    return r.json();
  }

  function clock() { document.getElementById("ops-clock").textContent = new Date().toLocaleString("zh-CN", { hour12: false }); }
  setInterval(clock, 1000); clock();

  function message(body, text, isError) { body.appendChild(el("div", "ops-msg" + (isError ? " error" : ""), text)); }

  function kpis(body, panel) {
    const box = el("div", "ops-kpis");
    for (const it of panel.data.items) {
      const k = el("div", "ops-kpi"); k.dataset.code = it.code;
      k.appendChild(el("div", "n", it.name || it.code));
      const v = el("div", "v", fmt(it.value)); v.dataset.value = it.code; k.appendChild(v);
      if (it.unit) v.appendChild(el("span", "u", " " + it.unit));
      k.appendChild(el("div", "t", it.value === null ? T.no_value : (it.target !== null ? T.target + " " + fmt(it.target) : "")));
      box.appendChild(k);
    }
    body.appendChild(box);
  }

  function platform(body, panel) {
    const d = panel.data, box = el("div", "ops-kpis");
    for (const key of ["catalog_entries", "aggregated_tables", "aggregated_on_time", "aggregation_rate", "quality_score"]) {
      const k = el("div", "ops-kpi"); k.appendChild(el("div", "n", T[key]));
      const v = el("div", "v", fmt(d[key])); v.dataset.platform = key; k.appendChild(v); box.appendChild(k);
    }
    body.appendChild(box);
  }

  function alerts(body, panel) {
    const ul = el("ul", "ops-alerts"); ul.id = "ops-alert-list";
    for (const a of panel.data.items) ul.appendChild(alertRow(a));
    if (!panel.data.items.length) ul.appendChild(el("li", "empty", T.no_alerts));
    body.appendChild(ul);
  }
  function alertRow(a) {
    const li = el("li"); li.dataset.alertId = a.id;
    li.appendChild(el("span", "lvl " + a.level, T["level_" + a.level] || a.level));
    li.appendChild(el("span", "", a.title));
    li.appendChild(el("span", "t", (a.at || "").slice(5, 16).replace("T", " ")));
    return li;
  }

  function chart(body) { const box = el("div", "ops-chart"); body.appendChild(box); const c = echarts.init(box, null, { renderer: "canvas" }); charts.push(c); return c; }
  const axis = { axisLine: { lineStyle: { color: "#35598f" } }, axisLabel: { color: "#9fb6e0" }, splitLine: { lineStyle: { color: "#132f5e" } } };

  function trend(body, panel) {
    const c = chart(body), pts = panel.data.points || [];
    c.setOption({ grid: { left: 44, right: 12, top: 16, bottom: 28 }, tooltip: { trigger: "axis" },
      xAxis: Object.assign({ type: "category", data: pts.map(p => p[0].slice(5, 10)) }, axis),
      yAxis: Object.assign({ type: "value" }, axis),
      series: [{ type: "line", smooth: true, showSymbol: false, data: pts.map(p => p[1]), areaStyle: { opacity: 0.15 }, lineStyle: { color: "#38bdf8" } }] });
  }

  function ranking(body, panel) {
    const c = chart(body), rows = (panel.data.regions || []).slice().sort((a, b) => (a.value ?? -1) - (b.value ?? -1));
    c.setOption({ grid: { left: 80, right: 20, top: 8, bottom: 20 }, tooltip: {},
      xAxis: Object.assign({ type: "value" }, axis), yAxis: Object.assign({ type: "category", data: rows.map(r => r.name) }, axis),
      series: [{ type: "bar", data: rows.map(r => r.value), itemStyle: { color: "#22d3ee" } }] });
  }

  async function drawMap(c, panel, code, level, title) {
    const key = "r" + code;
    if (!echarts.getMap(key)) echarts.registerMap(key, await getJSON(`/api/v1/regions/${code}/geojson?level=${level}`));
    let values = [];
    if (panel.data.code) {
      const v = code === panel.data.region_code ? panel.data : await getJSON(`/api/v1/ops/regions/${code}/values?indicator=${encodeURIComponent(panel.data.code)}`);
      values = (v.regions || []).map(r => ({ name: r.name, value: r.value }));
    }
    const nums = values.map(v => v.value).filter(v => v !== null);
    c.setOption({
      title: { text: title, left: 10, top: 6, textStyle: { color: "#7fd3ff", fontSize: 16 } },
      tooltip: { trigger: "item", formatter: p => `${p.name}<br>${isNaN(p.value) ? T.no_value : fmt(p.value)}` },
      visualMap: nums.length ? { min: Math.min(...nums), max: Math.max(...nums), left: 12, bottom: 12, calculable: true, textStyle: { color: "#9fb6e0" }, inRange: { color: ["#0e4a8a", "#22d3ee", "#fde047", "#f97316"] } } : undefined,
      series: [{ type: "map", map: key, roam: true, data: values, nameProperty: "name",
        label: { show: true, color: "#d6e4ff", fontSize: 12 }, itemStyle: { areaColor: "#0d3473", borderColor: "#4fa3ff" },
        emphasis: { itemStyle: { areaColor: "#1e6bd6" }, label: { color: "#fff" } } }],
    }, true);
  }

  function map(body, panel, head) {
    const c = chart(body);
    const d = panel.data, top = d.region_code, level = top.length === 4 ? "district" : "street";
    const back = el("button", "ops-back", T.back); back.style.display = "none"; head.appendChild(back);
    drawMap(c, panel, top, level, d.region_name).catch(e => message(body, String(e), true));
    c.on("click", async (p) => {
      const f = (echarts.getMap("r" + (mapState.stack.at(-1) || top)).geoJSON.features || []).find(x => x.properties.name === p.name);
      if (!f || mapState.stack.length || level !== "district") return;  // districts drill into streets
      mapState.stack.push(f.properties.code); back.style.display = "";
      await drawMap(c, panel, f.properties.code, "street", p.name);
    });
    back.onclick = async () => { mapState.stack.pop(); back.style.display = "none"; await drawMap(c, panel, top, level, d.region_name); };
  }

  const RENDER = { kpi: kpis, platform, alerts, trend, ranking, map };

  function renderPanels() {
    charts.splice(0).forEach(c => c.dispose()); grid.replaceChildren(); mapState.stack = [];
    document.getElementById("ops-title").textContent = payload.screen.title;
    document.getElementById("ops-region").textContent = payload.region.name;
    const tabs = document.getElementById("ops-tabs"); tabs.replaceChildren();
    for (const s of payload.carousel) { const a = el("a", s.code === current ? "on" : "", s.title); a.href = `/ops/screen/${s.code}?hold=1`; tabs.appendChild(a); }
    for (const p of payload.panels) {
      const box = el("section", "ops-panel"); box.dataset.kind = p.kind; box.dataset.state = p.state; box.dataset.panel = p.title;
      box.style.gridColumn = `${p.x + 1} / span ${p.w}`; box.style.gridRow = `${p.y + 1} / span ${p.h}`;
      const head = el("h2", "", p.title); const body = el("div", "ops-body"); box.append(head, body); grid.appendChild(box);
      if (p.state !== "ok") { message(body, p.error || T.panel_error, p.state === "error"); continue; }
      try { RENDER[p.kind](body, p, head); } catch (e) { message(body, T.panel_error + ": " + e, true); }
    }
  }

  async function load(code) {
    payload = await getJSON(`/api/v1/ops/screens/${code}/payload`);
    current = code; renderPanels();
    if (payload.alert_cursor > lastAlert && !source) lastAlert = payload.alert_cursor;
    history.replaceState(null, "", `/ops/screen/${code}${boot.hold ? "?hold=1" : ""}`);
    connect();
    if (!boot.hold && payload.carousel.length > 1) {
      clearTimeout(carousel);
      const i = payload.carousel.findIndex(s => s.code === code);
      const next = payload.carousel[(i + 1) % payload.carousel.length];
      carousel = setTimeout(() => load(next.code).catch(showLoadError), payload.screen.dwell_s * 1000);
    }
  }
  function showLoadError(e) { grid.replaceChildren(); message(grid, String(e), true); }

  function toast(a) {
    const t = document.getElementById("ops-toast");
    t.textContent = `${T.new_alert} · ${T["level_" + a.level] || a.level} · ${a.title}`; t.style.display = "block";
    clearTimeout(t._h); t._h = setTimeout(() => { t.style.display = "none"; }, 8000);
  }

  function onEvent(ev) {
    const data = JSON.parse(ev.data);
    if (ev.lastEventId) position = ev.lastEventId;  // the stream's position, for a new stream
    if (data.type === "gap") load(current).catch(showLoadError);  // too many missed: reload the list
    if (data.type === "alert") {
      lastAlert = Math.max(lastAlert, data.id);
      const ul = document.getElementById("ops-alert-list");
      if (ul && !ul.querySelector(`[data-alert-id="${data.id}"]`)) { ul.querySelector(".empty")?.remove(); ul.prepend(alertRow(data)); }
      toast(data);
    } else if (data.type === "values") {
      for (const [code, v] of Object.entries(data.values || {})) document.querySelectorAll(`[data-value="${code}"]`).forEach(n => { n.firstChild.textContent = fmt(v); });
      for (const [k, v] of Object.entries(data.platform || {})) document.querySelectorAll(`[data-platform="${k}"]`).forEach(n => { n.textContent = fmt(v); });
    }
  }

  function connect() {
    if (source && source.readyState !== EventSource.CLOSED && source._screen === current) return;
    if (source) source.close();
    const live = document.getElementById("ops-live");
    // the browser's own reconnects send Last-Event-ID; a new stream (another screen, or after the
    // stream was closed) resumes from the same position, so no alert is lost or shown twice
    const from = position ? `resume=${encodeURIComponent(position)}` : `after=${lastAlert}`;
    source = new EventSource(`/api/v1/ops/stream?screen=${current}&${from}`); source._screen = current;
    source.onopen = () => { live.textContent = T.live; live.className = ""; };
    source.onmessage = onEvent;
    source.onerror = () => {  // the browser retries by itself (retry:, Last-Event-ID); a closed stream we reopen
      live.textContent = T.reconnecting; live.className = "down";
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, 3000);
    };
  }

  window.addEventListener("resize", () => charts.forEach(c => c.resize()));
  window.opsScreen = { load, get payload() { return payload; } };
  load(current).catch(showLoadError);
})();
