// Draws a lineage graph (source → job → table → view → derived table) from /api/v1/lineage into #lineage.
(function () {
  const el = document.getElementById("lineage");
  if (!el || !window.echarts) return;
  const colours = { source: "#2563eb", job: "#9ca3af", table: "#b0306a", view: "#15803d" };
  const columns = { source: 0, job: 1, table: 2, view: 3 };
  fetch(el.dataset.url, { headers: { Accept: "application/json" } })
    .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
    .then((g) => {
      if (!g.nodes.length || g.nodes.length === 1 && !g.edges.length) {
        el.textContent = el.dataset.empty || "—";
        return;
      }
      const rows = {};
      const key = (n) => n.kind + ":" + n.ref;
      // a table fed by a view (a derived table) sits right of the view
      const derived = new Set(g.edges.filter(([a, b]) => a.kind === "view" && b.kind === "table")
                                     .map(([, b]) => key(b)));
      const nodes = g.nodes.map((n) => {
        const col = derived.has(key(n)) ? 4 : columns[n.kind] ?? 2;
        rows[col] = (rows[col] || 0) + 1;
        return {
          id: key(n), name: n.kind === "job" ? "job " + n.ref.slice(0, 8) : n.ref,
          x: col * 260, y: rows[col] * 60, symbolSize: 18,
          itemStyle: { color: colours[n.kind] || "#6b7280" }, label: { show: true },
        };
      });
      const links = g.edges.map(([a, b]) => ({ source: key(a), target: key(b) }));
      echarts.init(el).setOption({
        tooltip: {},
        series: [{ type: "graph", layout: "none", roam: true, data: nodes, links,
                   edgeSymbol: ["none", "arrow"], label: { position: "bottom", fontSize: 11 } }],
      });
    })
    .catch(() => { el.textContent = "lineage unavailable"; });
})();
