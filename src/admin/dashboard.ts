/**
 * The dashboard: one HTML page, its stylesheet and its script, all served by
 * the admin API. No external scripts, fonts or images, so it works offline
 * and under a strict Content-Security-Policy (script and style only from this
 * origin, no inline code). The script reads the admin API with the session
 * cookie and redraws every 10 seconds; it builds the DOM with textContent,
 * never markup, so stored text (block reasons) cannot inject anything.
 */

/** Sent with every admin page: nothing but this origin's own script, style and API. */
export const DASHBOARD_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export const PAGE_HEADERS = {
  "content-security-policy": DASHBOARD_CSP,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
  "x-frame-options": "DENY",
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const head = (prefix: string, title: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${escapeHtml(prefix)}/dashboard.css">
</head>`;

/** The login form: the token goes in a POST body, never a URL. */
export function loginPage(prefix: string, failed: boolean): string {
  return `${head(prefix, "distill-guard · sign in")}
<body class="login">
<main>
<h1>distill-guard</h1>
<form method="post" action="${escapeHtml(prefix)}/login">
<label for="token">Admin token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
${failed ? '<p class="error" role="alert">That token is not right.</p>' : ""}
<button type="submit">Sign in</button>
</form>
</main>
</body>
</html>`;
}

// Column names ending in "#" hold numbers (right-aligned).
const TABLES: Array<[id: string, title: string, columns: string[]]> = [
  ["reasons", "Top reasons", ["Reason", "Decisions#"]],
  ["countries", "Countries", ["Country", "Decisions#", "Denied#"]],
  ["keys", "Most denied keys", ["Key hash", "Denials#"]],
];

const TILES: Array<[id: string, label: string]> = [
  ["decisions", "Decisions"],
  ["allow", "Allowed"],
  ["flag", "Flagged"],
  ["degrade", "Degraded"],
  ["challenge", "Challenged"],
  ["throttle", "Throttled"],
  ["block", "Blocked"],
  ["shadowDenied", "Would-be denials (shadow)"],
];

const table = (id: string, title: string, columns: string[]) => `<section class="card">
<h2>${title}</h2>
<table data-table="${id}"><thead><tr>${columns.map((c) => (c.endsWith("#") ? `<th class="num">${c.slice(0, -1)}</th>` : `<th>${c}</th>`)).join("")}</tr></thead><tbody></tbody></table>
</section>`;

/** The dashboard page; its numbers arrive from the API after load. */
export function dashboardPage(prefix: string, minutes: number): string {
  return `${head(prefix, "distill-guard · dashboard")}
<body data-prefix="${escapeHtml(prefix)}" data-minutes="${minutes}" data-state="loading">
<header>
<h1>distill-guard</h1>
<dl class="status">
<div><dt>Config</dt><dd data-field="version">…</dd></div>
<div><dt>Store</dt><dd data-field="store">…</dd></div>
<div><dt>Numbers from</dt><dd data-field="source">…</dd></div>
<div><dt>Updated</dt><dd data-field="updated">…</dd></div>
</dl>
<form method="post" action="${escapeHtml(prefix)}/logout"><button type="submit">Sign out</button></form>
</header>
<main>
<p class="error" data-field="error" hidden></p>
<section class="tiles" aria-label="Totals, last ${minutes} minutes">
${TILES.map(([id, label]) => `<div class="tile t-${id}"><span class="label">${label}</span><span class="value" data-stat="${id}">–</span></div>`).join("\n")}
</section>
<section class="card">
<h2>Decisions per minute, last ${minutes} minutes</h2>
<div class="legend">${["allow", "flag", "degrade", "challenge", "throttle", "block"].map((a) => `<span class="key a-${a}">${a}</span>`).join("")}</div>
<svg data-chart="perMinute" viewBox="0 0 720 180" preserveAspectRatio="none" role="img" aria-label="Decisions per minute by action"></svg>
<div class="axis"><span data-field="from"></span><span data-field="peak"></span><span data-field="to"></span></div>
</section>
<div class="grid">
${TABLES.map(([id, title, columns]) => table(id, title, columns)).join("\n")}
</div>
${table("clusters", "Clusters over their limit, now", ["Cluster", "Routes", "Accounts#", "Limit#", "Action"])}
${table("blocks", "Manual blocks", ["On", "Target", "Reason", "Expires in"])}
<p class="note">Block or lift with the admin API (Bearer token): <code>POST ${escapeHtml(prefix)}/blocks</code>, <code>DELETE ${escapeHtml(prefix)}/blocks/&lt;on&gt;/&lt;target&gt;</code>.</p>
<p class="note" data-field="note"></p>
</main>
<script src="${escapeHtml(prefix)}/dashboard.js"></script>
</body>
</html>`;
}

export const DASHBOARD_CSS = `:root {
  --bg: #f6f7f9; --card: #fff; --ink: #1d2330; --muted: #667085; --line: #e4e7ec;
  --allow: #3b82f6; --flag: #eab308; --degrade: #14b8a6; --challenge: #a855f7; --throttle: #f97316; --block: #dc2626; --shadow: #8b5cf6;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg);
}
@media (prefers-color-scheme: dark) {
  :root { --bg: #0f1320; --card: #171c2c; --ink: #e6e9f0; --muted: #98a2b3; --line: #273047; }
}
* { box-sizing: border-box; }
body { margin: 0; }
header { display: flex; align-items: center; gap: 1.5rem; padding: .75rem 1.5rem; background: var(--card); border-bottom: 1px solid var(--line); flex-wrap: wrap; }
header h1 { font-size: 1.1rem; margin: 0; letter-spacing: .02em; }
.status { display: flex; gap: 1.5rem; margin: 0; flex: 1; flex-wrap: wrap; }
.status div { display: flex; flex-direction: column; }
.status dt { font-size: .7rem; text-transform: uppercase; color: var(--muted); }
.status dd { margin: 0; font-size: .9rem; font-variant-numeric: tabular-nums; }
.status dd.bad { color: var(--block); font-weight: 600; }
button { font: inherit; padding: .4rem .9rem; border: 1px solid var(--line); border-radius: 6px; background: var(--card); color: var(--ink); cursor: pointer; }
main { padding: 1.25rem 1.5rem; display: flex; flex-direction: column; gap: 1.25rem; max-width: 1400px; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: .75rem; }
.tile { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .75rem 1rem; border-top: 4px solid var(--muted); display: flex; flex-direction: column; }
.tile .label { font-size: .75rem; color: var(--muted); }
.tile .value { font-size: 1.8rem; font-weight: 600; font-variant-numeric: tabular-nums; }
.t-allow { border-top-color: var(--allow); } .t-flag { border-top-color: var(--flag); } .t-throttle { border-top-color: var(--throttle); }
.t-degrade { border-top-color: var(--degrade); } .t-challenge { border-top-color: var(--challenge); }
.t-block { border-top-color: var(--block); } .t-shadowDenied { border-top-color: var(--shadow); }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 1rem; }
.card h2 { font-size: .95rem; margin: 0 0 .75rem; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 1.25rem; }
table { width: 100%; border-collapse: collapse; font-size: .85rem; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); }
th { color: var(--muted); font-weight: 500; font-size: .75rem; text-transform: uppercase; }
td { font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
td.hash { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .75rem; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .8rem; }
.num { text-align: right; }
td.empty { color: var(--muted); text-align: center; font-style: italic; }
svg { width: 100%; height: 180px; display: block; }
.a-allow { fill: var(--allow); } .a-flag { fill: var(--flag); } .a-throttle { fill: var(--throttle); } .a-block { fill: var(--block); }
.a-degrade { fill: var(--degrade); } .a-challenge { fill: var(--challenge); }
.legend { display: flex; gap: 1rem; font-size: .8rem; margin-bottom: .5rem; }
.legend .key::before { content: ""; display: inline-block; width: .7rem; height: .7rem; border-radius: 2px; margin-right: .3rem; vertical-align: -1px; }
.key.a-allow::before { background: var(--allow); } .key.a-flag::before { background: var(--flag); }
.key.a-throttle::before { background: var(--throttle); } .key.a-block::before { background: var(--block); }
.key.a-degrade::before { background: var(--degrade); } .key.a-challenge::before { background: var(--challenge); }
.axis { display: flex; justify-content: space-between; font-size: .75rem; color: var(--muted); margin-top: .25rem; }
.error { color: var(--block); }
.note { font-size: .8rem; color: var(--muted); }
body.login main { max-width: 22rem; margin: 12vh auto; }
body.login form { display: flex; flex-direction: column; gap: .6rem; background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 1.25rem; }
body.login input { font: inherit; padding: .5rem; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--ink); }
`;

// Plain ES2020, no template literals: this file is its source as served.
export const DASHBOARD_JS = `"use strict";
(function () {
  var body = document.body;
  var prefix = body.getAttribute("data-prefix");
  var minutes = Number(body.getAttribute("data-minutes")) || 60;
  var ACTIONS = ["allow", "flag", "degrade", "challenge", "throttle", "block"];
  var SVG = "http://www.w3.org/2000/svg";
  var fmt = new Intl.NumberFormat();

  function field(name) { return document.querySelector("[data-field='" + name + "']"); }
  function setText(el, text) { if (el) el.textContent = text; }

  function api(path) {
    return fetch(prefix + path, { credentials: "same-origin", headers: { accept: "application/json" } }).then(function (r) {
      if (r.status === 401) { location.reload(); throw new Error("signed out"); }
      return r.json().then(function (json) { return { status: r.status, json: json }; });
    });
  }

  function fill(id, rows, cells) {
    var tbody = document.querySelector("[data-table='" + id + "'] tbody");
    if (!tbody) return;
    tbody.replaceChildren();
    if (!rows.length) {
      var tr = document.createElement("tr");
      var td = document.createElement("td");
      td.className = "empty";
      td.colSpan = tbody.parentElement.querySelectorAll("th").length;
      td.textContent = "none";
      tr.appendChild(td);
      tbody.appendChild(tr);
      return;
    }
    rows.forEach(function (row) {
      var tr = document.createElement("tr");
      cells(row).forEach(function (value, i) {
        var td = document.createElement("td");
        if (typeof value === "number") { td.className = "num"; td.textContent = fmt.format(value); }
        else {
          td.textContent = value;
          if (/^[0-9a-f]{32}$/.test(value) || /^[\\w.-]+:[0-9a-f]{16}$/.test(value)) td.className = "hash";
        }
        if (i === 0) tr.setAttribute("data-row", String(value));
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
    });
  }

  function duration(ms) {
    var s = Math.max(0, Math.round(ms / 1000));
    if (s < 120) return s + " s";
    if (s < 7200) return Math.round(s / 60) + " min";
    if (s < 172800) return Math.round(s / 3600) + " h";
    return Math.round(s / 86400) + " d";
  }

  function clock(iso) { return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }); }

  function chart(summary, nowMs) {
    var svg = document.querySelector("[data-chart='perMinute']");
    svg.replaceChildren();
    var byMinute = {};
    summary.perMinute.forEach(function (m) { byMinute[m.minute] = m; });
    var last = Math.floor(nowMs / 60000);
    var slots = [];
    for (var i = minutes - 1; i >= 0; i--) {
      var iso = new Date((last - i) * 60000).toISOString();
      slots.push(byMinute[iso] || { minute: iso, allow: 0, flag: 0, degrade: 0, challenge: 0, throttle: 0, block: 0 });
    }
    var peak = 1;
    slots.forEach(function (m) { peak = Math.max(peak, ACTIONS.reduce(function (n, a) { return n + (m[a] || 0); }, 0)); });
    var w = 720 / slots.length, h = 180;
    slots.forEach(function (m, i) {
      var y = h;
      ACTIONS.forEach(function (a) {
        if (!m[a]) return;
        var bar = m[a] / peak * (h - 4);
        y -= bar;
        var rect = document.createElementNS(SVG, "rect");
        rect.setAttribute("x", String(i * w + 0.5));
        rect.setAttribute("y", String(y));
        rect.setAttribute("width", String(Math.max(1, w - 1)));
        rect.setAttribute("height", String(bar));
        rect.setAttribute("class", "a-" + a);
        rect.setAttribute("data-minute", m.minute);
        rect.setAttribute("data-action", a);
        rect.setAttribute("data-count", String(m[a]));
        var title = document.createElementNS(SVG, "title");
        title.textContent = clock(m.minute) + " " + a + ": " + m[a];
        rect.appendChild(title);
        svg.appendChild(rect);
      });
    });
    setText(field("from"), clock(slots[0].minute));
    setText(field("to"), clock(slots[slots.length - 1].minute));
    setText(field("peak"), "peak " + fmt.format(peak) + " / min");
  }

  function render(stats, blocks, clusters, health) {
    var s = stats.summary;
    ["decisions", "allow", "flag", "degrade", "challenge", "throttle", "block", "shadowDenied"].forEach(function (k) {
      setText(document.querySelector("[data-stat='" + k + "']"), fmt.format(s.totals[k]));
    });
    chart(s, Date.parse(stats.generatedAt));
    fill("reasons", s.reasons, function (r) { return [r.reason, r.decisions]; });
    fill("countries", s.countries, function (r) { return [r.country || "(none)", r.decisions, r.denied]; });
    fill("clusters", clusters.clusters || [], function (c) { return [c.id, (c.routes || []).join(", "), c.accounts, c.maxAccounts, c.action]; });
    fill("keys", s.keys, function (r) { return [r.key, r.denials]; });
    fill("blocks", blocks.blocks || [], function (b) { return [b.dimension, b.target, b.reason, duration(b.ttlMs)]; });
    setText(field("source"), stats.source === "analytics-engine" ? "Analytics Engine (all isolates)" : "this isolate");
    setText(field("note"), stats.note || "");
    setText(field("version"), health.version);
    var store = field("store");
    store.textContent = health.store.kind + (health.store.reachable ? " · " + health.store.latencyMs + " ms" : " · unreachable");
    store.className = health.store.reachable ? "" : "bad";
    setText(field("updated"), new Date().toLocaleTimeString());
  }

  function refresh() {
    Promise.all([api("/stats?minutes=" + minutes), api("/blocks"), api("/clusters"), api("/health")]).then(function (r) {
      var error = field("error");
      if (r[0].status !== 200) throw new Error(r[0].json.error || "the statistics could not be read");
      render(r[0].json, r[1].status === 200 ? r[1].json : { blocks: [] }, r[2].status === 200 ? r[2].json : { clusters: [] }, r[3].json);
      error.hidden = true;
      body.setAttribute("data-state", "ready");
      body.setAttribute("data-refreshes", String(Number(body.getAttribute("data-refreshes") || 0) + 1));
    }).catch(function (e) {
      var error = field("error");
      error.textContent = "Could not refresh: " + e.message;
      error.hidden = false;
      body.setAttribute("data-state", "error");
    });
  }

  // "#refresh=5" in the address refreshes every 5 s (2 at least; default 10).
  var every = Number((/(?:^#|&)refresh=(\\d+)/.exec(location.hash) || [])[1]) || 10;
  refresh();
  setInterval(refresh, Math.max(2, every) * 1000);
})();
`;
