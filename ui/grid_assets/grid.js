// The Transdesk editing grid (Streamlit Components v2, no build step; it talks only to its own server).
//
// Python sends `data` (see ui/grid.py); this code keeps its state on the parent element, so a
// rerun with new data updates the grid in place and never takes the caret out of the box.
// Actions go back one at a time as the trigger "action" ({op, seg, version, text, keys, elapsed,
// nonce, confirm, mine_from}); Python answers in the next data's `ack` with the same nonce.
//
// Nothing typed is lost: every key writes the box's text to this browser's storage at once (per
// server, account, article and segment), and the unsaved copy goes to the server's wip route by
// `fetch` with `keepalive` (1 s after the last key, on leaving a row, before anything outside the
// grid acts, and as the page goes: pagehide, hidden, unmount). A copy that never reached the
// server comes back from the browser's storage on return. Others' saves, approvals, reopens and
// reverts arrive from the changes route every `POLL_MS`; a box with unsaved text over a newer
// version shows the conflict (their text, who, when, the word diff) until Alt+M, Alt+H or Alt+B.
//
// Why one file (about 900 lines): ui/grid.py hands Streamlit this file as one inline script
// (no build step, no module loader), so the grid's code is one class in one file.

const FIELDS = ["id", "n", "para", "source", "target", "status", "version", "origin",
  "qe", "qw", "low", "wip", "wipv"];
const WIP_DELAY_MS = 1000;      // unsaved text reaches the server within 2 s of the last key
const RESEND_MS = 15000;        // an action not answered by then is sent again (same nonce)
const MAX_SENDS = 3;            // ... at most this many times in all, then dropped and reported
const POLL_MS = 1500;           // others' changes reach an open grid within 3 s
const KEEPALIVE_MAX = 60000;    // bytes: browsers allow 64 KiB of keepalive bodies in flight
const BUFFER_PX = 600;          // rows drawn above and below the visible part

const STATUS_LABEL = { draft: "draft", edited: "edited", approved: "approved", tm: "from TM" };

function statusOf(row) {
  return row.status === "draft" && row.origin === "tm" ? "tm" : row.status;
}

function keyClass(e) {
  const k = e.key;
  if (k === "Backspace" || k === "Delete") return "e";
  if (k.startsWith("Arrow") || k === "Home" || k === "End" || k === "PageUp" || k === "PageDown")
    return "n";
  if (e.ctrlKey || e.metaKey || e.altKey) return null; // shortcuts; copy/cut/paste/undo below
  if (k === "Process") return "l"; // an IME composing a letter
  if (k === "Enter" || k === "Tab") return "y";
  if (k.length !== 1 && [...k].length !== 1) return null; // Shift, F-keys, ...
  if (k === " ") return "s";
  if (/\p{L}/u.test(k)) return "l";
  if (/\p{N}/u.test(k)) return "d";
  return "y";
}

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

// Text with the search term marked, built from text nodes (never innerHTML: segment text is
// whatever was typed or imported, markup included).
function fillText(node, text, needle) {
  node.replaceChildren();
  if (!needle) { node.textContent = text; return; }
  const low = text.toLowerCase();
  let at = 0;
  for (;;) {
    const hit = low.indexOf(needle, at);
    if (hit < 0) break;
    if (hit > at) node.append(document.createTextNode(text.slice(at, hit)));
    node.append(el("mark", "", text.slice(hit, hit + needle.length)));
    at = hit + needle.length;
  }
  if (at < text.length) node.append(document.createTextNode(text.slice(at)));
}

// Word diff operations from the server ([kind, theirs, mine]) as text nodes: removed words of
// their text struck through, my words underlined.
function fillDiff(node, ops) {
  node.replaceChildren();
  for (const [kind, before, after] of ops || []) {
    if (kind === "equal") { node.append(document.createTextNode(after)); continue; }
    if (before) node.append(el("del", "", before));
    if (after) node.append(el("ins", "", after));
  }
}

function clock(iso) {
  if (!iso) return "just now";
  const d = new Date(iso);
  return isNaN(d) ? "just now" : d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

function composedHas(e, node) {
  return typeof e.composedPath === "function" && e.composedPath().includes(node);
}

class Grid {
  constructor(parent) {
    this.parent = parent;
    this.rows = []; this.byId = new Map(); this.view = []; this.items = [];
    this.heights = new Map(); this.rendered = new Map();
    this.texts = new Map();  // segment id -> text in its box, while it differs from the store
    this.base = new Map();   // segment id -> version that text was typed against
    this.held = new Map();   // segment id -> unsaved text the server holds for me (acknowledged)
    this.sending = new Map(); // segment id -> unsaved text on its way to the server
    this.conflicts = new Map(); // segment id -> {text, version, by, at, status, diff, mineFrom}
    this.recheck = new Set(); // segment ids whose newer version the next poll must bring
    this.logs = new Map();
    this.queue = []; this.inflight = null; this.nonce = Date.now() % 1e9;
    this.active = null; this.rev = null; this.focusToken = null; this.undo = null;
    this.lastKeyAt = 0; this.wipTimer = null; this.can = {}; this.timings = {}; this.arrivals = [];
    this.since = null; this.polling = false; this.lastPoll = 0; this.signedOut = false;
    this.returnTo = null;
    this.build();
    window.__tdGrid = this;
    if (!window.__tdUnload) {
      window.__tdUnload = true;
      const live = () => { const g = window.__tdGrid; return g && g.parent.isConnected ? g : null; };
      window.addEventListener("beforeunload", (e) => {
        const g = live();
        if (!g) return;
        g.flushAll();
        if (g.hasUnsent()) { e.preventDefault(); e.returnValue = ""; }
      });
      window.addEventListener("pagehide", () => { const g = live(); if (g) g.flushAll(); });
      document.addEventListener("visibilitychange", () => {
        const g = live();
        if (g && document.visibilityState === "hidden") g.flushAll();
      });
      // The app's own navigation, the article picker, any button: the unsaved text leaves
      // before the page changes (pointerdown and focus come before the click acts).
      for (const type of ["pointerdown", "focusin"]) {
        document.addEventListener(type, (e) => {
          const g = live();
          if (g && !composedHas(e, g.root) && !composedHas(e, g.parent.host)) g.flushAll();
        }, true);
      }
    }
    this.timer = setInterval(() => this.tick(), 250);
    // Until the editor does something, the caret goes back to the box when the page (a
    // Streamlit run finishing) leaves it nowhere.
    this.holdUntil = performance.now() + 15000;
    this.holder = setInterval(() => {
      if (performance.now() > this.holdUntil || !this.parent.isConnected) { clearInterval(this.holder); return; }
      const a = document.activeElement;
      if (!a || a === document.body || (a === this.parent.host && !this.parent.activeElement)) this.focusBox("end", 0);
    }, 100);
    document.addEventListener("mousedown", () => { this.holdUntil = 0; }, { once: true, capture: true });
  }

  build() {
    const root = el("div", "td-root");
    root.setAttribute("data-testid", "td-grid");
    const bar = el("div", "td-bar");
    const status = el("select"); status.setAttribute("aria-label", "Status filter");
    for (const [v, t] of [["", "all statuses"], ["draft", "draft"], ["edited", "edited"],
      ["approved", "approved"], ["tm", "from TM"], ["open", "not approved"]]) {
      const o = el("option", "", t); o.value = v; status.append(o);
    }
    const qa = el("input"); qa.type = "checkbox"; qa.setAttribute("aria-label", "Has QA findings");
    const low = el("input"); low.type = "checkbox"; low.setAttribute("aria-label", "Low confidence");
    const search = el("input"); search.type = "search"; search.placeholder = "Search Korean and English (Alt+K)";
    search.setAttribute("aria-label", "Search");
    const go = el("input"); go.type = "number"; go.min = "1"; go.placeholder = "Go to #";
    go.setAttribute("aria-label", "Go to segment");
    const lab = (input, text) => { const l = el("label"); l.append(input, text); return l; };
    this.count = el("span", "td-count");
    const progress = el("div", "td-progress");
    this.meter = el("div", "td-meter"); this.meterA = el("div", "a"); this.meterE = el("div", "e");
    this.meter.append(this.meterA, this.meterE);
    this.progressText = el("span", "", "");
    this.progressText.setAttribute("data-testid", "td-progress");
    progress.append(this.meter, this.progressText);
    bar.append(lab(status, ""), lab(qa, "QA (Alt+Q)"), lab(low, "low confidence (Alt+L)"), search,
      go, this.count, progress);
    this.msg = el("div", "td-msg"); this.msg.setAttribute("role", "status");
    this.msg.setAttribute("data-testid", "td-message");
    this.scroll = el("div", "td-scroll");
    this.top = el("div"); this.list = el("div"); this.bottom = el("div");
    this.scroll.append(this.top, this.list, this.bottom);
    root.append(bar, this.msg, this.scroll);
    this.parent.append(root);
    Object.assign(this, { root, fStatus: status, fQa: qa, fLow: low, fSearch: search, fGo: go });
    const refilter = this.refilter = () => {
      const t0 = performance.now();
      this.filter(); this.render();
      // The segment the editor was in stays in view, whatever the filter now shows.
      if (this.active !== null) { this.scrollTo(this.active); this.render(); }
      requestAnimationFrame(() => { this.timings.filter = performance.now() - t0; });
    };
    status.addEventListener("change", refilter);
    qa.addEventListener("change", refilter);
    low.addEventListener("change", refilter);
    search.addEventListener("input", refilter);
    for (const field of [search, go]) {
      field.addEventListener("focus", () => { if (this.returnTo === null) this.returnTo = this.active; });
    }
    go.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault(); this.returnTo = null;
        this.goTo(parseInt(go.value, 10)); go.value = "";
      }
      if (e.key === "Escape") { e.preventDefault(); go.value = ""; this.backToBox(); }
    });
    search.addEventListener("keydown", (e) => {
      if (e.key === "Escape" || e.key === "Enter") { e.preventDefault(); this.backToBox(); }
    });
    this.scroll.addEventListener("scroll", () => {
      if (!this.raf) this.raf = requestAnimationFrame(() => { this.raf = null; this.render(); });
    });
    root.addEventListener("keydown", (e) => this.onRootKey(e));
    // Streamlit's own page shortcuts must not see keys typed here.
    root.addEventListener("keyup", (e) => e.stopPropagation());
    root.addEventListener("keypress", (e) => e.stopPropagation());
    this.list.addEventListener("click", (e) => {
      const row = e.target.closest(".td-row");
      if (row && Number(row.dataset.id) !== this.active) this.activate(Number(row.dataset.id));
    });
  }

  // Back from the search or go-to field: the caret in the segment where the editor was,
  // scrolled into view (the filter keeps that segment shown).
  backToBox() {
    const id = this.returnTo !== null && this.byId.has(this.returnTo) ? this.returnTo : this.active;
    this.returnTo = null;
    if (id === null) return;
    if (id !== this.active) { this.activate(id); return; }
    this.scrollTo(id); this.render(); this.scrollTo(id); this.render();
    this.focusBox("end");
  }

  // --- data from Python --------------------------------------------------------------------
  update(data) {
    this.me = data.me; this.can = data.can || {};
    this.who = data.who; this.doc = data.doc; this.key = data.key; this.api = data.api || {};
    if (data.height && !this.sized) {
      this.sized = true; this.scroll.style.height = data.height;
      requestAnimationFrame(() => this.fitHeight());
      window.addEventListener("resize", () => this.fitHeight());
    }
    this.pending = data.pending || 0;  // before the rows: their count line says it
    if (data.rows && data.rev !== this.rev) this.loadRows(data.rows, data.rev, data.since);
    else if (!data.rows && data.rev !== this.rev &&
      (!this.syncAsked || performance.now() - this.syncAsked > 5000)) {
      this.syncAsked = performance.now(); this.send("sync", { rev: this.rev });
    }
    if (data.insert && data.insert.token !== this.insertToken && this.byId.has(data.insert.seg)) {
      this.insertToken = data.insert.token;
      if (this.active !== data.insert.seg) this.activate(data.insert.seg);
      const box = this.box();
      if (box && !box.readOnly) { box.value = data.insert.text; this.onInput(box); this.focusBox("end"); }
    }
    this.suggest = data.suggest || null;
    this.pending = data.pending || 0;
    if (data.ack && this.inflight && data.ack.nonce === this.inflight.payload.nonce) {
      const done = this.inflight; this.inflight = null; this.onAck(data.ack, done.payload);
    }
    if (this.rows.length) {
      if (data.focus && data.focus.token !== this.focusToken) {
        this.focusToken = data.focus.token;
        const row = this.rows.find((r) => r.n === data.focus.n) || this.byId.get(data.focus.id);
        if (row) this.activate(row.id, { fromPython: true });
        else this.say(`There is no segment ${data.focus.n} in this article.`, "error");
      } else if (this.active === null || !this.byId.has(this.active)) {
        this.activate(data.start || this.rows[0].id, { fromPython: true });
      }
    }
    this.pump();
  }

  loadRows(raw, rev, since) {
    this.rev = rev; this.syncAsked = false;
    if (since) this.since = since;
    const before = this.byId || new Map();
    this.rows = raw.map((a) => {
      const r = {}; FIELDS.forEach((f, i) => { r[f] = a[i]; });
      const was = before.get(r.id);
      // Rows read before a change this grid already has (a poll or an answer brought it) never
      // take the row back to the older version.
      if (was && was.version > r.version) {
        for (const f of ["target", "status", "version", "origin", "qe", "qw"]) r[f] = was[f];
      }
      r.ls = r.source.toLowerCase(); r.lt = r.target.toLowerCase();
      // a newer version brought by a reload, not by a poll
      if (was && r.version > was.version) this.arrivals.push({ seg: r.id, version: r.version, at: Date.now(), via: "rows" });
      // The server's unsaved copy, unless typed on a version this grid has moved past without
      // it (rows read before Alt+H or a save cleared it here; a later load brings a copy still held).
      const moved = this.base.has(r.id) && typeof r.wipv === "number" && r.wipv < this.base.get(r.id);
      if (r.wip !== null && r.wip !== undefined && !moved && !this.texts.has(r.id) && r.wip !== r.target) {
        this.texts.set(r.id, r.wip); this.base.set(r.id, r.wipv); this.held.set(r.id, r.wip);
      }
      if (!this.base.has(r.id) || !this.texts.has(r.id)) this.base.set(r.id, r.version);
      return r;
    });
    this.byId = new Map(this.rows.map((r) => [r.id, r]));
    this.restoreLocal();
    for (const [id, text] of this.texts) {
      const r = this.byId.get(id);
      if (r && this.base.get(id) < r.version && text !== r.target && !this.conflicts.has(id)) this.recheck.add(id);
    }
    // Rows gone from the article are forgotten; paragraph headings ("p0", ...) are not rows.
    for (const id of [...this.rendered.keys()]) {
      if (typeof id === "number" && !this.byId.has(id)) this.rendered.delete(id);
    }
    for (const el of this.rendered.values()) el._stale = true;
    this.filter(); this.progress(); this.render();
    // A newer text brought by the rows reaches the box with the caret when nothing is unsaved.
    const box = this.box(), r = this.byId.get(this.active);
    if (box && r && !this.texts.has(r.id) && box.value !== r.target) {
      const at = Math.min(box.selectionStart, r.target.length);
      box.value = r.target; box.setSelectionRange(at, at);
    }
    if (this.recheck.size) this.lastPoll = 0;  // conflicts found at load are shown at once
  }

  // --- this browser's copies of unsaved text ------------------------------------------------
  localPrefix() { return `transdesk:wip:${location.host}:${this.who}:${this.doc}:`; }

  keepLocal(id) {
    try {
      const k = this.localPrefix() + id, text = this.texts.get(id);
      if (text === undefined) { localStorage.removeItem(k); return; }
      localStorage.setItem(k, JSON.stringify({
        text, base: this.base.get(id), held: this.held.get(id) === text, at: Date.now() }));
    } catch (e) { /* storage full or off: the server copy still goes */ }
  }

  // Copies that never reached the server (a crash, no network, a page gone too fast) come
  // back; copies the server had defer to it (it knows whether they were saved since).
  restoreLocal() {
    let keys = [];
    try {
      const prefix = this.localPrefix();
      for (let i = 0; i < localStorage.length; i++) {
        const k = localStorage.key(i);
        if (k && k.startsWith(prefix)) keys.push([k, Number(k.slice(prefix.length))]);
      }
    } catch (e) { return; }
    for (const [k, id] of keys) {
      let copy = null;
      try { copy = JSON.parse(localStorage.getItem(k)); } catch (e) { copy = null; }
      const r = this.byId.get(id);
      if (!r || !copy || typeof copy.text !== "string") { localStorage.removeItem(k); continue; }
      const server = this.held.get(id);
      if (copy.held || copy.text === r.target) {
        if (server === undefined && this.texts.get(id) === undefined) localStorage.removeItem(k);
        continue;
      }
      if (server === copy.text) continue;
      this.texts.set(id, copy.text);
      this.base.set(id, Number.isInteger(copy.base) ? copy.base : r.version);
      this.held.delete(id);
      this.scheduleWip(id, 0);
    }
  }

  // --- filtering and windowed drawing -------------------------------------------------------
  filter() {
    const st = this.fStatus.value, qa = this.fQa.checked, low = this.fLow.checked;
    const needle = this.fSearch.value.trim().toLowerCase();
    this.needle = needle;
    const view = [];
    for (const r of this.rows) {
      const keep = r.id === this.active || (
        (!st || (st === "open" ? r.status !== "approved" : statusOf(r) === st)) &&
        (!qa || r.qe + r.qw > 0 || r.qe < 0) && (!low || r.low) &&
        (!needle || r.ls.includes(needle) || r.lt.includes(needle) ||
          (this.texts.get(r.id) || "").toLowerCase().includes(needle)));
      if (keep) view.push(r);
    }
    this.view = view;
    const items = []; let para = null;
    for (const r of view) {
      if (r.para !== para) { para = r.para; items.push({ head: para, key: "p" + para }); }
      items.push({ row: r, key: r.id });
    }
    this.items = items;
    const pending = this.pending ? ` · QA running on ${this.pending}` : "";
    this.count.textContent = `${view.length} of ${this.rows.length} shown${pending}`;
    for (const node of this.rendered.values()) node._stale = true;
  }

  estimate(item) {
    if (item.head !== undefined) return 23;
    const r = item.row, long = Math.max(r.source.length * 1.8, (this.texts.get(r.id) || r.target).length);
    return 14 + 21 * Math.max(1, Math.ceil(long / 55)) + (r.id === this.active ? 40 : 0) +
      (this.conflicts.has(r.id) ? 120 : 0);
  }

  height(item) { return this.heights.get(item.key) || this.estimate(item); }

  render() {
    const top = this.scroll.scrollTop, bottom = top + (this.scroll.clientHeight || 600);
    let y = 0, first = -1, last = -1, before = 0;
    for (let i = 0; i < this.items.length; i++) {
      const h = this.height(this.items[i]);
      if (first < 0 && y + h >= top - BUFFER_PX) { first = i; before = y; }
      if (y <= bottom + BUFFER_PX) last = i;
      y += h;
    }
    if (first < 0) { first = 0; before = 0; }
    const want = this.items.slice(first, last + 1);
    let drawn = before;
    const keep = new Set(want.map((it) => it.key));
    for (const child of [...this.list.children]) if (!keep.has(child._key)) child.remove();
    // Moving a node takes the caret out of its box: keep where it was and put it back.
    const box = this.box(), typing = box && this.parent.activeElement === box;
    const caret = typing ? [box.selectionStart, box.selectionEnd] : null;
    let cur = this.list.firstChild;
    for (const item of want) {
      let node = this.rendered.get(item.key);
      if (!node) { node = this.draw(item); this.rendered.set(item.key, node); }
      else if (node._stale && item.row) this.fill(node, item.row);
      node._stale = false;
      if (node === cur) { cur = cur.nextSibling; continue; }
      this.list.insertBefore(node, cur);
    }
    if (typing && box.isConnected && this.parent.activeElement !== box) {
      box.focus({ preventScroll: true }); box.setSelectionRange(caret[0], caret[1]);
    }
    for (const item of want) {
      const node = this.rendered.get(item.key);
      const h = node.offsetHeight;
      if (h) this.heights.set(item.key, h);
      drawn += this.height(item);
    }
    this.top.style.height = before + "px";
    let total = 0; for (const it of this.items) total += this.height(it);
    this.bottom.style.height = Math.max(0, total - drawn) + "px";
  }

  draw(item) {
    if (item.head !== undefined) {
      const node = el("div", "td-para", item.head === this.rows[0].para ? "Headline" : `Paragraph ${item.head + 1}`);
      node._key = item.key; return node;
    }
    const node = el("div", "td-row"); node._key = item.key; node.dataset.id = item.row.id;
    node.setAttribute("data-testid", "td-row");
    node.append(el("div", "td-n"), el("div", "td-stat"), el("div", "td-src"), el("div", "td-tgt"),
      el("div", "td-marks"));
    this.fill(node, item.row);
    return node;
  }

  readOnly(r) {
    return !this.can.edit || (r.status === "approved" && !this.can.change_approved);
  }

  fill(node, r) {
    const [num, stat, src, tgt, marks] = node.children;
    const active = r.id === this.active;
    node.classList.toggle("active", active);
    node.dataset.n = r.n;
    num.textContent = r.n;
    const s = statusOf(r);
    stat.className = "td-stat " + s; stat.title = STATUS_LABEL[s]; node.dataset.status = s;
    fillText(src, r.source, this.needle);
    src.lang = "ko";
    const text = this.texts.has(r.id) ? this.texts.get(r.id) : r.target;
    if (active) {
      let box = tgt.querySelector("textarea");
      if (!box) {
        tgt.replaceChildren();
        box = el("textarea");
        box.setAttribute("aria-label", "English");
        box.spellcheck = true; box.lang = "en";
        box.addEventListener("keydown", (e) => this.onBoxKey(e, box));
        box.addEventListener("input", () => this.onInput(box));
        box.addEventListener("beforeinput", (e) => {
          if (e.inputType === "historyUndo" || e.inputType === "historyRedo") this.log("u");
        });
        for (const [ev, code] of [["copy", "c"], ["cut", "x"], ["paste", "p"]])
          box.addEventListener(ev, () => this.log(code));
        tgt.append(box);
        box.value = text;
      } else if (box.value !== text && document.activeElement !== box &&
        this.parent.activeElement !== box) box.value = text;
      box.readOnly = this.readOnly(r);
      box.title = box.readOnly ? (this.can.edit ? "Approved: a reviewer reopens it (Alt+O) before it changes." : "You may read this article, not change it.") : "";
      box.rows = Math.max(2, Math.ceil(text.length / 60) + 1);
      tgt.classList.remove("dirty");
      for (const old of tgt.querySelectorAll(".td-conflict")) old.remove();
    } else {
      fillText(tgt, text, this.needle);
      tgt.classList.toggle("dirty", this.texts.has(r.id) && text !== r.target);
    }
    const c = this.conflicts.get(r.id);
    if (c) tgt.append(this.conflictNode(r, c));
    node.classList.toggle("conflict", !!c);
    marks.replaceChildren();
    if (c) marks.append(el("span", "td-qa", "conflict"));
    if (r.qe > 0) marks.append(el("span", "td-qa", `QA ${r.qe}`));
    else if (r.qw > 0) marks.append(el("span", "td-qa warn", `QA ${r.qw}`));
    if (r.low) marks.append(el("span", "td-low", "low"));
    if (this.texts.has(r.id) && text !== r.target) marks.append(el("span", "td-wip", "unsaved"));
  }

  conflictNode(r, c) {
    const box = el("div", "td-conflict");
    box.setAttribute("data-testid", "td-conflict");
    const who = c.by ? c.by : "someone else";
    const what = c.status === "approved" ? "approved" : "changed";
    box.append(el("div", "td-conflict-head",
      `${who} ${what} this segment at ${clock(c.at)} (version ${c.version}) while you were editing it. Nothing of yours was saved.`));
    const theirs = el("div", "td-theirs"); theirs.setAttribute("data-testid", "td-theirs");
    theirs.append(el("b", "", `${who}'s text: `), document.createTextNode(c.text));
    const diff = el("div", "td-diff"); diff.setAttribute("data-testid", "td-diff");
    diff.append(el("b", "", "Your changes to it: "));
    const ops = el("span"); fillDiff(ops, c.diff); diff.append(ops);
    box.append(theirs, diff, el("div", "td-conflict-keys",
      "Alt+M keeps yours (saved over theirs) · Alt+H takes theirs · Alt+B puts both in the box, yours first."));
    return box;
  }

  progress() {
    let a = 0, e = 0;
    for (const r of this.rows) { a += r.status === "approved"; e += r.status === "edited"; }
    const t = this.rows.length || 1;
    this.meterA.style.width = (100 * a / t) + "%"; this.meterE.style.width = (100 * e / t) + "%";
    this.progressText.textContent = `${a} approved · ${e} edited · ${this.rows.length} segments`;
  }

  // --- moving ---------------------------------------------------------------------------------
  box() {
    const node = this.rendered.get(this.active);
    return node && node.isConnected ? node.querySelector("textarea") : null;
  }

  focusBox(caret, tries = 40) {
    // The active row may be outside the drawn window (a filter or search moved the list):
    // bring it into view first. On the first drawing the grid may not be in the page yet: try
    // again each frame.
    let box = this.box();
    if (!box && this.active !== null && this.parent.isConnected) {
      this.scrollTo(this.active); this.render(); box = this.box();
    }
    if (!box || !this.parent.isConnected || !box.isConnected) {
      if (tries > 0) requestAnimationFrame(() => { this.render(); this.focusBox(caret, tries - 1); });
      return;
    }
    box.focus({ preventScroll: true });
    if (caret === "end") box.setSelectionRange(box.value.length, box.value.length);
    if (this.parent.activeElement !== box && tries > 0)
      setTimeout(() => this.focusBox(caret, tries - 1), 50);
  }

  fitHeight() {
    // The grid fills the window below its own top, so the page itself need not scroll.
    const top = this.scroll.getBoundingClientRect().top;
    if (!this.parent.isConnected || !top) return;
    const h = Math.max(320, Math.round(window.innerHeight - Math.max(top, 0) - 24));
    if (Math.abs(h - this.scroll.clientHeight) > 4) { this.scroll.style.height = h + "px"; this.render(); }
  }

  scrollTo(id) {
    let y = 0;
    for (const it of this.items) {
      if (it.key === id) break;
      y += this.height(it);
    }
    const h = this.heights.get(id) || 80, top = this.scroll.scrollTop, vh = this.scroll.clientHeight || 600;
    if (y < top + 30 || y + h > top + vh - 30) this.scroll.scrollTop = Math.max(0, y - vh / 3);
  }

  activate(id, opts = {}) {
    if (!this.byId.has(id)) return;
    const prev = this.active;
    if (prev !== null && prev !== id) {
      this.endVisit(prev);
      this.flushWip(prev);
      const old = this.rendered.get(prev);
      this.active = id;
      if (old) this.fill(old, this.byId.get(prev));
    }
    this.active = id;
    const node = this.rendered.get(id);
    if (node) this.fill(node, this.byId.get(id));
    if (!this.view.includes(this.byId.get(id))) this.filter();
    this.scrollTo(id); this.render(); this.scrollTo(id); this.render();
    this.startVisit(id);
    this.focusBox("end");
    if (prev !== id) this.setState("active", { id, n: this.byId.get(id).n });
  }

  step(delta) {
    const i = this.view.findIndex((r) => r.id === this.active);
    const next = this.view[i + delta];
    if (!next) { this.say(delta > 0 ? "This is the last segment shown." : "This is the first segment shown."); return false; }
    this.activate(next.id);
    return true;
  }

  goTo(n) {
    const row = this.rows.find((r) => r.n === n);
    if (!row) { this.say(`There is no segment ${n}.`, "error"); this.focusBox("end"); return; }
    this.activate(row.id);
  }

  nextOpen() {
    const i = this.rows.findIndex((r) => r.id === this.active);
    const order = [...this.rows.slice(i + 1), ...this.rows.slice(0, i)];
    const next = order.find((r) => r.status !== "approved");
    if (next) this.activate(next.id); else this.say("Every segment is approved.", "ok");
  }

  // --- keys -----------------------------------------------------------------------------------
  onRootKey(e) {
    e.stopPropagation();
    this.holdUntil = 0;
    if (!e.altKey || e.ctrlKey || e.metaKey) return;
    const k = e.key.toLowerCase(), code = e.code;
    const fromBox = e.target && e.target.tagName === "TEXTAREA";
    const filterKey = (fn) => () => { fn(); if (fromBox) this.focusBox(); };
    const map = {
      KeyK: () => { this.fSearch.focus(); this.fSearch.select(); },
      KeyG: () => { this.fGo.focus(); },
      KeyQ: filterKey(() => { this.fQa.checked = !this.fQa.checked; this.refilter(); }),
      KeyL: filterKey(() => { this.fLow.checked = !this.fLow.checked; this.refilter(); }),
      KeyU: filterKey(() => {
        const s = this.fStatus; s.selectedIndex = (s.selectedIndex + 1) % s.options.length;
        this.refilter(); this.say(`Showing: ${s.options[s.selectedIndex].text}.`);
      }),
    };
    const fn = map[code] || map["Key" + k.toUpperCase()];
    if (fn) { e.preventDefault(); fn(); }
  }

  onBoxKey(e, box) {
    const ctrl = e.ctrlKey || e.metaKey;
    const k = e.key.toLowerCase();
    const alt = (code) => e.altKey && !ctrl && e.code === code;
    const conflict = this.conflicts.get(this.active);
    let handled = true;
    if (conflict && ((ctrl && !e.altKey && (k === "s" || e.key === "Enter")) || alt("KeyA"))) {
      this.sayConflict(this.byId.get(this.active));
    } else if (alt("KeyM")) this.keepMine(box);
    else if (alt("KeyH")) this.takeTheirs(box);
    else if (alt("KeyB")) this.takeBoth(box);
    else if (ctrl && !e.altKey && k === "s") this.act("save", box.value);
    else if (ctrl && !e.altKey && e.key === "Enter") {
      const t0 = performance.now();
      this.act("save", box.value); this.step(+1);
      // Measured for benchmarks/browser_editor.py: key to caret in the next box, painted.
      requestAnimationFrame(() => { this.timings.move = performance.now() - t0; });
    }
    else if (alt("KeyA")) this.approve(box.value, false);
    else if (e.altKey && !ctrl && e.key === "ArrowDown") this.step(+1);
    else if (e.altKey && !ctrl && e.key === "ArrowUp") this.step(-1);
    else if (alt("KeyN")) this.nextOpen();
    else if (alt("KeyR")) this.revert();
    else if (alt("KeyZ")) this.undoRevert();
    else if (alt("KeyO")) this.act("reopen");
    else if (alt("KeyE")) this.acceptForm(box);
    else handled = false;
    if (handled) { e.preventDefault(); e.stopPropagation(); return; }
    const cls = keyClass(e);
    if (cls) this.log(cls);
  }

  // Alt+E: the established form QA suggests for a name, in place of the variant in the box.
  acceptForm(box) {
    const s = this.suggest;
    if (box.readOnly) { this.sayReadOnly(); return; }
    if (!s || s.seg !== this.active) { this.say("No established form to use here."); return; }
    const v = box.value;
    const at = v.substr(s.start, s.old.length) === s.old ? s.start : v.indexOf(s.old);
    if (at < 0) { this.say(`'${s.old}' is no longer in the box.`); return; }
    box.value = v.slice(0, at) + s.new + v.slice(at + s.old.length);
    box.setSelectionRange(at + s.new.length, at + s.new.length);
    this.onInput(box);
  }

  onInput(box) {
    const id = this.active, r = this.byId.get(id);
    this.lastKeyAt = performance.now();
    if (box.value === r.target && !this.held.has(id)) this.texts.delete(id);
    else this.texts.set(id, box.value);
    this.keepLocal(id);
    this.scheduleWip(id, WIP_DELAY_MS);
  }

  // --- conflicts ------------------------------------------------------------------------------
  sayConflict(r) {
    const c = this.conflicts.get(r.id);
    this.say(`Segment ${r.n} was changed by ${c.by || "someone else"} while you were editing it, and nothing of yours was saved. Alt+M keeps yours, Alt+H takes theirs, Alt+B puts both in the box.`, "error");
  }

  showConflict(id, info, mineFrom) {
    this.conflicts.set(id, { ...info, mineFrom });
    this.recheck.delete(id);
    const r = this.byId.get(id);
    this.redraw(id);
    if (id === this.active) this.reveal(id);
    if (r) this.sayConflict(r);
  }

  redraw(id) {
    const node = this.rendered.get(id), r = this.byId.get(id);
    if (!node || !r) return;
    this.fill(node, r);
    const h = node.isConnected ? node.offsetHeight : 0;
    if (h && h !== this.heights.get(id)) { this.heights.set(id, h); this.render(); }
  }

  // The whole row in view (a conflict block below the box makes it taller).
  reveal(id) {
    const node = this.rendered.get(id);
    if (!node || !node.isConnected) return;
    const row = node.getBoundingClientRect(), pane = this.scroll.getBoundingClientRect();
    if (row.bottom > pane.bottom) this.scroll.scrollTop += Math.min(row.bottom - pane.bottom + 8, row.top - pane.top);
    else if (row.top < pane.top) this.scroll.scrollTop -= pane.top - row.top + 8;
  }

  keepMine(box) {
    const id = this.active, c = this.conflicts.get(id);
    if (!c) { this.say("There is no conflict here: Ctrl+S saves."); return; }
    if (box.readOnly) { this.sayReadOnly(); return; }
    this.act("save", box.value, { version: c.version, mine_from: c.mineFrom });
  }

  takeTheirs(box) {
    const id = this.active, c = this.conflicts.get(id), r = this.byId.get(id);
    if (!c) { this.say("There is no conflict here."); return; }
    this.conflicts.delete(id);
    // Theirs as the conflict block showed it (the row may have been redrawn since).
    box.value = c.text; this.texts.delete(id); this.base.set(id, c.version);
    this.keepLocal(id);
    this.postWip(id, c.text, c.version);  // the server forgets my copy (it equals theirs)
    this.redraw(id); this.focusBox("end");
    this.say(`Took ${c.by || "the other"}'s text for segment ${r.n}; nothing was saved.`, "ok");
  }

  takeBoth(box) {
    const id = this.active, c = this.conflicts.get(id), r = this.byId.get(id);
    if (!c) { this.say("There is no conflict here."); return; }
    if (box.readOnly) { this.sayReadOnly(); return; }
    this.conflicts.delete(id);
    box.value = `${box.value}\n${c.text}`; this.base.set(id, c.version);
    this.onInput(box);
    this.redraw(id); this.focusBox("end");
    this.say(`Both texts are in segment ${r.n}'s box, yours first: merge them, then save (Ctrl+S).`, "ok");
  }

  // --- keystroke log per visit -----------------------------------------------------------------
  startVisit(id) {
    const kept = this.logs.get(id);
    // A visit picks up an unsaved earlier one; the time away does not count.
    this.logs.set(id, { t0: performance.now() - (kept ? kept.span : 0), times: kept ? kept.times : [],
      codes: kept ? kept.codes : "", span: 0 });
  }

  endVisit(id) {
    const log = this.logs.get(id);
    if (log) log.span = performance.now() - log.t0;
  }

  log(code) {
    const log = this.logs.get(this.active);
    if (!log) return;
    log.times.push(Math.round(performance.now() - log.t0));
    log.codes += code;
  }

  takeLog(id) {
    const log = this.logs.get(id);
    const out = log ? { keys: { t: log.times, c: log.codes }, elapsed: Math.round(performance.now() - log.t0) } : {};
    this.logs.set(id, { t0: performance.now(), times: [], codes: "", span: 0 });
    return out;
  }

  // --- actions --------------------------------------------------------------------------------
  sayReadOnly() {
    this.say(this.can.edit ? "This segment is approved: a reviewer reopens it (Alt+O) before it changes."
      : "You may read this article but not change it.", "error");
  }

  act(op, text, extra = {}) {
    const id = this.active, r = this.byId.get(id);
    if (!r) return;
    if (!this.can.edit) { this.sayReadOnly(); return; }
    if (op === "reopen" && !this.can.reopen) { this.say("Reopening needs a reviewer or admin.", "error"); return; }
    const payload = { op, seg: id, version: this.base.get(id) ?? r.version, editor: this.me, ...extra };
    if (text !== undefined) payload.text = text;
    if (op === "save" || op === "approve") {
      Object.assign(payload, this.takeLog(id));
      clearTimeout(this.wipTimer);  // the save carries this text
    }
    this.enqueue(payload);
  }

  approve(text, confirmed) {
    if (!this.can.edit) { this.sayReadOnly(); return; }
    if (!this.can.approve) { this.say("Approving needs a reviewer or admin; Ctrl+S saves your text.", "error"); return; }
    this.act("approve", text, confirmed ? { confirm: true } : {});
  }

  revert() {
    const r = this.byId.get(this.active);
    const box = this.box();
    this.undo = { id: r.id, text: box ? box.value : r.target };
    this.act("revert");
  }

  undoRevert() {
    if (!this.undo || this.undo.id !== this.active) { this.say("Nothing to undo here."); return; }
    const { text } = this.undo; this.undo = null;
    const box = this.box(); if (box) box.value = text;
    this.texts.set(this.active, text); this.keepLocal(this.active);
    this.act("save", text);
  }

  enqueue(payload) {
    payload.nonce = ++this.nonce;
    Object.defineProperty(payload, "_t", { value: performance.now(), enumerable: false });
    this.queue.push({ payload });
    this.pump();
  }

  pump() {
    if (this.inflight || !this.queue.length) return;
    // A save waits for its segment's unsaved copy on its way (so no older copy lands after it).
    if (this.sending.has(this.queue[0].payload.seg)) return;
    this.inflight = this.queue.shift();
    this.inflight.sentAt = performance.now();
    this.send("action", this.inflight.payload);
  }

  pendingFor(id) {
    return (this.inflight && this.inflight.payload.seg === id) || this.queue.some((q) => q.payload.seg === id);
  }

  // --- the unsaved copy on the server (HTTP, keepalive) ----------------------------------------
  scheduleWip(id, delay) {
    clearTimeout(this.wipTimer);
    this.wipTimer = setTimeout(() => this.flushWip(id), delay);
  }

  flushWip(id = this.active) {
    if (id === null || id === undefined) return;
    const text = this.texts.get(id), r = this.byId.get(id);
    if (!r || text === undefined || text === this.held.get(id) || text === this.sending.get(id)) return;
    if (id === this.active) clearTimeout(this.wipTimer);
    this.postWip(id, text, this.base.get(id) ?? r.version);
  }

  // Every unsaved text the server does not hold yet, sent now (the page may be going).
  flushAll() {
    if (!this.rows.length) return;
    for (const [id, text] of this.texts) {
      if (text !== this.held.get(id) && text !== this.sending.get(id)) this.flushWip(id);
    }
    // A save still on its way over the WebSocket may not arrive: its text goes as a copy too
    // (the server drops a copy equal to the saved text).
    for (const item of [this.inflight, ...this.queue]) {
      const p = item && item.payload;
      if (p && typeof p.text === "string" && p.text !== this.sending.get(p.seg) && p.text !== this.held.get(p.seg))
        this.postWip(p.seg, p.text, p.version);
    }
  }

  postWip(id, text, version) {
    if (!this.api.wip || !this.key || this.signedOut) return;
    const body = JSON.stringify({ key: this.key, doc: this.doc, seg: id, version, text });
    this.sending.set(id, text);
    const t0 = this.wipSentAt = performance.now();
    const request = (keepalive) => fetch(this.api.wip, {
      method: "POST", credentials: "same-origin", keepalive, body,
      headers: { "Content-Type": "application/json" },
    });
    const small = new Blob([body]).size < KEEPALIVE_MAX;
    (small ? request(true).catch(() => request(false)) : request(false))
      .then((resp) => resp.json().then((answer) => [resp.status, answer]))
      .then(([status, answer]) => {
        if (this.sending.get(id) === text) this.sending.delete(id);
        if (answer && answer.ok) {
          this.timings.wip = performance.now() - t0;
          const r = this.byId.get(id);
          if (r && text === r.target) this.held.delete(id); else this.held.set(id, text);
          if (this.texts.get(id) === text || (text === (r && r.target) && !this.texts.has(id))) this.keepLocal(id);
          if (id === this.active && this.parent.isConnected) this.setTrigger("wip", { seg: id });
        } else if (status === 401 || (answer && answer.signed_out)) this.onSignedOut();
        else this.say(`Your unsaved text of segment ${this.numberOf(id)} was not kept on the server: ${answer && answer.error ? answer.error : "refused"}. It stays in this browser.`, "error");
        this.pump();
      })
      .catch(() => {
        // No network: the copy stays in this browser and goes again with the next key or poll.
        if (this.sending.get(id) === text) this.sending.delete(id);
        this.pump();
      });
  }

  numberOf(id) { const r = this.byId.get(id); return r ? r.n : id; }

  onSignedOut() {
    if (this.signedOut) return;
    this.signedOut = true;
    this.say("Your sign-in has ended. Sign in again: your unsaved text is kept in this browser and comes back after you sign in.", "error");
    if (this.parent.isConnected) this.send("sync", { rev: this.rev, signedOut: true });
  }

  // --- others' changes (HTTP poll) ---------------------------------------------------------------
  poll() {
    if (!this.api.changes || !this.key || this.polling || this.signedOut) return;
    this.polling = true; this.lastPoll = performance.now();
    const mine = {};
    for (const [id, text] of this.texts) mine[id] = text;
    const body = JSON.stringify({ key: this.key, doc: this.doc, since: this.since, mine, ids: [...this.recheck] });
    fetch(this.api.changes, { method: "POST", credentials: "same-origin", body,
      headers: { "Content-Type": "application/json" } })
      .then((resp) => resp.json().then((answer) => [resp.status, answer]))
      .then(([status, answer]) => {
        if (status === 401 || (answer && answer.signed_out)) { this.onSignedOut(); return; }
        if (!answer || !answer.ok) return;
        this.since = answer.now;
        for (const c of answer.rows) this.arrive(c);
        if (answer.pending) this.pending = Math.max(this.pending, answer.pending);  // QA follows
        // Copies that could not reach the server (no network) go again.
        for (const [id, text] of this.texts) if (text !== this.held.get(id)) this.flushWip(id);
      })
      .catch(() => {})
      .finally(() => { this.polling = false; });
  }

  arrive(c) {
    const r = this.byId.get(c.id);
    if (!r || this.pendingFor(c.id)) return;  // my own change's answer will settle it
    const mine = this.texts.get(c.id);
    if (c.version <= r.version && !(this.recheck.has(c.id) && mine !== undefined)) return;
    const fresh = c.version > r.version;
    Object.assign(r, { target: c.target, status: c.status, version: c.version, origin: c.origin, qe: c.qe, qw: c.qw });
    r.lt = r.target.toLowerCase();
    this.recheck.delete(c.id);
    if (fresh) this.arrivals.push({ seg: c.id, version: c.version, at: Date.now(), via: "poll" });
    if (mine === undefined || mine === c.target) {
      this.texts.delete(c.id); this.base.set(c.id, c.version); this.conflicts.delete(c.id);
      this.keepLocal(c.id);
      const box = c.id === this.active ? this.box() : null;
      if (box && box.value !== c.target) {
        const at = Math.min(box.selectionStart, c.target.length);
        box.value = c.target; box.setSelectionRange(at, at);
      }
      this.redraw(c.id);
    } else if (this.base.get(c.id) < c.version) {
      this.showConflict(c.id, { text: c.target, version: c.version, by: c.by, at: c.at,
        status: c.status, diff: c.diff }, this.base.get(c.id));
    }
    this.progress();
  }

  onAck(ack, sent) {
    if (sent._t) this.timings.roundTrip = performance.now() - sent._t;
    const r = this.byId.get(sent.seg);
    if (ack.row && r) {
      Object.assign(r, ack.row); r.lt = r.target.toLowerCase();
      if (ack.ok) this.base.set(r.id, r.version);  // a conflict keeps the version mine was typed on
    }
    if (!ack.ok) {
      // A keystroke log the server refused as too long is dropped: sent again it would be
      // refused again, and every save of the visit with it.
      if (!/keystroke log/i.test(ack.error || "")) this.restoreLog(sent);
      if (ack.needs_confirm && ack.needs_confirm.length) {
        const ok = window.confirm(`QA found errors in segment ${r ? r.n : ""}:\n- ${ack.needs_confirm.join("\n- ")}\n\nApprove anyway?`);
        if (ok) this.enqueue({ ...sent, confirm: true });
        else this.say("Not approved. Fix the QA errors or approve again to confirm.");
      } else if (ack.conflict && r) {
        const box = sent.seg === this.active ? this.box() : null;
        const now = box ? box.value : (this.texts.get(r.id) ?? sent.text);
        if (typeof now === "string" && now !== r.target) {
          this.texts.set(r.id, now); this.keepLocal(r.id);
          this.showConflict(r.id, ack.conflict, sent.mine_from ?? sent.version);
        } else {
          this.texts.delete(r.id); this.base.set(r.id, r.version); this.keepLocal(r.id);
          this.say(`Segment ${r.n} already had your text (version ${r.version}).`, "ok");
        }
      } else {
        const error = ack.error || "refused";
        this.say(`${error[0].toUpperCase()}${error.slice(1)}${/[.!?]$/.test(error) ? "" : "."}` +
          (r && this.texts.has(r.id) ? " Your text is still in the box." : ""), "error");
        if (/sign in/i.test(error)) this.onSignedOut();
      }
    } else if (r) {
      const box = sent.seg === this.active ? this.box() : null;
      const now = box ? box.value : this.texts.get(r.id);
      this.conflicts.delete(r.id);
      if (sent.op === "revert") {
        this.texts.delete(r.id); this.held.delete(r.id);
        if (box) box.value = r.target;
        this.say(`Reverted segment ${r.n} to the MT draft. Alt+Z undoes it.`, "ok");
      } else {
        this.held.delete(r.id);
        // Typing goes on during the round trip: what was typed since stays unsaved.
        if (now === undefined || now === r.target) this.texts.delete(r.id);
        else { this.texts.set(r.id, now); this.scheduleWip(r.id, WIP_DELAY_MS); }
        const verb = sent.mine_from !== undefined ? "Kept your text in" :
          { save: "Saved", approve: "Approved", reopen: "Reopened" }[sent.op];
        this.say(`${verb} segment ${r.n}.`, "ok");
      }
      this.keepLocal(r.id);
      this.lastAck = { op: sent.op, seg: sent.seg, at: performance.now() };
    }
    if (r) this.redraw(r.id);
    this.progress();
    this.root.dataset.acks = String((Number(this.root.dataset.acks) || 0) + 1);
  }

  // An action the server never answered (sent MAX_SENDS times): it leaves the queue, so the
  // actions behind it go on; its text stays in the box and goes as the unsaved copy.
  giveUp(item) {
    const sent = item.payload, r = this.byId.get(sent.seg);
    this.inflight = null;
    if (sent.keys) this.restoreLog(sent);
    if (r && typeof sent.text === "string" && sent.text !== r.target) {
      const box = sent.seg === this.active ? this.box() : null;
      const now = box ? box.value : (this.texts.get(r.id) ?? sent.text);
      this.texts.set(r.id, now); this.keepLocal(r.id);
      this.postWip(r.id, now, this.base.get(r.id) ?? sent.version);
      this.redraw(r.id);
    }
    const what = { save: "save", approve: "approval", revert: "revert", reopen: "reopening" }[sent.op] || "action";
    this.say(`The server did not answer the ${what} of segment ${r ? r.n : sent.seg} (sent ${MAX_SENDS} times). ` +
      "Your text is still in the box, kept as an unsaved copy: press the key again.", "error");
    this.root.dataset.dropped = String((Number(this.root.dataset.dropped) || 0) + 1);
    this.pump();
  }

  restoreLog(sent) {
    const log = this.logs.get(sent.seg), keys = sent.keys;
    // Only a log of this grid's own shape ({t: [ms], c: "codes"}) comes back: an event put in
    // the queue by other means must not stop the queue here.
    if (!log || !keys || !Array.isArray(keys.t) || typeof keys.c !== "string") return;
    const shift = sent.elapsed || 0;
    log.times = [...sent.keys.t, ...log.times.map((t) => t + shift)];
    log.codes = sent.keys.c + log.codes;
    log.t0 -= shift;
  }

  // Something typed that the server has neither as a saved text nor as an unsaved copy.
  hasUnsent() {
    for (const [id, text] of this.texts) {
      const r = this.byId.get(id);
      if (r && text !== r.target && text !== this.held.get(id)) return true;
    }
    return !!this.inflight || this.queue.length > 0;
  }

  say(text, kind = "") {
    this.msg.textContent = text; this.msg.className = "td-msg " + kind;
  }

  setTrigger(name, value) {
    if (this.retired) return;
    try { this.send(name, value); } catch (e) { /* unmounted */ }
  }

  // Another article takes this place: what is unsaved leaves with this grid's own key and
  // article, then the grid stops (no poll, no timers) and its rows go from the page.
  retire() {
    this.flushAll();
    this.retired = true;
    clearInterval(this.timer); clearInterval(this.holder); clearTimeout(this.wipTimer);
    this.root.remove();
  }

  tick() {
    if (!this.parent.isConnected) { clearInterval(this.timer); return; }
    const now = performance.now();
    if (this.inflight && now - this.inflight.sentAt > RESEND_MS) {
      const item = this.inflight;
      item.sends = (item.sends || 1) + 1;
      if (item.sends > MAX_SENDS) this.giveUp(item);
      else { item.sentAt = now; this.send("action", item.payload); }
    }
    if (this.rows.length && document.visibilityState !== "hidden" && now - this.lastPoll > POLL_MS) this.poll();
    const quiet = !this.inflight && !this.queue.length && now - this.lastKeyAt > 5000;
    if (quiet && this.pending && now - (this.lastSync || 0) > 2000) {
      this.lastSync = now; this.send("sync", { rev: this.rev, quiet: true });
    }
  }
}

export default function (component) {
  const { data, parentElement, setTriggerValue, setStateValue } = component;
  let grid = parentElement.__tdGrid;
  // Each article has its own grid: its rows, unsaved copies, conflicts and revision counter.
  if (grid && data && grid.doc !== undefined && data.doc !== grid.doc) { grid.retire(); grid = null; }
  if (!grid) { grid = new Grid(parentElement); parentElement.__tdGrid = grid; }
  grid.send = setTriggerValue;
  grid.setState = setStateValue;
  grid.update(data || {});
  // Unmounted (another page of the app, another article): what is unsaved leaves first.
  return () => grid.flushAll();
}
