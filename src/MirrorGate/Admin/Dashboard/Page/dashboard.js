// MirrorGate mirror dashboard. Plain script, no build step, nothing loaded from elsewhere.
// It asks once for the Admin API key, keeps it in sessionStorage (this tab only, never in a URL),
// reads /apisix/admin/mirror/dashboard every 2 s with the key in X-API-KEY, and computes rates by
// differencing the cumulative counters of successive readings. Read-only: it never writes.
"use strict";

(function () {
  const API = "/apisix/admin/mirror/dashboard";
  const KEY_STORAGE = "mirrorgate.dashboard.key";
  const REFRESH_MS = 2000;
  const RATE_WINDOW_MS = 10000; // rates and windowed percentiles span about this much history

  const $ = (id) => document.getElementById(id);
  let history = []; // [{at: ms (node time), data}], oldest first
  let timer = null;
  let generation = 0; // a new key starts a new generation; answers of an older one are ignored

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined) continue;
      if (name === "class") node.className = value;
      else if (name.startsWith("data-")) node.setAttribute(name, String(value));
      else node[name] = value;
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      // Text always goes in as text: route names and hosts come from configuration.
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function showLogin(message) {
    stop();
    $("board").hidden = true;
    $("forget").hidden = true;
    $("login").hidden = false;
    const error = $("login-error");
    error.textContent = message || "";
    error.hidden = !message;
    $("status").textContent = "";
    $("key").value = "";
    $("key").focus();
  }

  function stop() {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    generation++;
  }

  function start(key) {
    stop();
    history = [];
    const mine = generation;
    const tick = async () => {
      let goOn;
      try {
        goOn = await refresh(key, mine);
      } catch (e) {
        // An answer that could not be read or shown must not stop the refreshing for good.
        if (mine === generation) setStatus("Could not show the last reading (" + e.message + "); retrying…", true);
        goOn = true;
      }
      if (goOn && mine === generation) timer = setTimeout(tick, REFRESH_MS);
    };
    tick();
  }

  // Returns whether to go on refreshing.
  async function refresh(key, mine) {
    let response;
    try {
      response = await fetch(API, { headers: { "X-API-KEY": key }, cache: "no-store", credentials: "omit" });
    } catch (e) {
      if (mine !== generation) return false;
      setStatus("Cannot reach the node; retrying…", true);
      return true;
    }
    if (mine !== generation) return false;
    if (response.status === 401) {
      sessionStorage.removeItem(KEY_STORAGE);
      let detail = "";
      try { detail = (await response.json()).description || ""; } catch (e) { /* not JSON */ }
      showLogin("Wrong key: the Admin API refused it" + (detail ? " (" + detail + ")" : "") + ". Enter the admin or viewer key.");
      return false;
    }
    if (!response.ok) {
      let message = "HTTP " + response.status;
      try { message = (await response.json()).error_msg || message; } catch (e) { /* not JSON */ }
      if (response.status === 403) {
        sessionStorage.removeItem(KEY_STORAGE);
        showLogin("Refused: " + message);
        return false;
      }
      setStatus("The node answered " + message + "; retrying…", true);
      return true;
    }
    const data = await response.json();
    if (mine !== generation) return false;
    sessionStorage.setItem(KEY_STORAGE, key);
    $("login").hidden = true;
    $("board").hidden = false;
    $("forget").hidden = false;
    const at = Date.parse(data.node.time);
    history.push({ at, data });
    while (history.length > 2 && at - history[1].at >= RATE_WINDOW_MS) history.shift();
    render(data, history[0]);
    setStatus("Updated " + new Date(at).toLocaleTimeString() + " · every " + REFRESH_MS / 1000 + " s", false);
    return true;
  }

  function setStatus(text, stale) {
    const status = $("status");
    status.textContent = text;
    status.classList.toggle("stale", stale);
  }

  // ---- numbers ----

  function fmtCount(n) { return Number(n).toLocaleString("en-US"); }
  function fmtRate(r) { return r === null ? "" : (r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2)) + "/s"; }
  function fmtSeconds(s) {
    if (s === null || s === undefined) return "–";
    if (s < 1) return (s * 1000).toFixed(s < 0.01 ? 2 : 1) + " ms";
    return s.toFixed(2) + " s";
  }
  function fmtBytes(b) {
    const units = ["B", "KiB", "MiB", "GiB"];
    let i = 0;
    while (b >= 1024 && i < units.length - 1) { b /= 1024; i++; }
    return (i === 0 ? b : b.toFixed(1)) + " " + units[i];
  }
  function fmtDuration(seconds) {
    const s = Math.floor(seconds);
    const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    return (d ? d + "d " : "") + (d || h ? h + "h " : "") + m + "m " + (s % 60) + "s";
  }

  // Prometheus's histogram_quantile over cumulative counts (the same as HistogramQuantile.cs).
  function quantile(q, bounds, cumulative) {
    if (!cumulative.length || cumulative[cumulative.length - 1] <= 0 || cumulative.length !== bounds.length + 1) return null;
    const total = cumulative[cumulative.length - 1];
    const rank = q * total;
    for (let i = 0; i < bounds.length; i++) {
      if (cumulative[i] >= rank && cumulative[i] > 0) {
        const lower = i === 0 ? 0 : bounds[i - 1];
        const below = i === 0 ? 0 : cumulative[i - 1];
        const inBucket = cumulative[i] - below;
        return inBucket === 0 ? bounds[i] : lower + (bounds[i] - lower) * (rank - below) / inBucket;
      }
    }
    return bounds.length ? bounds[bounds.length - 1] : null;
  }

  function findTarget(data, routeId, name) {
    if (!data) return null;
    const route = data.routes.find((r) => r.id === routeId);
    return route && route.mirror_targets ? route.mirror_targets.find((t) => t.name === name) || null : null;
  }

  // ---- rendering ----

  function render(data, oldest) {
    const node = data.node;
    $("node-info").textContent = "version " + node.version + " · node " + node.node_id + " · " + node.hostname
      + " · up " + fmtDuration(node.uptime_seconds) + " · config revision " + node.config_revision;

    const load = data.mirror;
    $("load").replaceChildren(
      stat("Queue depth", fmtCount(load.queue_depth) + " / " + fmtCount(load.queue_size), "queue_depth", load.queue_depth),
      stat("In flight", fmtCount(load.in_flight), "in_flight", load.in_flight),
      stat("Buffered bodies", fmtBytes(load.buffered_bytes) + " / " + fmtBytes(load.max_buffered_bytes), "buffered_bytes", load.buffered_bytes));

    const span = oldest && oldest.data !== data ? (Date.parse(data.node.time) - oldest.at) / 1000 : 0;
    const routes = data.routes.map((route) => renderRoute(route, span > 0 ? oldest.data : null, span));
    $("routes").replaceChildren(...routes);
    $("no-routes").hidden = data.routes.length > 0;
  }

  function stat(label, text, name, value) {
    return el("div", {}, el("dt", {}, label), el("dd", { "data-stat": name, "data-value": value }, text));
  }

  function renderRoute(route, old, span) {
    const match = (route.methods ? route.methods.join(",") + " " : "")
      + (route.hosts ? route.hosts.join(",") : "") + route.uris.join(" ");
    const head = el("div", { class: "route-head" },
      el("h3", {}, "Route " + route.id + (route.name ? " · " + route.name : "")),
      el("span", { class: "match" }, match));

    let upstream;
    if (route.upstream) {
      const up = route.upstream;
      const origin = up.id !== null ? "upstream " + up.id : up.service_id !== null ? "service " + up.service_id + "'s upstream" : "inline upstream";
      upstream = el("div", { class: "upstream" },
        el("span", { class: "muted" }, origin + " (" + up.scheme + (up.health_checked ? ", health checked" : ", no health checks") + "): "),
        ...up.nodes.map((n) => el("span", { class: "node " + n.health, title: n.health + " · weight " + n.weight + " · priority " + n.priority, "data-node": n.address, "data-health": n.health },
          n.address + " " + (n.health === "unchecked" ? "" : n.health === "healthy" ? "✓" : "✗"))));
    } else {
      upstream = el("div", { class: "upstream muted" }, "no upstream");
    }

    const section = el("article", { class: "route", "data-route": route.id }, head, upstream);
    if (!route.mirror_targets) {
      section.append(el("p", { class: "muted" }, "No proxy-mirror on this route."));
      return section;
    }

    const headers = ["Target", "Sample", "Sampled", "Sent", "Failed", "Dropped", "p50", "p90", "p99", "Pending", "Circuit", "Kill switch"];
    const table = el("table", {},
      el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, ...route.mirror_targets.map((t) => renderTarget(route.id, t, findTarget(old, route.id, t.name), span))));
    section.append(el("div", { class: "table-wrap" }, table));
    return section;
  }

  function counterCell(name, value, previous, span, breakdown) {
    const rate = previous !== null && span > 0 ? Math.max(0, value - previous) / span : null;
    return el("td", { class: "num", "data-counter": name, "data-value": value },
      fmtCount(value),
      el("span", { class: "rate", "data-rate": name }, fmtRate(rate)),
      breakdown ? el("span", { class: "breakdown" }, breakdown) : null);
  }

  function breakdownText(map) {
    const parts = Object.entries(map).filter(([, v]) => v > 0).map(([k, v]) => k + " " + fmtCount(v));
    return parts.join(" · ");
  }

  function renderTarget(routeId, t, old, span) {
    const c = t.counters;
    const o = old ? old.counters : null;
    const lat = t.latency;

    // Percentiles over the rate window when copies settled in it; else since the node started.
    let p = [lat.p50_seconds, lat.p90_seconds, lat.p99_seconds];
    let window = false;
    if (old && lat.count > old.latency.count && old.latency.bucket_cumulative_counts.length === lat.bucket_cumulative_counts.length) {
      const delta = lat.bucket_cumulative_counts.map((v, i) => v - old.latency.bucket_cumulative_counts[i]);
      p = [0.5, 0.9, 0.99].map((q) => quantile(q, lat.bucket_bounds_seconds, delta));
      window = true;
    }
    const latencyTitle = window ? "over the last " + Math.round(span) + " s" : "since the node started";
    const pct = (name, v) => el("td", { class: "num", "data-latency": name, title: latencyTitle }, fmtSeconds(v));

    const sampleText = (t.sample_ratio * 100).toFixed(t.sample_ratio < 0.01 ? 3 : 0) + "%" + (t.sample_key ? " by " + t.sample_key : "");
    return el("tr", { "data-target": t.name },
      el("td", {}, el("strong", {}, t.name), t.name !== t.host ? el("span", { class: "breakdown" }, t.host) : null,
        t.compare ? el("span", { class: "badge on", title: "answers compared with the primary's" }, "compare") : null),
      el("td", {}, sampleText),
      counterCell("sampled", c.sampled, o ? o.sampled : null, span),
      counterCell("sent", c.sent, o ? o.sent : null, span, breakdownText(c.sent_by_status_class)),
      counterCell("failed", c.failed, o ? o.failed : null, span, breakdownText(c.failed_by_reason)),
      counterCell("dropped", c.dropped, o ? o.dropped : null, span, breakdownText(c.dropped_by_reason)),
      pct("p50", p[0]), pct("p90", p[1]), pct("p99", p[2]),
      el("td", { class: "num", "data-stat": "pending", "data-value": c.pending, title: "sampled copies not settled yet: queued, being written or awaiting the answer" },
        fmtCount(c.pending),
        t.held === null ? null : el("span", { class: "breakdown", title: "copies held against the target's queue_size" }, "held " + fmtCount(t.held) + " / " + fmtCount(t.queue_size))),
      el("td", {}, el("span", { class: "badge " + t.circuit, "data-state": "circuit" }, t.circuit)),
      el("td", {}, el("span", { class: "badge " + t.kill_switch, "data-state": "kill_switch" }, t.kill_switch)));
  }

  // ---- wiring ----

  document.addEventListener("DOMContentLoaded", () => {
    $("login").addEventListener("submit", (event) => {
      event.preventDefault();
      const key = $("key").value.trim();
      if (!key) return;
      $("login-error").hidden = true;
      $("status").textContent = "Checking the key…";
      start(key);
    });
    $("forget").addEventListener("click", () => {
      sessionStorage.removeItem(KEY_STORAGE);
      showLogin("");
    });
    const saved = sessionStorage.getItem(KEY_STORAGE);
    if (saved) start(saved);
    else showLogin("");
  });
})();
