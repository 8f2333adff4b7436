/* deco RUM dashboard: reads the JSON API and draws tables and small SVG charts.
 *
 * No framework and no chart library: the page needs one line chart and some bars,
 * which take less code to draw than to configure, and nothing is fetched from a CDN.
 * Columns are looked up by name with fallbacks, so a renamed or missing column shows
 * as "–" instead of breaking the page.
 */
(function () {
  "use strict";

  // Read from the server (GET /api/contract) before anything is drawn, so the metric list,
  // units and web-vitals thresholds are the server's own (transform/rating.py), not copies.
  var METRICS = []; // the metrics the dashboard shows, in the server's order (legacy FID left out)
  var THRESHOLDS = {}; // metric -> [good up to, poor above]
  var UNITS = {}; // metric -> "ms", or "" for a unitless score (CLS)
  var MIN_SAMPLES = 20;
  var DEVICES = ["mobile", "desktop"];
  var SVG_NS = "http://www.w3.org/2000/svg";
  var TOKEN_KEY = "deco-rum-api-token";

  var body = document.body;
  var API = body.getAttribute("data-api") || "/__deco/rum/api";
  var HELP = body.getAttribute("data-help") || "/__deco/rum/dashboard/help";

  var state = { site: "", metric: "LCP", device: "", days: "7" };
  var generation = 0;
  // False once the API answered 400 to by=site (an older API): the summary tiles hide, and
  // this tab stops asking.
  var SITE_TOTALS_KEY = "deco-rum-no-site-totals";
  var siteTotals = sessionStorage.getItem(SITE_TOTALS_KEY) !== "1";

  // ---------------------------------------------------------------- helpers

  function $(id) {
    return document.getElementById(id);
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    setAttrs(node, attrs);
    append(node, children);
    return node;
  }

  function svg(tag, attrs, children) {
    var node = document.createElementNS(SVG_NS, tag);
    setAttrs(node, attrs);
    append(node, children);
    return node;
  }

  function setAttrs(node, attrs) {
    if (!attrs) return;
    Object.keys(attrs).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) return;
      if (key === "text") node.textContent = String(value);
      else if (key === "style") node.style.cssText = String(value); // CSSOM: allowed by the page's CSP
      else node.setAttribute(key, String(value));
    });
  }

  function append(node, children) {
    if (children === null || children === undefined) return;
    if (!Array.isArray(children)) children = [children];
    children.forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
    });
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  function normalize(name) {
    return String(name).toLowerCase().replace(/[^a-z0-9]/g, "");
  }

  /** The first of `names` present in `row` (exact, then ignoring case and punctuation). */
  function pick(row, names) {
    if (!row) return undefined;
    var i;
    for (i = 0; i < names.length; i++) {
      if (row[names[i]] !== undefined && row[names[i]] !== null) return row[names[i]];
    }
    var keys = Object.keys(row);
    for (i = 0; i < names.length; i++) {
      var wanted = normalize(names[i]);
      for (var k = 0; k < keys.length; k++) {
        if (normalize(keys[k]) === wanted && row[keys[k]] !== null) return row[keys[k]];
      }
    }
    return undefined;
  }

  function num(value) {
    if (value === undefined || value === null || value === "") return null;
    var n = typeof value === "number" ? value : Number(value);
    return isFinite(n) ? n : null;
  }

  var COLS = {
    samples: ["samples", "sample_count", "count", "n"],
    kept: ["kept", "kept_samples", "measurements"],
    p50: ["p50", "p50_value", "median"],
    p75: ["p75", "p75_value", "p75_ms"],
    p95: ["p95", "p95_value"],
    good: ["good", "good_share", "share_good", "good_ratio", "good_pct", "pct_good", "good_rate"],
    ni: [
      "needs_improvement",
      "needs_improvement_share",
      "share_needs_improvement",
      "needs-improvement",
      "ni",
      "ni_share",
      "needs_improvement_ratio",
      "needs_improvement_pct",
    ],
    poor: ["poor", "poor_share", "share_poor", "poor_ratio", "poor_pct", "pct_poor", "poor_rate"],
    route: ["route", "rum.route", "RumRoute", "key", "group"],
    device: ["device", "device_type", "rum.device.type", "RumDeviceType", "key", "group"],
    day: ["day", "date", "time", "bucket"],
    version: ["version", "release", "service_version", "service.version", "ServiceVersion"],
    pageViews: ["page_views", "pageviews", "views", "count", "samples"],
    errCount: ["count", "occurrences", "errors", "total"],
    errViews: ["page_views", "pageviews", "affected_page_views", "views"],
    fingerprint: ["fingerprint", "rum.error.fingerprint"],
    errType: ["type", "error_type", "rum.error.type"],
    message: ["message", "error_message", "rum.error.message", "msg"],
    firstSeen: ["first_seen", "firstseen", "first"],
    lastSeen: ["last_seen", "lastseen", "last"],
    site: ["site", "ServiceName", "service_name", "name"],
  };

  function samplesOf(row) {
    return num(pick(row, COLS.samples));
  }

  /** Measurements actually kept (unweighted) when the API says so: what "enough data" means. */
  function keptOf(row) {
    var kept = num(pick(row, COLS.kept));
    return kept === null ? samplesOf(row) : kept;
  }

  /** good / needs-improvement / poor as fractions summing to 1 (counts, % or ratios all work). */
  function sharesOf(row) {
    var g = num(pick(row, COLS.good));
    var n = num(pick(row, COLS.ni));
    var p = num(pick(row, COLS.poor));
    if (g === null && n === null && p === null) return null;
    g = g || 0;
    n = n || 0;
    p = p || 0;
    var total = g + n + p;
    if (total <= 0) return null;
    return { good: g / total, ni: n / total, poor: p / total };
  }

  function rating(metric, value) {
    var t = THRESHOLDS[metric];
    if (!t || value === null) return "none";
    if (value <= t[0]) return "good";
    if (value <= t[1]) return "ni";
    return "poor";
  }

  var RATING_LABEL = { good: "good", ni: "needs improvement", poor: "poor", none: "" };

  /** A unitless metric (CLS): three decimals instead of whole milliseconds. */
  function isScore(metric) {
    return UNITS[metric] === "";
  }

  function formatValue(metric, value) {
    if (value === null || value === undefined) return "–";
    if (isScore(metric)) return value.toFixed(3);
    return Math.round(value).toLocaleString("en-US") + " ms";
  }

  function formatCount(value) {
    if (value === null || value === undefined) return "–";
    return Math.round(value).toLocaleString("en-US");
  }

  function formatPercent(fraction) {
    return (fraction * 100).toFixed(fraction > 0 && fraction < 0.1 ? 1 : 0) + "%";
  }

  function formatDate(value) {
    if (value === null || value === undefined || value === "") return "–";
    var text = String(value);
    var date = parseDate(text);
    if (!date) return text;
    return date.toISOString().slice(0, 16).replace("T", " ") + " UTC";
  }

  function parseDate(text) {
    if (text === null || text === undefined) return null;
    var s = String(text).trim();
    if (/^\d{4}-\d{2}-\d{2}$/.test(s)) s += "T00:00:00Z";
    else if (/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s)) s = s.replace(" ", "T") + "Z";
    var d = new Date(s);
    return isNaN(d.getTime()) ? null : d;
  }

  function dayKey(value) {
    var d = parseDate(value);
    return d ? d.toISOString().slice(0, 10) : String(value).slice(0, 10);
  }

  // ---------------------------------------------------------------- API

  function apiUrl(path, params) {
    var query = Object.keys(params)
      .filter(function (k) {
        return params[k] !== "" && params[k] !== null && params[k] !== undefined;
      })
      .map(function (k) {
        return encodeURIComponent(k) + "=" + encodeURIComponent(params[k]);
      })
      .join("&");
    return API + "/" + path + (query ? "?" + query : "");
  }

  function ApiError(status, message) {
    this.status = status;
    this.message = message;
  }

  /** GET an API path; the parsed JSON, or an ApiError with the server's detail. */
  function fetchJson(path, params) {
    var headers = { Accept: "application/json" };
    var token = sessionStorage.getItem(TOKEN_KEY);
    if (token) headers.Authorization = "Bearer " + token;
    return fetch(apiUrl(path, params || {}), { headers: headers, credentials: "same-origin" }).then(
      function (response) {
        return response.text().then(function (text) {
          var data = null;
          try {
            data = text ? JSON.parse(text) : null;
          } catch (e) {
            data = null;
          }
          if (!response.ok) {
            var detail = data && (data.detail || data.error || data.message);
            if (Array.isArray(detail)) detail = detail.join("; ");
            throw new ApiError(response.status, String(detail || response.statusText || "error"));
          }
          return data;
        });
      }
    );
  }

  /** A report: its answer must have rows. */
  function fetchApi(path, params) {
    return fetchJson(path, params).then(function (data) {
      if (!data || !Array.isArray(data.rows)) throw new ApiError(0, "unexpected answer from " + path);
      return data;
    });
  }

  /** The server's metric names, units and thresholds; the metric picker offers exactly
   *  those metrics (keeping the page's order and longer labels where it has them). */
  function loadContract() {
    return fetchJson("contract").then(function (contract) {
      if (!contract || !Array.isArray(contract.metrics)) throw new ApiError(0, "unexpected answer from contract");
      var picker = $("metric");
      var labels = {};
      var order = [];
      Array.prototype.forEach.call(picker.options, function (option) {
        labels[option.value] = option.textContent;
        order.push(option.value);
      });
      METRICS = [];
      contract.metrics.forEach(function (metric) {
        UNITS[metric.name] = metric.unit;
        THRESHOLDS[metric.name] = [metric.good, metric.poor];
        if (!metric.legacy) METRICS.push(metric.name);
      });
      // The page's order (Core Web Vitals first); a metric it does not know goes last.
      function rank(name) {
        var i = order.indexOf(name);
        return i < 0 ? order.length + METRICS.indexOf(name) : i;
      }
      METRICS.sort(function (a, b) {
        return rank(a) - rank(b);
      });
      clear(picker);
      METRICS.forEach(function (name) {
        picker.appendChild(el("option", { value: name, text: labels[name] || name }));
      });
    });
  }

  // ---------------------------------------------------------------- state and URL

  function readUrl() {
    var params = new URLSearchParams(location.search);
    state.site = params.get("site") || "";
    var metric = (params.get("metric") || "LCP").toUpperCase();
    state.metric = METRICS.indexOf(metric) >= 0 ? metric : "LCP";
    state.device = params.get("device") || "";
    state.days = params.get("days") || "7";
  }

  function writeUrl() {
    var params = new URLSearchParams();
    if (state.site) params.set("site", state.site);
    if (state.metric !== "LCP") params.set("metric", state.metric);
    if (state.device) params.set("device", state.device);
    if (state.days !== "7") params.set("days", state.days);
    var query = params.toString();
    history.replaceState(null, "", location.pathname + (query ? "?" + query : ""));
  }

  function syncControls() {
    $("metric").value = state.metric;
    $("device").value = state.device;
    ensureOption($("days"), state.days, "last " + state.days + " days");
    $("days").value = state.days;
    Array.prototype.forEach.call(document.querySelectorAll(".metric-name"), function (node) {
      node.textContent = state.metric;
    });
  }

  function ensureOption(select, value, label) {
    for (var i = 0; i < select.options.length; i++) if (select.options[i].value === value) return;
    select.appendChild(el("option", { value: value, text: label }));
  }

  function setStatus(message, kind) {
    var node = clear($("status"));
    if (!message) return;
    node.className = "status " + (kind || "");
    append(node, message);
  }

  // ---------------------------------------------------------------- loading

  function loadSites() {
    return fetchApi("sites", {}).then(function (data) {
      return data.rows
        .map(function (row) {
          var value = pick(row, COLS.site);
          if (value === undefined && data.columns && data.columns.length) value = row[data.columns[0]];
          return value === undefined || value === null ? "" : String(value);
        })
        .filter(Boolean);
    });
  }

  /** The site with the most LCP samples in the period (the seeded data, not a test page's
   *  handful); the first site when the API cannot say. */
  function busiestSite(sites) {
    return fetchApi("vitals", { metric: "LCP", by: "site", days: state.days }).then(
      function (data) {
        var best = sites[0];
        var most = -1;
        data.rows.forEach(function (row) {
          var site = String(pick(row, COLS.site) || "");
          var samples = num(pick(row, ["samples"]));
          if (sites.indexOf(site) >= 0 && samples > most) {
            best = site;
            most = samples;
          }
        });
        return best;
      },
      function () {
        return sites[0];
      }
    );
  }

  function start() {
    $("min-samples").textContent = String(MIN_SAMPLES);
    setStatus("Loading…", "loading");
    loadContract().then(begin, function (error) {
      showApiError(error, "the metric names and thresholds");
    });
  }

  function begin() {
    readUrl();
    syncControls();
    $("controls").addEventListener("submit", function (event) {
      event.preventDefault();
    });
    ["metric", "device", "days"].forEach(function (id) {
      $(id).addEventListener("change", function () {
        state[id] = $(id).value;
        writeUrl();
        syncControls();
        refresh();
      });
    });
    $("site").addEventListener("change", function () {
      state.site = $("site").value;
      writeUrl();
      refresh();
    });
    setStatus("Loading sites…", "loading");
    loadSites().then(
      function (sites) {
        var select = clear($("site"));
        if (!sites.length) {
          setStatus("");
          select.appendChild(el("option", { value: "", text: "no sites yet" }));
          select.disabled = true;
          showEmpty();
          return;
        }
        if (state.site && sites.indexOf(state.site) < 0) sites.unshift(state.site);
        sites.forEach(function (site) {
          select.appendChild(el("option", { value: site, text: site }));
        });
        // The URL remembers the choice (writeUrl); without one, the busiest site.
        (state.site ? Promise.resolve(state.site) : busiestSite(sites)).then(function (site) {
          state.site = site;
          select.value = state.site;
          writeUrl();
          refresh();
        });
      },
      function (error) {
        showApiError(error, "the site list");
      }
    );
  }

  function showEmpty() {
    $("empty").hidden = false;
    $("panels").hidden = true;
    $("nodata").hidden = true;
    body.setAttribute("data-state", "empty");
  }

  function showApiError(error, what) {
    body.setAttribute("data-state", "error");
    if (error && (error.status === 401 || error.status === 403)) {
      var input = el("input", { type: "password", id: "token", placeholder: "API token", "aria-label": "API token" });
      var button = el("button", { type: "button", text: "Use token" });
      button.addEventListener("click", function () {
        sessionStorage.setItem(TOKEN_KEY, input.value.trim());
        location.reload();
      });
      setStatus(
        ["The API needs a token (RUM_API_TOKEN) for ", what, ". ", input, " ", button],
        "error"
      );
      return;
    }
    var text = error && error.message ? error.message : String(error);
    setStatus("Could not load " + what + ": " + text, "error");
  }

  function refresh() {
    var mine = ++generation;
    var site = state.site;
    var common = { site: site, days: state.days };
    var filtered = { site: site, days: state.days, device: state.device };
    $("empty").hidden = true;
    $("nodata").hidden = true;
    $("panels").hidden = false;
    body.setAttribute("data-state", "loading");
    setStatus("Loading " + site + "…", "loading");
    clear($("compare"));
    ["summary", "routes", "trend", "devices", "pages", "errors", "funnel", "top-events"].forEach(function (id) {
      clear($(id)).appendChild(el("p", { class: "placeholder", text: "Loading…" }));
    });

    function settle(promise) {
      return promise.then(
        function (data) {
          return { ok: true, data: data };
        },
        function (error) {
          return { ok: false, error: error };
        }
      );
    }

    var byRoute = METRICS.map(function (metric) {
      return settle(fetchApi("vitals", Object.assign({ metric: metric, by: "route" }, filtered)));
    });
    var byDevice = METRICS.map(function (metric) {
      return settle(fetchApi("vitals", Object.assign({ metric: metric, by: "device" }, common)));
    });
    var trend = settle(fetchApi("trend", Object.assign({ metric: state.metric }, filtered, { days: trendDays() })));
    var overall = METRICS.map(function (metric) {
      if (!siteTotals) return Promise.resolve({ ok: false, error: new ApiError(400, "by=site not supported") });
      return settle(fetchApi("vitals", Object.assign({ metric: metric, by: "site" }, filtered)));
    });
    var compare = settle(fetchApi("compare", Object.assign({ metric: state.metric }, filtered, { days: trendDays() })));
    var pages = settle(fetchApi("pages", filtered));
    var errors = settle(fetchApi("errors", filtered));
    // Events are optional panels: an older API without them leaves the rest of the page intact.
    settle(fetchApi("events", filtered)).then(function (result) {
      if (mine === generation) renderFunnel(result);
    });
    settle(fetchApi("top-events", filtered)).then(function (result) {
      if (mine === generation) renderTopEvents(result);
    });

    Promise.all([Promise.all(byRoute), Promise.all(byDevice), trend, pages, errors, Promise.all(overall), compare]).then(function (all) {
      if (mine !== generation) return;
      var routeResults = all[0];
      var deviceResults = all[1];
      var optional = all[5].concat([all[6]]).filter(function (r) {
        return !r.ok && r.error && r.error.status !== 400;
      });
      var failures = [].concat(routeResults, deviceResults, [all[2], all[3], all[4]], optional).filter(function (r) {
        return !r.ok;
      });
      var auth = failures.filter(function (r) {
        return r.error && (r.error.status === 401 || r.error.status === 403);
      });
      if (auth.length) {
        showApiError(auth[0].error, "site " + site);
        return;
      }
      var vitals = {};
      var devices = {};
      METRICS.forEach(function (metric, i) {
        vitals[metric] = routeResults[i];
        devices[metric] = deviceResults[i];
      });
      var anyRows = [].concat(routeResults, [all[3]]).some(function (r) {
        return r.ok && r.data.rows.length > 0;
      });
      if (!anyRows && !failures.length) {
        showNoData(site);
        return;
      }
      var sites = {};
      METRICS.forEach(function (metric, i) {
        sites[metric] = all[5][i];
        if (!all[5][i].ok && all[5][i].error && all[5][i].error.status === 400 && siteTotals) {
          siteTotals = false;
          sessionStorage.setItem(SITE_TOTALS_KEY, "1");
        }
      });
      renderSummary(sites);
      renderRoutes(vitals, all[3]);
      renderTrend(all[2]);
      renderCompare(all[6]);
      renderDevices(devices);
      renderPages(all[3]);
      renderErrors(all[4]);
      body.setAttribute("data-state", "ready");
      if (failures.length) {
        setStatus(
          failures.length + " of the dashboard's queries failed; the panels show what could be read (" +
            failures[0].error.message + ").",
          "error"
        );
      } else {
        setStatus("");
      }
    });
  }

  function trendDays() {
    return String(Math.max(Number(state.days) || 7, 14));
  }

  function showNoData(site) {
    $("panels").hidden = true;
    $("nodata").hidden = false;
    var text = clear($("nodata-text"));
    append(text, [
      "Site ",
      el("strong", { text: site }),
      " has no page views or vitals in the last " + state.days + " day(s)" +
        (state.device ? " on " + state.device : "") +
        ". Pick a longer period, another device, or check that the snippet carries ",
      el("code", { text: 'data-site="' + site + '"' }),
      ". ",
      el("a", { href: HELP, text: "Set-up guide" }),
    ]);
    body.setAttribute("data-state", "nodata");
    setStatus("");
  }

  function showSql(id, result) {
    var node = $(id);
    if (node) node.textContent = result && result.ok && result.data.sql ? String(result.data.sql) : "";
  }

  function panelError(node, result, what) {
    clear(node).appendChild(
      el("p", { class: "panel-error", text: "Could not load " + what + ": " + (result.error && result.error.message) })
    );
  }

  function emptyNote(node, text) {
    clear(node).appendChild(el("p", { class: "placeholder", text: text }));
  }

  // ---------------------------------------------------------------- pieces

  function ratingBar(shares, label) {
    if (!shares) return el("div", { class: "bar empty-bar", title: "no rating data" });
    var title =
      (label ? label + ": " : "") +
      formatPercent(shares.good) +
      " good, " +
      formatPercent(shares.ni) +
      " needs improvement, " +
      formatPercent(shares.poor) +
      " poor";
    var bar = el("div", { class: "bar", role: "img", "aria-label": title, title: title });
    [
      ["good", shares.good],
      ["ni", shares.ni],
      ["poor", shares.poor],
    ].forEach(function (part) {
      if (part[1] > 0) bar.appendChild(el("span", { class: "seg " + part[0], style: "width:" + (part[1] * 100).toFixed(2) + "%" }));
    });
    return bar;
  }

  function valuePill(metric, value, samples) {
    if (value === null) return el("span", { class: "pill none", text: "–" });
    if (samples !== null && samples < MIN_SAMPLES) {
      // Still shown (a newcomer's first page views are few), but greyed and marked.
      return el("span", {
        class: "pill thin",
        title: "only " + formatCount(samples) + " samples: not enough data for a reliable p75",
        text: "≈ " + formatValue(metric, value) + " · few samples",
      });
    }
    var r = rating(metric, value);
    return el("span", { class: "pill " + r, title: RATING_LABEL[r], text: formatValue(metric, value) });
  }

  function vitalCell(metric, row) {
    if (!row) return el("td", { class: "vital-cell none" }, el("span", { class: "muted", text: "–" }));
    var samples = samplesOf(row);
    var kept = keptOf(row);
    var value = num(pick(row, COLS.p75));
    var cell = el("td", { class: "vital-cell" + (metric === state.metric ? " selected" : "") }, [
      valuePill(metric, value, kept),
      kept !== null && kept >= MIN_SAMPLES ? ratingBar(sharesOf(row), metric) : null,
      el("span", { class: "samples", text: "n=" + formatCount(samples) }),
    ]);
    return cell;
  }

  // ---------------------------------------------------------------- summary tiles

  /** One tile per vital: the site's p75 (the API's by=site); hidden when the API lacks it. */
  function renderSummary(sites) {
    var card = $("summary-card");
    var node = clear($("summary"));
    var supported = METRICS.some(function (metric) {
      return sites[metric].ok;
    });
    card.hidden = !supported;
    if (!supported) return;
    var tiles = el("div", { class: "tiles" });
    METRICS.forEach(function (metric) {
      var result = sites[metric];
      var row = result.ok && result.data.rows.length ? result.data.rows[0] : null;
      var value = row ? num(pick(row, COLS.p75)) : null;
      var samples = row ? samplesOf(row) : null;
      var kept = row ? keptOf(row) : null;
      var tile = el("button", {
        type: "button",
        class: "tile" + (metric === state.metric ? " selected" : ""),
        "data-metric": metric,
        "aria-pressed": metric === state.metric ? "true" : "false",
        title: "Show " + metric + " in the trend chart",
      });
      append(tile, [
        el("span", { class: "tile-name", text: metric }),
        el("span", { class: "tile-value" }, valuePill(metric, value, kept)),
        row && kept >= MIN_SAMPLES ? ratingBar(sharesOf(row), metric) : el("div", { class: "bar empty-bar" }),
        el("span", { class: "samples", text: row ? "n=" + formatCount(samples) : "no samples" }),
      ]);
      tile.addEventListener("click", function () {
        state.metric = metric;
        writeUrl();
        syncControls();
        refresh();
      });
      tiles.appendChild(tile);
    });
    node.appendChild(tiles);
  }

  // ---------------------------------------------------------------- routes table

  function routeKey(row, data) {
    var value = pick(row, COLS.route);
    if (value === undefined && data.columns && data.columns.length) value = row[data.columns[0]];
    return value === undefined || value === null ? "" : String(value);
  }

  function renderRoutes(vitals, pagesResult) {
    var node = clear($("routes"));
    showSql("routes-sql", vitals[state.metric]);
    var byRoute = {};
    var order = [];
    METRICS.forEach(function (metric) {
      var result = vitals[metric];
      if (!result.ok) return;
      result.data.rows.forEach(function (row) {
        var key = routeKey(row, result.data);
        if (!byRoute[key]) {
          byRoute[key] = {};
          order.push(key);
        }
        byRoute[key][metric] = row;
      });
    });
    if (!order.length) {
      if (!vitals[state.metric].ok) panelError(node, vitals[state.metric], "the vitals");
      else emptyNote(node, "No vitals in this period" + (state.device ? " on " + state.device : "") + ".");
      return;
    }
    var views = pageViewsByRoute(pagesResult);
    order.sort(function (a, b) {
      var sa = samplesOf(byRoute[a][state.metric]) || 0;
      var sb = samplesOf(byRoute[b][state.metric]) || 0;
      if (sb !== sa) return sb - sa;
      return (views[b] || 0) - (views[a] || 0);
    });
    var head = el("tr", null, [el("th", { scope: "col", text: "Route" })]);
    METRICS.forEach(function (metric) {
      head.appendChild(el("th", { scope: "col", class: metric === state.metric ? "selected" : "", text: metric }));
    });
    var tbody = el("tbody");
    order.forEach(function (key) {
      var tr = el("tr", { "data-route": key }, [el("th", { scope: "row", class: "route" }, el("code", { text: key || "(none)" }))]);
      METRICS.forEach(function (metric) {
        tr.appendChild(vitalCell(metric, byRoute[key][metric]));
      });
      tbody.appendChild(tr);
    });
    node.appendChild(el("div", { class: "table-wrap" }, el("table", { class: "data routes-table" }, [el("thead", null, head), tbody])));
  }

  function pageViewsByRoute(result) {
    var views = {};
    if (!result || !result.ok) return views;
    result.data.rows.forEach(function (row) {
      views[routeKey(row, result.data)] = num(pick(row, COLS.pageViews)) || 0;
    });
    return views;
  }

  // ---------------------------------------------------------------- trend chart

  /** Release markers: an explicit list in the answer, or days where the version column changes. */
  function releaseMarkers(data, metric) {
    var list = data.releases || data.versions || data.markers || data.version_changes || data.deploys;
    var markers = [];
    if (Array.isArray(list)) {
      list.forEach(function (item) {
        if (item && typeof item === "object") {
          var day = pick(item, COLS.day.concat(["changed_at", "first_seen", "timestamp"]));
          if (day !== undefined) markers.push({ day: dayKey(day), version: String(pick(item, COLS.version) || "") });
        } else if (item !== null && item !== undefined) {
          markers.push({ day: dayKey(item), version: "" });
        }
      });
      return markers;
    }
    var previous = null;
    var seen = {};
    data.rows.forEach(function (row) {
      var m = pick(row, ["metric", "RumMetricName"]);
      if (m !== undefined && m !== null && String(m) !== metric) return;
      var fresh = pick(row, ["new_releases", "releases", "new_versions"]);
      if (Array.isArray(fresh)) {
        var day0 = dayKey(pick(row, COLS.day));
        if (fresh.length && !seen[day0]) {
          seen[day0] = true;
          markers.push({ day: day0, version: fresh.join(", ") });
        }
        return;
      }
      var changed = pick(row, ["version_changed", "release_changed", "changed", "is_release"]);
      var version = pick(row, COLS.version);
      var day = dayKey(pick(row, COLS.day));
      if (changed === true || changed === 1 || changed === "1" || changed === "true") {
        markers.push({ day: day, version: version === undefined ? "" : String(version) });
      } else if (changed === undefined && version !== undefined && version !== null && version !== "") {
        if (previous !== null && String(version) !== previous) markers.push({ day: day, version: String(version) });
        previous = String(version);
      }
    });
    return markers;
  }

  function niceTicks(max, count) {
    if (!(max > 0)) return [0];
    var raw = max / count;
    var magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    var steps = [1, 2, 2.5, 5, 10];
    var step = magnitude;
    for (var i = 0; i < steps.length; i++) {
      if (steps[i] * magnitude >= raw) {
        step = steps[i] * magnitude;
        break;
      }
    }
    var ticks = [];
    for (var v = 0; v <= max + step * 0.001; v += step) ticks.push(Number(v.toPrecision(6)));
    return ticks;
  }

  var lastTrend = null;
  var resizeTimer = 0;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      if (lastTrend) renderTrend(lastTrend);
    }, 150);
  });

  function renderTrend(result) {
    lastTrend = result;
    var node = clear($("trend"));
    $("trend-days").textContent = "last " + trendDays() + " days" + (state.device ? " · " + state.device : "");
    showSql("trend-sql", result);
    if (!result.ok) return panelError(node, result, "the trend");
    var metric = state.metric;
    var data = result.data;
    var points = data.rows
      .filter(function (row) {
        var m = pick(row, ["metric", "RumMetricName"]);
        return m === undefined || m === null || String(m) === metric;
      })
      .map(function (row) {
        return {
          day: dayKey(pick(row, COLS.day)),
          p75: num(pick(row, COLS.p75)),
          samples: samplesOf(row) || 0,
          kept: keptOf(row) || 0,
        };
      })
      .filter(function (p) {
        return p.day && p.p75 !== null;
      })
      .sort(function (a, b) {
        return a.day < b.day ? -1 : a.day > b.day ? 1 : 0;
      });
    if (!points.length) return emptyNote(node, "No " + metric + " samples in this period.");
    var markers = releaseMarkers(data, metric).filter(function (marker) {
      return marker.day !== points[0].day; // the first day's version is where the data starts, not a change
    });

    // Drawn at the container's own width, so text keeps its size on a phone.
    var W = Math.round(Math.min(Math.max(node.clientWidth || 760, 320), 1400));
    var H = W < 560 ? 240 : 280;
    var m = { top: 22, right: 18, bottom: 54, left: isScore(metric) ? 52 : 64 };
    var stripH = 26;
    var plotW = W - m.left - m.right;
    var n = points.length;
    function x(i) {
      return m.left + (n === 1 ? plotW / 2 : (i * plotW) / (n - 1));
    }
    var labels = layoutReleaseLabels(markers, points, x, W);
    m.top += 13 * Math.max(0, labels.rows - 1);
    var plotH = H - m.top - m.bottom - stripH - 8;
    var t = THRESHOLDS[metric];
    var maxValue = Math.max.apply(
      null,
      points.map(function (p) {
        return p.p75;
      })
    );
    var yMax = Math.max(maxValue * 1.12, t[0] * 1.15);
    var ticks = niceTicks(yMax, 4);
    yMax = ticks[ticks.length - 1] >= maxValue ? Math.max(ticks[ticks.length - 1], yMax) : yMax;
    var maxSamples = Math.max.apply(
      null,
      points.map(function (p) {
        return p.samples;
      })
    );
    function y(v) {
      return m.top + plotH - (Math.min(v, yMax) / yMax) * plotH;
    }

    var chart = svg("svg", {
      class: "chart trend-chart",
      viewBox: "0 0 " + W + " " + H,
      role: "img",
      "aria-label": "Daily p75 of " + metric + " over " + n + " days",
      "data-points": n,
    });
    // Threshold bands.
    var bands = [
      ["good", 0, t[0]],
      ["ni", t[0], t[1]],
      ["poor", t[1], yMax],
    ];
    bands.forEach(function (b) {
      var lo = Math.min(b[1], yMax);
      var hi = Math.min(b[2], yMax);
      if (hi <= lo) return;
      chart.appendChild(svg("rect", { class: "band " + b[0], x: m.left, width: plotW, y: y(hi), height: y(lo) - y(hi) }));
    });
    // Grid and y axis.
    ticks.forEach(function (v) {
      if (v > yMax) return;
      chart.appendChild(svg("line", { class: "grid", x1: m.left, x2: m.left + plotW, y1: y(v), y2: y(v) }));
      chart.appendChild(
        svg("text", { class: "axis", x: m.left - 8, y: y(v) + 4, "text-anchor": "end", text: formatValue(metric, v) })
      );
    });
    // Threshold lines with labels.
    [t[0], t[1]].forEach(function (v, i) {
      if (v > yMax) return;
      chart.appendChild(svg("line", { class: "threshold " + (i ? "poor" : "good"), x1: m.left, x2: m.left + plotW, y1: y(v), y2: y(v) }));
    });
    // Samples strip.
    var stripTop = m.top + plotH + 8;
    var barW = Math.max(2, Math.min(24, (plotW / Math.max(n, 1)) * 0.6));
    points.forEach(function (p, i) {
      var h = maxSamples > 0 ? (p.samples / maxSamples) * stripH : 0;
      chart.appendChild(
        svg("rect", { class: "sample-bar", x: x(i) - barW / 2, y: stripTop + stripH - h, width: barW, height: Math.max(h, 0.5) }, [
          svg("title", { text: p.day + ": " + formatCount(p.samples) + " samples" }),
        ])
      );
    });
    // Release markers.
    labels.placed.forEach(function (label) {
      var marker = label.marker;
      var xm = label.x;
      var g = svg("g", { class: "release", "data-day": marker.day }, [
        svg("line", { x1: xm, x2: xm, y1: m.top - 18 - 13 * label.row, y2: stripTop + stripH }),
        svg("text", {
          x: label.end ? xm - 4 : xm + 4,
          y: m.top - 8 - 13 * label.row,
          "text-anchor": label.end ? "end" : "start",
          text: label.text,
        }),
        svg("title", { text: "service.version changed on " + marker.day + (marker.version ? " to " + marker.version : "") }),
      ]);
      chart.appendChild(g);
    });
    // Line: split where a day has too few samples, drawn dashed there.
    var d = points
      .map(function (p, i) {
        return (i ? "L" : "M") + x(i).toFixed(1) + " " + y(p.p75).toFixed(1);
      })
      .join(" ");
    var allThin = points.every(function (p) {
      return p.kept < MIN_SAMPLES;
    });
    chart.appendChild(svg("path", { class: "line" + (allThin ? " thin" : ""), d: d }));
    points.forEach(function (p, i) {
      var thin = p.kept < MIN_SAMPLES;
      var r = rating(metric, p.p75);
      chart.appendChild(
        svg("circle", { class: "point " + r + (thin ? " thin" : ""), cx: x(i), cy: y(p.p75), r: thin ? 3 : 4 }, [
          svg("title", {
            text:
              p.day +
              ": p75 " +
              formatValue(metric, p.p75) +
              " (" +
              formatCount(p.samples) +
              " samples" +
              (thin ? ", not enough data" : "") +
              ")",
          }),
        ])
      );
    });
    // X labels: at most ~8.
    var every = Math.max(1, Math.ceil(n / Math.max(3, Math.floor(plotW / 70))));
    points.forEach(function (p, i) {
      var last = i === n - 1;
      if (i % every !== 0 && !last) return;
      if (last && i % every !== 0 && i % every < Math.max(2, every * 0.75)) return; // too close to the previous label
      chart.appendChild(svg("text", { class: "axis", x: x(i), y: H - 14, "text-anchor": "middle", text: p.day.slice(5) }));
    });
    chart.appendChild(svg("text", { class: "axis strip-label", x: m.left - 8, y: stripTop + stripH - 4, "text-anchor": "end", text: "samples" }));
    node.appendChild(chart);

    var thinDays = points.filter(function (p) {
      return p.kept < MIN_SAMPLES;
    }).length;
    var legend = el("p", { class: "legend" }, [
      legendSwatch("good", "good ≤ " + formatValue(metric, t[0])),
      legendSwatch("ni", "needs improvement"),
      legendSwatch("poor", "poor > " + formatValue(metric, t[1])),
      markers.length ? legendSwatch("release-key", markers.length + " release change(s)") : null,
      thinDays ? el("span", { class: "muted", text: thinDays + " day(s) under " + MIN_SAMPLES + " samples (hollow points)" }) : null,
    ]);
    node.appendChild(legend);
  }

  /** Places release labels in as few rows as keep them from overlapping. */
  function layoutReleaseLabels(markers, points, x, W) {
    var dayIndex = {};
    points.forEach(function (p, i) {
      dayIndex[p.day] = i;
    });
    var maxChars = W < 560 ? 12 : 24;
    var rowsEnd = [];
    var placed = [];
    markers.forEach(function (marker) {
      var i = dayIndex[marker.day];
      if (i === undefined) return;
      var xm = x(i);
      var text = marker.version ? shorten(marker.version, maxChars) : "release";
      var width = text.length * 6.3 + 8;
      var end = xm + width > W - 4;
      var x0 = end ? xm - width : xm;
      var row = 0;
      while (row < rowsEnd.length && rowsEnd[row] > x0) row++;
      rowsEnd[row] = x0 + width;
      placed.push({ marker: marker, x: xm, row: row, end: end, text: text });
    });
    return { placed: placed, rows: Math.max(1, rowsEnd.length) };
  }

  var VERDICT_CLASS = { regressed: "poor", improved: "good" };

  function signed(metric, value) {
    var text = formatValue(metric, Math.abs(value));
    return (value > 0 ? "+" : value < 0 ? "\u2212" : "\u00b1") + text;
  }

  /** The newest release against the one before it (the API's compare), under the trend. */
  function renderCompare(result) {
    var node = clear($("compare"));
    var metric = state.metric;
    if (!result.ok) {
      if (result.error && result.error.status === 400) {
        node.appendChild(el("p", { class: "muted small", text: "Fewer than two releases in the last " + trendDays() + " days: no release to compare." }));
      } else {
        panelError(node, result, "the release comparison");
      }
      return;
    }
    var row = result.data.rows[0];
    if (!row) {
      // An expected state (one release so far): the API says why in "note".
      var note = result.data.note || "No release to compare in the last " + trendDays() + " days.";
      node.appendChild(el("p", { class: "muted small compare-empty", text: note }));
      return;
    }
    var verdict = String(pick(row, ["verdict"]) || "");
    var p75a = num(pick(row, ["p75_a"]));
    var p75b = num(pick(row, ["p75_b"]));
    var change = num(pick(row, ["change"]));
    var pct = num(pick(row, ["change_pct"]));
    var low = num(pick(row, ["change_low"]));
    var high = num(pick(row, ["change_high"]));
    append(node, [
      el("span", { class: "pill " + (VERDICT_CLASS[verdict] || "none"), text: verdict || "compared" }),
      " ",
      el("strong", { text: String(pick(row, ["b"]) || "newest") }),
      " vs ",
      el("strong", { text: String(pick(row, ["a"]) || "previous") }),
      ": p75 " + metric + " " + formatValue(metric, p75a) + " \u2192 " + formatValue(metric, p75b),
      change === null ? "" : " (" + signed(metric, change) + (pct === null ? "" : ", " + (pct > 0 ? "+" : "") + pct.toFixed(1) + "%"),
      low === null || high === null ? (change === null ? "" : ")") : "; 95% interval " + signed(metric, low) + " to " + signed(metric, high) + ")",
      el("span", {
        class: "samples",
        text: " n=" + formatCount(num(pick(row, ["samples_a"]))) + " / " + formatCount(num(pick(row, ["samples_b"]))),
      }),
    ]);
    var sql = el("details", { class: "sql" }, [el("summary", { text: "SQL" }), el("pre", { text: String(result.data.sql || "") })]);
    node.appendChild(sql);
  }

  function legendSwatch(kind, text) {
    return el("span", { class: "legend-item" }, [el("span", { class: "swatch " + kind }), text]);
  }

  function shorten(text, max) {
    return text.length > max ? text.slice(0, max - 1) + "…" : text;
  }

  // ---------------------------------------------------------------- devices

  function renderDevices(devices) {
    var node = clear($("devices"));
    showSql("devices-sql", devices[state.metric]);
    var tbody = el("tbody");
    var any = false;
    METRICS.forEach(function (metric) {
      var result = devices[metric];
      var rows = {};
      if (result.ok) {
        result.data.rows.forEach(function (row) {
          var key = pick(row, COLS.device);
          if (key === undefined && result.data.columns) key = row[result.data.columns[0]];
          rows[String(key)] = row;
        });
      }
      var tr = el("tr", { class: metric === state.metric ? "selected" : "" }, [el("th", { scope: "row", text: metric })]);
      DEVICES.forEach(function (device) {
        if (rows[device]) any = true;
        tr.appendChild(vitalCell(metric, rows[device]));
      });
      var mobile = rows.mobile ? num(pick(rows.mobile, COLS.p75)) : null;
      var desktop = rows.desktop ? num(pick(rows.desktop, COLS.p75)) : null;
      var enough =
        rows.mobile && rows.desktop && (keptOf(rows.mobile) || 0) >= MIN_SAMPLES && (keptOf(rows.desktop) || 0) >= MIN_SAMPLES;
      var ratio = enough && desktop ? mobile / desktop : null;
      tr.appendChild(
        el("td", { class: "ratio", title: "mobile p75 ÷ desktop p75" }, ratio === null ? "–" : "×" + ratio.toFixed(ratio >= 10 ? 0 : 2))
      );
      tbody.appendChild(tr);
    });
    if (!any) {
      if (!devices[state.metric].ok) return panelError(node, devices[state.metric], "the device split");
      return emptyNote(node, "No mobile or desktop samples in this period.");
    }
    var head = el("tr", null, [
      el("th", { scope: "col", text: "Vital" }),
      el("th", { scope: "col", text: "Mobile" }),
      el("th", { scope: "col", text: "Desktop" }),
      el("th", { scope: "col", text: "Ratio" }),
    ]);
    node.appendChild(el("div", { class: "table-wrap" }, el("table", { class: "data devices-table" }, [el("thead", null, head), tbody])));
  }

  // ---------------------------------------------------------------- page views

  function renderPages(result) {
    var node = clear($("pages"));
    showSql("pages-sql", result);
    if (!result.ok) return panelError(node, result, "page views");
    var rows = result.data.rows
      .map(function (row) {
        return { route: routeKey(row, result.data), views: num(pick(row, COLS.pageViews)) || 0 };
      })
      .sort(function (a, b) {
        return b.views - a.views;
      });
    if (!rows.length) return emptyNote(node, "No page views in this period.");
    var total = rows.reduce(function (sum, r) {
      return sum + r.views;
    }, 0);
    var max = rows[0].views || 1;
    var shown = rows.slice(0, 15);
    var list = el("ol", { class: "hbars" });
    shown.forEach(function (r) {
      list.appendChild(
        el("li", { "data-route": r.route }, [
          el("span", { class: "hbar-label" }, el("code", { text: r.route || "(none)" })),
          el("span", { class: "hbar-track" }, el("span", { class: "hbar-fill", style: "width:" + ((r.views / max) * 100).toFixed(2) + "%" })),
          el("span", { class: "hbar-value", text: formatCount(r.views) + " · " + formatPercent(total ? r.views / total : 0) }),
        ])
      );
    });
    node.appendChild(list);
    var note = formatCount(total) + " page views on " + rows.length + " route(s)";
    if (rows.length > shown.length) note += "; top " + shown.length + " shown";
    node.appendChild(el("p", { class: "muted small", text: note + "." }));
  }

  // ---------------------------------------------------------------- errors

  function renderErrors(result) {
    var node = clear($("errors"));
    showSql("errors-sql", result);
    if (!result.ok) return panelError(node, result, "errors");
    var rows = result.data.rows;
    if (!rows.length) return emptyNote(node, "No JavaScript errors in this period.");
    var head = el("tr", null, [
      el("th", { scope: "col", text: "Error" }),
      el("th", { scope: "col", class: "num", text: "Count" }),
      el("th", { scope: "col", class: "num", text: "Page views" }),
      el("th", { scope: "col", text: "First seen" }),
      el("th", { scope: "col", text: "Last seen" }),
    ]);
    var tbody = el("tbody");
    rows.slice(0, 25).forEach(function (row) {
      var type = pick(row, COLS.errType);
      var message = pick(row, COLS.message);
      var fingerprint = pick(row, COLS.fingerprint);
      var topFrame = row.top_frame ? "at " + row.top_frame + (row.mapped ? " · " + row.mapped : "") : "";
      var line = el("tr", { "data-fingerprint": fingerprint === undefined ? "" : String(fingerprint), class: fingerprint ? "error-row" : null, tabindex: fingerprint ? "0" : null, title: fingerprint ? "Show this error in full" : null }, [
          el("td", { class: "error-cell" }, [
            el("span", { class: "error-type", text: type ? String(type) : "Error" }),
            " ",
            el("span", { class: "error-message", title: message ? String(message) : "", text: message ? shorten(String(message), 160) : "(no message)" }),
            fingerprint ? el("span", { class: "fingerprint muted", text: String(fingerprint).slice(0, 12) }) : null,
            topFrame ? el("div", { class: "error-frame muted small", text: topFrame }) : null,
          ]),
          el("td", { class: "num", text: formatCount(num(pick(row, COLS.errCount))) }),
          el("td", { class: "num", text: formatCount(num(pick(row, COLS.errViews))) }),
          el("td", { class: "date", text: formatDate(pick(row, COLS.firstSeen)) }),
          el("td", { class: "date", text: formatDate(pick(row, COLS.lastSeen)) }),
        ]);
      tbody.appendChild(line);
      if (fingerprint) {
        line.addEventListener("click", function () { toggleErrorDetail(line, String(fingerprint)); });
        line.addEventListener("keydown", function (event) {
          if (event.key === "Enter" || event.key === " ") { event.preventDefault(); toggleErrorDetail(line, String(fingerprint)); }
        });
      }
    });
    node.appendChild(el("div", { class: "table-wrap" }, el("table", { class: "data errors-table" }, [el("thead", null, head), tbody])));
  }

  // One error in full (GET /api/errors?fingerprint=…): its symbolicated stack, where and
  // how often, and the SQL behind it; a second click closes it.
  function toggleErrorDetail(line, fingerprint) {
    var next = line.nextSibling;
    if (next && next.getAttribute("data-detail") === fingerprint) {
      next.parentNode.removeChild(next);
      line.setAttribute("aria-expanded", "false");
      return;
    }
    var cell = el("td", { colspan: "5" }, el("p", { class: "placeholder", text: "Loading…" }));
    var detail = el("tr", { class: "error-detail", "data-detail": fingerprint }, cell);
    line.parentNode.insertBefore(detail, line.nextSibling);
    line.setAttribute("aria-expanded", "true");
    fetchApi("errors", { site: state.site, days: state.days, device: state.device, fingerprint: fingerprint }).then(
      function (data) {
        var row = data.rows[0] || {};
        var list = function (value) { return Array.isArray(value) && value.length ? value.join(", ") : "—"; };
        var facts = [
          ["First seen", formatDate(row.first_seen)],
          ["Last seen", formatDate(row.last_seen)],
          ["Occurrences", formatCount(num(row.count))],
          ["Page views", formatCount(num(row.page_views))],
          ["Sessions", formatCount(num(row.sessions))],
          ["Releases", list(row.releases)],
          ["Routes", list(row.routes)],
          ["Source maps", row.mapped || "—"],
        ];
        clear(cell);
        cell.appendChild(el("dl", { class: "error-facts" }, [].concat.apply([], facts.map(function (fact) {
          return [el("dt", { text: fact[0] }), el("dd", { text: fact[1] })];
        }))));
        cell.appendChild(el("pre", { class: "error-stack", text: row.stack ? String(row.stack) : "(no stack)" }));
        cell.appendChild(el("details", { class: "sql" }, [el("summary", { text: "SQL" }), el("pre", { text: String(data.sql || "") })]));
      },
      function (error) {
        clear(cell).appendChild(el("p", { class: "panel-error", text: "Could not load this error: " + (error && error.message) }));
      }
    );
  }

  // ---------------------------------------------------------------- events

  function renderFunnel(result) {
    var node = clear($("funnel"));
    showSql("funnel-sql", result);
    if (!result.ok) return panelError(node, result, "the funnel");
    var rows = result.data.rows;
    var first = rows.length ? num(pick(rows[0], ["events"])) || 0 : 0;
    var any = rows.some(function (row) {
      return (num(pick(row, ["events"])) || 0) > 0;
    });
    if (!any) {
      return emptyNote(node, "No funnel events in this period: call DECO_RUM.track('view_item_list') … track('purchase') on the storefront.");
    }
    var list = el("ol", { class: "hbars funnel" });
    rows.forEach(function (row, i) {
      var events = num(pick(row, ["events"])) || 0;
      var conversion = num(pick(row, ["conversion"]));
      var step = String(pick(row, ["event"]) || "");
      list.appendChild(
        el("li", { "data-event": step }, [
          el("span", { class: "hbar-label" }, el("code", { text: step })),
          el("span", { class: "hbar-track" }, el("span", { class: "hbar-fill", style: "width:" + (first ? (events / first) * 100 : 0).toFixed(2) + "%" })),
          el("span", {
            class: "hbar-value",
            text: formatCount(events) + (i > 0 && conversion !== null ? " · " + formatPercent(conversion) + " of previous" : ""),
          }),
        ])
      );
    });
    node.appendChild(list);
    var last = num(pick(rows[rows.length - 1], ["of_first"]));
    if (last !== null) node.appendChild(el("p", { class: "muted small", text: formatPercent(last) + " of the first step reach the last." }));
  }

  function renderTopEvents(result) {
    var node = clear($("top-events"));
    showSql("top-events-sql", result);
    if (!result.ok) return panelError(node, result, "top events");
    var rows = result.data.rows;
    if (!rows.length) return emptyNote(node, "No custom events in this period.");
    var head = el("tr", null, [
      el("th", { scope: "col", text: "Event" }),
      el("th", { scope: "col", class: "num", text: "Count" }),
      el("th", { scope: "col", class: "num", text: "Share" }),
      el("th", { scope: "col", class: "num", text: "Routes" }),
    ]);
    var tbody = el("tbody");
    rows.slice(0, 20).forEach(function (row) {
      var share = num(pick(row, ["share"]));
      tbody.appendChild(
        el("tr", { "data-event": String(pick(row, ["event"]) || "") }, [
          el("td", null, el("code", { text: String(pick(row, ["event"]) || "") })),
          el("td", { class: "num", text: formatCount(num(pick(row, ["count"]))) }),
          el("td", { class: "num", text: share === null ? "–" : formatPercent(share) }),
          el("td", { class: "num", text: formatCount(num(pick(row, ["routes"]))) }),
        ])
      );
    });
    node.appendChild(el("div", { class: "table-wrap" }, el("table", { class: "data events-table" }, [el("thead", null, head), tbody])));
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
