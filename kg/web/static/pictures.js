// The pictures of the network and timeline pages, drawn with the vendored D3 (vendor/d3) from
// the data table each page holds (so the page reads the same without JavaScript). Every name,
// arrow and dot is a link; the SVG is labelled as a picture of the table below it.
(function () {
  "use strict";
  if (typeof d3 === "undefined") return;
  var SVG = "http://www.w3.org/2000/svg";

  function rows(id) {
    var table = document.getElementById(id);
    return table ? Array.prototype.slice.call(table.querySelectorAll("tbody tr")) : [];
  }

  // The width there is for the picture (the empty canvas itself is hidden until drawn).
  function room(box) {
    return box.parentNode.clientWidth || 900;
  }

  function canvas(id, height, label) {
    var box = document.getElementById(id);
    var width = Math.max(300, Math.min(room(box), 1100));
    var svg = d3.select(box).append("svg")
      .attr("viewBox", "0 0 " + width + " " + height)
      .attr("width", "100%")
      .attr("role", "group")
      .attr("aria-label", label)
      .attr("class", "picture-svg");
    return { svg: svg, width: width, height: height };
  }

  function link(parent, href) {
    return href ? parent.append("a").attr("href", href) : parent.append("g");
  }

  // The network: claimants -> entities spoken of, one arrow per act, width by claims.
  function network() {
    var trs = rows("network-data");
    if (!trs.length) return;
    var nodes = new Map();
    function node(key, label, href) {
      if (!nodes.has(key)) nodes.set(key, { id: key, label: label, href: href, weight: 0 });
      return nodes.get(key);
    }
    var links = trs.map(function (tr) {
      var d = tr.dataset;
      var n = +d.claims;
      var s = node(d.source, d.sourceLabel, d.sourceHref);
      var t = node(d.target, d.targetLabel, d.targetHref);
      s.weight += n;
      t.weight += n;
      return { source: s, target: t, kind: d.kind, act: d.actLabel, claims: n };
    });
    var list = Array.from(nodes.values());
    var small = room(document.getElementById("network-picture")) < 600;
    var c = canvas("network-picture", small ? 420 : 560,
      "Network of " + links.length + " links between " + list.length +
      " claimants and entities; the table below lists them");
    var width = c.width, height = c.height;
    var radius = d3.scaleSqrt().domain([1, d3.max(list, function (n) { return n.weight; })])
      .range([4, small ? 12 : 18]);
    var stroke = d3.scaleSqrt().domain([1, d3.max(links, function (l) { return l.claims; })])
      .range([1.2, 6]);
    var center = document.getElementById("network-picture").dataset.entity;
    d3.forceSimulation(list)
      .force("link", d3.forceLink(links).distance(small ? 70 : 120))
      .force("charge", d3.forceManyBody().strength(small ? -180 : -450))
      .force("x", d3.forceX(width / 2).strength(small ? 0.05 : 0.03))
      .force("y", d3.forceY(height / 2).strength(small ? 0.08 : 0.06))
      .force("collide", d3.forceCollide().radius(function (n) { return radius(n.weight) + 3; }))
      .stop()
      .tick(300);
    list.forEach(function (n) {
      var r = radius(n.weight) + 2;
      n.x = Math.max(r, Math.min(width - r, n.x));
      n.y = Math.max(r, Math.min(height - r, n.y));
    });
    var defs = c.svg.append("defs");
    ["accusation", "denial", "offer", "other"].forEach(function (kind) {
      defs.append("marker").attr("id", "arrow-" + kind).attr("viewBox", "0 -4 8 8")
        .attr("refX", 8).attr("refY", 0).attr("markerWidth", 9).attr("markerHeight", 9)
        .attr("markerUnits", "userSpaceOnUse")
        .attr("orient", "auto").attr("class", "arrow act-" + kind)
        .append("path").attr("d", "M0,-4L8,0L0,4");
    });
    var edge = c.svg.append("g").attr("class", "edges").selectAll("g").data(links).join("g");
    edge.append("path")
      .attr("class", function (l) { return "edge act-" + l.kind; })
      .attr("stroke-width", function (l) { return stroke(l.claims); })
      .attr("marker-end", function (l) { return "url(#arrow-" + l.kind + ")"; })
      .attr("d", function (l) {
        var s = l.source, t = l.target;
        if (s === t) {  // a claim about oneself: a loop
          return "M" + s.x + "," + s.y + "c-30,-40 30,-40 0,0";
        }
        var dx = t.x - s.x, dy = t.y - s.y, len = Math.sqrt(dx * dx + dy * dy) || 1;
        var r = radius(t.weight) + 3;
        var ex = t.x - dx / len * r, ey = t.y - dy / len * r;
        // Several acts between the same two: curved apart.
        return "M" + s.x + "," + s.y + "Q" + ((s.x + ex) / 2 + dy / len * 14) + "," +
          ((s.y + ey) / 2 - dx / len * 14) + " " + ex + "," + ey;
      })
      .append("title")
      .text(function (l) {
        return l.source.label + " → " + l.target.label + ": " + l.act + " (" + l.claims +
          " claim" + (l.claims === 1 ? "" : "s") + ")";
      });
    var vertex = c.svg.append("g").attr("class", "nodes").selectAll("g").data(list).join(
      function (enter) {
        return enter.append("g").each(function (n) {
          var g = link(d3.select(this), n.href).attr("class", "node" + (n.id === center ? " center" : ""));
          g.append("circle").attr("cx", n.x).attr("cy", n.y).attr("r", radius(n.weight));
          g.append("text").attr("x", n.x + radius(n.weight) + 3).attr("y", n.y + 4)
            .text(n.label.length > 28 ? n.label.slice(0, 27) + "…" : n.label);
          g.append("title").text(n.label);
        });
      });
    return vertex;
  }

  // The timeline: one dot per claim by date, above the axis those the entity made, below those
  // about it, coloured by act; coded events it took part in as squares on the axis.
  function timeline() {
    var trs = rows("timeline-data");
    if (!trs.length) return;
    var parse = d3.utcParse("%Y-%m-%d");
    var data = trs.map(function (tr) {
      var d = tr.dataset;
      return { date: parse(d.date.slice(0, 10)), role: d.role, kind: d.kind, href: d.href,
               title: d.date + " — " + d.title };
    }).filter(function (d) { return d.date; });
    if (!data.length) return;
    var c = canvas("timeline-picture", 260,
      "Timeline of " + data.length + " claims by date; the table below lists them");
    var margin = { left: 20, right: 20 };
    var extent = d3.extent(data, function (d) { return d.date; });
    if (+extent[0] === +extent[1]) {
      extent = [d3.utcDay.offset(extent[0], -15), d3.utcDay.offset(extent[1], 15)];
    }
    var x = d3.scaleUtc().domain(extent).nice().range([margin.left, c.width - margin.right]);
    var mid = c.height / 2;
    c.svg.append("g").attr("class", "axis").attr("transform", "translate(0," + mid + ")")
      .call(d3.axisBottom(x).ticks(Math.max(2, Math.floor(c.width / 110))));
    c.svg.append("text").attr("class", "lane").attr("x", margin.left).attr("y", 16)
      .text("claims it made ↑");
    c.svg.append("text").attr("class", "lane").attr("x", margin.left).attr("y", c.height - 6)
      .text("claims about it ↓");
    // Dots on the same day stack away from the axis.
    var stacks = new Map();
    data.forEach(function (d) {
      var key = d.role + +d.date;
      var n = stacks.get(key) || 0;
      stacks.set(key, n + 1);
      var step = Math.min(9, (mid - 30) / 12);
      d.y = d.role === "by" ? mid - 14 - n * step
        : d.role === "event" ? mid - 4 - n * 3 : mid + 32 + n * step;
    });
    c.svg.append("g").attr("class", "moments").selectAll("g").data(data).join(function (enter) {
      return enter.append("g").each(function (d) {
        var g = link(d3.select(this), d.href);
        if (d.role === "event") {  // a coded event: a square on the line
          g.append("rect").attr("class", "event-mark")
            .attr("x", x(d.date) - 4).attr("y", d.y - 4).attr("width", 8).attr("height", 8);
        } else {
          g.append("circle").attr("class", "moment act-" + d.kind)
            .attr("cx", x(d.date)).attr("cy", d.y).attr("r", 4.5);
        }
        g.append("title").text(d.title);
      });
    });
  }

  network();
  timeline();
})();
