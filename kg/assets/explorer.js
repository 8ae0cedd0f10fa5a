/* kg explorer: a concept map over vis-network, an index of every node, panels that say what the articles
   say, a shareable view in the URL hash. Every string from the documents is put into the page with
   textContent, never as HTML. No request leaves the page. */
(function () {
  "use strict";
  var RAW = JSON.parse(document.getElementById("kg-data").textContent);
  var FADED = "#e4e4e4";
  var FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
  var LABEL_PX = 12;
  var SHOWN_ARTICLES = 60;
  var state = { hiddenTypes: {}, cluster: "", colorMode: "type", mode: "graph", highlight: null, open: null,
                sort: "date", from: "", to: "" };

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
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }
  function fold(s) {
    return String(s || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, "");
  }

  function inflate(b64) {
    var bin = atob(b64), bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { bytes[i] = bin.charCodeAt(i); }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text().then(JSON.parse);
  }
  (RAW.gzip ? inflate(RAW.gzip) : Promise.resolve(RAW.data)).then(start, function (err) {
    document.getElementById("notice").textContent = "This page could not read its data: " + err;
  });

  function start(DATA) {
    var IX = DATA.index, P = DATA.panel, N = IX.iri.length;
    var TYPES = P.types, KINDS = P.kinds;
    var COLORS = DATA.colors;
    var byIri = {};
    for (var i = 0; i < N; i++) { byIri[IX.iri[i]] = i; }
    function typeOf(i) { return TYPES[IX.type[i]]; }

    /* ------------------------------------------------------------ what links to what */
    var articlesOf = [], nodesOf = [], rowsOf = [], rowsOfArticle = [];
    for (i = 0; i < N; i++) { articlesOf.push([]); nodesOf.push([]); rowsOf.push([]); rowsOfArticle.push([]); }
    for (i = 0; i < P.links.length; i += 3) {
      var a = P.links[i], b = P.links[i + 1], k = P.links[i + 2];
      nodesOf[a].push([b, k]);
      if (typeOf(a) === "Article") { articlesOf[b].push(a); }
    }
    P.rows.forEach(function (r) { rowsOf[r[1]].push(r); rowsOfArticle[r[0]].push(r); });
    var keys = [];
    for (i = 0; i < N; i++) {
      var names = [IX.label[i]].concat(IX.alt[i]);
      var art = P.articles[i];
      if (art && art[3]) { names.push(art[3]); }
      keys.push(names.map(function (n) { return [fold(n), String(n).toLowerCase()]; }));
    }

    /* ------------------------------------------------------------ time */
    var months = {}, volume = {};
    Object.keys(P.articles).forEach(function (a) {
      var d = P.articles[a][0];
      if (d) { var m = d.slice(0, 7); months[m] = true; volume[m] = (volume[m] || 0) + 1; }
    });
    var MONTHS = Object.keys(months).sort();
    function monthOf(a) { var f = P.articles[a]; return f && f[0] ? f[0].slice(0, 7) : ""; }
    function inRange(a) {
      if (!state.from && !state.to) { return true; }
      var m = monthOf(a);
      return !!m && (!state.from || m >= state.from) && (!state.to || m <= state.to);
    }
    function articlesInRange(ix) { return articlesOf[ix].filter(inRange).length; }
    var TREND_COLORS = { Rising: "#2ca02c", Fading: "#d62728", New: "#9467bd", Steady: "#7f7f7f" };
    var meanDate = {};
    function averageMonth(ix) {
      if (meanDate[ix] !== undefined) { return meanDate[ix]; }
      var sum = 0, k = 0;
      articlesOf[ix].forEach(function (a) { var m = monthOf(a); if (m) { sum += MONTHS.indexOf(m); k++; } });
      meanDate[ix] = k ? sum / k : -1;
      return meanDate[ix];
    }
    function dateColor(ix) {
      var v = averageMonth(ix);
      if (v < 0 || MONTHS.length < 2) { return "#cccccc"; }
      var t = v / (MONTHS.length - 1), r = Math.round(40 + 200 * t), b = Math.round(220 - 180 * t);
      return "rgb(" + r + ",90," + b + ")";
    }
    function sparkline(ix) {
      var NS = "http://www.w3.org/2000/svg", w = 300, h = 40;
      var svg = document.createElementNS(NS, "svg");
      svg.setAttribute("width", w); svg.setAttribute("height", h); svg.setAttribute("class", "spark");
      svg.setAttribute("role", "img");
      if (!MONTHS.length) { return svg; }
      var per = {};
      articlesOf[ix].forEach(function (a) { var m = monthOf(a); if (m) { per[m] = (per[m] || 0) + 1; } });
      var shares = MONTHS.map(function (m) { return (per[m] || 0) / volume[m]; });
      var top = Math.max.apply(null, shares.concat([1e-9])), step = w / Math.max(1, MONTHS.length - 1);
      var pts = shares.map(function (v, i) { return (i * step).toFixed(1) + "," + (h - 2 - (h - 4) * v / top).toFixed(1); });
      (IX.bursts[ix] || []).forEach(function (b) {
        var i0 = MONTHS.indexOf(b[0].slice(0, 7)), i1 = MONTHS.indexOf(b[1].slice(0, 7));
        if (i0 < 0 || i1 < 0) { return; }
        var r = document.createElementNS(NS, "rect");
        r.setAttribute("x", (i0 * step).toFixed(1)); r.setAttribute("y", 0);
        r.setAttribute("width", Math.max(2, (i1 - i0) * step).toFixed(1)); r.setAttribute("height", h);
        r.setAttribute("fill", "#f28e2b"); r.setAttribute("opacity", "0.25");
        svg.appendChild(r);
      });
      var line = document.createElementNS(NS, "polyline");
      line.setAttribute("points", pts.join(" ")); line.setAttribute("fill", "none");
      line.setAttribute("stroke", "#1f77b4"); line.setAttribute("stroke-width", "1.5");
      svg.appendChild(line);
      svg.setAttribute("aria-label", "Share of each month's articles, " + MONTHS[0] + " to " + MONTHS[MONTHS.length - 1]);
      return svg;
    }

    /* ------------------------------------------------------------ network */
    var drawnAs = {};  // index -> id of the drawn node that stands for it
    var graphNodes = DATA.nodes.map(function (n) {
      var copy = Object.assign({}, n);
      copy.kgLabel = n.label;
      delete copy.label;  // labels are drawn by drawLabels, only where they do not collide
      copy.baseColor = n.color;
      copy.ix = n.id;
      copy.title = tooltip(n.id, n.kgTypes);
      (n.members || [n.id]).forEach(function (m) { drawnAs[m] = n.id; });
      return copy;
    });
    var graphEdges = DATA.edges.map(function (e, j) { return Object.assign({ id: "e" + j }, e); });
    var overviewNodes = DATA.overview.nodes.map(function (n) {
      var c = Object.assign({}, n);
      var tip = el("div", null, "tip");
      tip.appendChild(el("h3", n.label));
      tip.appendChild(el("div", n.value + " members · " + n.cid + " · click to open", "meta"));
      c.title = tip;
      return c;
    });
    var overviewEdges = DATA.overview.edges.map(function (e, j) { return Object.assign({ id: "o" + j, title: e.kgType }, e); });
    var nodes = new vis.DataSet(graphNodes);
    var edges = new vis.DataSet(graphEdges);
    var container = document.getElementById("graph");
    var network = new vis.Network(container, { nodes: nodes, edges: edges }, DATA.options);
    var byId = {};
    graphNodes.forEach(function (n) { byId[n.id] = n; });
    var clusterMembers = {};
    function indexCluster(n) { if (n.kgCluster) { (clusterMembers[n.kgCluster] = clusterMembers[n.kgCluster] || {})[n.id] = true; } }
    graphNodes.forEach(indexCluster);

    function tooltip(ix, types) {
      var box = el("div", null, "tip");
      (types || [typeOf(ix)]).forEach(function (t) {
        var chip = el("span", t, "kind");
        chip.style.background = COLORS[t] || "#999";
        box.appendChild(chip);
        box.appendChild(document.createTextNode(" "));
      });
      box.appendChild(el("h3", IX.label[ix]));
      if (typeOf(ix) !== "Article") { box.appendChild(el("div", plural(IX.articles[ix], "article") + " · click for what they say", "meta")); }
      return box;
    }
    function baseColor(n) {
      if (state.colorMode === "cluster") { return n.kgType === "Article" ? "#bbbbbb" : (n.kgClusterColor || "#cccccc"); }
      if (state.colorMode === "trend") { return TREND_COLORS[IX.trend[n.ix]] || "#dddddd"; }
      if (state.colorMode === "date") { return dateColor(n.ix); }
      return n.baseColor;
    }
    function timeShows(n) {
      if (!state.from && !state.to) { return true; }
      if (n.kgType === "Article") { return inRange(n.ix); }
      return (n.members || [n.ix]).some(function (m) { return articlesInRange(m) > 0; });
    }
    function typeShows(n) {
      var types = n.kgTypes || [n.kgType];
      return types.some(function (t) { return !state.hiddenTypes[t]; });
    }
    function clusterShows(n) {
      if (!state.cluster) { return true; }
      var members = clusterMembers[state.cluster] || {};
      if (members[n.id]) { return true; }
      if (n.kgType !== "Article") { return false; }
      return network.getConnectedNodes(n.id).some(function (m) { return members[m]; });
    }
    function shows(n) { return typeShows(n) && clusterShows(n) && timeShows(n); }
    function highlighted() {  // the highlighted node and its neighbours, or null when none is
      if (state.highlight === null) { return null; }
      var keep = {};
      keep[state.highlight] = true;
      network.getConnectedNodes(state.highlight).forEach(function (m) { keep[m] = true; });
      return keep;
    }
    function refresh(refit) {
      if (state.mode !== "graph") { return; }
      var keep = highlighted();
      nodes.update(graphNodes.map(function (n) {
        var faded = keep !== null && !keep[n.id];
        return { id: n.id, hidden: !shows(n), color: faded ? FADED : baseColor(n) };
      }));
      if (refit) { fit(); }
      updateNotice();
      writeHash();
    }
    function visibleIds() { return nodes.getIds({ filter: function (n) { return !n.hidden; } }); }
    function visibleCount() { return visibleIds().length; }
    function fit() {
      var ids = visibleIds();
      network.fit({ nodes: ids.length ? ids : undefined, animation: false });
    }

    /* ------------------------------------------------------------ clusters as colour regions */
    network.on("beforeDrawing", function (ctx) {
      if (state.mode !== "graph" || state.colorMode !== "cluster") { return; }
      ctx.save();
      ctx.globalAlpha = 0.1;
      graphNodes.forEach(function (n) {
        var b = network.body.nodes[n.id];
        if (!n.kgCluster || !b || b.options.hidden) { return; }
        ctx.fillStyle = n.kgClusterColor;
        ctx.beginPath();
        ctx.arc(b.x, b.y, (b.options.size || 8) + 30, 0, 2 * Math.PI);
        ctx.fill();
      });
      ctx.restore();
    });

    /* ------------------------------------------------------------ labels that do not collide */
    var drawnLabels = [];
    var order = graphNodes.slice().sort(function (x, y) { return (y.size || 0) - (x.size || 0) || (x.ix - y.ix); });
    network.on("afterDrawing", function (ctx) {
      drawnLabels = [];
      if (state.mode !== "graph") { return; }
      var scale = network.getScale(), fs = LABEL_PX / scale, pad = 2 / scale;
      var w0 = network.DOMtoCanvas({ x: 0, y: 0 }), w1 = network.DOMtoCanvas({ x: container.clientWidth, y: container.clientHeight });
      ctx.font = fs + "px " + FONT;
      ctx.textAlign = "left";
      ctx.textBaseline = "top";
      ctx.lineJoin = "round";
      var boxes = [];
      var keep = highlighted();
      var list = keep ? order.filter(function (n) { return keep[n.id]; }).concat(order.filter(function (n) { return !keep[n.id]; })) : order;
      for (var j = 0; j < list.length; j++) {
        var n = list[j], body = network.body.nodes[n.id];
        if (!body || body.options.hidden || (keep && !keep[n.id])) { continue; }
        var text = n.kgLabel || "";
        var w = ctx.measureText(text).width, h = fs * 1.25;
        var x = body.x - w / 2, y = body.y + (body.options.size || 8) + pad;
        if (x + w < w0.x || x > w1.x || y + h < w0.y || y > w1.y) { continue; }
        var clash = false;
        for (var q = 0; q < boxes.length; q++) {
          var bx = boxes[q];
          if (x < bx[0] + bx[2] + pad && x + w + pad > bx[0] && y < bx[1] + bx[3] && y + h > bx[1]) { clash = true; break; }
        }
        if (clash) { continue; }
        boxes.push([x, y, w, h]);
        ctx.lineWidth = 3 / scale;
        ctx.strokeStyle = "#ffffff";
        ctx.strokeText(text, x, y);
        ctx.fillStyle = "#222222";
        ctx.fillText(text, x, y);
        var p0 = network.canvasToDOM({ x: x, y: y }), p1 = network.canvasToDOM({ x: x + w, y: y + h });
        drawnLabels.push({ id: n.id, text: text, x: p0.x, y: p0.y, w: p1.x - p0.x, h: p1.y - p0.y });
      }
    });

    /* ------------------------------------------------------------ the panel */
    var details = document.getElementById("details");
    function chip(t) { var c = el("span", t, "kind"); c.style.background = COLORS[t] || "#999"; return c; }
    function nodeButton(ix, text) {
      var b = el("button", text || IX.label[ix], "linkish");
      b.type = "button";
      b.title = typeOf(ix) + ": open its panel";
      b.addEventListener("click", function () { choose(ix); });
      return b;
    }
    function dl() {
      var box = el("dl");
      box.row = function (k, v) {
        if (v === "" || v === undefined || v === null) { return; }
        box.appendChild(el("dt", k));
        var d = el("dd");
        if (v instanceof Node) { d.appendChild(v); } else { d.textContent = String(v); }
        box.appendChild(d);
      };
      return box;
    }
    function articleFacts(a) { return P.articles[a] || ["", "", "", "", true]; }
    function rowTexts(box, r, kind) {
      if (r[4]) { box.appendChild(el("p", r[4], "desc")); }
      if (kind === "Signal" || r[5] || r[6] || r[7]) {
        var d = dl();
        d.row("Change", r[5]);
        d.row("10-year outlook", r[6]);
        d.row("Driving force", r[7]);
        if (d.childNodes.length) { box.appendChild(d); }
      }
    }
    function entityPanel(ix, box) {
      var arts = {}, list = [];
      articlesOf[ix].forEach(function (a) { arts[a] = arts[a] || []; });
      rowsOf[ix].forEach(function (r) { (arts[r[0]] = arts[r[0]] || []).push(r); });
      Object.keys(arts).forEach(function (a) { list.push(+a); });
      var count = list.length;
      var ranged = (state.from || state.to) ? " (" + articlesInRange(ix) + " in " + (state.from || MONTHS[0]) + ".." + (state.to || MONTHS[MONTHS.length - 1]) + ")" : "";
      var head = el("p", plural(count, "article") + " name it" + ranged, "count-line");
      box.appendChild(head);
      timeSection(ix, box);
      if (!count) { return; }
      var sorter = el("div", null, "sorter");
      sorter.appendChild(el("span", "Sort: "));
      [["date", "newest first"], ["relevancy", "by relevancy"]].forEach(function (o) {
        var b = el("button", o[1], state.sort === o[0] ? "on" : "");
        b.type = "button";
        b.setAttribute("aria-pressed", state.sort === o[0] ? "true" : "false");
        b.addEventListener("click", function () { state.sort = o[0]; showDetails(ix); });
        sorter.appendChild(b);
      });
      box.appendChild(sorter);
      function rel(a) { return Math.max.apply(null, [0].concat(arts[a].map(function (r) { return +r[2] || 0; }))); }
      list.sort(function (x, y) {
        var dx = articleFacts(x)[0], dy = articleFacts(y)[0];
        if (state.sort === "relevancy" && rel(x) !== rel(y)) { return rel(y) - rel(x); }
        if (dx !== dy) { return dx < dy ? 1 : -1; }
        return x - y;
      });
      var shown = state.all === ix ? list.length : Math.min(list.length, SHOWN_ARTICLES);
      var kind = typeOf(ix);
      for (var j = 0; j < shown; j++) {
        var a = list[j], f = articleFacts(a), div = el("div", null, "src");
        var title = safeLink(f[1], IX.label[a]);
        div.appendChild(title);
        var meta = [f[0] || "no date"];
        var r0 = arts[a].map(function (r) { return r[2]; }).filter(function (x) { return x !== ""; });
        if (r0.length) { meta.push("relevancy " + r0.join(", ")); }
        var m = el("div", meta.join(" · ") + " · ", "meta");
        m.appendChild(nodeButton(a, "article panel"));
        div.appendChild(m);
        arts[a].forEach(function (r) {
          if (r[3] && fold(r[3]) !== fold(IX.label[ix])) { div.appendChild(el("div", "as “" + r[3] + "”", "meta")); }
          rowTexts(div, r, kind);
        });
        box.appendChild(div);
      }
      var onMap = el("button", "show " + (list.length > 30 ? "the first 30" : "these") + " articles on the map");
      onMap.type = "button";
      onMap.addEventListener("click", function () { showArticles(ix, list.slice(0, 30)); });
      box.appendChild(onMap);
      if (shown < list.length) {
        var more = el("button", "show all " + list.length + " articles");
        more.type = "button";
        more.addEventListener("click", function () { state.all = ix; showDetails(ix); });
        box.appendChild(more);
      }
      if (!P.full && !rowsOf[ix].length && kind !== "Keyword" && kind !== "Theme") {
        box.appendChild(el("p", served ? "Asking the endpoint for what the articles say…" : "What the articles say of this node is not in this page (corpus above " + DATA.full_limit + " documents); write a page around it with kg html --focus.", "meta"));
      }
    }
    function timeSection(ix, box) {
      var dates = articlesOf[ix].map(function (a) { return articleFacts(a)[0]; }).filter(Boolean).sort();
      if (!dates.length) { return; }
      var d = dl();
      d.row("First seen", dates[0]);
      d.row("Last seen", dates[dates.length - 1]);
      if (IX.trend[ix]) { d.row("Trend", IX.trend[ix].toLowerCase()); }
      if (IX.quadrant[ix]) { d.row("Weak-signal map", IX.quadrant[ix].replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase()); }
      var bursts = IX.bursts[ix] || [];
      if (bursts.length) { d.row("Bursts", bursts.map(function (b) { return b[0].slice(0, 7) + " to " + b[1].slice(0, 7) + " (strength " + b[2].toFixed(1) + ")"; }).join("; ")); }
      box.appendChild(d);
      box.appendChild(sparkline(ix));
    }
    var SECTIONS = [["Signal", "Signals"], ["Technology", "Technologies"], ["Concern", "Concerns"],
                    ["Behavior", "Behaviors"], ["Issue", "Issues"]];
    function articlePanel(ix, box) {
      var f = articleFacts(ix), d = dl();
      d.row("Date", f[0]);
      d.row("Document", f[3]);
      if (f[1]) { d.row("Source", safeLink(f[1], f[1])); }
      if (f[4] === false) { d.row("Loaded", "no (known from a Closest link)"); }
      box.appendChild(d);
      if (f[2]) { box.appendChild(el("h4", "Summary")); box.appendChild(el("p", f[2], "summary")); }
      else if (!P.full && f[4] !== false) { box.appendChild(el("p", "Its summary is not in this page (corpus above " + DATA.full_limit + " documents).", "meta")); }
      var rows = rowsOfArticle[ix];
      SECTIONS.forEach(function (s) {
        var mine = rows.filter(function (r) { return typeOf(r[1]) === s[0]; });
        if (!mine.length) { return; }
        box.appendChild(el("h4", s[1] + " (" + mine.length + ")"));
        mine.forEach(function (r) {
          var div = el("div", null, "src");
          div.appendChild(nodeButton(r[1], r[3] || IX.label[r[1]]));
          if (r[2] !== "") { div.appendChild(el("span", " relevancy " + r[2], "meta")); }
          rowTexts(div, r, s[0]);
          box.appendChild(div);
        });
      });
      [["hasKeyword", "Keywords"], ["hasTheme", "Themes"], ["category", "Category"], ["contentType", "Type"],
       ["closest", "Closest articles"]].forEach(function (s) {
        var code = KINDS.indexOf(s[0]);
        var mine = nodesOf[ix].filter(function (x) { return x[1] === code; });
        if (!mine.length) { return; }
        box.appendChild(el("h4", s[1]));
        var ul = el("ul", null, "chips");
        mine.forEach(function (x) { var li = el("li"); li.appendChild(nodeButton(x[0])); ul.appendChild(li); });
        box.appendChild(ul);
      });
    }
    /* served by kg serve, a page that holds panels for the drawn nodes only asks the endpoint for the rest */
    var served = /^https?:$/.test(location.protocol), fetched = {};
    var KGO = "https://w3id.org/signals-kg/ontology#", DCT = "http://purl.org/dc/terms/";
    function fetchPanel(ix) {
      if (P.full || !served || fetched[ix]) { return; }
      fetched[ix] = true;
      var iri = "<" + IX.iri[ix] + ">", q;
      if (typeOf(ix) === "Article") {
        q = "SELECT ?s WHERE { " + iri + " <" + DCT + "abstract> ?s } LIMIT 1";
      } else {
        q = "SELECT DISTINCT ?a ?r ?name ?d ?c ?o ?f WHERE { ?a <" + KGO + "mention> ?m . ?m <" + KGO + "entity> " + iri +
            " OPTIONAL { ?m <" + KGO + "relevancy> ?r } OPTIONAL { ?m <" + KGO + "name> ?name }" +
            " OPTIONAL { ?m <" + DCT + "description> ?d } OPTIONAL { ?m <" + KGO + "change> ?c }" +
            " OPTIONAL { ?m <" + KGO + "tenYearOutlook> ?o } OPTIONAL { ?m <" + KGO + "drivingForce> ?f } }";
      }
      fetch("sparql", { method: "POST", body: q, headers: { "Content-Type": "application/sparql-query",
                                                            "Accept": "application/sparql-results+json" } })
        .then(function (r) { return r.json(); })
        .then(function (res) {
          var v = function (b, k) { return b[k] ? b[k].value : ""; };
          res.results.bindings.forEach(function (b) {
            if (typeOf(ix) === "Article") { (P.articles[ix] = P.articles[ix] || ["", "", "", "", true])[2] = v(b, "s"); return; }
            var a = byIri[v(b, "a")];
            if (a === undefined) { return; }
            var row = [a, ix, b.r ? +b.r.value : "", v(b, "name"), v(b, "d"), v(b, "c"), v(b, "o"), v(b, "f")];
            rowsOf[ix].push(row);
            rowsOfArticle[a].push(row);
          });
          if (state.open === ix) { showDetails(ix); }
        }, function () { fetched[ix] = false; });
    }
    function showDetails(ix) {
      details.textContent = "";
      if (ix !== null && ix !== undefined) { fetchPanel(ix); }
      state.open = ix;
      if (ix === null || ix === undefined) {
        details.appendChild(el("p", "Click a node, or find one by name, to see what the articles say about it.", "hint"));
        writeHash();
        return;
      }
      var box = el("div", null, "panel");
      var close = el("button", "×", "close");
      close.type = "button";
      close.setAttribute("aria-label", "Close the panel");
      close.addEventListener("click", function () { closePanel(); });
      box.appendChild(close);
      box.appendChild(chip(typeOf(ix)));
      box.appendChild(el("h3", IX.label[ix]));
      if (IX.alt[ix].length) { box.appendChild(el("p", "Also written: " + IX.alt[ix].join(" · "), "meta")); }
      var fam = IX.related[ix];
      if (fam.length) {
        var also = el("p", "Same concept as: ", "meta");
        fam.forEach(function (r, j) {
          if (j) { also.appendChild(document.createTextNode(" · ")); }
          also.appendChild(chip(typeOf(r)));
          also.appendChild(document.createTextNode(" "));
          also.appendChild(nodeButton(r));
        });
        box.appendChild(also);
      }
      var d = dl();
      var cl = IX.clusters[ix].map(function (c) { return P.clusters[c]; }).sort(function (x, y) { return x[1] - y[1]; });
      if (cl.length) { d.row("Cluster", cl.map(function (c) { return c[0]; }).join("  ›  ")); }
      d.row("PageRank", fmt(IX.pagerank[ix]));
      d.row("Degree", fmt(IX.degree[ix]));
      d.row("Betweenness", fmt(IX.betweenness[ix]));
      d.row("IRI", IX.iri[ix]);
      box.appendChild(d);
      if (typeOf(ix) === "Article") { articlePanel(ix, box); } else { entityPanel(ix, box); }
      details.appendChild(box);
      details.scrollTop = 0;
      writeHash();
    }
    function closePanel() {
      state.highlight = null;
      network.unselectAll();
      showDetails(null);
      refresh(false);
    }
    function highlight(id) {
      state.highlight = id;
      refresh(false);
    }
    network.on("click", function (params) {
      if (state.mode === "overview") {
        if (params.nodes.length) { openCluster(params.nodes[0]); }
        return;
      }
      if (params.nodes.length) {
        var id = params.nodes[0];
        highlight(id);
        showDetails(byId[id].ix);
      } else {
        highlight(null);
      }
    });

    /* ------------------------------------------------------------ bringing a node into the view */
    function neighbourhood(ix, k) {
      var score = {};
      if (typeOf(ix) === "Article") {
        nodesOf[ix].forEach(function (x) { score[x[0]] = IX.pagerank[x[0]]; });
      } else {
        articlesOf[ix].slice(0, 300).forEach(function (a) {
          nodesOf[a].forEach(function (x) { if (x[0] !== ix && typeOf(x[0]) !== "Article") { score[x[0]] = (score[x[0]] || 0) + 1; } });
        });
      }
      return Object.keys(score).map(Number).sort(function (x, y) { return score[y] - score[x] || x - y; }).slice(0, k);
    }
    function freeSpot(x, y, r) {
      var pos = network.getPositions();
      for (var step = 0; step < 400; step++) {
        var ok = true;
        for (var id in pos) {
          var o = network.body.nodes[id];
          if (!o) { continue; }
          var need = r + (o.options.size || 8) + 4;
          if (Math.hypot(pos[id].x - x, pos[id].y - y) < need) { ok = false; break; }
        }
        if (ok) { return { x: x, y: y }; }
        var ang = step * 2.399963, rad = 6 * Math.sqrt(step + 1) * (r + 4) / 4;
        x += Math.cos(ang) * rad; y += Math.sin(ang) * rad;
      }
      return { x: x, y: y };
    }
    function addNode(ix, near) {
      var t = typeOf(ix), size = t === "Article" ? 5 : 9;
      var spot = freeSpot(near.x, near.y, size);
      var n = { id: ix, kgLabel: IX.label[ix].length > 42 ? IX.label[ix].slice(0, 41) + "…" : IX.label[ix],
                shape: t === "Article" ? "square" : "dot", color: COLORS[t], baseColor: COLORS[t], size: size,
                x: spot.x, y: spot.y, kgType: t, kgTypes: [t], kgCluster: "", ix: ix, members: [ix], brought: true };
      n.title = tooltip(ix, [t]);
      graphNodes.push(n);
      order.push(n);
      byId[n.id] = n;
      drawnAs[ix] = n.id;
      nodes.add(n);
      return n;
    }
    function bringIn(ix) {
      var around = neighbourhood(ix, 8);
      var pos = network.getPositions(), xs = 0, ys = 0, c = 0;
      around.forEach(function (m) { var id = drawnAs[m]; if (id !== undefined && pos[id]) { xs += pos[id].x; ys += pos[id].y; c++; } });
      var centre = c ? { x: xs / c, y: ys / c } : network.getViewPosition();
      var me = addNode(ix, centre);
      var added = [];
      around.forEach(function (m) {
        var id = drawnAs[m] !== undefined ? drawnAs[m] : addNode(m, { x: me.x + 60, y: me.y }).id;
        if (id !== me.id) { added.push({ id: "b" + me.ix + "-" + m, from: me.id, to: id, kgType: "co-occurs", value: 1 }); }
      });
      edges.add(added);
      return me.id;
    }
    function showArticles(ix, arts) {
      var id = drawnAs[ix] !== undefined ? drawnAs[ix] : bringIn(ix);
      var me = network.getPositions([id])[id], added = [];
      arts.forEach(function (a) {
        var aid = drawnAs[a] !== undefined ? drawnAs[a] : addNode(a, { x: me.x + 40, y: me.y + 40 }).id;
        added.push({ id: "a" + id + "-" + aid, from: id, to: aid, kgType: "names", value: 1 });
      });
      edges.update(added);
      setTypeVisible("Article", true, true);
      refresh(false);
      window.kg.articlesShown = arts.length;
    }
    function choose(ix) {
      if (state.mode !== "graph") { setMode("graph"); }
      var id = drawnAs[ix] !== undefined ? drawnAs[ix] : bringIn(ix);
      var n = byId[id];
      if (!typeShows(n)) { (n.kgTypes || [n.kgType]).forEach(function (t) { setTypeVisible(t, true, true); }); }
      if (!clusterShows(n)) { setCluster("", true); }
      network.selectNodes([id]);
      highlight(id);
      network.focus(id, { scale: Math.max(network.getScale(), 0.9), animation: false });
      showDetails(ix);
      window.kg.focused = IX.iri[id];
      return IX.iri[id];
    }

    /* ------------------------------------------------------------ search over every node */
    function matches(query, limit) {
      var q = fold(query), ql = String(query || "").trim().toLowerCase();
      if (!q) { return []; }
      var hits = [];
      for (var j = 0; j < N; j++) {
        var best = 9;
        for (var m = 0; m < keys[j].length; m++) {
          var f = keys[j][m][0], raw = keys[j][m][1];
          var rank = (f === q || raw === ql) ? 0 : f.indexOf(q) === 0 ? 1 : (raw.indexOf(" " + ql) >= 0 ? 2 : (f.indexOf(q) >= 0 ? 3 : 9));
          if (rank < best) { best = rank; }
        }
        if (best < 9) { hits.push([best, j]); }
      }
      hits.sort(function (x, y) { return x[0] - y[0] || (IX.pagerank[y[1]] - IX.pagerank[x[1]]) || x[1] - y[1]; });
      return hits.slice(0, limit || 20).map(function (h) { return h[1]; });
    }
    var msg = document.getElementById("search-msg");
    var results = document.getElementById("search-results");
    var input = document.getElementById("search");
    function listResults(query) {
      results.textContent = "";
      var found = matches(query, 20);
      found.forEach(function (ix, j) {
        var li = el("li");
        li.setAttribute("role", "option");
        li.id = "result-" + j;
        li.appendChild(chip(typeOf(ix)));
        li.appendChild(el("span", " " + IX.label[ix]));
        var extra = typeOf(ix) === "Article" ? (articleFacts(ix)[0] || "") : plural(IX.articles[ix], "article");
        li.appendChild(el("span", " · " + extra + (drawnAs[ix] !== undefined ? "" : " · not in the map yet"), "meta"));
        li.addEventListener("mousedown", function (ev) { ev.preventDefault(); results.hidden = true; choose(ix); });
        results.appendChild(li);
      });
      results.hidden = !found.length;
      return found;
    }
    function search(query) {
      var found = matches(query, 20);
      results.hidden = true;
      if (!found.length) {
        msg.textContent = "Not in this graph: no node has a name like “" + String(query) + "”";
        return null;
      }
      msg.textContent = found.length > 1 ? (found.length === 20 ? "20+" : found.length) + " matches; showing the best" : "";
      state.query = String(query);
      return choose(found[0]);
    }
    input.addEventListener("input", function () { listResults(input.value); });
    input.addEventListener("blur", function () { results.hidden = true; });
    input.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { search(input.value); } if (ev.key === "Escape") { results.hidden = true; } });
    document.getElementById("search-go").addEventListener("click", function () { search(input.value); });

    /* ------------------------------------------------------------ filters and legend */
    var typeBox = document.getElementById("type-filters");
    DATA.types.forEach(function (t) {
      var label = el("label");
      var cb = el("input");
      cb.type = "checkbox";
      cb.checked = true;
      cb.dataset.type = t.type;
      cb.setAttribute("aria-label", "Show " + t.type + " nodes");
      cb.addEventListener("change", function () { setTypeVisible(t.type, cb.checked); });
      var sw = el("span", null, "swatch" + (t.type === "Article" ? " square" : ""));
      sw.style.background = t.color;
      label.appendChild(cb);
      label.appendChild(sw);
      label.appendChild(el("span", t.type));
      label.appendChild(el("span", t.count, "count"));
      typeBox.appendChild(label);
    });
    function setTypeVisible(type, visible, quiet) {
      if (visible) { delete state.hiddenTypes[type]; } else { state.hiddenTypes[type] = true; }
      var cb = typeBox.querySelector("input[data-type='" + type + "']");
      if (cb) { cb.checked = visible; }
      if (!quiet) { refresh(true); }
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
    function setCluster(id, quiet) {
      state.cluster = id;
      clusterSelect.value = id;
      if (!quiet) { refresh(true); }
    }
    clusterSelect.addEventListener("change", function () { setCluster(clusterSelect.value); });
    var colorSelect = document.getElementById("color-mode");
    function setColorMode(mode) {
      state.colorMode = mode;
      colorSelect.value = mode;
      document.getElementById("cluster-legend-title").hidden = mode !== "cluster";
      clusterLegend.style.display = mode === "cluster" ? "" : "none";
      refresh(false);
    }
    colorSelect.addEventListener("change", function (ev) { setColorMode(ev.target.value); });
    clusterLegend.style.display = "none";

    var fromSelect = document.getElementById("time-from"), toSelect = document.getElementById("time-to");
    [fromSelect, toSelect].forEach(function (sel, j) {
      var any = document.createElement("option");
      any.value = "";
      any.textContent = j ? "last month" : "first month";
      sel.appendChild(any);
      MONTHS.forEach(function (m) { var o = document.createElement("option"); o.value = m; o.textContent = m; sel.appendChild(o); });
    });
    function setRange(from, to, quiet) {
      state.from = from || "";
      state.to = to || "";
      fromSelect.value = state.from;
      toSelect.value = state.to;
      if (!quiet) { refresh(true); if (state.open !== null && state.open !== undefined) { showDetails(state.open); } }
    }
    fromSelect.addEventListener("change", function () { setRange(fromSelect.value, toSelect.value); });
    toSelect.addEventListener("change", function () { setRange(fromSelect.value, toSelect.value); });

    /* ------------------------------------------------------------ cluster overview */
    var toggle = document.getElementById("view-toggle");
    if (!overviewNodes.length) { toggle.disabled = true; toggle.title = "This graph has no clusters"; }
    function setMode(mode) {
      state.mode = mode;
      if (mode === "overview") {
        network.setData({ nodes: new vis.DataSet(overviewNodes), edges: new vis.DataSet(overviewEdges) });
        toggle.textContent = "Back to the map";
      } else {
        network.setData({ nodes: nodes, edges: edges });
        toggle.textContent = "Cluster overview";
        refresh(false);
      }
      network.fit({ animation: false });
      network.once("afterDrawing", function () { network.fit({ animation: false }); });  // labels measured now
      updateNotice();
    }
    function openCluster(id) { setMode("graph"); setCluster(id); }
    toggle.addEventListener("click", function () { setMode(state.mode === "graph" ? "overview" : "graph"); });
    document.getElementById("reset").addEventListener("click", function () {
      state.hiddenTypes = {};
      typeBox.querySelectorAll("input").forEach(function (cb) { cb.checked = true; });
      state.highlight = null;
      setCluster("", true);
      setRange("", "", true);
      if (state.mode !== "graph") { setMode("graph"); }
      network.unselectAll();
      showDetails(null);
      refresh(true);
    });

    /* ------------------------------------------------------------ export */
    function download(name, href) {
      var a = el("a");
      a.href = href;
      a.download = name;
      document.body.appendChild(a);
      a.click();
      a.remove();
    }
    function csvCell(v) { var s = String(v === undefined || v === null ? "" : v); return /[",\n\r]/.test(s) ? "\"" + s.replace(/"/g, "\"\"") + "\"" : s; }
    function visibleCsv() {
      var lines = [["node", "type", "iri", "articles", "article", "date", "url"].join(",")];
      visibleIds().forEach(function (id) {
        (byId[id].members || [byId[id].ix]).forEach(function (ix) {
          var arts = typeOf(ix) === "Article" ? [ix] : articlesOf[ix];
          if (!arts.length) { lines.push([IX.label[ix], typeOf(ix), IX.iri[ix], 0, "", "", ""].map(csvCell).join(",")); }
          arts.forEach(function (a) {
            var f = articleFacts(a);
            lines.push([IX.label[ix], typeOf(ix), IX.iri[ix], IX.articles[ix], IX.label[a], f[0], f[1]].map(csvCell).join(","));
          });
        });
      });
      return lines.join("\r\n") + "\r\n";
    }
    document.getElementById("export-csv").addEventListener("click", function () {
      download("kg-view.csv", URL.createObjectURL(new Blob([visibleCsv()], { type: "text/csv;charset=utf-8" })));
    });
    document.getElementById("export-png").addEventListener("click", function () {
      download("kg-view.png", container.querySelector("canvas").toDataURL("image/png"));
    });

    /* ------------------------------------------------------------ keyboard */
    container.tabIndex = 0;
    container.setAttribute("role", "application");
    container.setAttribute("aria-label", "Concept map. Arrow keys move between neighbours, Enter opens the node's panel, Escape closes it.");
    container.addEventListener("keydown", function (ev) {
      if (state.mode !== "graph") { return; }
      var sel = network.getSelectedNodes()[0];
      var hasSel = sel !== undefined;
      var dirs = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
      if (dirs[ev.key]) {
        ev.preventDefault();
        var next;
        if (!hasSel) {
          next = order.filter(function (n) { return !nodes.get(n.id).hidden; })[0];
          next = next && next.id;
        } else {
          var pos = network.getPositions(), me = pos[sel], d = dirs[ev.key], bestScore = -Infinity;
          network.getConnectedNodes(sel).forEach(function (m) {
            if (nodes.get(m).hidden) { return; }
            var vx = pos[m].x - me.x, vy = pos[m].y - me.y, len = Math.hypot(vx, vy) || 1;
            var cos = (vx * d[0] + vy * d[1]) / len;
            if (cos > 0.3 && cos - len / 1e5 > bestScore) { bestScore = cos - len / 1e5; next = m; }
          });
        }
        if (next !== undefined) { network.selectNodes([next]); highlight(next); network.moveTo({ position: network.getPositions([next])[next], animation: false }); window.kg.focused = IX.iri[next]; }
      } else if (ev.key === "Enter" && hasSel) {
        ev.preventDefault();
        showDetails(byId[sel].ix);
      } else if (ev.key === "Escape") {
        closePanel();
      }
    });
    document.addEventListener("keydown", function (ev) { if (ev.key === "Escape" && ev.target === document.body) { closePanel(); } });

    /* ------------------------------------------------------------ the view in the URL */
    var applying = true;  // until the hash the page was opened with has been read
    function writeHash() {
      if (applying) { return; }
      var parts = [];
      if (state.open !== null && state.open !== undefined) { parts.push("node=" + encodeURIComponent(IX.iri[state.open])); }
      else if (state.query) { parts.push("q=" + encodeURIComponent(state.query)); }
      var hidden = Object.keys(state.hiddenTypes).sort();
      if (hidden.length) { parts.push("hide=" + hidden.map(encodeURIComponent).join(",")); }
      if (state.cluster) { parts.push("cluster=" + encodeURIComponent(state.cluster.split("/").pop())); }
      if (state.colorMode !== "type") { parts.push("color=" + state.colorMode); }
      if (state.from) { parts.push("from=" + state.from); }
      if (state.to) { parts.push("to=" + state.to); }
      var hash = parts.length ? "#" + parts.join("&") : "";
      if (hash === location.hash || (!hash && !location.hash)) { return; }
      try { history.replaceState(null, "", hash || location.pathname + location.search); } catch (e) { /* an opaque origin */ }
    }
    function readHash() {
      var params = new URLSearchParams(location.hash.replace(/^#/, ""));
      applying = true;
      try {
        (params.get("hide") || "").split(",").filter(Boolean).forEach(function (t) { setTypeVisible(t, false, true); });
        var c = params.get("cluster");
        if (c) { var full = DATA.clusters.filter(function (x) { return x.cid === c || x.id === c; })[0]; if (full) { setCluster(full.id, true); } }
        var color = params.get("color");
        if (color === "cluster" || color === "trend" || color === "date") { setColorMode(color); }
        if (params.get("from") || params.get("to")) { setRange(params.get("from"), params.get("to"), true); }
        refresh(true);
        var node = params.get("node"), q = params.get("q");
        if (node && byIri[node] !== undefined) { choose(byIri[node]); }
        else if (node) { msg.textContent = "Not in this graph: " + node; }
        else if (q) { input.value = q; search(q); }
      } finally { applying = false; }
      writeHash();
    }
    window.addEventListener("hashchange", readHash);

    /* ------------------------------------------------------------ notice */
    var notice = document.getElementById("notice");
    function updateNotice() {
      notice.textContent = "";
      if (state.mode === "overview") {
        notice.appendChild(document.createTextNode("Cluster overview: " + overviewNodes.length + " clusters (level 0), sized by members, linked by shared articles. Click a cluster to open it."));
        return;
      }
      var shown = visibleCount();
      var text = "Showing " + shown + " of " + DATA.shown + " drawn nodes, standing for " + DATA.stands_for + (DATA.whole === false ? " of the " + DATA.total + " nodes selected (" : " of the graph's " + DATA.total + " nodes (") + DATA.how + "; a concept named by several types is one node). Search finds any of the " + N + " nodes.";
      notice.appendChild(document.createTextNode(text));
      if (!P.full) { notice.appendChild(document.createTextNode(" Full texts are in this page for the drawn nodes only (" + DATA.loaded + " documents, above " + DATA.full_limit + ").")); }
      if (DATA.shown < DATA.total) {
        notice.appendChild(document.createTextNode(" Other views: "));
        ["kg html --top 2000", "kg html --cluster l0-1", "kg html --focus \"NAME\" --depth 2", "kg html --type Article --type Technology"].forEach(function (c, j) {
          if (j) { notice.appendChild(document.createTextNode(", ")); }
          notice.appendChild(el("code", c));
        });
        notice.appendChild(document.createTextNode("."));
      }
    }

    window.kg = {
      network: network, nodes: nodes, edges: edges, search: search, matches: matches, choose: choose,
      findNode: function (q) { var m = matches(q, 1); return m.length ? IX.iri[m[0]] : null; },
      visibleCount: visibleCount, setTypeVisible: setTypeVisible, setCluster: setCluster, setMode: setMode,
      highlight: highlight, showDetails: function (id) { showDetails(typeof id === "string" ? byIri[id] : id); },
      labels: function () { return drawnLabels.slice(); }, csv: visibleCsv, index: IX, panel: P,
      setRange: setRange, months: MONTHS,
      focused: null, ready: false
    };
    showDetails(null);
    updateNotice();
    network.once("afterDrawing", function () {
      fit();
      readHash();
      network.redraw();
      window.kg.ready = true;
      document.body.setAttribute("data-ready", "1");
    });
  }
}());
