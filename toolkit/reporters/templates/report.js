"use strict";
// The findings views of the HTML report: by expectation (a table), by article and by file
// (groups). Article text only ever reaches the page as text nodes (textContent), never as
// markup, and each view renders one page at a time so that 100,000 findings stay responsive.
(function () {
  const HIGHLIGHT = 1, MARKER = 2, PLACEHOLDER = 4;
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const S = data.strings;
  const exps = data.expectations;
  // Finding row layout, as toolkit/reporters/html.py payload() writes it.
  const EXP = 0, SEV = 1, FILE = 2, LINE = 3, FIELD = 4, FIELD_LINE = 5, EXCERPT = 6,
    MESSAGE = 7, FINGERPRINT = 8, DATE = 9, HEADLINE = 10, BASELINE = 11;
  const BASELINE_WORD = ["", "new", "accepted"];
  // Findings in the page's order: expectations that could not run, failed critical,
  // warning, info, then passing ones; within one expectation as the Result lists them.
  const groupRank = (e) => (e.error ? 0 : e.passed ? 4 : 1 + data.severities.indexOf(e.severity));
  const order = exps.map((e, i) => groupRank(e) * 1e6 + i);
  const all = data.findings.map((f, i) => [f, i]);
  all.sort((a, b) => order[a[0][EXP]] - order[b[0][EXP]] || a[1] - b[1]);
  for (let i = 0; i < all.length; i++) all[i] = all[i][0];

  const $ = (id) => document.getElementById(id);
  const el = (tag, cls, text) => {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  };
  const str = (i) => (i === null || i === undefined ? null : S[i]);
  const n = (x) => x.toLocaleString("en");
  const plural = (k, one, many) => n(k) + " " + (k === 1 ? one : many);

  const state = { view: "findings", exp: "", sev: "", base: "", file: "", text: "",
    failedOnly: false, page: 0, size: 100 };
  let shown = all;
  let groups = null; // the shown findings grouped for the current view, built on demand

  // Lower-case text of each finding for the search box, built on first use.
  const haystacks = new Map();
  const excerptText = (ex) => (typeof ex === "string" ? ex : ex.map((p) => p[0]).join(""));
  function haystack(f) {
    let h = haystacks.get(f);
    if (h === undefined) {
      h = [exps[f[EXP]].key, S[f[FILE]], S[f[FIELD]], S[f[MESSAGE]], excerptText(f[EXCERPT]),
        str(f[HEADLINE]) || "", str(f[DATE]) || "", f[FINGERPRINT]].join("\n").toLowerCase();
      haystacks.set(f, h);
    }
    return h;
  }

  function filter() {
    const exp = state.exp === "" ? -1 : Number(state.exp);
    const sev = state.sev === "" ? -1 : Number(state.sev);
    const base = state.base === "" ? -1 : Number(state.base);
    const file = state.file.toLowerCase();
    const words = state.text.toLowerCase().split(/\s+/).filter(Boolean);
    const out = [];
    for (let i = 0; i < all.length; i++) {
      const f = all[i];
      if (exp >= 0 && f[EXP] !== exp) continue;
      if (sev >= 0 && f[SEV] !== sev) continue;
      if (base >= 0 && f[BASELINE] !== base) continue;
      if (state.failedOnly && exps[f[EXP]].passed) continue;
      if (file && S[f[FILE]].toLowerCase().indexOf(file) < 0) continue;
      if (words.length && !words.every((w) => haystack(f).indexOf(w) >= 0)) continue;
      out.push(f);
    }
    shown = out;
    groups = null;
    state.page = 0;
    render();
  }

  function excerptNode(ex) {
    const box = el("div", "excerpt");
    if (typeof ex === "string") {
      if (ex === "") box.appendChild(el("span", "empty", "(empty)"));
      else box.textContent = ex;
      return box;
    }
    // Consecutive pieces under the same highlight / placeholder mark share one wrapper, so
    // a placeholder with a no-break space inside stays one marked unit.
    let wrap = null, wrapFlags = 0;
    for (const piece of ex) {
      const flags = piece[1];
      const outer = flags & (HIGHLIGHT | PLACEHOLDER);
      if (!outer) wrap = null;
      else if (wrap === null || wrapFlags !== outer) {
        const classes = [];
        if (outer & HIGHLIGHT) classes.push("hl");
        if (outer & PLACEHOLDER) classes.push("cf");
        wrap = el("span", classes.join(" "));
        wrap.title = outer & PLACEHOLDER
          ? "Cloudflare email-protection placeholder: the address was lost when the page was scraped"
          : "the offending text";
        wrapFlags = outer;
        box.appendChild(wrap);
      }
      const parent = wrap || box;
      if (flags & MARKER) {
        const mark = el("span", "mk", piece[0]);
        mark.title = "invisible character " + piece[2];
        parent.appendChild(mark);
      } else {
        parent.appendChild(document.createTextNode(piece[0]));
      }
    }
    return box;
  }

  // One finding as a table row; ``place`` false leaves out file:line (a group names it).
  function rowNode(f, place) {
    const tr = el("tr");
    const sev = data.severities[f[SEV]];
    const e = exps[f[EXP]];
    tr.className = "sev-row-" + sev + (e.passed ? " passed" : "");
    const tdSev = el("td");
    tdSev.appendChild(el("span", "sev sev-" + sev, sev));
    if (f[BASELINE]) tdSev.appendChild(el("span", "badge b-" + BASELINE_WORD[f[BASELINE]], BASELINE_WORD[f[BASELINE]]));
    tr.appendChild(tdSev);

    const tdExp = el("td");
    const link = el("button", "link", e.key);
    link.type = "button";
    link.dataset.exp = String(f[EXP]);
    tdExp.appendChild(link);
    tr.appendChild(tdExp);

    const tdPlace = el("td", "place");
    const fieldLine = f[FIELD_LINE];
    if (place) tdPlace.appendChild(el("div", "loc", S[f[FILE]] + ":" + f[LINE]));
    tdPlace.appendChild(el("div", "field", S[f[FIELD]] + (fieldLine !== null && fieldLine !== f[LINE] ? " (line " + fieldLine + ")" : "")));
    tr.appendChild(tdPlace);

    const tdProblem = el("td");
    tdProblem.appendChild(el("div", "message", S[f[MESSAGE]]));
    tdProblem.appendChild(excerptNode(f[EXCERPT]));
    const headline = str(f[HEADLINE]);
    const date = str(f[DATE]);
    if (place && (headline !== null || date !== null)) {
      tdProblem.appendChild(el("div", "headline", [date, headline].filter((x) => x !== null).join(" · ")));
    }
    tr.appendChild(tdProblem);
    return tr;
  }

  // The shown findings by article (file and start line) or by file, worst first: most
  // critical findings, then most findings, then by name.
  function grouped() {
    if (groups !== null) return groups;
    const byArticle = state.view === "articles";
    const map = new Map();
    for (const f of shown) {
      const key = byArticle ? f[FILE] + ":" + f[LINE] : f[FILE];
      let g = map.get(key);
      if (g === undefined) {
        g = { file: f[FILE], line: f[LINE], rows: [], sev: [0, 0, 0], articles: new Set(), head: f };
        map.set(key, g);
      }
      g.rows.push(f);
      g.sev[f[SEV]]++;
      g.articles.add(f[LINE]);
    }
    groups = Array.from(map.values());
    groups.sort((a, b) => b.sev[0] - a.sev[0] || b.rows.length - a.rows.length ||
      (S[a.file] < S[b.file] ? -1 : S[a.file] > S[b.file] ? 1 : a.line - b.line));
    return groups;
  }

  const GROUP_ROWS = 10;
  function groupNode(g) {
    const box = el("div", "group-box");
    const head = el("div", "group-head");
    const byArticle = state.view === "articles";
    head.appendChild(el("span", "loc", byArticle ? S[g.file] + ":" + g.line : S[g.file]));
    const problems = plural(g.rows.length, "problem", "problems") +
      (byArticle ? "" : " in " + plural(g.articles.size, "article", "articles"));
    head.appendChild(el("span", "problems", (byArticle ? "this article has " : "this file has ") + problems));
    const parts = data.severities.map((s, i) => (g.sev[i] ? g.sev[i] + " " + s : "")).filter(Boolean);
    head.appendChild(el("span", "sevs", parts.join(" · ")));
    if (byArticle) {
      const date = str(g.head[DATE]), headline = str(g.head[HEADLINE]);
      if (date !== null || headline !== null) {
        head.appendChild(el("div", "headline", [date, headline].filter((x) => x !== null).join(" · ")));
      }
    }
    box.appendChild(head);
    const table = el("table", "findings compact");
    const body = el("tbody");
    for (const f of g.rows.slice(0, GROUP_ROWS)) body.appendChild(rowNode(f, !byArticle));
    table.appendChild(body);
    box.appendChild(table);
    if (g.rows.length > GROUP_ROWS) {
      const more = el("button", "link more", "… " + n(g.rows.length - GROUP_ROWS) + " more: list every finding of " + S[g.file]);
      more.type = "button";
      more.dataset.file = S[g.file];
      box.appendChild(more);
    }
    return box;
  }

  function render() {
    const isTable = state.view === "findings";
    const items = isTable ? shown : grouped();
    const size = isTable ? state.size : Math.max(10, Math.round(state.size / 5));
    const pages = Math.max(1, Math.ceil(items.length / size));
    state.page = Math.min(state.page, pages - 1);
    const start = state.page * size;
    const end = Math.min(items.length, start + size);
    const frag = document.createDocumentFragment();
    for (let i = start; i < end; i++) frag.appendChild(isTable ? rowNode(items[i], true) : groupNode(items[i]));
    $("table").hidden = !isTable;
    $("groups").hidden = isTable;
    $("rows").replaceChildren(isTable ? frag : "");
    $("groups").replaceChildren(isTable ? "" : frag);
    const noun = isTable ? "findings" : state.view;
    const of = shown.length === all.length ? "" : " (filtered from " + n(all.length) + ")";
    const findingsNote = isTable ? "" : " (" + plural(shown.length, "finding", "findings") + ")";
    $("count").textContent = items.length
      ? noun + " " + n(start + 1) + "–" + n(end) + " of " + n(items.length) + findingsNote + of + ", page " + (state.page + 1) + " of " + pages
      : "no findings match" + of;
    $("prev").disabled = state.page === 0;
    $("next").disabled = state.page >= pages - 1;
    $("export").disabled = shown.length === 0;
    document.body.classList.toggle("failed-only", state.failedOnly);
    for (const tab of document.querySelectorAll("[role=tab]")) {
      tab.setAttribute("aria-selected", String(tab.dataset.view === state.view));
    }
    for (const node of document.querySelectorAll("[data-key].expectation, article.card")) {
      node.classList.toggle("selected", state.exp !== "" && exps[Number(state.exp)].key === node.dataset.key);
    }
  }

  // --- CSV export of the filtered findings, every page -----------------------------------
  // A cell a spreadsheet would read as a formula (=, +, -, @, or a tab / carriage return
  // first) gets a leading quote, so article text cannot run in Excel or LibreOffice.
  const FORMULA = /^[=+\-@\t\r]/;
  function cell(value) {
    if (value === null || value === undefined) return "";
    let s = String(value);
    if (typeof value === "number") return s;
    if (FORMULA.test(s)) s = "'" + s;
    return '"' + s.replace(/"/g, '""') + '"';
  }
  const CSV_HEAD = ["severity", "expectation", "file", "line", "field", "field_line", "message",
    "excerpt", "date", "headline", "fingerprint", "baseline"];
  function csv() {
    const lines = [CSV_HEAD.join(",")];
    for (const f of shown) {
      lines.push([data.severities[f[SEV]], exps[f[EXP]].key, S[f[FILE]], f[LINE], S[f[FIELD]],
        f[FIELD_LINE], S[f[MESSAGE]], excerptText(f[EXCERPT]), str(f[DATE]), str(f[HEADLINE]),
        f[FINGERPRINT], BASELINE_WORD[f[BASELINE]]].map(cell).join(","));
    }
    return lines.join("\r\n") + "\r\n";
  }
  function download() {
    // A byte order mark, so that spreadsheets read the file as UTF-8.
    const blob = new Blob(["\ufeff", csv()], { type: "text/csv;charset=utf-8" });
    const url = URL.createObjectURL(blob);
    const a = el("a");
    a.href = url;
    a.download = "toolkit-findings.csv";
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  function setup() {
    const counts = new Array(exps.length).fill(0);
    const files = new Map();
    for (const f of all) {
      counts[f[EXP]]++;
      if (files.size < 500 && !files.has(f[FILE])) files.set(f[FILE], true);
    }
    const sel = $("f-exp");
    exps.forEach((e, i) => {
      const opt = el("option", null, e.key + " (" + counts[i] + ")");
      opt.value = String(i);
      sel.appendChild(opt);
    });
    const list = $("files");
    for (const i of files.keys()) {
      const opt = el("option");
      opt.value = S[i];
      list.appendChild(opt);
    }

    let timer = 0;
    const later = (fn) => { clearTimeout(timer); timer = setTimeout(fn, 150); };
    sel.addEventListener("change", () => { state.exp = sel.value; filter(); });
    $("f-sev").addEventListener("change", (ev) => { state.sev = ev.target.value; filter(); });
    if ($("f-base")) $("f-base").addEventListener("change", (ev) => { state.base = ev.target.value; filter(); });
    $("f-file").addEventListener("input", (ev) => { state.file = ev.target.value; later(filter); });
    $("f-text").addEventListener("input", (ev) => { state.text = ev.target.value; later(filter); });
    $("f-failed").addEventListener("change", (ev) => { state.failedOnly = ev.target.checked; filter(); });
    $("filters").addEventListener("submit", (ev) => ev.preventDefault());
    $("filters").addEventListener("reset", () => {
      Object.assign(state, { exp: "", sev: "", base: "", file: "", text: "", failedOnly: false });
      setTimeout(filter, 0);
    });
    $("export").addEventListener("click", download);
    $("prev").addEventListener("click", () => { state.page--; render(); });
    $("next").addEventListener("click", () => { state.page++; render(); });
    $("page-size").addEventListener("change", (ev) => { state.size = Number(ev.target.value); state.page = 0; render(); });
    const show = (view) => { state.view = view; state.page = 0; groups = null; render(); };
    for (const tab of document.querySelectorAll("[role=tab]")) {
      tab.addEventListener("click", () => show(tab.dataset.view));
    }

    const choose = (key) => {
      const i = exps.findIndex((e) => e.key === key);
      if (i < 0) return;
      sel.value = String(i);
      state.exp = sel.value;
      state.view = "findings";
      filter();
      $("findings").scrollIntoView();
    };
    for (const node of document.querySelectorAll("tr.expectation")) {
      node.addEventListener("click", () => choose(node.dataset.key));
      node.addEventListener("keydown", (ev) => { if (ev.key === "Enter") choose(node.dataset.key); });
    }
    for (const button of document.querySelectorAll("article.card button[data-key]")) {
      button.addEventListener("click", () => choose(button.dataset.key));
    }
    const onPick = (ev) => {
      const target = ev.target;
      if (!(target instanceof HTMLElement)) return;
      if (target.dataset.exp !== undefined) {
        sel.value = target.dataset.exp;
        state.exp = sel.value;
        filter();
      } else if (target.dataset.file !== undefined) {
        $("f-file").value = target.dataset.file;
        state.file = target.dataset.file;
        state.view = "findings";
        filter();
      }
    };
    $("rows").addEventListener("click", onPick);
    $("groups").addEventListener("click", onPick);
    render();
    document.body.dataset.ready = "true";
  }

  setup();
})();
