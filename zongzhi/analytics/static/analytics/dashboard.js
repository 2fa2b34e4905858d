// The analytics dashboard: draws the charts (ECharts, from the JSON the page embeds) and
// the grid map (Leaflet, no tiles: nothing is loaded from the internet), and shows the
// custom dates only when the custom period is chosen.
(function () {
  "use strict";
  var FONT = '"Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';
  var COLORS = ["#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#c62828", "#5d4037", "#558b2f", "#283593", "#ad1457"];

  // The custom period's dates.
  var kind = document.querySelector('select[name="period"]');
  var custom = document.querySelector(".dash-custom");
  if (kind && custom) {
    kind.addEventListener("change", function () {
      if (kind.value === "custom") custom.removeAttribute("data-hidden");
      else custom.setAttribute("data-hidden", "");
    });
  }

  var dataEl = document.getElementById("dash-charts");
  var charts = [];
  if (dataEl && window.echarts) drawCharts(JSON.parse(dataEl.textContent));
  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
  drawMap(document.getElementById("dash-map"));

  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el) return;
    var c = echarts.init(el, null, { renderer: "canvas" });
    option.textStyle = { fontFamily: FONT };
    option.color = COLORS;
    option.animation = false;
    c.setOption(option);
    charts.push(c);
  }

  function narrow() { return window.innerWidth < 600; }

  function bars(rows, name) {
    // Horizontal bars, the largest on top; long Chinese names cut to fit the phone.
    var shown = rows.slice().reverse();
    var max = narrow() ? 7 : 12;
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 36, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: {
        type: "category",
        data: shown.map(function (r) { return r.name; }),
        axisLabel: {
          formatter: function (v) { return v.length > max ? v.slice(0, max) + "…" : v; },
        },
      },
      series: [{ name: name, type: "bar", data: shown.map(function (r) { return r.received; }), label: { show: true, position: "right" }, barMaxWidth: 22 }],
    };
  }

  function drawCharts(data) {
    var names = data.names;
    var total = data.category.reduce(function (s, r) { return s + r.received; }, 0);
    if (!total) {
      var empty = document.querySelector(".dash-nodata");
      if (empty) empty.hidden = false;
    }
    var t = data.trend;
    chart("chart-trend", {
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: [names.received, names.closed, names.resolved] },
      grid: { left: 8, right: 12, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: t.months, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: names.received, type: "bar", data: t.received, barMaxWidth: 28 },
        { name: names.closed, type: "line", data: t.closed, symbolSize: 6 },
        { name: names.resolved, type: "line", data: t.resolved, symbolSize: 6 },
      ],
    });
    chart("chart-category", bars(data.category, names.received));
    // Channels: a ring with its labels on a desktop, bars on a phone (labels round a ring
    // would be cut short there).
    if (narrow()) {
      chart("chart-channel", bars(data.channel, names.received));
    } else {
      chart("chart-channel", {
        tooltip: { trigger: "item", formatter: "{b}：{c} 件（{d}%）" },
        series: [{
          name: names.received,
          type: "pie",
          radius: ["38%", "66%"],
          center: ["50%", "52%"],
          avoidLabelOverlap: true,
          label: { formatter: "{b}\n{c}", fontSize: 12 },
          data: data.channel.map(function (r) { return { name: r.name, value: r.received }; }),
        }],
      });
    }
    chart("chart-unit", bars(data.unit, names.received));
  }

  // The grid map: each grid shaded by its open cases, on a plain background.
  var RAMP = ["#f1f3f5", "#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"];

  function breaks(max) {
    // Five classes above zero: 1 each when few, else equal steps up to the largest.
    var step = Math.max(1, Math.ceil(max / 5));
    var out = [];
    for (var i = 1; i <= 5; i++) out.push(1 + (i - 1) * step);
    return { lows: out, step: step };
  }

  function shade(n, b) {
    if (!n) return RAMP[0];
    for (var i = b.lows.length - 1; i >= 0; i--) if (n >= b.lows[i]) return RAMP[i + 1];
    return RAMP[1];
  }

  function drawMap(el) {
    if (!el || !window.L) return;
    fetch(el.getAttribute("data-url"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (geo) {
        if (!geo.features || !geo.features.length) {
          el.innerHTML = '<div class="dash-map-empty"></div>';
          el.firstChild.textContent = el.getAttribute("data-empty");
          return;
        }
        var max = geo.features.reduce(function (m, f) { return Math.max(m, f.properties.open); }, 0);
        var b = breaks(max);
        var map = L.map(el, { attributionControl: false, zoomSnap: 0.25 });
        var layer = L.geoJSON(geo, {
          style: function (f) {
            return { color: "#455a64", weight: 1, fillColor: shade(f.properties.open, b), fillOpacity: 0.85 };
          },
          onEachFeature: function (f, lyr) {
            lyr.bindTooltip(f.properties.name + "：" + f.properties.open + " 件", { sticky: true });
            lyr.on("click", function () { window.location.href = f.properties.url; });
          },
        }).addTo(map);
        map.fitBounds(layer.getBounds(), { padding: [8, 8] });
        var legend = L.control({ position: "bottomright" });
        legend.onAdd = function () {
          var div = L.DomUtil.create("div", "leaflet-control dash-legend");
          var title = document.createElement("div");
          title.textContent = el.getAttribute("data-legend");
          div.appendChild(title);
          var rows = [[0, 0]];
          b.lows.forEach(function (low, i) {
            if (low <= Math.max(max, 1)) rows.push([low, i === b.lows.length - 1 ? null : low + b.step - 1]);
          });
          rows.forEach(function (r) {
            var line = document.createElement("div");
            var sw = document.createElement("i");
            sw.style.background = shade(r[0], b);
            line.appendChild(sw);
            var text = r[0] === 0 ? "0" : (r[1] === null ? r[0] + "+" : (r[1] === r[0] ? String(r[0]) : r[0] + "–" + r[1]));
            line.appendChild(document.createTextNode(text));
            div.appendChild(line);
          });
          return div;
        };
        legend.addTo(map);
        el.setAttribute("data-ready", "");
      });
  }
})();
