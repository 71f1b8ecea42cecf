// The Transdesk editing grid (Streamlit Components v2, no build step, no network).
//
// Python sends `data` (see ui/grid.py); this code keeps its state on the parent element, so a
// rerun with new data updates the grid in place and never takes the caret out of the box.
// Actions go back one at a time as the trigger "action" ({op, seg, version, text, keys, elapsed,
// nonce, confirm}); Python answers in the next data's `ack` with the same nonce.
//
// Why one file (about 660 lines): ui/grid.py hands Streamlit this file as one inline script
// (no build step, no module loader), so the grid's code is one class in one file.

const FIELDS = ["id", "n", "para", "source", "target", "status", "version", "origin",
  "qe", "qw", "low", "wip", "wipv"];
const WIP_DELAY_MS = 1000;      // unsaved text reaches the server within 2 s of the last key
const RESEND_MS = 15000;        // an action not answered by then is sent again (same nonce)
const REFRESH_MS = 60000;       // others' changes are fetched when the editor is idle
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

class Grid {
  constructor(parent) {
    this.parent = parent;
    this.rows = []; this.byId = new Map(); this.view = []; this.items = [];
    this.heights = new Map(); this.rendered = new Map();
    this.texts = new Map();  // segment id -> text in its box, while it differs from the store
    this.base = new Map();   // segment id -> version that text was typed against
    this.sentWip = new Map(); this.logs = new Map();
    this.queue = []; this.inflight = null; this.nonce = Date.now() % 1e9;
    this.active = null; this.rev = null; this.focusToken = null; this.undo = null;
    this.lastKeyAt = 0; this.wipTimer = null; this.can = {}; this.timings = {};
    this.build();
    window.__tdGrid = this;
    if (!window.__tdUnload) {
      window.__tdUnload = true;
      window.addEventListener("beforeunload", (e) => {
        const g = window.__tdGrid;
        if (g && g.parent.isConnected && g.hasUnsaved()) {
          g.flushWip();
          e.preventDefault();
          e.returnValue = "";
        }
      });
    }
    this.timer = setInterval(() => this.tick(), 1000);
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
      requestAnimationFrame(() => { this.timings.filter = performance.now() - t0; });
    };
    status.addEventListener("change", refilter);
    qa.addEventListener("change", refilter);
    low.addEventListener("change", refilter);
    search.addEventListener("input", refilter);
    go.addEventListener("keydown", (e) => {
      if (e.key === "Enter") { e.preventDefault(); this.goTo(parseInt(go.value, 10)); go.value = ""; }
      if (e.key === "Escape") { e.preventDefault(); this.focusBox(); }
    });
    search.addEventListener("keydown", (e) => {
      if (e.key === "Escape" || e.key === "Enter") { e.preventDefault(); this.focusBox(); }
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

  // --- data from Python --------------------------------------------------------------------
  update(data) {
    this.me = data.me; this.can = data.can || {};
    if (data.height && !this.sized) {
      this.sized = true; this.scroll.style.height = data.height;
      requestAnimationFrame(() => this.fitHeight());
      window.addEventListener("resize", () => this.fitHeight());
    }
    if (data.rows && data.rev !== this.rev) this.loadRows(data.rows, data.rev);
    else if (!data.rows && data.rev !== this.rev &&
      (!this.syncAsked || performance.now() - this.syncAsked > 5000)) {
      this.syncAsked = performance.now(); this.send("sync", { rev: this.rev });
    }
    if (data.insert && data.insert.token !== this.insertToken && this.byId.has(data.insert.seg)) {
      this.insertToken = data.insert.token;
      if (this.active !== data.insert.seg) this.activate(data.insert.seg);
      const box = this.box();
      if (box) { box.value = data.insert.text; this.onInput(box); this.focusBox("end"); }
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

  loadRows(raw, rev) {
    this.rev = rev; this.syncAsked = false;
    this.rows = raw.map((a) => {
      const r = {}; FIELDS.forEach((f, i) => { r[f] = a[i]; });
      r.ls = r.source.toLowerCase(); r.lt = r.target.toLowerCase();
      if (r.wip !== null && r.wip !== undefined && !this.texts.has(r.id) && r.wip !== r.target) {
        this.texts.set(r.id, r.wip); this.base.set(r.id, r.wipv); this.sentWip.set(r.id, r.wip);
      }
      if (!this.base.has(r.id) || !this.texts.has(r.id)) this.base.set(r.id, r.version);
      return r;
    });
    this.byId = new Map(this.rows.map((r) => [r.id, r]));
    for (const id of [...this.rendered.keys()]) if (!this.byId.has(id)) this.rendered.delete(id);
    for (const el of this.rendered.values()) el._stale = true;
    this.filter(); this.progress(); this.render();
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
    return 14 + 21 * Math.max(1, Math.ceil(long / 55)) + (r.id === this.active ? 40 : 0);
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
    let cur = this.list.firstChild;
    for (const item of want) {
      let node = this.rendered.get(item.key);
      if (!node) { node = this.draw(item); this.rendered.set(item.key, node); }
      else if (node._stale && item.row) this.fill(node, item.row);
      node._stale = false;
      if (node === cur) { cur = cur.nextSibling; continue; }
      this.list.insertBefore(node, cur);
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
      box.readOnly = r.status === "approved" && !this.can.change_approved;
      box.rows = Math.max(2, Math.ceil(text.length / 60) + 1);
      tgt.classList.remove("dirty");
    } else {
      fillText(tgt, text, this.needle);
      tgt.classList.toggle("dirty", this.texts.has(r.id) && text !== r.target);
    }
    marks.replaceChildren();
    if (r.qe > 0) marks.append(el("span", "td-qa", `QA ${r.qe}`));
    else if (r.qw > 0) marks.append(el("span", "td-qa warn", `QA ${r.qw}`));
    if (r.low) marks.append(el("span", "td-low", "low"));
    if (this.texts.has(r.id) && text !== r.target) marks.append(el("span", "td-wip", "unsaved"));
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
    // On the first drawing the grid may not be in the page yet: try again each frame.
    const box = this.box();
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
    if (!row) { this.say(`There is no segment ${n}.`, "error"); return; }
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
    const map = {
      KeyK: () => { this.fSearch.focus(); this.fSearch.select(); },
      KeyG: () => { this.fGo.focus(); },
      KeyQ: () => { this.fQa.checked = !this.fQa.checked; this.refilter(); },
      KeyL: () => { this.fLow.checked = !this.fLow.checked; this.refilter(); },
      KeyU: () => {
        const s = this.fStatus; s.selectedIndex = (s.selectedIndex + 1) % s.options.length;
        this.refilter(); this.say(`Showing: ${s.options[s.selectedIndex].text}.`);
      },
    };
    const fn = map[code] || map["Key" + k.toUpperCase()];
    if (fn) { e.preventDefault(); fn(); }
  }

  onBoxKey(e, box) {
    const ctrl = e.ctrlKey || e.metaKey;
    const k = e.key.toLowerCase();
    let handled = true;
    if (ctrl && !e.altKey && k === "s") this.act("save", box.value);
    else if (ctrl && !e.altKey && e.key === "Enter") {
      const t0 = performance.now();
      this.act("save", box.value); this.step(+1);
      // Measured for benchmarks/browser_editor.py: key to caret in the next box, painted.
      requestAnimationFrame(() => { this.timings.move = performance.now() - t0; });
    }
    else if (e.altKey && !ctrl && e.code === "KeyA") this.approve(box.value, false);
    else if (e.altKey && !ctrl && e.key === "ArrowDown") this.step(+1);
    else if (e.altKey && !ctrl && e.key === "ArrowUp") this.step(-1);
    else if (e.altKey && !ctrl && e.code === "KeyN") this.nextOpen();
    else if (e.altKey && !ctrl && e.code === "KeyR") this.revert();
    else if (e.altKey && !ctrl && e.code === "KeyZ") this.undoRevert();
    else if (e.altKey && !ctrl && e.code === "KeyO") this.act("reopen");
    else if (e.altKey && !ctrl && e.code === "KeyE") this.acceptForm(box);
    else handled = false;
    if (handled) { e.preventDefault(); e.stopPropagation(); return; }
    const cls = keyClass(e);
    if (cls) this.log(cls);
  }

  // Alt+E: the established form QA suggests for a name, in place of the variant in the box.
  acceptForm(box) {
    const s = this.suggest;
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
    if (box.value === r.target && !this.sentWip.has(id)) this.texts.delete(id);
    else this.texts.set(id, box.value);
    clearTimeout(this.wipTimer);
    this.wipTimer = setTimeout(() => this.flushWip(id), WIP_DELAY_MS);
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
  act(op, text, extra = {}) {
    const id = this.active, r = this.byId.get(id);
    if (!r) return;
    if (op === "reopen" && !this.can.reopen) { this.say("Reopening needs a reviewer or admin.", "error"); return; }
    const payload = { op, seg: id, version: this.base.get(id) ?? r.version, editor: this.me, ...extra };
    if (text !== undefined) payload.text = text;
    if (op === "save" || op === "approve") {
      Object.assign(payload, this.takeLog(id));
      // The save carries this text: no work-in-progress copy of it may follow (it would
      // outlive the save, which clears it on the server).
      clearTimeout(this.wipTimer);
      this.sentWip.set(id, text);
    }
    this.enqueue(payload);
  }

  approve(text, confirmed) {
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
    this.texts.set(this.active, text);
    this.act("save", text);
  }

  enqueue(payload) {
    payload.nonce = ++this.nonce;
    Object.defineProperty(payload, "_t", { value: performance.now(), enumerable: false });
    if (payload.op === "wip") this.queue = this.queue.filter((q) => !(q.payload.op === "wip" && q.payload.seg === payload.seg));
    this.queue.push({ payload });
    this.pump();
  }

  pump() {
    if (this.inflight || !this.queue.length) return;
    this.inflight = this.queue.shift();
    this.inflight.sentAt = performance.now();
    if (this.inflight.payload.op === "wip") this.wipSentAt = this.inflight.sentAt;
    this.send("action", this.inflight.payload);
  }

  flushWip(id = this.active) {
    if (id === null || id === undefined) return;
    clearTimeout(this.wipTimer);
    const r = this.byId.get(id), text = this.texts.get(id);
    if (!r || text === undefined || text === this.sentWip.get(id)) return;
    if (text === r.target && !this.sentWip.has(id)) return;
    this.sentWip.set(id, text);
    this.enqueue({ op: "wip", seg: id, version: this.base.get(id) ?? r.version, text, editor: this.me });
  }

  onAck(ack, sent) {
    if (sent._t) this.timings.roundTrip = performance.now() - sent._t;
    const r = this.byId.get(sent.seg);
    if (ack.row && r) {
      Object.assign(r, ack.row); r.lt = r.target.toLowerCase();
      this.base.set(r.id, r.version);
    }
    if (!ack.ok) {
      if (ack.needs_confirm && ack.needs_confirm.length) {
        const ok = window.confirm(`QA found errors in segment ${r ? r.n : ""}:\n- ${ack.needs_confirm.join("\n- ")}\n\nApprove anyway?`);
        if (ok) this.enqueue({ ...sent, confirm: true });
        else this.say("Not approved. Fix the QA errors or approve again to confirm.");
      } else if (sent.op === "wip") {
        this.sentWip.delete(sent.seg);
        this.say(ack.error, "error");
      } else {
        if (sent.keys) this.restoreLog(sent);
        this.say(ack.error + (ack.row ? " Your text is still in the box: save again to keep it." : ""), "error");
      }
    } else if (sent.op !== "wip" && r) {
      const box = sent.seg === this.active ? this.box() : null;
      const now = box ? box.value : this.texts.get(r.id);
      if (sent.op === "revert") {
        this.texts.delete(r.id); this.sentWip.delete(r.id);
        if (box) box.value = r.target;
        this.say(`Reverted segment ${r.n} to the MT draft. Alt+Z undoes it.`, "ok");
      } else {
        this.sentWip.delete(r.id);
        // Typing goes on during the round trip: what was typed since stays unsaved.
        if (now === undefined || now === r.target) this.texts.delete(r.id);
        else this.texts.set(r.id, now);
        const verb = { save: "Saved", approve: "Approved", reopen: "Reopened" }[sent.op];
        this.say(`${verb} segment ${r.n}.`, "ok");
      }
      this.lastAck = { op: sent.op, seg: sent.seg, at: performance.now(), sentAt: sent._sentAt };
    }
    if (r) { const node = this.rendered.get(r.id); if (node) this.fill(node, r); }
    this.progress();
    this.root.dataset.acks = String((Number(this.root.dataset.acks) || 0) + 1);
  }

  restoreLog(sent) {
    const log = this.logs.get(sent.seg);
    if (!log) return;
    const shift = sent.elapsed || 0;
    log.times = [...sent.keys.t, ...log.times.map((t) => t + shift)];
    log.codes = sent.keys.c + log.codes;
    log.t0 -= shift;
  }

  hasUnsaved() {
    for (const [id, text] of this.texts) {
      const r = this.byId.get(id);
      if (r && text !== r.target) return true;
    }
    return false;
  }

  say(text, kind = "") {
    this.msg.textContent = text; this.msg.className = "td-msg " + kind;
  }

  tick() {
    if (!this.parent.isConnected) { clearInterval(this.timer); return; }
    const now = performance.now();
    if (this.inflight && now - this.inflight.sentAt > RESEND_MS) {
      this.inflight.sentAt = now; this.send("action", this.inflight.payload);
    }
    const quiet = !this.inflight && !this.queue.length && now - this.lastKeyAt > 5000;
    const every = this.pending ? 2000 : REFRESH_MS;
    if (quiet && now - (this.lastSync || 0) > every && this.rows.length) {
      this.lastSync = now; this.send("sync", { rev: this.rev, quiet: true });
    }
  }
}

export default function (component) {
  const { data, parentElement, setTriggerValue, setStateValue } = component;
  let grid = parentElement.__tdGrid;
  if (!grid) { grid = new Grid(parentElement); parentElement.__tdGrid = grid; }
  grid.send = setTriggerValue;
  grid.setState = setStateValue;
  grid.update(data || {});
}
