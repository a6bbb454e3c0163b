"use strict";
(function () {
  const boot = JSON.parse(document.getElementById("ops-boot").textContent);
  const cfg = boot.config, T = boot.text;
  const map = L.map("ops-map", { preferCanvas: true, zoomControl: true, maxZoom: cfg.max_zoom, attributionControl: true }).setView(cfg.center, cfg.zoom);
  map.attributionControl.setPrefix("Leaflet");
  for (const tl of cfg.tiles) L.tileLayer(tl.url, { subdomains: tl.subdomains, maxZoom: tl.max_zoom, attribution: cfg.attribution }).addTo(map);
  if (cfg.approval_no) {
    const note = L.control({ position: "bottomleft" });
    note.onAdd = () => { const d = L.DomUtil.create("div", "ops-approval"); d.id = "ops-approval"; d.textContent = T.approval_no + " " + cfg.approval_no; return d; };
    note.addTo(map);
  }
  const colors = { districts: "#b0306a", streets: "#2563eb", grids: "#64748b" };
  const state = {}, stats = document.getElementById("ops-stats"), detail = document.getElementById("ops-detail");
  const esc = (s) => String(s).replace(/[&<>"']/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));

  async function getJSON(url) {
    const r = await fetch(url, { headers: { accept: "application/json" } });
    const body = await r.json();
    if (!r.ok) throw new Error(body.error?.message || r.status);
    return body;
  }

  async function showPolygons(layer) {
    if (!state[layer.code].group) {
      const gj = await getJSON(layer.url);
      state[layer.code].group = L.geoJSON(gj, {
        style: { color: colors[layer.code] || "#475569", weight: layer.code === "districts" ? 2 : 1, fillOpacity: layer.code === "districts" ? 0.04 : 0 },
        onEachFeature: (f, l) => l.bindTooltip(f.properties.name, { sticky: true }),
      });
    }
    state[layer.code].group.addTo(map);
  }

  async function refreshPoints(layer) {
    const s = state[layer.code];
    if (!s.on) return;
    const b = map.getBounds().pad(0.15), z = map.getZoom();
    const bbox = [Math.max(-180, b.getWest()), Math.max(-90, b.getSouth()), Math.min(180, b.getEast()), Math.min(90, b.getNorth())].map(v => v.toFixed(5)).join(",");
    const seq = (s.seq = (s.seq || 0) + 1);
    const data = await getJSON(`${layer.url}?zoom=${z}&bbox=${bbox}`);
    if (seq !== s.seq || !s.on) return;  // a newer view superseded this answer
    const group = L.layerGroup(), c = data.clusters;
    for (let i = 0; i < c.count.length; i++) {
      const ll = [c.lat[i], c.lon[i]];
      if (c.count[i] === 1) {
        const m = L.marker(ll, { icon: L.divIcon({ className: "ops-pt", iconSize: [12, 12], html: "" }), title: c.label[i] || c.id[i] });
        m.on("click", () => openDetail(layer, c.id[i], ll));
        m.on("add", () => { const e = m.getElement(); if (e) { e.dataset.id = c.id[i]; e.dataset.layer = layer.code; } });
        group.addLayer(m);
      } else {
        const size = Math.round(22 + 8 * Math.log10(c.count[i]));
        const m = L.marker(ll, { icon: L.divIcon({ className: "ops-cluster", iconSize: [size, size], html: c.count[i] >= 10000 ? Math.round(c.count[i] / 1000) + "k" : String(c.count[i]) }) });
        m.on("click", () => map.setView(ll, Math.min(map.getZoom() + 2, cfg.max_zoom)));
        group.addLayer(m);
      }
    }
    if (s.group) s.group.remove();
    s.group = group.addTo(map);
    s.total = data.total; s.inView = data.in_view;
    updateStats();
  }

  function updateStats() {
    const parts = Object.values(state).filter(s => s.on && s.layer.kind === "point").map(s => `${s.layer.name}: ${(s.inView ?? 0).toLocaleString()} / ${(s.total ?? 0).toLocaleString()}`);
    stats.textContent = parts.length ? `${T.points_in_view} ${parts.join("；")}` : "";
    stats.dataset.total = Object.values(state).filter(s => s.on && s.layer.kind === "point").reduce((n, s) => n + (s.total || 0), 0);
  }

  async function openDetail(layer, id, ll) {
    const d = await getJSON(`/api/v1/ops/map/layers/${encodeURIComponent(layer.code)}/points/${encodeURIComponent(id)}`);
    const link = d.href ? `<a class="ops-detail-link" href="${esc(d.href)}">${esc(T.open_object)}</a>` : "";
    const html = `<div class="card" data-point="${esc(d.id)}"><h2>${esc(d.label)}</h2><div>${esc(d.layer_name)} · ${esc(d.id)}</div><div class="todo">${d.lon.toFixed(5)}, ${d.lat.toFixed(5)}</div>${link}</div>`;
    detail.innerHTML = html;
    L.popup().setLatLng(ll).setContent(html).openOn(map);
  }

  async function toggle(layer, on) {
    const s = state[layer.code]; s.on = on;
    try {
      if (layer.kind === "point") { if (on) await refreshPoints(layer); else if (s.group) { s.group.remove(); s.group = null; } updateStats(); }
      else if (on) await showPolygons(layer); else if (s.group) s.group.remove();
    } catch (e) { stats.textContent = String(e); }
  }

  async function init() {
    const layers = await getJSON("/api/v1/ops/map/layers");
    const box = document.getElementById("ops-layers");
    for (const layer of layers) {
      state[layer.code] = { layer, on: false };
      const lab = document.createElement("label"), cb = document.createElement("input");
      cb.type = "checkbox"; cb.dataset.layer = layer.code;
      cb.checked = layer.kind === "point" || layer.code === "districts";
      cb.onchange = () => toggle(layer, cb.checked);
      lab.append(cb, document.createTextNode(layer.name)); box.appendChild(lab);
      if (cb.checked) await toggle(layer, true);
    }
    let timer = null;
    map.on("moveend", () => { clearTimeout(timer); timer = setTimeout(() => { for (const s of Object.values(state)) if (s.on && s.layer.kind === "point") refreshPoints(s.layer).catch(e => { stats.textContent = String(e); }); }, 120); });
    document.getElementById("ops-map").dataset.ready = "1";
  }
  window.opsMap = map;
  init().catch(e => { stats.textContent = String(e); });
})();
