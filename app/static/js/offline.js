// Score entry that survives a bad network (design: shared/research/offline-entry.md).
// Every change to a sheet is kept at once in IndexedDB (drafts); Save and Submit put operations
// in an outbox, each with its own operation id (Idempotency-Key), and the outbox is sent through
// the API with this browser's device token, one operation at a time, in order. Only a 2xx JSON
// answer removes an operation; nothing typed is thrown away without the judge's tap.
// Without IndexedDB or fetch the plain form posts as before.
(function () {
  "use strict";
  const root = document.getElementById("jx-offline");
  if (!root || !window.indexedDB || !window.fetch) return;
  const T = JSON.parse(document.getElementById("jx-strings").textContent);
  const cfg = root.dataset;
  const judge = cfg.judge, eventId = cfg.event;
  const fmt = (s, vars) => s.replace(/\{(\w+)\}/g, (_, k) => String(vars[k]));

  // ---- IndexedDB: drafts[judge:event:code], outbox (auto-increment), meta[key] -------------------
  let dbp = null;
  function openDb() {
    if (dbp) return dbp;
    dbp = new Promise((resolve, reject) => {
      const req = indexedDB.open("jiangxuan", 1);
      req.onupgradeneeded = () => {  // additive only: never drop a store with data in it
        const db = req.result;
        if (!db.objectStoreNames.contains("drafts")) db.createObjectStore("drafts", { keyPath: "id" });
        if (!db.objectStoreNames.contains("outbox")) db.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
        if (!db.objectStoreNames.contains("meta")) db.createObjectStore("meta");
      };
      req.onblocked = () => banner("error", T.blocked);
      req.onsuccess = () => {
        req.result.onversionchange = () => { req.result.close(); dbp = null; };
        resolve(req.result);
      };
      req.onerror = () => reject(req.error);
    });
    return dbp;
  }
  function tx(stores, mode, body) {
    return openDb().then((db) => new Promise((resolve, reject) => {
      const t = db.transaction(stores, mode);
      let result;
      Promise.resolve(body(t)).then((r) => { result = r; });
      t.oncomplete = () => resolve(result);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    }));
  }
  const req2p = (req) => new Promise((resolve, reject) => { req.onsuccess = () => resolve(req.result); req.onerror = () => reject(req.error); });
  const draftId = (code) => `${judge}:${eventId}:${code}`;
  const getDraft = (code) => tx(["drafts"], "readonly", (t) => req2p(t.objectStore("drafts").get(draftId(code))));
  // Read, change and write a draft in one transaction (never get-then-put: the sender updates
  // drafts too, and a stale copy written back would undo its base version).
  const updateDraft = (code, fn) => tx(["drafts"], "readwrite", (t) => {
    const store = t.objectStore("drafts");
    return req2p(store.get(draftId(code))).then((d) => {
      const out = fn(d);
      if (out) { out.updated_at = Date.now(); store.put(out); }
      return out;
    });
  });
  const allOps = () => tx(["outbox"], "readonly", (t) => req2p(t.objectStore("outbox").getAll()))
    .then((ops) => ops.filter((o) => o.judge === judge && o.event === eventId));
  const getMeta = (k) => tx(["meta"], "readonly", (t) => req2p(t.objectStore("meta").get(k)));
  const setMeta = (k, v) => tx(["meta"], "readwrite", (t) => { t.objectStore("meta").put(v, k); });
  const delMeta = (k) => tx(["meta"], "readwrite", (t) => { t.objectStore("meta").delete(k); });
  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    return [...b].map((x, i) => ([4, 6, 8, 10].includes(i) ? "-" : "") + x.toString(16).padStart(2, "0")).join("");
  }

  // ---- the banner: offline / N changes not yet sent / all sent ------------------------------------
  const bannerEl = document.getElementById("jx-banner");
  let online = navigator.onLine, needSignin = false;
  function banner(kind, text, link) {
    if (!bannerEl) return;
    bannerEl.className = "net-banner net-" + kind;
    bannerEl.textContent = text;
    if (link) {
      const a = document.createElement("a");
      a.href = link; a.textContent = T.signin_link; a.className = "btn small";
      bannerEl.append(" ", a);
    }
    document.body.dataset.net = kind;
  }
  async function pendingCount() {
    const ops = await allOps();
    const sheets = new Set(ops.map((o) => o.code));
    const drafts = await tx(["drafts"], "readonly", (t) => req2p(t.objectStore("drafts").getAll()));
    drafts.filter((d) => d.id.startsWith(`${judge}:${eventId}:`) && (d.dirty || d.conflict)).forEach((d) => sheets.add(d.code));
    return { sheets: sheets.size, ops: ops.length };
  }
  async function refreshBanner() {
    const n = await pendingCount();
    document.body.dataset.pending = String(n.ops);
    if (needSignin && n.sheets) return banner("signin", fmt(T.signin, { n: n.sheets }), cfg.loginUrl);
    if (!online) return banner("offline", n.sheets ? fmt(T.offline_n, { n: n.sheets }) : T.offline);
    if (n.sheets) return banner("pending", fmt(T.pending, { n: n.sheets }));
    banner("synced", T.synced);
  }

  // ---- the device token -------------------------------------------------------------------------
  async function token(fresh) {
    const key = `token:${judge}:${eventId}`;
    const kept = await getMeta(key);
    if (!fresh && kept && kept.expires > Date.now()) return kept.token;
    const csrf = document.querySelector("input[name=csrf_token]");
    let r;
    try {
      r = await fetch(cfg.tokenUrl, { method: "POST", credentials: "same-origin", redirect: "manual",
        headers: { "X-CSRFToken": csrf ? csrf.value : "", Accept: "application/json" } });
    } catch (err) { throw new Offline(); }
    const type = r.headers.get("Content-Type") || "";
    if (!r.ok || !type.includes("json")) {  // signed out (redirect to sign-in), expired form …
      await delMeta(key);
      needSignin = true;
      throw new SignIn();
    }
    const body = await r.json();
    await setMeta(key, { token: body.token, expires: Date.parse(body.expires_at) });
    needSignin = false;
    return body.token;
  }
  class Offline extends Error {}
  class SignIn extends Error {}

  // ---- sending the outbox -----------------------------------------------------------------------
  let draining = false, again = false, backoff = 2000, timer = null;
  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(drain, ms + Math.random() * ms * 0.3);
  }
  async function send(op, tok) {
    const base = `/api/v1/events/${eventId}/sheets/${encodeURIComponent(op.code)}`;
    const headers = { Authorization: "Bearer " + tok, "Idempotency-Key": op.key, Accept: "application/json" };
    let url = base, init = { method: "POST", headers };
    if (op.kind === "save") {
      init = { method: "PUT", headers: { ...headers, "Content-Type": "application/json" },
               body: JSON.stringify({ scores: op.values, version: op.version }) };
    } else if (op.kind === "submit") {
      url = base + "/submit";
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify({ version: op.version });
    } else if (op.kind === "photo") {
      url = base + "/photos";
      const form = new FormData();
      form.append("criterion", op.criterion);
      form.append("file", op.blob, "photo.jpg");
      init.body = form;
    }
    try {
      return await fetch(url, { ...init, credentials: "omit", redirect: "error", cache: "no-store" });
    } catch (err) { throw new Offline(); }
  }
  async function dropSheetOps(code) {
    const ops = (await allOps()).filter((o) => o.code === code);
    await tx(["outbox"], "readwrite", (t) => ops.forEach((o) => t.objectStore("outbox").delete(o.seq)));
  }
  async function drainOnce() {
    for (;;) {
      const ops = (await allOps()).sort((a, b) => a.seq - b.seq);
      if (!ops.length) return;
      const op = ops[0];
      const draft = await getDraft(op.code);
      if (op.version == null && op.kind !== "photo") {  // fixed at the first attempt, so a retry is the same request
        op.version = draft ? draft.base_version : null;
        await tx(["outbox"], "readwrite", (t) => t.objectStore("outbox").put(op));
      }
      let tok = await token(false);
      let r = await send(op, tok);
      if (r.status === 401 || (r.status === 403 && !op.retried)) {
        tok = await token(true);
        op.retried = true;
        r = await send(op, tok);
      }
      const isJson = (r.headers.get("Content-Type") || "").includes("json");
      const body = isJson ? await r.json().catch(() => null) : null;
      online = true;
      if (r.ok && body) {
        await tx(["outbox", "drafts"], "readwrite", (t) => {
          t.objectStore("outbox").delete(op.seq);
          return req2p(t.objectStore("drafts").get(draftId(op.code))).then((d) => {
            if (!d || op.kind === "photo") return;
            d.base_version = body.version;
            d.status = body.status;
            d.server_values = body.scores;
            if (op.kind === "save" && sameValues(d.values, op.values)) d.dirty = false;
            if (op.kind === "submit") d.dirty = false;
            d.errors = null; d.updated_at = Date.now();
            t.objectStore("drafts").put(d);
          });
        });
        backoff = 2000;
        afterSent(op, body);
        continue;
      }
      const code = body && body.error ? body.error.code : null;
      if (r.status === 409 && code === "stale_version") {
        await dropSheetOps(op.code);
        const submit = ops.some((o) => o.code === op.code && o.kind === "submit");
        await updateDraft(op.code, (d) => {
          d = d || newDraft(op.code, op.values || {}, null);
          d.conflict = { server: body.error.server, submit };
          d.dirty = true;
          return d;
        });
        showConflict(op.code);
        continue;
      }
      if ((r.status === 409 && code !== "idempotency_in_progress") || r.status === 422 || r.status === 404 || r.status === 403) {
        // Refused for good (submitted or locked, a value out of range …): the values stay here.
        await dropSheetOps(op.code);
        await updateDraft(op.code, (d) => {
          d = d || newDraft(op.code, op.values || {}, null);
          d.errors = { message: body && body.error ? body.error.message : String(r.status),
                       fields: body && body.error ? body.error.fields || {} : {} };
          if (code === "wrong_state") d.readonly = true;
          d.dirty = true;
          return d;
        });
        showErrors(op.code);
        continue;
      }
      throw new Offline();  // 5xx, busy, in progress, a non-JSON answer: try again later
    }
  }
  async function drain() {
    if (draining) { again = true; return; }
    draining = true;
    try {
      do {
        again = false;
        await (navigator.locks ? navigator.locks.request("jx-outbox", drainOnce) : drainOnce());
      } while (again);
      online = true;
    } catch (err) {
      if (err instanceof Offline) { online = false; schedule(backoff); backoff = Math.min(backoff * 2, 60000); }
      else if (!(err instanceof SignIn)) { console.error(err); schedule(backoff); }
    } finally {
      draining = false;
      await refreshBanner();
    }
  }
  const norm = (v) => (v == null || v === "" ? null : (isFinite(Number(v)) ? String(Number(v)) : String(v)));
  const sameValues = (a, b) => {
    a = a || {}; b = b || {};
    return [...new Set([...Object.keys(a), ...Object.keys(b)])].every((k) => norm(a[k]) === norm(b[k]));
  };
  const newDraft = (code, values, version) => ({ id: draftId(code), judge, event: eventId, code, values,
    base_version: version, server_values: null, dirty: false, status: "draft" });

  async function enqueue(code, ops) {
    await tx(["outbox"], "readwrite", (t) => ops.forEach((o) => t.objectStore("outbox").add(
      { judge, event: eventId, code, key: uuid(), version: null, created: Date.now(), ...o })));
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
    document.body.dataset.queued = String(Number(document.body.dataset.queued || 0) + ops.length);
    await refreshBanner();
    drain();
  }

  // ---- the sheet page ---------------------------------------------------------------------------
  const form = document.querySelector("form.score-form[data-code]");
  const code = form ? form.dataset.code : null;
  const fields = form ? [...form.querySelectorAll("[data-criterion]")] : [];
  const keys = [...new Set(fields.map((el) => el.dataset.criterion))];
  function readForm() {
    const values = {};
    keys.forEach((k) => {
      const els = form.querySelectorAll(`[data-criterion="${k}"]`);
      let v = null;
      els.forEach((el) => { if (el.type === "radio") { if (el.checked) v = el.value; } else if (el.value.trim() !== "") v = el.value.trim(); });
      values[k] = v;
    });
    return values;
  }
  function fillForm(values) {
    keys.forEach((k) => {
      const v = values[k] == null ? "" : String(values[k]);
      form.querySelectorAll(`[data-criterion="${k}"]`).forEach((el) => {
        if (el.type === "radio") el.checked = (el.value === v);
        else el.value = v;
      });
    });
  }
  const stateEl = document.getElementById("jx-sheet-state");
  function sheetState(text, kind) { if (stateEl) { stateEl.textContent = text; stateEl.className = "sheet-state " + (kind || ""); } }
  let writeChain = Promise.resolve();
  function keepTyping() {  // every change, at once
    const values = readForm();
    writeChain = writeChain.then(async () => {
      const d = await updateDraft(code, (d) => {
        d = d || newDraft(code, {}, Number(form.dataset.version));
        d.values = values;
        d.dirty = !sameValues(values, d.server_values);
        return d;
      });
      document.body.dataset.kept = String(Date.now());
      sheetState(d.dirty ? T.kept : "", "kept");
      await refreshBanner();
    }).catch((err) => sheetState(String(err), "error"));
  }
  async function loadSheet() {
    const pageVersion = Number(form.dataset.version);
    const pageValues = readForm();
    const d = await updateDraft(code, (d) => {
      if (!d) {
        d = newDraft(code, pageValues, pageVersion);
        d.server_values = pageValues; d.status = form.dataset.status;
      } else if (d.dirty || d.conflict || d.base_version > pageVersion) {
        // the phone's copy wins over a page from the cache or the browser's memory
      } else {
        d.values = pageValues; d.server_values = pageValues; d.base_version = pageVersion; d.status = form.dataset.status;
      }
      return d;
    });
    fillForm(d.values);
    if (d.status && d.status !== "draft" && form.dataset.status === "draft") lockForm(T.submitted_here);
    if ((await allOps()).some((o) => o.code === code && o.kind === "submit")) lockForm(T.queued);
    if (d.conflict) showConflict(code);
    if (d.errors) showErrors(code);
    if (d.dirty) sheetState(T.kept, "kept");
    document.body.dataset.ready = "1";
  }
  function lockForm(text) {
    form.querySelectorAll("input, button[name=action]").forEach((el) => { if (el.name !== "csrf_token") el.disabled = true; });
    sheetState(text, "done");
  }
  function afterSent(op, body) {
    if (op.code !== code) return;
    if (op.kind === "submit") { lockForm(T.submitted); showNext(); }
    else if (op.kind === "save") { form.dataset.version = body.version; sheetState(T.saved, "done"); }
    else if (op.kind === "photo") { photoSent(op); }
  }
  function showNext() { const n = document.getElementById("jx-next"); if (n) n.hidden = false; }
  async function showErrors(c) {
    if (c !== code) return;
    const d = await getDraft(code);
    if (!d || !d.errors) return;
    form.querySelectorAll(".error.jx").forEach((el) => el.remove());
    const box = document.getElementById("jx-errors");
    box.hidden = false;
    box.textContent = d.errors.message;
    Object.entries(d.errors.fields || {}).forEach(([f, msgs]) => {
      const k = f.replace(/^scores\./, "");
      const fs = form.querySelector(`fieldset[data-key="${k}"]`);
      if (fs) { const p = document.createElement("p"); p.className = "error jx"; p.textContent = msgs.join(" "); fs.append(p); }
    });
    if (d.readonly) lockForm(T.readonly);
  }
  async function showConflict(c) {
    if (c !== code) { await refreshBanner(); return; }
    const d = await getDraft(code);
    if (!d || !d.conflict) return;
    const box = document.getElementById("jx-conflict");
    const rows = box.querySelector("tbody");
    rows.textContent = "";
    const server = d.conflict.server || { scores: {} };
    keys.forEach((k) => {
      const tr = document.createElement("tr");
      const mine = d.values[k], theirs = server.scores ? server.scores[k] : null;
      [k, mine == null ? "—" : mine, theirs == null ? "—" : theirs].forEach((text, i) => {
        const td = document.createElement(i ? "td" : "th"); td.textContent = text; tr.append(td);
      });
      if (String(mine) !== String(theirs)) tr.className = "differs";
      rows.append(tr);
    });
    box.hidden = false;
    sheetState(T.conflict, "error");
  }
  async function resolve(keepMine) {
    const d = await updateDraft(code, (d) => {
      const server = d.conflict.server;
      d.base_version = server.version;
      d.server_values = server.scores;
      if (!keepMine) d.values = { ...server.scores };
      d.dirty = !sameValues(d.values, d.server_values);
      d.conflict = null; d.errors = null; d.resolved = server;
      return d;
    });
    const server = d.resolved;
    fillForm(d.values);
    document.getElementById("jx-conflict").hidden = true;
    if (server.status !== "draft") { lockForm(T.readonly); return refreshBanner(); }
    if (keepMine) await enqueue(code, [{ kind: "save", values: d.values }]);  // a new operation, on the server's version
    else { sheetState("", ""); await refreshBanner(); }
  }

  function wireSheet() {
    form.addEventListener("input", keepTyping);
    form.addEventListener("change", keepTyping);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const action = e.submitter ? e.submitter.value : "save";
      await writeChain;
      const d = await getDraft(code);
      if (action === "submit") {
        const missing = keys.filter((k) => d.values[k] == null);
        if (missing.length) { sheetState(fmt(T.missing, { keys: missing.join("、") }), "error"); return; }
        if (!window.confirm(fmt(T.confirm_submit, { code }))) return;
        await enqueue(code, [{ kind: "save", values: d.values }, { kind: "submit" }]);
        lockForm(online ? T.sending : T.queued);
        showNext();
      } else {
        await enqueue(code, [{ kind: "save", values: d.values }]);
        sheetState(online ? T.sending : T.queued, "kept");
        showNext();
      }
    });
    document.getElementById("jx-keep-mine").addEventListener("click", () => resolve(true));
    document.getElementById("jx-take-server").addEventListener("click", () => resolve(false));
    wirePhotos();
  }

  // ---- photos per criterion: shrunk on the phone (which also drops EXIF), queued like scores ------
  function wirePhotos() {
    form.querySelectorAll("input[type=file][data-photo]").forEach((input) => {
      input.addEventListener("change", async () => {
        const file = input.files && input.files[0];
        if (!file) return;
        const blob = await shrink(file).catch(() => null);
        input.value = "";
        if (!blob) { sheetState(T.photo_bad, "error"); return; }
        await enqueue(code, [{ kind: "photo", criterion: input.dataset.photo, blob }]);
        const list = form.querySelector(`[data-photos="${input.dataset.photo}"]`);
        if (list) { const li = document.createElement("li"); li.textContent = T.photo_queued; li.className = "muted"; list.append(li); }
      });
    });
  }
  function shrink(file) {
    return new Promise((resolve, reject) => {
      const img = new Image();
      img.onload = () => {
        const scale = Math.min(1, 2048 / Math.max(img.naturalWidth, img.naturalHeight));
        const canvas = document.createElement("canvas");
        canvas.width = Math.round(img.naturalWidth * scale); canvas.height = Math.round(img.naturalHeight * scale);
        canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
        URL.revokeObjectURL(img.src);
        canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("encode"))), "image/jpeg", 0.85);
      };
      img.onerror = () => reject(new Error("decode"));
      img.src = URL.createObjectURL(file);
    });
  }
  function photoSent(op) {
    const list = form.querySelector(`[data-photos="${op.criterion}"]`);
    const waiting = list && list.querySelector("li.muted");
    if (waiting) { waiting.textContent = T.photo_sent; waiting.className = ""; }
  }

  // ---- the event's list: pages kept for offline, local state shown per code ------------------------
  async function wireList() {
    const links = [...document.querySelectorAll("a.sheet-link[data-code]")];
    for (const a of links) {
      const d = await getDraft(a.dataset.code);
      if (d && (d.dirty || d.conflict)) a.classList.add("has-local");
      if (d && d.conflict) a.dataset.conflict = "1";
    }
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: "keep", urls: [location.pathname, ...links.map((a) => a.getAttribute("href"))] });
    }
  }

  // ---- signing out: not while changes are unsent; then the kept pages go ----------------------------
  document.querySelectorAll("form[action$='/logout']").forEach((f) => f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const n = await pendingCount();
    if (n.sheets) { window.alert(fmt(T.logout_blocked, { n: n.sheets })); return; }
    if (navigator.serviceWorker && navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage({ type: "forget" });
    f.submit();
  }));

  // ---- start ---------------------------------------------------------------------------------------
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/judge/" }).catch(() => {});
  } else {
    const hint = document.getElementById("jx-no-sw");
    if (hint) hint.hidden = false;
  }
  window.addEventListener("online", () => { online = true; backoff = 2000; drain(); });
  window.addEventListener("offline", () => { online = false; refreshBanner(); });
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") drain(); });
  window.addEventListener("pageshow", (e) => { if (e.persisted && form) loadSheet().then(drain); });
  (form ? loadSheet().then(wireSheet) : wireList()).then(refreshBanner).then(drain)
    .catch((err) => banner("error", String(err)));
})();
