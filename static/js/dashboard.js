/* The dashboard's charts and picker (templates/reports/dashboard.html).
 *
 * No inline script on the page (a content security policy allows only 'self'): the
 * figures arrive as JSON in <script type="application/json" id="dashboard-charts">
 * (Django's json_script), one entry per chart keyed by the id of its element; each
 * entry names its categories, its series and, per category, the link that opens the
 * dashboard on that organization. The tables beside the charts are rendered on the
 * server, so a chart that cannot draw still leaves its figures one click away.
 */
(function () {
  "use strict";

  // Canvas text does not fall back through the page's CSS: name CJK fonts explicitly.
  var FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", ' +
    '"Microsoft YaHei", "PingFang SC", "Hiragino Sans GB", sans-serif';
  var NARROW = 520; // px of chart width below which labels and legend shrink

  function compact(value) {
    var lang = document.documentElement.lang || undefined;
    try {
      return new Intl.NumberFormat(lang, { notation: "compact", maximumFractionDigits: 1 }).format(value);
    } catch (e) {
      return String(value);
    }
  }

  function valueAxis(spec) {
    var axis = {
      type: "value",
      axisLabel: {
        fontFamily: FONT,
        hideOverlap: true,
        formatter: spec.unit === "%" ? "{value}%" : function (v) { return compact(v); }
      },
      splitLine: { lineStyle: { color: "#eee" } }
    };
    if (spec.max) { axis.max = spec.max; }
    if (!spec.unit) { axis.minInterval = 1; }
    return axis;
  }

  // Children share their parent's name as a prefix (东坝镇东坝村…, 东坝镇柳树村…): the axis
  // drops what all share so that a phone's short labels keep what tells them apart.
  function commonPrefix(labels) {
    if (labels.length < 2) { return ""; }
    var prefix = labels[0];
    labels.forEach(function (label) {
      while (prefix && label.indexOf(prefix) !== 0) { prefix = prefix.slice(0, -1); }
    });
    var shortest = Math.min.apply(null, labels.map(function (l) { return l.length; }));
    return prefix.length >= 2 && prefix.length < shortest - 1 ? prefix : "";
  }

  function categoryAxis(spec, narrow) {
    // Only organizations (the charts that drill down) share a prefix worth dropping.
    var prefix = spec.links ? commonPrefix(spec.categories) : "";
    return {
      type: "category",
      data: spec.categories,
      inverse: !!spec.horizontal, // the first row on top, as in the table
      axisTick: { alignWithLabel: true },
      axisLabel: {
        fontFamily: FONT,
        interval: 0,
        width: narrow ? 104 : 168,
        overflow: "truncate",
        color: "#333",
        formatter: function (label) { return prefix ? label.slice(prefix.length) : label; }
      },
      triggerEvent: !!spec.links
    };
  }

  function escape(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  // An item's code alone says little: its tooltip adds the requirement (`details`).
  function tooltip(spec, params) {
    var first = params[0];
    var lines = ["<strong>" + escape(first.name) + "</strong>",
      escape(spec.details[first.dataIndex])];
    params.forEach(function (p) {
      lines.push(p.marker + escape(p.seriesName) + " <strong>" + escape(p.value) + "</strong>");
    });
    return lines.join("<br>");
  }

  function option(spec, width) {
    var narrow = width < NARROW;
    var stacked = spec.series.some(function (s) { return !!s.stack; });
    return {
      animation: false,
      textStyle: { fontFamily: FONT },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        confine: true,
        textStyle: { fontFamily: FONT },
        valueFormatter: spec.unit === "%" ? function (v) { return v == null ? "—" : v + "%"; } : undefined,
        formatter: spec.details ? function (params) { return tooltip(spec, params); } : undefined,
        extraCssText: spec.details ? "max-width: 280px; white-space: normal;" : ""
      },
      legend: {
        type: "scroll",
        top: 0,
        itemWidth: 14,
        itemHeight: 10,
        textStyle: { fontFamily: FONT, fontSize: narrow ? 11 : 12 }
      },
      grid: { left: 4, right: narrow ? 12 : 24, top: 34, bottom: 4, containLabel: true },
      xAxis: spec.horizontal ? valueAxis(spec) : categoryAxis(spec, narrow),
      yAxis: spec.horizontal ? categoryAxis(spec, narrow) : valueAxis(spec),
      series: spec.series.map(function (s) {
        return {
          type: "bar",
          name: s.name,
          stack: s.stack || undefined,
          data: s.data,
          itemStyle: { color: s.color },
          barMaxWidth: stacked ? 22 : 16,
          emphasis: { focus: "series" },
          cursor: spec.links ? "pointer" : "default"
        };
      })
    };
  }

  function heightFor(spec, series) {
    if (!spec.horizontal) { return null; }
    // Side-by-side stacks (this campaign and the previous one) need room for two bars.
    var stacks = {};
    series.forEach(function (s) { stacks[s.stack || s.name] = true; });
    var perRow = Math.min(Object.keys(stacks).length, 3) * 14 + 14;
    return Math.max(200, perRow * spec.categories.length + 70);
  }

  var charts = [];

  function draw(el, spec) {
    var height = heightFor(spec, spec.series);
    if (height) { el.style.height = height + "px"; }
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option(spec, el.clientWidth || window.innerWidth));
    if (spec.links) {
      var open = function (index) {
        var url = spec.links[index];
        if (url) { window.location.href = url; }
      };
      chart.on("click", function (params) {
        if (params.componentType === "series") { open(params.dataIndex); }
        else if (params.componentType === "yAxis" || params.componentType === "xAxis") {
          open(spec.categories.indexOf(params.value));
        }
      });
    }
    el.dataset.drawn = "1";
    charts.push({ chart: chart, el: el, spec: spec, narrow: el.clientWidth < NARROW });
  }

  function resizeAll() {
    charts.forEach(function (c) {
      var width = c.el.clientWidth;
      if (!width) { return; } // inside a hidden tab: resized when it shows
      var narrow = width < NARROW;
      if (narrow !== c.narrow) {
        c.narrow = narrow;
        c.chart.setOption(option(c.spec, width), { notMerge: true });
      }
      c.chart.resize();
    });
  }

  function initCharts() {
    var data = document.getElementById("dashboard-charts");
    if (!data || !window.echarts) { return; }
    var specs = JSON.parse(data.textContent);
    Object.keys(specs).forEach(function (id) {
      var el = document.getElementById(id);
      if (el) { draw(el, specs[id]); }
    });
    var pending = null;
    var later = function () {
      if (pending) { window.cancelAnimationFrame(pending); }
      pending = window.requestAnimationFrame(resizeAll);
    };
    window.addEventListener("resize", later);
    // A chart drawn in a hidden pane has no size: Bootstrap tells us when it shows.
    document.addEventListener("shown.bs.tab", resizeAll);
    document.addEventListener("shown.bs.collapse", resizeAll);
    if (window.ResizeObserver) {
      var observer = new window.ResizeObserver(later);
      charts.forEach(function (c) { observer.observe(c.el); });
    }
  }

  // static/js/app.js submits a [data-autosubmit] select's form (on the document, so after
  // this): a new year first empties the campaign, or the old campaign would win.
  function initPicker() {
    document.querySelectorAll("select[data-clears]").forEach(function (select) {
      select.addEventListener("change", function () {
        var other = document.getElementById(select.getAttribute("data-clears"));
        if (other) { other.value = ""; }
      });
    });
  }

  function start() {
    initPicker();
    initCharts();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
