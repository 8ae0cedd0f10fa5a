/* kg explorer: search, filters, neighbour highlight and cluster overview over a vis-network graph.
   Every string from the documents is put into the page with textContent, never as HTML. */
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("kg-data").textContent);
  var FADED = "#e4e4e4";
  var state = { hiddenTypes: {}, cluster: "", colorMode: "type", mode: "graph", highlight: null };

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null && text !== "") { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }
  function safeLink(url, text) {
    if (typeof url === "string" && /^https?:\/\//i.test(url)) {
      var a = el("a", text);
      a.href = url;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      return a;
    }
    return el("span", text);
  }
  function fmt(x) {
    if (x === null || x === undefined) { return "–"; }
    if (typeof x === "number" && !Number.isInteger(x)) { return x.toPrecision(3); }
    return String(x);
  }
  function typeColor(t) {
    for (var i = 0; i < DATA.types.length; i++) { if (DATA.types[i].type === t) { return DATA.types[i].color; } }
    return "#999";
  }

  /* ---------------------------------------------------------------- node descriptions */
  function describe(info, full) {
    var box = el("div", null, "tip");
    var kind = el("span", info.type, "kind");
    kind.style.background = typeColor(info.type);
    box.appendChild(kind);
    box.appendChild(el("h3", info.label));
    var dl = el("dl");
    function row(k, v) { if (v !== "" && v !== undefined && v !== null) { dl.appendChild(el("dt", k)); var d = el("dd"); if (v instanceof Node) { d.appendChild(v); } else { d.textContent = String(v); } dl.appendChild(d); } }
    if (info.alt && info.alt.length) { row("Other names", info.alt.join(" · ")); }
    if (info.type === "Article") {
      row("Date", info.date);
      row("Document", info.id);
      if (info.url) { row("Source", safeLink(info.url, info.url)); }
      if (info.loaded === false) { row("Loaded", "no (known from a Closest link)"); }
    } else if (info.articles !== undefined) {
      row("Articles", info.articles);
    }
    if (info.clusters && info.clusters.length) { row("Cluster", info.clusters.join("  ›  ")); }
    var m = info.metrics || {};
    row("PageRank", fmt(m.pagerank));
    row("Degree", fmt(m.degree));
    row("Betweenness", fmt(m.betweenness));
    row("Eigenvector", fmt(m.eigenvector));
    box.appendChild(dl);
    var sources = info.sources || [];
    var limit = full ? sources.length : Math.min(sources.length, 4);
    for (var i = 0; i < limit; i++) {
      var s = sources[i];
      var div = el("div", null, "src");
      div.appendChild(safeLink(s.url, s.title));
      div.appendChild(el("div", [s.date || "no date", s.relevancy !== "" ? "relevancy " + s.relevancy : ""].filter(Boolean).join(" · "), "meta"));
      if (s.description) { div.appendChild(el("div", s.description)); }
      box.appendChild(div);
    }
    var more = (sources.length - limit) + (info.more_sources || 0);
    if (more > 0) { box.appendChild(el("div", "… and " + more + " more article" + (more > 1 ? "s" : "") + (full ? "" : " (click the node)"), "meta")); }
    return box;
  }

  /* ---------------------------------------------------------------- network */
  var graphNodes = DATA.nodes.map(function (n) {
    var copy = Object.assign({}, n);
    copy.title = describe(DATA.info[n.id], false);
    copy.baseColor = n.color;
    return copy;
  });
  var graphEdges = DATA.edges.map(function (e, i) { return Object.assign({ id: "e" + i }, e); });
  var overviewNodes = DATA.overview.nodes.map(function (n) {
    var c = Object.assign({}, n);
    var tip = el("div", null, "tip");
    tip.appendChild(el("h3", n.label));
    tip.appendChild(el("div", n.value + " members · " + n.cid + " · click to open", "meta"));
    c.title = tip;
    return c;
  });
  var overviewEdges = DATA.overview.edges.map(function (e, i) { return Object.assign({ id: "o" + i, title: e.kgType }, e); });
  var nodes = new vis.DataSet(graphNodes);
  var edges = new vis.DataSet(graphEdges);
  var container = document.getElementById("graph");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, DATA.options);
  var clusterMembers = {};
  graphNodes.forEach(function (n) { if (n.kgCluster) { (clusterMembers[n.kgCluster] = clusterMembers[n.kgCluster] || {})[n.id] = true; } });

  function baseColor(n) {
    if (state.colorMode === "cluster") { return n.kgType === "Article" ? "#bbbbbb" : (n.kgClusterColor || "#cccccc"); }
    return n.baseColor;
  }
  function clusterShows(n) {
    if (!state.cluster) { return true; }
    var members = clusterMembers[state.cluster] || {};
    if (members[n.id]) { return true; }
    if (n.kgType !== "Article") { return false; }
    return network.getConnectedNodes(n.id).some(function (m) { return members[m]; });
  }
  function refresh() {
    if (state.mode !== "graph") { return; }
    var keep = null;
    if (state.highlight !== null) {
      keep = {};
      keep[state.highlight] = true;
      network.getConnectedNodes(state.highlight).forEach(function (m) { keep[m] = true; });
    }
    nodes.update(graphNodes.map(function (n) {
      var faded = keep !== null && !keep[n.id];
      return { id: n.id, hidden: !!state.hiddenTypes[n.kgType] || !clusterShows(n),
               color: faded ? FADED : baseColor(n), font: { color: faded ? "rgba(0,0,0,0)" : "#222222",
               strokeColor: faded ? "rgba(0,0,0,0)" : "#ffffff" } };
    }));
    updateNotice();
  }
  function visibleCount() { return nodes.get({ filter: function (n) { return !n.hidden; } }).length; }

  /* ---------------------------------------------------------------- details and highlight */
  var details = document.getElementById("details");
  function showDetails(id) {
    details.textContent = "";
    var info = DATA.info[id];
    if (info) { details.appendChild(describe(info, true)); }
  }
  function highlight(id) {
    state.highlight = id;
    refresh();
    if (id !== null) { showDetails(id); }
  }
  network.on("click", function (params) {
    if (state.mode === "overview") {
      if (params.nodes.length) { openCluster(params.nodes[0]); }
      return;
    }
    highlight(params.nodes.length ? params.nodes[0] : null);
  });

  /* ---------------------------------------------------------------- search */
  var datalist = document.getElementById("kg-names");
  var seenNames = {};
  DATA.names.forEach(function (pair) {
    var label = DATA.info[pair[1]].label;
    if (!seenNames[label]) { seenNames[label] = true; var o = document.createElement("option"); o.value = label; datalist.appendChild(o); }
  });
  function findNode(query) {
    var q = String(query || "").trim().replace(/\s+/g, " ").toLowerCase();
    if (!q) { return null; }
    var best = null, bestRank = 9, bestPr = -1;
    DATA.names.forEach(function (pair) {
      var name = pair[0], rank = name === q ? 0 : (name.indexOf(q) === 0 ? 1 : (name.indexOf(q) >= 0 ? 2 : 9));
      if (rank === 9) { return; }
      var pr = (DATA.info[pair[1]].metrics || {}).pagerank || 0;
      if (rank < bestRank || (rank === bestRank && pr > bestPr)) { best = pair[1]; bestRank = rank; bestPr = pr; }
    });
    return best;
  }
  var msg = document.getElementById("search-msg");
  function search(query) {
    var id = findNode(query);
    if (id === null) {
      msg.textContent = "Not in this view: try kg html --focus \"" + String(query) + "\"";
      return null;
    }
    msg.textContent = "";
    if (state.mode !== "graph") { setMode("graph"); }
    var n = nodes.get(id);
    if (state.hiddenTypes[n.kgType]) { setTypeVisible(n.kgType, true); }
    if (!clusterShows(n)) { setCluster(""); }
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 0.9), animation: false });
    highlight(id);
    window.kg.focused = id;
    return id;
  }
  document.getElementById("search-go").addEventListener("click", function () { search(document.getElementById("search").value); });
  document.getElementById("search").addEventListener("keydown", function (ev) { if (ev.key === "Enter") { search(ev.target.value); } });

  /* ---------------------------------------------------------------- filters and legend */
  var typeBox = document.getElementById("type-filters");
  DATA.types.forEach(function (t) {
    var label = el("label");
    var cb = el("input");
    cb.type = "checkbox";
    cb.checked = true;
    cb.dataset.type = t.type;
    cb.addEventListener("change", function () { setTypeVisible(t.type, cb.checked); });
    var sw = el("span", null, "swatch" + (t.type === "Article" ? " square" : ""));
    sw.style.background = t.color;
    label.appendChild(cb);
    label.appendChild(sw);
    label.appendChild(el("span", t.type));
    label.appendChild(el("span", t.count, "count"));
    typeBox.appendChild(label);
  });
  function setTypeVisible(type, visible) {
    if (visible) { delete state.hiddenTypes[type]; } else { state.hiddenTypes[type] = true; }
    var cb = typeBox.querySelector("input[data-type='" + type + "']");
    if (cb) { cb.checked = visible; }
    refresh();
  }
  var clusterSelect = document.getElementById("cluster-filter");
  var clusterLegend = document.getElementById("cluster-legend");
  DATA.clusters.forEach(function (c) {
    var o = document.createElement("option");
    o.value = c.id;
    o.textContent = c.cid + ": " + c.label + " (" + c.size + ")";
    clusterSelect.appendChild(o);
    var row = el("label");
    var sw = el("span", null, "swatch");
    sw.style.background = c.color;
    row.appendChild(sw);
    row.appendChild(el("span", c.label));
    row.addEventListener("click", function () { setCluster(c.id); });
    clusterLegend.appendChild(row);
  });
  function setCluster(id) {
    state.cluster = id;
    clusterSelect.value = id;
    refresh();
  }
  clusterSelect.addEventListener("change", function () { setCluster(clusterSelect.value); });
  document.getElementById("color-mode").addEventListener("change", function (ev) {
    state.colorMode = ev.target.value;
    document.getElementById("cluster-legend-title").hidden = state.colorMode !== "cluster";
    clusterLegend.style.display = state.colorMode === "cluster" ? "" : "none";
    refresh();
  });
  clusterLegend.style.display = "none";

  /* ---------------------------------------------------------------- cluster overview */
  var toggle = document.getElementById("view-toggle");
  if (!overviewNodes.length) { toggle.disabled = true; toggle.title = "This graph has no clusters"; }
  function setMode(mode) {
    state.mode = mode;
    if (mode === "overview") {
      network.setData({ nodes: new vis.DataSet(overviewNodes), edges: new vis.DataSet(overviewEdges) });
      toggle.textContent = "Back to the graph";
    } else {
      network.setData({ nodes: nodes, edges: edges });
      toggle.textContent = "Cluster overview";
      refresh();
    }
    network.fit({ animation: false });
    updateNotice();
  }
  function openCluster(id) { setMode("graph"); setCluster(id); network.fit({ animation: false }); }
  toggle.addEventListener("click", function () { setMode(state.mode === "graph" ? "overview" : "graph"); });
  document.getElementById("reset").addEventListener("click", function () {
    state.hiddenTypes = {};
    typeBox.querySelectorAll("input").forEach(function (cb) { cb.checked = true; });
    state.highlight = null;
    setCluster("");
    if (state.mode !== "graph") { setMode("graph"); }
    network.unselectAll();
    network.fit({ animation: false });
  });

  /* ---------------------------------------------------------------- notice */
  var notice = document.getElementById("notice");
  function updateNotice() {
    notice.textContent = "";
    if (state.mode === "overview") {
      notice.appendChild(document.createTextNode("Cluster overview: " + overviewNodes.length + " clusters (level 0), sized by members, linked by shared articles. Click a cluster to open it."));
      return;
    }
    var text = "Showing " + visibleCount() + " of " + DATA.total + " nodes: " + DATA.how + ".";
    notice.appendChild(document.createTextNode(text + " "));
    if (DATA.shown < DATA.total) {
      notice.appendChild(document.createTextNode((DATA.total - DATA.shown) + " nodes are not in this page; to see them write another view: "));
      ["kg html --top 2000", "kg html --cluster l0-1", "kg html --focus \"NAME\" --depth 2", "kg html --type Technology"].forEach(function (c, i) {
        if (i) { notice.appendChild(document.createTextNode(", ")); }
        notice.appendChild(el("code", c));
      });
      notice.appendChild(document.createTextNode("."));
    }
  }

  window.kg = {
    network: network, nodes: nodes, edges: edges, search: search, findNode: findNode, visibleCount: visibleCount,
    setTypeVisible: setTypeVisible, setCluster: setCluster, setMode: setMode, highlight: highlight,
    showDetails: showDetails, focused: null, ready: false
  };
  updateNotice();
  network.once("afterDrawing", function () { window.kg.ready = true; document.body.setAttribute("data-ready", "1"); });
}());
