"use strict";
// The findings table of the HTML report. Article text only ever reaches the page as text
// nodes (textContent), never as markup, and the table renders one page at a time so that
// 100,000 findings stay responsive.
(function () {
  const HIGHLIGHT = 1, MARKER = 2, PLACEHOLDER = 4;
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const S = data.strings;
  const exps = data.expectations;
  const all = data.findings;
  // Finding row layout, as toolkit/reporters/html.py payload() writes it.
  const EXP = 0, SEV = 1, FILE = 2, LINE = 3, FIELD = 4, FIELD_LINE = 5, EXCERPT = 6,
    MESSAGE = 7, FINGERPRINT = 8, DATE = 9, HEADLINE = 10;

  const $ = (id) => document.getElementById(id);
  const el = (tag, cls, text) => {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  };
  const str = (i) => (i === null || i === undefined ? null : S[i]);

  const state = { exp: "", sev: "", file: "", text: "", failedOnly: false, page: 0, size: 100 };
  let shown = all;

  // Lower-case text of each finding for the search box, built on first use.
  let haystacks = null;
  const excerptText = (ex) => (typeof ex === "string" ? ex : ex.map((p) => p[0]).join(""));
  function haystack(i) {
    if (haystacks === null) haystacks = new Array(all.length);
    let h = haystacks[i];
    if (h === undefined) {
      const f = all[i];
      h = [exps[f[EXP]].key, S[f[FILE]], S[f[FIELD]], S[f[MESSAGE]], excerptText(f[EXCERPT]),
        str(f[HEADLINE]) || "", str(f[DATE]) || "", f[FINGERPRINT]].join("\n").toLowerCase();
      haystacks[i] = h;
    }
    return h;
  }

  function filter() {
    const exp = state.exp === "" ? -1 : Number(state.exp);
    const sev = state.sev === "" ? -1 : Number(state.sev);
    const file = state.file.toLowerCase();
    const words = state.text.toLowerCase().split(/\s+/).filter(Boolean);
    const out = [];
    for (let i = 0; i < all.length; i++) {
      const f = all[i];
      if (exp >= 0 && f[EXP] !== exp) continue;
      if (sev >= 0 && f[SEV] !== sev) continue;
      if (state.failedOnly && exps[f[EXP]].passed) continue;
      if (file && S[f[FILE]].toLowerCase().indexOf(file) < 0) continue;
      if (words.length) {
        const h = haystack(i);
        if (!words.every((w) => h.indexOf(w) >= 0)) continue;
      }
      out.push(f);
    }
    shown = out;
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

  function rowNode(f) {
    const tr = el("tr");
    const sev = data.severities[f[SEV]];
    const tdSev = el("td");
    tdSev.appendChild(el("span", "sev sev-" + sev, sev));
    tr.appendChild(tdSev);

    const tdExp = el("td");
    const link = el("button", "link", exps[f[EXP]].key);
    link.type = "button";
    link.dataset.exp = String(f[EXP]);
    tdExp.appendChild(link);
    tr.appendChild(tdExp);

    const tdPlace = el("td", "place");
    tdPlace.appendChild(el("div", "loc", S[f[FILE]] + ":" + f[LINE]));
    const fieldLine = f[FIELD_LINE];
    tdPlace.appendChild(el("div", "field", S[f[FIELD]] + (fieldLine !== null && fieldLine !== f[LINE] ? " (line " + fieldLine + ")" : "")));
    tr.appendChild(tdPlace);

    const tdProblem = el("td");
    tdProblem.appendChild(el("div", "message", S[f[MESSAGE]]));
    tdProblem.appendChild(excerptNode(f[EXCERPT]));
    const headline = str(f[HEADLINE]);
    const date = str(f[DATE]);
    if (headline !== null || date !== null) {
      tdProblem.appendChild(el("div", "headline", [date, headline].filter((x) => x !== null).join(" · ")));
    }
    tr.appendChild(tdProblem);
    return tr;
  }

  function render() {
    const pages = Math.max(1, Math.ceil(shown.length / state.size));
    state.page = Math.min(state.page, pages - 1);
    const start = state.page * state.size;
    const end = Math.min(shown.length, start + state.size);
    const body = $("rows");
    const frag = document.createDocumentFragment();
    for (let i = start; i < end; i++) frag.appendChild(rowNode(shown[i]));
    body.replaceChildren(frag);
    const of = shown.length === all.length ? "" : " (filtered from " + all.length.toLocaleString("en") + ")";
    $("count").textContent = shown.length
      ? "findings " + (start + 1).toLocaleString("en") + "–" + end.toLocaleString("en") + " of " + shown.length.toLocaleString("en") + of + ", page " + (state.page + 1) + " of " + pages
      : "no findings match" + of;
    $("prev").disabled = state.page === 0;
    $("next").disabled = state.page >= pages - 1;
    document.body.classList.toggle("failed-only", state.failedOnly);
    for (const tr of document.querySelectorAll("tr.expectation")) {
      tr.classList.toggle("selected", state.exp !== "" && exps[Number(state.exp)].key === tr.dataset.key);
    }
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
    $("f-file").addEventListener("input", (ev) => { state.file = ev.target.value; later(filter); });
    $("f-text").addEventListener("input", (ev) => { state.text = ev.target.value; later(filter); });
    $("f-failed").addEventListener("change", (ev) => { state.failedOnly = ev.target.checked; filter(); });
    $("filters").addEventListener("submit", (ev) => ev.preventDefault());
    $("filters").addEventListener("reset", () => {
      Object.assign(state, { exp: "", sev: "", file: "", text: "", failedOnly: false });
      setTimeout(filter, 0);
    });
    $("prev").addEventListener("click", () => { state.page--; render(); });
    $("next").addEventListener("click", () => { state.page++; render(); });
    $("page-size").addEventListener("change", (ev) => { state.size = Number(ev.target.value); state.page = 0; render(); });

    const choose = (key) => {
      const i = exps.findIndex((e) => e.key === key);
      if (i < 0) return;
      sel.value = String(i);
      state.exp = sel.value;
      filter();
      $("findings").scrollIntoView();
    };
    for (const tr of document.querySelectorAll("tr.expectation")) {
      tr.addEventListener("click", () => choose(tr.dataset.key));
      tr.addEventListener("keydown", (ev) => { if (ev.key === "Enter") choose(tr.dataset.key); });
    }
    $("rows").addEventListener("click", (ev) => {
      const target = ev.target;
      if (target instanceof HTMLElement && target.dataset.exp !== undefined) {
        sel.value = target.dataset.exp;
        state.exp = sel.value;
        filter();
      }
    });
    render();
    document.body.dataset.ready = "true";
  }

  setup();
})();
