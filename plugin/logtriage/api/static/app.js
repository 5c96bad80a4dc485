// logtriage web page: upload a file, label it with POST /v1/classify/file, show a
// label chart and a filterable table, download the labelled CSV. Plain JS, no build.
"use strict";

const LABEL = "logtriage.label";
const CONFIDENCE = "logtriage.confidence";
const ANOMALY = "logtriage.anomaly";
const TEMPLATE = "logtriage.template.text";
const RULE = "logtriage.rule";
const MESSAGE_GUESSES = ["message", "content", "log_message", "msg", "log", "text", "line"];
const PAGE_SIZE = 100;
const PALETTE = ["#2f6fde", "#e0793a", "#3aa55d", "#c0392b", "#8e5fd0", "#1aa5a5", "#c5a021", "#d0559a", "#6b7785"];

const $ = (id) => document.getElementById(id);
const state = { header: [], rows: [], msgCol: 0, cols: {}, filtered: [], page: 0, url: null, xhr: null };

// ---------- CSV (RFC 4180: quotes, doubled quotes, newlines inside quotes) ----------
/** "1 line", "2 lines", "12,000 lines". */
function counted(n, noun) {
  return `${n.toLocaleString()} ${n === 1 ? noun : noun + "s"}`;
}

function parseCsv(text, delimiter = ",") {
  const rows = [];
  let row = [];
  let field = "";
  let i = 0;
  let quoted = false;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
        quoted = false; i++; continue;
      }
      const next = text.indexOf('"', i);
      const stop = next === -1 ? n : next;
      field += text.slice(i, stop);
      i = stop;
      continue;
    }
    if (c === '"') { quoted = true; i++; continue; }
    if (c === delimiter) { row.push(field); field = ""; i++; continue; }
    if (c === "\n" || c === "\r") {
      row.push(field); field = "";
      rows.push(row); row = [];
      i += (c === "\r" && text[i + 1] === "\n") ? 2 : 1;
      continue;
    }
    // plain run up to the next special character
    let j = i;
    while (j < n) {
      const d = text[j];
      if (d === delimiter || d === "\n" || d === "\r" || d === '"') break;
      j++;
    }
    field += text.slice(i, j);
    i = j;
  }
  if (field !== "" || row.length) { row.push(field); rows.push(row); }
  return rows;
}

function guessColumn(header) {
  const folded = header.map((h) => h.trim().toLowerCase());
  for (const g of MESSAGE_GUESSES) {
    const at = folded.indexOf(g);
    if (at >= 0) return header[at];
  }
  return header[0];
}

// ---------- API ----------
function authHeaders() {
  const token = $("token").value.trim();
  return token ? { Authorization: "Bearer " + token } : {};
}

async function api(path) {
  const res = await fetch(path, { headers: authHeaders() });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(errorText(res.status, body));
  return body;
}

function errorText(status, body) {
  if (body && body.error && body.error.message) return `${status} ${body.error.type}: ${body.error.message}`;
  return `request failed with status ${status}`;
}

function showError(text) {
  const el = $("error");
  el.textContent = text || "";
  el.hidden = !text;
}

function showNotice(text) {
  const el = $("notice");
  el.textContent = text || "";
  el.hidden = !text;
}

/** The test split's macro-F1, as `logtriage model build` writes it (metrics.test), if any. */
function testMacroF1(metrics) {
  const f1 = metrics && metrics.test && metrics.test.macro_f1;
  return typeof f1 === "number" ? f1 : undefined;
}

async function loadModels() {
  const select = $("model");
  try {
    const body = await api("/v1/models");
    select.innerHTML = "";
    for (const m of body.models) {
      const opt = document.createElement("option");
      opt.value = m.id;
      const f1 = testMacroF1(m.metrics);
      opt.textContent = m.id === "none" ? "none (templates and rules only)"
        : `${m.id} (${m.version}${f1 !== undefined ? ", test macro-F1 " + f1.toFixed(3) : ""})`;
      opt.disabled = !m.available;
      if (!m.available) opt.title = m.error || "";
      opt.selected = m.id === body.default;
      select.appendChild(opt);
    }
    showError("");
  } catch (err) {
    showError("cannot list models: " + err.message);
  }
}

async function init() {
  try {
    const health = await api("/health");
    $("version").textContent = "v" + health.version;
    if (health.auth_required) {
      $("token-row").hidden = false;
      $("token").value = sessionStorage.getItem("logtriage-token") || "";
      $("token").addEventListener("change", () => {
        sessionStorage.setItem("logtriage-token", $("token").value.trim());
        loadModels();
      });
    }
  } catch (err) {
    showError("server not reachable: " + err.message);
  }
  await loadModels();
}

// ---------- file choice ----------
/** "," for a CSV, tab for a TSV (the server reads them the same way), null for a log. */
function tableDelimiter(file) {
  if (/\.tsv$/i.test(file.name) || file.type === "text/tab-separated-values") return "\t";
  if (/\.csv$/i.test(file.name) || file.type === "text/csv") return ",";
  return null;
}

async function onFileChosen() {
  const file = $("file").files[0];
  const row = $("column-row");
  const select = $("column");
  select.innerHTML = "";
  const delimiter = file && tableDelimiter(file);
  if (!delimiter) { row.hidden = true; return; }
  const head = await file.slice(0, 65536).text();
  const firstLine = parseCsv(head.split(/\r?\n/, 1)[0] || "", delimiter)[0] || [];
  if (!firstLine.length) { row.hidden = true; return; }
  const guess = guessColumn(firstLine);
  for (const name of firstLine) {
    const opt = document.createElement("option");
    opt.value = name;
    opt.textContent = name;
    opt.selected = name === guess;
    select.appendChild(opt);
  }
  row.hidden = false;
}

// ---------- upload with progress ----------
function setProgress(fraction, text) {
  $("progress-box").hidden = false;
  $("progress").value = Math.max(0, Math.min(100, Math.round(fraction * 100)));
  $("status").textContent = text;
}

function upload(event) {
  event.preventDefault();
  const file = $("file").files[0];
  if (!file) { showError("choose a file first"); return; }
  showError(""); showNotice("");
  const form = new FormData();
  form.append("file", file, file.name);
  form.append("model", $("model").value);
  if (!$("column-row").hidden && $("column").value) form.append("column", $("column").value);

  const xhr = new XMLHttpRequest();
  state.xhr = xhr;
  xhr.open("POST", "/v1/classify/file");
  for (const [k, v] of Object.entries(authHeaders())) xhr.setRequestHeader(k, v);
  let total = 0;
  let seenLines = 0;
  let scanned = 0;

  xhr.upload.onprogress = (e) => {
    if (e.lengthComputable) setProgress(0.2 * e.loaded / e.total, `uploading ${Math.round(100 * e.loaded / e.total)}%`);
  };
  xhr.upload.onload = () => setProgress(0.2, "labelling...");
  xhr.onreadystatechange = () => {
    if (xhr.readyState === 2 && xhr.status === 200) total = Number(xhr.getResponseHeader("X-Logtriage-Lines") || 0);
  };
  xhr.onprogress = () => {
    if (xhr.status !== 200 || !total) return;
    const text = xhr.responseText;
    for (let i = text.indexOf("\n", scanned); i !== -1; i = text.indexOf("\n", i + 1)) { seenLines++; scanned = i + 1; }
    const done = Math.min(total, Math.max(0, seenLines - 1));
    setProgress(0.2 + 0.75 * done / total, `labelling ${done.toLocaleString()} / ${total.toLocaleString()} lines`);
  };
  xhr.onload = () => {
    busy(false);
    if (xhr.status !== 200) {
      let body = {};
      try { body = JSON.parse(xhr.responseText); } catch (_) { /* not JSON */ }
      setProgress(0, "failed");
      showError(errorText(xhr.status, body));
      return;
    }
    setProgress(0.97, "rendering...");
    const invalid = Number(xhr.getResponseHeader("X-Logtriage-Invalid-Utf8") || 0);
    const unmatched = Number(xhr.getResponseHeader("X-Logtriage-Unmatched") || 0);
    const notes = [];
    if (invalid) {
      notes.push(`${counted(invalid, "line")} ${invalid === 1 ? "was" : "were"} not valid UTF-8 ` +
        "and decoded with replacement characters");
    }
    if (unmatched) notes.push(`${counted(unmatched, "line")} did not match the log format`);
    showNotice(notes.join("; "));
    const text = xhr.responseText;
    const name = (file.name.replace(/\.[^.]*$/, "") || "upload") + ".labelled.csv";
    // The column name comes percent-encoded (UTF-8): a header cannot carry "Meldung_ü".
    const column = decodeURIComponent(xhr.getResponseHeader("X-Logtriage-Message-Column") || "message");
    showResults(text, name, column, xhr.getResponseHeader("X-Logtriage-Model") || "");
    setProgress(1, `done: ${counted(state.rows.length, "line")} labelled`);
  };
  xhr.onerror = () => { busy(false); setProgress(0, "failed"); showError("network error"); };
  xhr.onabort = () => { busy(false); setProgress(0, "cancelled"); };
  busy(true);
  setProgress(0, "uploading 0%");
  xhr.send(form);
}

function busy(on) {
  $("submit").disabled = on;
  $("cancel").hidden = !on;
}

// ---------- results ----------
function showResults(text, filename, messageColumn, model) {
  const all = parseCsv(text);
  state.header = all[0] || [];
  state.rows = all.slice(1).filter((r) => r.length === state.header.length);
  const col = (name) => state.header.indexOf(name);
  state.cols = { label: col(LABEL), confidence: col(CONFIDENCE), anomaly: col(ANOMALY), template: col(TEMPLATE), rule: col(RULE) };
  state.msgCol = Math.max(0, col(messageColumn));
  if (state.url) URL.revokeObjectURL(state.url);
  state.url = URL.createObjectURL(new Blob([text], { type: "text/csv" }));
  const link = $("download");
  link.href = state.url;
  link.download = filename;
  const anomalies = state.rows.reduce((n, r) => n + (r[state.cols.anomaly] === "true" ? 1 : 0), 0);
  $("summary").textContent = `${state.rows.length.toLocaleString()} lines, ${anomalies.toLocaleString()} anomalous, model ${model}`;
  const counts = new Map();
  for (const r of state.rows) counts.set(r[state.cols.label], (counts.get(r[state.cols.label]) || 0) + 1);
  const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  drawChart(sorted);
  const select = $("filter-label");
  select.innerHTML = '<option value="">all</option>';
  for (const [label, n] of sorted) {
    const opt = document.createElement("option");
    opt.value = label;
    opt.textContent = `${label} (${n})`;
    select.appendChild(opt);
  }
  $("results").hidden = false;
  applyFilters();
}

const SVG = "http://www.w3.org/2000/svg";
function svgEl(name, attrs, text) {
  const el = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
}

// Horizontal bars, drawn by hand in SVG: one per label, longest first.
function drawChart(sorted) {
  const box = $("chart");
  box.innerHTML = "";
  const rowH = 24, labelW = 170, countW = 90, width = Math.max(420, Math.min(900, box.clientWidth || 800));
  const barW = width - labelW - countW;
  const max = sorted.length ? sorted[0][1] : 1;
  const total = sorted.reduce((s, [, n]) => s + n, 0) || 1;
  const svg = svgEl("svg", { width, height: rowH * sorted.length + 6, role: "img" });
  sorted.forEach(([label, n], i) => {
    const y = i * rowH + 3;
    const w = Math.max(2, Math.round(barW * n / max));
    svg.appendChild(svgEl("text", { x: labelW - 8, y: y + 15, "text-anchor": "end" }, label || "(empty)"));
    const bar = svgEl("rect", { class: "bar", x: labelW, y, width: w, height: rowH - 6, rx: 3, fill: PALETTE[i % PALETTE.length], "data-label": label, "data-count": n });
    bar.appendChild(svgEl("title", {}, `${label}: ${n}`));
    bar.addEventListener("click", () => { $("filter-label").value = label; applyFilters(); });
    svg.appendChild(bar);
    svg.appendChild(svgEl("text", { x: labelW + w + 6, y: y + 15 }, `${n.toLocaleString()} (${(100 * n / total).toFixed(1)}%)`));
  });
  box.appendChild(svg);
}

function applyFilters() {
  const label = $("filter-label").value;
  const text = $("filter-text").value.trim().toLowerCase();
  const onlyAnomalies = $("filter-anomaly").checked;
  const c = state.cols;
  const keep = [];
  state.rows.forEach((r, i) => {
    if ((!label || r[c.label] === label) &&
        (!onlyAnomalies || r[c.anomaly] === "true") &&
        (!text || r[state.msgCol].toLowerCase().includes(text) || r[c.template].toLowerCase().includes(text))) keep.push(i);
  });
  state.filtered = keep;
  state.page = 0;
  $("match-count").textContent = `${state.filtered.length.toLocaleString()} matching`;
  renderTable();
}

function renderTable() {
  const body = $("table").tBodies[0];
  const c = state.cols;
  const pages = Math.max(1, Math.ceil(state.filtered.length / PAGE_SIZE));
  state.page = Math.min(state.page, pages - 1);
  const start = state.page * PAGE_SIZE;
  const frag = document.createDocumentFragment();
  for (const at of state.filtered.slice(start, start + PAGE_SIZE)) {
    const r = state.rows[at];
    const tr = document.createElement("tr");
    const cells = [String(at + 1), r[state.msgCol], r[c.label], r[c.confidence], r[c.anomaly], r[c.template], r[c.rule]];
    cells.forEach((v, i) => {
      const td = document.createElement("td");
      td.textContent = v;
      if (i === 4 && v === "true") td.className = "anomaly";
      tr.appendChild(td);
    });
    frag.appendChild(tr);
  }
  body.replaceChildren(frag);
  $("page-info").textContent = `page ${state.page + 1} / ${pages}`;
  $("prev").disabled = state.page === 0;
  $("next").disabled = state.page >= pages - 1;
}

document.addEventListener("DOMContentLoaded", () => {
  $("file").addEventListener("change", onFileChosen);
  $("upload-form").addEventListener("submit", upload);
  $("cancel").addEventListener("click", () => state.xhr && state.xhr.abort());
  $("filter-label").addEventListener("change", applyFilters);
  $("filter-text").addEventListener("input", applyFilters);
  $("filter-anomaly").addEventListener("change", applyFilters);
  $("prev").addEventListener("click", () => { state.page--; renderTable(); });
  $("next").addEventListener("click", () => { state.page++; renderTable(); });
  init();
});
