// The usage page: asks for a server key (kept in this module's memory only), then reads
// GET /v1/usage and GET /v1/usage/budgets and draws them as plain SVG, no library: two small
// charts are shorter to draw than a charting library is to load, and nothing loads from elsewhere.

const SVG = "http://www.w3.org/2000/svg";
const WINDOWS = {
  "1h": { seconds: 3600, width: "1m", step: 60, limit: 61 },
  "24h": { seconds: 86_400, width: "1h", step: 3600, limit: 25 },
  "30d": { seconds: 30 * 86_400, width: "1d", step: 86_400, limit: 31 },
};

/** The server key, only ever in this variable. */
let serverKey = "";
const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, text) {
  const node = tag.startsWith("svg:") ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = String(text);
  return node;
}

async function api(path) {
  const res = await fetch(path, { headers: { authorization: `Bearer ${serverKey}` } });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw Object.assign(new Error(body?.error?.message ?? `HTTP ${res.status}`), { status: res.status });
  return body;
}

/** Every bucket of a query, following next_page. */
async function buckets(params) {
  const all = [];
  let page;
  for (let i = 0; i < 20; i++) {
    const query = new URLSearchParams(params);
    if (page) query.set("page", page);
    const body = await api(`/v1/usage?${query}`);
    all.push(...body.data);
    if (!body.has_more) break;
    page = body.next_page;
  }
  return all;
}

/** Dollars without exponents: cents for large sums, two significant digits for fractions of a cent. */
const usd = (n) =>
  `$${n >= 1 ? n.toFixed(2) : n.toLocaleString("en", { maximumSignificantDigits: 2, maximumFractionDigits: 12, useGrouping: false })}`;
const count = (n) => Intl.NumberFormat("en", { notation: n >= 100_000 ? "compact" : "standard" }).format(n);
const FIELDS = ["num_requests", "inputs", "cache_hits", "upstream_inputs", "input_tokens", "cost_usd", "saved_usd"];

function sumBy(bucketList, field) {
  const sums = new Map();
  for (const bucket of bucketList) {
    for (const r of bucket.results) {
      const key = field ? r[field] : "all";
      const s = sums.get(key) ?? Object.fromEntries(FIELDS.map((f) => [f, 0]));
      for (const f of FIELDS) s[f] += r[f];
      sums.set(key, s);
    }
  }
  return sums;
}

const hitRate = (s) => (s.cache_hits + s.upstream_inputs ? s.cache_hits / (s.cache_hits + s.upstream_inputs) : 0);

function drawTotals(total) {
  const box = $("totals");
  box.replaceChildren();
  const items = [
    ["Requests", count(total.num_requests)],
    ["Inputs", count(total.inputs)],
    ["Cache hit rate", `${(hitRate(total) * 100).toFixed(1)}%`],
    ["Upstream tokens", count(total.input_tokens)],
    ["Cost", usd(total.cost_usd)],
    ["Saved by the cache", usd(total.saved_usd)],
  ];
  for (const [label, value] of items) {
    const div = el("div");
    div.append(el("span", { class: "muted" }, label), el("strong", {}, value));
    box.append(div);
  }
}

/** Bars of requests per bucket (gaps filled with zero) and a line of the cache hit rate. */
function drawTraffic(bucketList, win, start) {
  const W = 1000;
  const H = 260;
  const pad = { l: 48, r: 44, t: 12, b: 28 };
  const byStart = new Map(bucketList.map((b) => [b.start_time, sumBy([b]).get("all")]));
  const slots = [];
  for (let t = start; t <= Math.floor(Date.now() / 1000); t += win.step) slots.push([t, byStart.get(t)]);
  const max = Math.max(1, ...slots.map(([, s]) => s?.num_requests ?? 0));
  const svg = el("svg:svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": "Requests and cache hit rate over time" });
  const plotW = W - pad.l - pad.r;
  const plotH = H - pad.t - pad.b;
  const bw = plotW / slots.length;
  for (let i = 0; i <= 4; i++) {
    const y = pad.t + (plotH * i) / 4;
    svg.append(el("svg:line", { class: "grid", x1: pad.l, x2: W - pad.r, y1: y, y2: y }));
    svg.append(el("svg:text", { x: pad.l - 6, y: y + 4, "text-anchor": "end" }, count(Math.round((max * (4 - i)) / 4))));
    svg.append(el("svg:text", { x: W - pad.r + 6, y: y + 4 }, `${100 - i * 25}%`));
  }
  const points = [];
  slots.forEach(([t, s], i) => {
    const x = pad.l + i * bw;
    const h = ((s?.num_requests ?? 0) / max) * plotH;
    if (h > 0) {
      const bar = el("svg:rect", { class: "requests", x: x + bw * 0.15, y: pad.t + plotH - h, width: Math.max(1, bw * 0.7), height: h });
      bar.append(
        el(
          "svg:title",
          {},
          `${new Date(t * 1000).toISOString().slice(0, 16)}Z: ${s.num_requests} requests, ${(hitRate(s) * 100).toFixed(0)}% hits`,
        ),
      );
      svg.append(bar);
      const y = pad.t + plotH * (1 - hitRate(s));
      points.push(`${x + bw / 2},${y}`);
      svg.append(el("svg:circle", { class: "hitpoint", cx: x + bw / 2, cy: y, r: 3.5 }));
    }
    const every = Math.ceil(slots.length / 8);
    if (i % every === 0) {
      const label = win.width === "1d" ? new Date(t * 1000).toISOString().slice(5, 10) : new Date(t * 1000).toISOString().slice(11, 16);
      svg.append(el("svg:text", { x: x + bw / 2, y: H - 8, "text-anchor": "middle" }, label));
    }
  });
  if (points.length) svg.append(el("svg:polyline", { class: "hitrate", points: points.join(" ") }));
  $("traffic").replaceChildren(svg);
}

/** Two bars per model: what it cost, and what the cache saved. */
function drawModels(sums) {
  const rows = [...sums].sort((a, b) => b[1].cost_usd + b[1].saved_usd - (a[1].cost_usd + a[1].saved_usd));
  if (rows.length === 0) return $("models").replaceChildren(el("p", { class: "empty-note" }, "No requests in this window."));
  const W = 1000;
  const rowH = 44;
  const left = 260;
  const H = rows.length * rowH + 8;
  const max = Math.max(1e-12, ...rows.flatMap(([, s]) => [s.cost_usd, s.saved_usd]));
  const svg = el("svg:svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": "Cost and savings per model" });
  rows.forEach(([model, s], i) => {
    const y = 4 + i * rowH;
    svg.append(el("svg:text", { class: "label", x: 0, y: y + 24 }, model.length > 38 ? `${model.slice(0, 37)}…` : model));
    for (const [j, field] of [
      [0, "cost_usd"],
      [1, "saved_usd"],
    ]) {
      const w = (s[field] / max) * (W - left - 90);
      svg.append(
        el("svg:rect", {
          class: field === "cost_usd" ? "cost" : "saved",
          x: left,
          y: y + 4 + j * 18,
          width: Math.max(1, w),
          height: 14,
          rx: 2,
        }),
      );
      svg.append(el("svg:text", { x: left + Math.max(1, w) + 6, y: y + 15 + j * 18 }, usd(s[field])));
    }
  });
  $("models").replaceChildren(svg);
}

function drawSubjects(sums) {
  const table = $("subjects");
  const rows = [...sums].sort((a, b) => b[1].cost_usd - a[1].cost_usd || b[1].num_requests - a[1].num_requests).slice(0, 10);
  const head = el("tr");
  for (const h of ["Subject", "Requests", "Inputs", "Hit rate", "Tokens", "Cost", "Saved"]) head.append(el("th", {}, h));
  table.replaceChildren(el("thead"), el("tbody"));
  table.tHead.append(head);
  for (const [subject, s] of rows) {
    const tr = el("tr");
    for (const v of [
      subject,
      count(s.num_requests),
      count(s.inputs),
      `${(hitRate(s) * 100).toFixed(0)}%`,
      count(s.input_tokens),
      usd(s.cost_usd),
      usd(s.saved_usd),
    ])
      tr.append(el("td", {}, v));
    table.tBodies[0].append(tr);
  }
  if (rows.length === 0) table.tBodies[0].append(el("tr")).append(el("td", { colspan: 7 }, "No requests in this window."));
}

function drawBudgets(state) {
  const box = $("budgets");
  box.replaceChildren();
  if (state.data.length === 0) return box.append(el("p", { class: "empty-note" }, "No BUDGETS rules are set."));
  for (const { rule, subjects } of state.data) {
    const limits = [
      ["max_usd", "usd"],
      ["max_tokens", "tokens"],
      ["max_inputs", "inputs"],
    ].filter(([k]) => rule[k] !== undefined);
    const ruleText = `${rule.subject} · ${rule.period} · ${limits.map(([k]) => `${k} ${rule[k]}`).join(", ")}`;
    if (subjects.length === 0) {
      const row = el("div", { class: "budget" });
      row.append(el("span", { class: "rule" }, ruleText), el("span", { class: "muted" }, "no use this period"), el("span"));
      box.append(row);
    }
    for (const { subject, used } of subjects) {
      for (const [k, unit] of limits) {
        const share = rule[k] ? used[unit] / rule[k] : 1;
        const row = el("div", { class: "budget" });
        const meter = el("div", { class: "meter", title: `${used[unit]} of ${rule[k]} ${unit}` });
        const fill = el("span", { class: share >= 1 ? "over" : "" });
        // Through the CSSOM: a style attribute is inline style, which the pages' CSP refuses.
        fill.style.width = `${Math.min(100, share * 100).toFixed(1)}%`;
        meter.append(fill);
        const figure = unit === "usd" ? `${usd(used.usd)} of ${usd(rule[k])}` : `${count(used[unit])} of ${count(rule[k])} ${unit}`;
        row.append(el("span", { class: "rule" }, ruleText), el("span", { class: "subject" }, `${subject}: ${figure}`), meter);
        box.append(row);
      }
    }
  }
}

async function load() {
  const win = WINDOWS[$("window").value];
  const now = Math.floor(Date.now() / 1000);
  const start = Math.floor((now - win.seconds) / win.step) * win.step + win.step;
  const base = { start_time: String(start), bucket_width: win.width, limit: String(win.limit) };
  $("status").textContent = "Loading…";
  const [traffic, byModel, bySubject, budgets] = await Promise.all([
    buckets(base),
    buckets({ ...base, group_by: "model" }),
    buckets({ ...base, group_by: "subject" }),
    api("/v1/usage/budgets"),
  ]);
  drawTotals(sumBy(traffic).get("all") ?? Object.fromEntries(FIELDS.map((f) => [f, 0])));
  drawTraffic(traffic, win, start);
  drawModels(sumBy(byModel, "model"));
  drawSubjects(sumBy(bySubject, "subject"));
  drawBudgets(budgets);
  $("report").hidden = false;
  $("status").textContent = `Updated ${new Date().toLocaleTimeString()}`;
  $("status").className = "muted ok";
}

$("credential-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  serverKey = $("credential").value.trim();
  $("credential-error").textContent = "";
  try {
    await load();
    $("credential-form").hidden = true;
    $("range").hidden = false;
  } catch (err) {
    $("credential-error").textContent =
      err.status === 401 || err.status === 403 ? "That is not a server key of this gateway." : err.message;
  }
});
for (const id of ["window", "refresh"]) {
  $(id).addEventListener(id === "window" ? "change" : "click", () =>
    load().catch((err) => {
      $("status").textContent = err.message;
    }),
  );
}
