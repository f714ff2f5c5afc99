// corpus-validator's HTML report: the findings list, filters and the file view.
// Corpus text reaches the page only through text nodes (textContent, title): never as markup.
"use strict";
(function () {
  const started = performance.now();
  const DATA = JSON.parse(document.getElementById("report-data").textContent);
  const parsed = performance.now();
  const FILES = DATA.files, FINDINGS = DATA.findings, RULES = DATA.rules;
  const FAMILIES = ["noise", "duplicate", "encoding", "name"];
  const SEVERITIES = ["error", "warning", "info"];
  const PAGE = 250;
  // html.py's BADGED characters, plus CR; "u" so a lone surrogate (an undecodable byte) is one match.
  const INVISIBLE = new RegExp("[\\r" + DATA.invisible + "]", "gu");
  const NAMES = {
    0x00a0: "NBSP", 0x00ad: "SHY", 0x200b: "ZWSP", 0x200e: "LRM", 0x200f: "RLM", 0x202a: "LRE", 0x202b: "RLE",
    0x202c: "PDF", 0x202d: "LRO", 0x202e: "RLO", 0x2060: "WJ", 0x2066: "LRI", 0x2067: "RLI", 0x2068: "FSI",
    0x2069: "PDI", 0xfeff: "BOM", 0x0007: "BEL", 0x0000: "NUL", 0x001b: "ESC", 0x0009: "TAB", 0x000d: "CR",
  };

  const byFile = FILES.map(() => []);
  FINDINGS.forEach((f, i) => byFile[f.f].push(i));

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function label(char) {
    const cp = char.codePointAt(0);
    if (cp >= 0xdc80 && cp <= 0xdcff) return "\\x" + (cp - 0xdc00).toString(16).toUpperCase().padStart(2, "0");
    return NAMES[cp] || "U+" + cp.toString(16).toUpperCase().padStart(4, "0");
  }

  // Text into ``parent``, each invisible character as a badge. In an article a CR before LF is the line break's.
  function appendText(parent, text, article) {
    let cursor = 0;
    INVISIBLE.lastIndex = 0;
    for (let m; (m = INVISIBLE.exec(text)); ) {
      if (m.index > cursor) parent.appendChild(document.createTextNode(text.slice(cursor, m.index)));
      cursor = m.index + m[0].length;
      if (article && m[0] === "\r" && text[cursor] === "\n") continue;
      const badge = el("span", "cp", label(m[0]));
      badge.title = "U+" + m[0].codePointAt(0).toString(16).toUpperCase().padStart(4, "0");
      parent.appendChild(badge);
      if (article && m[0] === "\r") parent.appendChild(document.createTextNode("\n"));
    }
    if (cursor < text.length) parent.appendChild(document.createTextNode(text.slice(cursor)));
    return parent;
  }

  // Plain text with invisible characters named (for option labels and tooltips, which hold no markup).
  function visible(text) {
    return text.replace(INVISIBLE, (c) => "⟨" + label(c) + "⟩");
  }

  // ------------------------------------------------------------------ state in the URL's hash
  function readState() {
    const q = new URLSearchParams(location.hash.slice(1));
    const list = (key, allowed) => (q.get(key) || "").split(",").filter((v) => allowed.includes(v));
    const int = (key) => (/^\d+$/.test(q.get(key) || "") ? parseInt(q.get(key), 10) : null);
    const code = q.get("code") || "";
    return {
      fam: list("fam", FAMILIES),
      sev: list("sev", SEVERITIES),
      code: Object.prototype.hasOwnProperty.call(RULES, code) ? code : "",
      file: int("file") !== null && int("file") < FILES.length ? int("file") : null,
      q: q.get("q") || "",
      page: int("page") || 0,
      open: int("open") !== null && int("open") < FILES.length ? int("open") : null,
      at: int("at"),
    };
  }

  function hashOf(state) {
    const q = new URLSearchParams();
    if (state.fam.length) q.set("fam", state.fam.join(","));
    if (state.sev.length) q.set("sev", state.sev.join(","));
    if (state.code) q.set("code", state.code);
    if (state.file !== null) q.set("file", String(state.file));
    if (state.q) q.set("q", state.q);
    if (state.page) q.set("page", String(state.page));
    if (state.open !== null) q.set("open", String(state.open));
    if (state.at !== null) q.set("at", String(state.at));
    return "#" + q.toString();
  }

  function go(patch) {
    const next = Object.assign(readState(), patch);
    location.hash = hashOf(next);
  }

  function passes(state) {
    const needle = state.q.toLowerCase();
    return (f) =>
      (!state.fam.length || state.fam.includes(RULES[f.c].y)) &&
      (!state.sev.length || state.sev.includes(f.s)) &&
      (!state.code || f.c === state.code) &&
      (state.file === null || f.f === state.file) &&
      (!needle || f.m.toLowerCase().includes(needle) || FILES[f.f].p.toLowerCase().includes(needle));
  }

  // ------------------------------------------------------------------ filters
  const root = document.getElementById("findings");
  const summary = document.getElementById("summary");
  const filters = el("form", "filters");
  filters.setAttribute("role", "search");
  filters.addEventListener("submit", (e) => e.preventDefault());
  const boxes = {};
  function checkboxGroup(name, values, caption) {
    const group = el("fieldset");
    group.appendChild(el("legend", null, caption));
    boxes[name] = values.map((value) => {
      const lab = el("label", name === "fam" ? "fam fam-" + value : "sev sev-" + value);
      const box = el("input");
      box.type = "checkbox";
      box.value = value;
      box.addEventListener("change", () => go({ [name]: boxes[name].filter((b) => b.checked).map((b) => b.value), page: 0 }));
      lab.appendChild(box);
      lab.appendChild(document.createTextNode(" " + value));
      group.appendChild(lab);
      return box;
    });
    filters.appendChild(group);
  }
  checkboxGroup("fam", FAMILIES, "family");
  checkboxGroup("sev", SEVERITIES, "severity");

  function select(caption, options, onChange) {
    const lab = el("label", "pick", caption + " ");
    const sel = el("select");
    for (const [value, text] of options) {
      const opt = el("option", null, text);
      opt.value = value;
      sel.appendChild(opt);
    }
    sel.addEventListener("change", () => onChange(sel.value));
    lab.appendChild(sel);
    filters.appendChild(lab);
    return sel;
  }
  const codeCounts = {};
  FINDINGS.forEach((f) => (codeCounts[f.c] = (codeCounts[f.c] || 0) + 1));
  const codeSelect = select(
    "code",
    [["", "all codes"]].concat(Object.keys(RULES).sort().map((c) => [c, c + " " + RULES[c].n + " (" + codeCounts[c] + ")"])),
    (v) => go({ code: v, page: 0 }),
  );
  const fileOptions = FILES.map((file, i) => [i, file]).filter(([i]) => byFile[i].length);
  fileOptions.sort((x, y) => (x[1].p < y[1].p ? -1 : x[1].p > y[1].p ? 1 : 0));
  const fileSelect = select(
    "file",
    [["", "all files"]].concat(fileOptions.map(([i, file]) => [String(i), visible(file.p) + " (" + byFile[i].length + ")"])),
    (v) => go({ file: v === "" ? null : parseInt(v, 10), page: 0 }),
  );
  const search = el("input");
  search.type = "search";
  search.placeholder = "message or path contains…";
  search.setAttribute("aria-label", "search messages and paths");
  search.addEventListener("change", () => go({ q: search.value, page: 0 }));
  filters.appendChild(search);
  const clear = el("a", "clear", "clear filters");
  clear.href = "#";
  filters.appendChild(clear);
  const counter = el("output", "counter");
  filters.appendChild(counter);
  root.appendChild(filters);
  const view = el("div", "view");
  root.appendChild(view);
  const footer = el("p", "timing");
  root.appendChild(footer);

  function syncFilters(state) {
    for (const name of ["fam", "sev"]) boxes[name].forEach((b) => (b.checked = state[name].includes(b.value)));
    codeSelect.value = state.code;
    fileSelect.value = state.file === null ? "" : String(state.file);
    search.value = state.q;
  }

  // ------------------------------------------------------------------ pieces of a finding
  function codeBadge(f) {
    const badge = el("span", "code fam-" + RULES[f.c].y, f.c);
    badge.title = RULES[f.c].n + ": " + RULES[f.c].t;
    return badge;
  }

  function placeLink(fileIndex, line, column, offset, text) {
    const a = el("a", "place");
    a.href = hashOf(Object.assign(readState(), { open: fileIndex, at: offset, page: 0 }));
    appendText(a, text || FILES[fileIndex].p + ":" + line + ":" + column);
    return a;
  }

  function details(i) {
    const f = FINDINGS[i];
    const card = el("article", "finding sev-" + f.s);
    const head = el("header");
    head.appendChild(codeBadge(f));
    head.appendChild(el("span", "sev sev-" + f.s, f.s));
    head.appendChild(el("span", "rule", RULES[f.c].n));
    head.appendChild(el("span", "at", "line " + f.l + ", column " + f.k));
    card.appendChild(head);
    appendText(card.appendChild(el("p", "message")), f.m);
    const help = card.appendChild(el("p", "help"));
    help.appendChild(el("b", null, "help: "));
    appendText(help, f.h);
    if (f.r.length) {
      const see = card.appendChild(el("div", "related"));
      see.appendChild(el("b", null, "see: "));
      const list = see.appendChild(el("ul"));
      for (const [file, line, column, offset] of f.r) {
        const item = list.appendChild(el("li"));
        if (typeof file === "number") item.appendChild(placeLink(file, line, column, offset));
        else appendText(item, file + ":" + line + ":" + column + " (not in this report)");
      }
      if (f.n > f.r.length) list.appendChild(el("li", null, "and " + (f.n - f.r.length).toLocaleString("en") + " more"));
    }
    if (f.d) {
      card.appendChild(el("p", "fixnote", "corpus-validator fix would make this repair:"));
      const diff = card.appendChild(el("pre", "diff"));
      for (const line of f.d.split("\n")) {
        const kind = line[0] === "+" ? "add" : line[0] === "-" ? "del" : "hunk";
        appendText(diff.appendChild(el("span", kind)), line);
        diff.appendChild(document.createTextNode("\n"));
      }
    }
    return card;
  }

  // ------------------------------------------------------------------ the findings list
  function renderList(state, shown) {
    const pages = Math.max(1, Math.ceil(shown.length / PAGE));
    const page = Math.min(state.page, pages - 1);
    const table = el("table", "list");
    const head = table.appendChild(el("thead")).appendChild(el("tr"));
    for (const h of ["place", "code", "severity", "message", "fix"]) head.appendChild(el("th", null, h));
    const body = table.appendChild(el("tbody"));
    const rows = document.createDocumentFragment();
    for (const i of shown.slice(page * PAGE, (page + 1) * PAGE)) {
      const f = FINDINGS[i];
      const tr = el("tr", "sev-" + f.s);
      tr.dataset.finding = String(i);
      tr.appendChild(el("td")).appendChild(placeLink(f.f, f.l, f.k, f.a));
      tr.appendChild(el("td")).appendChild(codeBadge(f));
      tr.appendChild(el("td")).appendChild(el("span", "sev sev-" + f.s, f.s));
      const message = tr.appendChild(el("td", "message"));
      appendText(message, f.m);
      appendText(message.appendChild(el("div", "help")), f.h);
      const fix = tr.appendChild(el("td", "fix", f.d ? "[*]" : ""));
      if (f.d) fix.title = "corpus-validator fix repairs it";
      rows.appendChild(tr);
    }
    body.appendChild(rows);
    const nav = el("nav", "pages");
    const step = (text, to) => {
      const a = el("a", null, text);
      a.href = hashOf(Object.assign({}, state, { page: to }));
      nav.appendChild(a);
    };
    if (page > 0) step("← previous", page - 1);
    nav.appendChild(el("span", null, "page " + (page + 1) + " of " + pages));
    if (page < pages - 1) step("next →", page + 1);
    view.replaceChildren(shown.length ? table : el("p", "empty", "No finding matches these filters."));
    if (pages > 1) view.appendChild(nav);
  }

  // ------------------------------------------------------------------ one file
  function renderFile(state, keep) {
    const fileIndex = state.open;
    const file = FILES[fileIndex];
    const own = byFile[fileIndex].filter((i) => keep(FINDINGS[i]));
    const wrap = el("div", "file");
    const top = wrap.appendChild(el("div", "filehead"));
    const back = top.appendChild(el("a", "back", "← all findings"));
    back.href = hashOf(Object.assign({}, state, { open: null, at: null }));
    appendText(top.appendChild(el("h2")), file.p);
    top.appendChild(el("span", "counter", own.length + " of " + byFile[fileIndex].length + " findings shown"));
    const body = wrap.appendChild(el("div", "filebody"));
    const pre = body.appendChild(el("pre", "article"));
    const aside = body.appendChild(el("aside"));
    let target = null;
    if (file.t === null) {
      pre.appendChild(el("span", "note", file.x === "binary" ? "(a binary file: no text to show)" : "(no text)"));
    } else {
      target = highlight(pre, file.t, own, state.at);
    }
    const here = state.at === null ? [] : own.filter((i) => FINDINGS[i].a <= state.at && (state.at < FINDINGS[i].b || FINDINGS[i].a === state.at));
    if (here.length) {
      aside.appendChild(el("h3", null, "At this place"));
      for (const i of here) aside.appendChild(details(i));
    }
    aside.appendChild(el("h3", null, here.length ? "All findings in this file" : "Findings in this file"));
    const list = aside.appendChild(el("ol", "compact"));
    for (const i of own) {
      const f = FINDINGS[i];
      const item = list.appendChild(el("li", "sev-" + f.s));
      item.appendChild(codeBadge(f));
      item.appendChild(placeLink(fileIndex, f.l, f.k, f.a, f.l + ":" + f.k));
      appendText(item.appendChild(el("span", "message")), " " + f.m);
    }
    view.replaceChildren(wrap);
    if (target) {
      target.classList.add("target");
      target.scrollIntoView({ block: "center" });
    } else {
      wrap.scrollIntoView();
    }
  }

  // The text with one <mark> per stretch covered by the same findings; returns the element at ``at``.
  function highlight(pre, text, ids, at) {
    const length = text.length;
    const starts = new Map(), ends = new Map(), points = new Set([0, length]);
    const add = (map, key, i) => (map.has(key) ? map.get(key).push(i) : map.set(key, [i]));
    const span = {};
    for (const i of ids) {
      let a = Math.min(FINDINGS[i].a, length), b = Math.min(FINDINGS[i].b, length);
      if (b <= a) [a, b] = a < length ? [a, a + 1] : [Math.max(0, length - 1), length];
      span[i] = b - a;
      add(starts, a, i);
      add(ends, b, i);
      points.add(a);
      points.add(b);
    }
    if (at !== null && at <= length) points.add(at);
    const sorted = Array.from(points).sort((x, y) => x - y);
    const active = new Set();
    const out = document.createDocumentFragment();
    let target = null;
    for (let n = 0; n < sorted.length - 1; n++) {
      const p = sorted[n], q = sorted[n + 1];
      for (const i of ends.get(p) || []) active.delete(i);
      for (const i of starts.get(p) || []) active.add(i);
      if (p === q) continue;
      let node;
      if (active.size) {
        const covering = Array.from(active);
        let primary = covering[0];
        for (const i of covering) if (span[i] < span[primary]) primary = i;
        const f = FINDINGS[primary];
        node = el("mark", "fam-" + RULES[f.c].y + " sev-" + f.s + (covering.length > 1 ? " multi" : ""));
        node.dataset.o = String(p);
        node.title = visible(covering.slice(0, 4).map((i) => FINDINGS[i].c + " [" + FINDINGS[i].s + "] " + FINDINGS[i].m + "\n  help: " + FINDINGS[i].h).join("\n"));
        appendText(node, text.slice(p, q), true);
      } else if (p === at) {
        node = el("span", "anchor");  // an empty marker: the place a link points at, outside any finding
        node.title = "the place the link points at";
        out.appendChild(node);
        target = node;
        appendText(out, text.slice(p, q), true);
        continue;
      } else {
        appendText(out, text.slice(p, q), true);
        continue;
      }
      if (p === at || (at !== null && p < at && at < q && !target)) target = node;
      out.appendChild(node);
    }
    pre.appendChild(out);
    return target;
  }

  document.addEventListener("click", (event) => {
    const mark = event.target.closest && event.target.closest("pre.article mark");
    if (mark) go({ at: parseInt(mark.dataset.o, 10) });
  });

  // ------------------------------------------------------------------ render on every change of the hash
  function render() {
    const t0 = performance.now();
    const state = readState();
    syncFilters(state);
    if (summary) summary.hidden = state.open !== null;  // a file's view starts at the top
    const keep = passes(state);
    let shown = 0;
    if (state.open !== null) {
      renderFile(state, keep);
      shown = byFile[state.open].filter((i) => keep(FINDINGS[i])).length;
    } else {
      const list = [];
      for (let i = 0; i < FINDINGS.length; i++) if (keep(FINDINGS[i])) list.push(i);
      renderList(state, list);
      shown = list.length;
    }
    counter.textContent = shown.toLocaleString("en") + " of " + FINDINGS.length.toLocaleString("en") + " findings";
    const took = performance.now() - t0;
    document.documentElement.dataset.renderMs = took.toFixed(1);
    return took;
  }

  window.addEventListener("hashchange", render);
  const first = render();
  const ready = performance.now();
  document.documentElement.dataset.parseMs = (parsed - started).toFixed(1);
  document.documentElement.dataset.readyMs = ready.toFixed(1);
  footer.textContent =
    FINDINGS.length.toLocaleString("en") + " findings; data read in " + (parsed - started).toFixed(0) + " ms, view drawn in " +
    first.toFixed(0) + " ms, page ready " + ready.toFixed(0) + " ms after navigation.";
})();
