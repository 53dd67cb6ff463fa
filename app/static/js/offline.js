// Score entry that survives a bad network (design: shared/research/offline-entry.md).
// Every change to a sheet is kept at once in IndexedDB (drafts); Save and Submit put operations
// in an outbox, each with its own operation id (Idempotency-Key), and the outbox is sent through
// the API with a device token of the operation's event, one operation at a time, in order. Only a
// 2xx JSON answer removes an operation; nothing typed is thrown away without the judge's tap.
// Every judge page (tasks, an event's list, a sheet) sends the whole outbox of the signed-in judge,
// so that a queue left by a closed tab or an expired session goes out from whichever page opens.
// Without IndexedDB or fetch the plain form posts as before.
(function () {
  "use strict";
  const root = document.getElementById("jx-offline");
  if (!root || !window.indexedDB || !window.fetch) return;
  const T = JSON.parse(document.getElementById("jx-strings").textContent);
  const cfg = root.dataset;
  const judge = cfg.judge, eventId = cfg.event || null;
  const fmt = (s, vars) => s.replace(/\{(\w+)\}/g, (_, k) => String(vars[k]));
  const SEND_TIMEOUT = 30000;   // a request hanging on a bad network is abandoned and retried (same key)
  const PHOTO_TIMEOUT = 180000; // a photo of ~400 KB over a slow mobile connection

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
      req.onerror = () => { dbp = null; reject(req.error); };
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
  const draftId = (ev, code) => `${judge}:${ev}:${code}`;
  const getDraft = (ev, code) => tx(["drafts"], "readonly", (t) => req2p(t.objectStore("drafts").get(draftId(ev, code))));
  // Read, change and write a draft in one transaction (never get-then-put: the sender updates
  // drafts too, and a stale copy written back would undo its base version).
  const updateDraft = (ev, code, fn) => tx(["drafts"], "readwrite", (t) => {
    const store = t.objectStore("drafts");
    return req2p(store.get(draftId(ev, code))).then((d) => {
      const out = fn(d);
      if (out) { out.updated_at = Date.now(); store.put(out); }
      return out;
    });
  });
  const myDrafts = () => tx(["drafts"], "readonly", (t) => req2p(t.objectStore("drafts").getAll()))
    .then((all) => all.filter((d) => d.judge === judge));
  const allOps = () => tx(["outbox"], "readonly", (t) => req2p(t.objectStore("outbox").getAll()))
    .then((ops) => ops.filter((o) => o.judge === judge).sort((a, b) => a.seq - b.seq));
  const getMeta = (k) => tx(["meta"], "readonly", (t) => req2p(t.objectStore("meta").get(k)));
  const setMeta = (k, v) => tx(["meta"], "readwrite", (t) => { t.objectStore("meta").put(v, k); });
  const delMeta = (k) => tx(["meta"], "readwrite", (t) => { t.objectStore("meta").delete(k); });
  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    return [...b].map((x, i) => ([4, 6, 8, 10].includes(i) ? "-" : "") + x.toString(16).padStart(2, "0")).join("");
  }

  // ---- the banner: offline / N sheets not yet sent / all sent / sign in again ----------------------
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
  async function pending() {
    // Sheets with something not yet on the server: a queued operation, typed values not saved,
    // or a conflict waiting for the judge's choice (all events of this judge on this phone).
    const ops = await allOps();
    const sheets = new Set(ops.map((o) => `${o.event}:${o.code}`));
    const conflicts = [];
    (await myDrafts()).forEach((d) => {
      if (d.dirty || d.conflict) sheets.add(`${d.event}:${d.code}`);
      if (d.conflict) conflicts.push(d.code);
    });
    return { sheets: sheets.size, ops: ops.length, conflicts };
  }
  async function refreshBanner() {
    const n = await pending();
    document.body.dataset.pending = String(n.ops);
    document.body.dataset.unsent = String(n.sheets);
    const extra = n.conflicts.length ? " " + fmt(T.conflicts, { codes: n.conflicts.join("、") }) : "";
    if (needSignin && n.ops) return banner("signin", fmt(T.signin, { n: n.sheets }) + extra, cfg.loginUrl);
    if (!online || navigator.onLine === false) return banner("offline", (n.sheets ? fmt(T.offline_n, { n: n.sheets }) : T.offline) + extra);
    if (n.sheets) return banner("pending", fmt(T.pending, { n: n.sheets }) + extra);
    banner("synced", T.synced);
  }

  // ---- the device token (one per event) ------------------------------------------------------------
  class Offline extends Error {}      // no answer: try again later
  class SignIn extends Error {}       // the session is over: the judge signs in again, the queue stays
  class Refused extends Error {}      // no longer on this event's panel: its operations stay, unsent
  let csrf = (document.querySelector("input[name=csrf_token]") || {}).value || "";
  async function freshCsrf() {
    // The page may come from the phone's cache, with the form token of an earlier session: ask
    // the tasks page for the current one (a redirect means the session is over).
    let r;
    try { r = await fetch(cfg.homeUrl, { credentials: "same-origin", redirect: "manual", cache: "no-store" }); }
    catch (err) { throw new Offline(); }
    const m = r.type !== "opaqueredirect" && r.ok ? /name="csrf_token"[^>]*value="([^"]+)"/.exec(await r.text()) : null;
    if (!m) { needSignin = true; throw new SignIn(); }
    csrf = m[1];
  }
  async function mint(ev) {
    try {
      return await fetch(`${cfg.eventsUrl}${ev}/device-token`, { method: "POST", credentials: "same-origin",
        redirect: "manual", cache: "no-store", headers: { "X-CSRFToken": csrf, Accept: "application/json" } });
    } catch (err) { throw new Offline(); }
  }
  async function token(ev, fresh) {
    const key = `token:${judge}:${ev}`;
    const kept = await getMeta(key);
    if (!fresh && kept && kept.expires > Date.now()) return kept.token;
    let r = await mint(ev);
    if (r.status === 400) { await freshCsrf(); r = await mint(ev); }  // an old form token
    if (r.status === 403) throw new Refused();
    const type = r.headers.get("Content-Type") || "";
    if (!r.ok || !type.includes("json")) {  // signed out (redirect to sign-in), session ended …
      await delMeta(key);
      needSignin = true;
      throw new SignIn();
    }
    const body = await r.json();
    await setMeta(key, { token: body.token, expires: Date.parse(body.expires_at) });
    needSignin = false;
    return body.token;
  }

  // ---- sending the outbox -----------------------------------------------------------------------
  let draining = false, again = false, backoff = 2000, timer = null;
  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(drain, ms + Math.random() * ms * 0.3);
  }
  async function send(op, tok) {
    const base = `/api/v1/events/${op.event}/sheets/${encodeURIComponent(op.code)}`;
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
    const abort = window.AbortController ? new AbortController() : null;
    const timeout = abort ? setTimeout(() => abort.abort(), op.kind === "photo" ? PHOTO_TIMEOUT : SEND_TIMEOUT) : null;
    try {
      return await fetch(url, { ...init, credentials: "omit", redirect: "error", cache: "no-store",
                                signal: abort ? abort.signal : undefined });
    } catch (err) { throw new Offline(); }  // no answer: maybe applied, maybe not — the retry has the same key
    finally { clearTimeout(timeout); }
  }
  async function dropOps(ops) {
    await tx(["outbox"], "readwrite", (t) => ops.forEach((o) => t.objectStore("outbox").delete(o.seq)));
  }
  // Scores of a sheet (save, submit) go or stop together; photos are independent of the version.
  const scoreOps = (ops, op) => ops.filter((o) => o.event === op.event && o.code === op.code && o.kind !== "photo");
  async function drainOnce() {
    const skip = new Set();   // events whose panel the judge has left: their operations stay
    for (;;) {
      const ops = (await allOps()).filter((o) => !skip.has(o.event));
      if (!ops.length) return;
      // Scores first, in the order they were made; photos (slow, version-free) after them.
      const op = ops.find((o) => o.kind !== "photo") || ops[0];
      if (op.version == null && op.kind !== "photo") {  // fixed at the first attempt, so a retry is the same request
        const draft = await getDraft(op.event, op.code);
        op.version = draft ? draft.base_version : null;
        await tx(["outbox"], "readwrite", (t) => t.objectStore("outbox").put(op));
      }
      let tok;
      try { tok = await token(op.event, false); }
      catch (err) { if (err instanceof Refused) { skip.add(op.event); continue; } throw err; }
      let r = await send(op, tok);
      if (r.status === 401 || r.status === 403) {  // a token revoked or replaced by another tab: one more, fresh
        try { tok = await token(op.event, true); }
        catch (err) { if (err instanceof Refused) { skip.add(op.event); continue; } throw err; }
        r = await send(op, tok);
      }
      const isJson = (r.headers.get("Content-Type") || "").includes("json");
      const body = isJson ? await r.json().catch(() => null) : null;
      online = navigator.onLine !== false;  // an answer came; the browser may know it is gone since
      if (r.ok && body) {
        await tx(["outbox", "drafts"], "readwrite", (t) => {
          t.objectStore("outbox").delete(op.seq);
          return req2p(t.objectStore("drafts").get(draftId(op.event, op.code))).then((d) => {
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
      if (r.status === 409 && code === "stale_version" && body.error.server) {
        const mine = scoreOps(ops, op);
        await dropOps(mine);
        await updateDraft(op.event, op.code, (d) => {
          d = d || newDraft(op.event, op.code, op.values || {}, null);
          d.conflict = { server: body.error.server, submit: mine.some((o) => o.kind === "submit") };
          d.dirty = true;
          return d;
        });
        showConflict(op.event, op.code);
        continue;
      }
      if ((r.status === 409 && code !== "idempotency_in_progress") || r.status === 422 || r.status === 404
          || r.status === 403 || r.status === 400) {
        // Refused for good (submitted or locked, a value out of range, a photo refused …): the
        // values stay on this phone, with the reason.
        const message = body && body.error ? body.error.message : String(r.status);
        if (op.kind === "photo") {
          await dropOps([op]);
          await updateDraft(op.event, op.code, (d) => {
            d = d || newDraft(op.event, op.code, {}, null);
            d.photo_error = message;
            return d;
          });
          photoRefused(op, message);
          continue;
        }
        await dropOps(scoreOps(ops, op));
        await updateDraft(op.event, op.code, (d) => {
          d = d || newDraft(op.event, op.code, op.values || {}, null);
          d.errors = { message, fields: body && body.error ? body.error.fields || {} : {} };
          // Submitted or locked meanwhile, or no longer this judge's sheet: nothing to retry.
          if (code === "wrong_state" || r.status === 403 || r.status === 404) d.readonly = true;
          d.dirty = true;
          return d;
        });
        showErrors(op.event, op.code);
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
    } catch (err) {
      if (err instanceof Offline) { online = false; schedule(backoff); backoff = Math.min(backoff * 2, 60000); }
      else if (!(err instanceof SignIn)) { console.error(err); schedule(backoff); }
    } finally {
      draining = false;
      await refreshBanner().catch(() => {});
      document.body.dataset.drained = String(Number(document.body.dataset.drained || 0) + 1);
    }
  }
  const norm = (v) => (v == null || v === "" ? null : (isFinite(Number(v)) ? String(Number(v)) : String(v)));
  const sameValues = (a, b) => {
    a = a || {}; b = b || {};
    return [...new Set([...Object.keys(a), ...Object.keys(b)])].every((k) => norm(a[k]) === norm(b[k]));
  };
  const newDraft = (ev, code, values, version) => ({ id: draftId(ev, code), judge, event: ev, code, values,
    base_version: version, server_values: null, dirty: false, status: "draft" });

  async function enqueue(ev, code, ops) {
    await tx(["outbox"], "readwrite", (t) => ops.forEach((o) => t.objectStore("outbox").add(
      { judge, event: ev, code, key: uuid(), version: null, created: Date.now(), ...o })));
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
  const names = {};
  keys.forEach((k) => {
    const legend = form.querySelector(`fieldset[data-key="${k}"] legend`);
    names[k] = legend ? legend.textContent.replace(/\s+/g, " ").trim() : k;
  });
  function readForm(asServed) {
    // asServed: the values the server put in the page (the browser may have restored others)
    const values = {};
    keys.forEach((k) => {
      let v = null;
      form.querySelectorAll(`[data-criterion="${k}"]`).forEach((el) => {
        if (el.type === "radio") { if (asServed ? el.defaultChecked : el.checked) v = el.value; }
        else {
          const text = (asServed ? el.defaultValue : el.value).trim();
          if (text !== "") v = text;
        }
      });
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
    const values = readForm(false);
    writeChain = writeChain.then(async () => {
      const d = await updateDraft(eventId, code, (d) => {
        d = d || newDraft(eventId, code, {}, Number(form.dataset.version));
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
    const served = readForm(true);
    const d = await updateDraft(eventId, code, (d) => {
      if (!d) {
        d = newDraft(eventId, code, served, pageVersion);
        d.server_values = served; d.status = form.dataset.status;
      } else if (d.dirty || d.conflict || d.base_version > pageVersion) {
        // the phone's copy wins over a page from the cache or the browser's memory
      } else {
        d.values = served; d.server_values = served; d.base_version = pageVersion; d.status = form.dataset.status;
        d.readonly = false;
      }
      return d;
    });
    fillForm(d.values);
    unlockForm();
    if (d.status && d.status !== "draft" && form.dataset.status === "draft") lockForm(T.submitted_here);
    if ((await allOps()).some((o) => o.event === eventId && o.code === code && o.kind === "submit")) lockForm(T.queued);
    document.getElementById("jx-conflict").hidden = true;
    if (d.conflict) showConflict(eventId, code);
    if (d.errors) showErrors(eventId, code);
    else if (d.dirty && !d.conflict) sheetState(T.kept, "kept");
    if (d.photo_error) showPhotoError(d.photo_error);
    document.body.dataset.ready = "1";
  }
  function lockForm(text) {
    form.querySelectorAll("input, button[name=action]").forEach((el) => {
      if (el.name !== "csrf_token" && !el.dataset.photo) el.disabled = true;
    });
    sheetState(text, "done");
  }
  function unlockForm() {
    if (form.dataset.status !== "draft") return;
    form.querySelectorAll("input, button[name=action]").forEach((el) => { el.disabled = false; });
  }
  function afterSent(op, body) {
    if (op.event !== eventId || op.code !== code) return;
    if (op.kind === "submit") { lockForm(T.submitted); showNext(); }
    else if (op.kind === "save") { form.dataset.version = body.version; if (!stateEl || stateEl.className.indexOf("done") < 0) sheetState(T.saved, "done"); }
    else if (op.kind === "photo") { photoSent(op); }
  }
  function showNext() { const n = document.getElementById("jx-next"); if (n) n.hidden = false; }
  async function showErrors(ev, c) {
    if (!form || ev !== eventId || c !== code) { await refreshBanner(); return; }
    const d = await getDraft(eventId, code);
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
    if (d.readonly) { lockForm(T.readonly); document.getElementById("jx-readonly").hidden = false; }
    else { unlockForm(); sheetState(T.fix_and_save, "error"); }
  }
  async function discard() {
    // The judge's copy of a sheet that can no longer change: removed on the judge's tap (and a
    // confirmation), so that it no longer counts as unsent. The stored sheet is untouched.
    if (!window.confirm(T.confirm_discard)) return;
    await updateDraft(eventId, code, (d) => {
      if (!d) return d;
      d.values = { ...(d.server_values || {}) }; d.dirty = false; d.errors = null; d.readonly = false; d.conflict = null;
      return d;
    });
    location.reload();
  }
  async function showConflict(ev, c) {
    if (!form || ev !== eventId || c !== code) { await refreshBanner(); return; }
    const d = await getDraft(eventId, code);
    if (!d || !d.conflict) return;
    const box = document.getElementById("jx-conflict");
    const rows = box.querySelector("tbody");
    rows.textContent = "";
    const server = d.conflict.server || { scores: {} };
    keys.forEach((k) => {
      const tr = document.createElement("tr");
      tr.dataset.key = k;
      const mine = d.values[k], theirs = server.scores ? server.scores[k] : null;
      [names[k], mine == null ? "—" : mine, theirs == null ? "—" : theirs].forEach((text, i) => {
        const td = document.createElement(i ? "td" : "th"); td.textContent = text; tr.append(td);
      });
      if (norm(mine) !== norm(theirs)) tr.className = "differs";
      rows.append(tr);
    });
    box.hidden = false;
    if (server.status === "draft") unlockForm();
    sheetState(d.conflict.submit ? T.conflict_submit : T.conflict, "error");
    box.scrollIntoView({ block: "start" });
  }
  async function resolve(keepMine) {
    const d = await updateDraft(eventId, code, (d) => {
      const server = d.conflict.server;
      d.base_version = server.version;
      d.server_values = server.scores;
      if (!keepMine) d.values = { ...server.scores };
      d.dirty = !sameValues(d.values, d.server_values);
      d.conflict = null; d.errors = null; d.resolved = server; d.status = server.status;
      return d;
    });
    const server = d.resolved;
    fillForm(d.values);
    document.getElementById("jx-conflict").hidden = true;
    if (server.status !== "draft") { lockForm(T.readonly); return refreshBanner(); }
    unlockForm();
    if (keepMine && d.dirty) {
      await enqueue(eventId, code, [{ kind: "save", values: d.values }]);  // a new operation, on the server's version
      sheetState(online ? T.sending : T.queued, "kept");
    } else { sheetState("", ""); await refreshBanner(); }
  }

  function wireSheet() {
    form.addEventListener("input", keepTyping);
    form.addEventListener("change", keepTyping);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const action = e.submitter ? e.submitter.value : "save";
      await writeChain;
      const d = await getDraft(eventId, code);
      if (d.conflict) { showConflict(eventId, code); return; }
      document.getElementById("jx-errors").hidden = true;
      form.querySelectorAll(".error.jx").forEach((el) => el.remove());
      await updateDraft(eventId, code, (x) => { if (x) x.errors = null; return x; });
      if (action === "submit") {
        const missing = keys.filter((k) => d.values[k] == null);
        if (missing.length) { sheetState(fmt(T.missing, { keys: missing.join("、") }), "error"); return; }
        if (!window.confirm(fmt(T.confirm_submit, { code }))) return;
        await enqueue(eventId, code, [{ kind: "save", values: d.values }, { kind: "submit" }]);
        lockForm(online ? T.sending : T.queued);
        showNext();
      } else {
        await enqueue(eventId, code, [{ kind: "save", values: d.values }]);
        sheetState(online ? T.sending : T.queued, "kept");
        showNext();
      }
    });
    document.getElementById("jx-keep-mine").addEventListener("click", () => resolve(true));
    document.getElementById("jx-take-server").addEventListener("click", () => resolve(false));
    document.getElementById("jx-discard").addEventListener("click", discard);
    wirePhotos();
  }

  // ---- photos per criterion: re-drawn on the phone (which also drops EXIF), queued like scores ----
  function wirePhotos() {
    form.querySelectorAll("input[type=file][data-photo]").forEach((input) => {
      input.addEventListener("change", async () => {
        const file = input.files && input.files[0];
        if (!file) return;
        const blob = await shrink(file).catch(() => null);
        input.value = "";
        if (!blob) { sheetState(T.photo_bad, "error"); return; }
        await enqueue(eventId, code, [{ kind: "photo", criterion: input.dataset.photo, blob }]);
        const list = form.querySelector(`[data-photos="${input.dataset.photo}"]`);
        if (list) {
          const li = document.createElement("li"); li.textContent = T.photo_queued; li.className = "muted photo-queued";
          list.append(li);
        }
      });
    });
  }
  async function shrink(file) {
    // Decoded with createImageBitmap (an <img> of a blob: address would be refused by the
    // page's Content-Security-Policy), turned upright, at most 1600 px, re-encoded as JPEG: the
    // camera's EXIF (location) never leaves the phone. The server checks and re-encodes again.
    if (!window.createImageBitmap) return file;
    let bitmap;
    try { bitmap = await createImageBitmap(file, { imageOrientation: "from-image" }); }
    catch (err) { return null; }
    const scale = Math.min(1, 1600 / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale); canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    if (bitmap.close) bitmap.close();
    return new Promise((resolve) => canvas.toBlob((b) => resolve(b), "image/jpeg", 0.8));
  }
  async function showQueuedPhotos() {
    const ops = (await allOps()).filter((o) => o.event === eventId && o.code === code && o.kind === "photo");
    ops.forEach((op) => {
      const list = form.querySelector(`[data-photos="${op.criterion}"]`);
      if (!list) return;
      const li = document.createElement("li"); li.textContent = T.photo_queued; li.className = "muted photo-queued";
      list.append(li);
      const details = list.closest("details");
      if (details) details.open = true;
    });
  }
  function photoSent(op) {
    const list = form.querySelector(`[data-photos="${op.criterion}"]`);
    const waiting = list && list.querySelector("li.photo-queued");
    if (waiting) { waiting.textContent = T.photo_sent; waiting.className = "photo-sent"; }
  }
  function showPhotoError(message) {
    const box = document.getElementById("jx-errors");
    if (!box) return;
    box.hidden = false;
    box.textContent = fmt(T.photo_refused, { reason: message });
  }
  function photoRefused(op, message) {
    if (!form || op.event !== eventId || op.code !== code) return;
    const list = form.querySelector(`[data-photos="${op.criterion}"]`);
    const waiting = list && list.querySelector("li.photo-queued");
    if (waiting) waiting.remove();
    showPhotoError(message);
  }

  // ---- lists (tasks, an event's sheets): pages kept for offline, local state shown per code --------
  async function markList() {
    const drafts = await myDrafts();
    const ops = await allOps();
    document.querySelectorAll("a.sheet-link[data-code]").forEach((a) => {
      const ev = a.dataset.event || eventId;
      const d = drafts.find((x) => x.event === ev && x.code === a.dataset.code);
      const queued = ops.some((o) => o.event === ev && o.code === a.dataset.code);
      a.classList.toggle("has-local", Boolean(queued || (d && (d.dirty || d.conflict))));
      if (d && d.conflict) a.dataset.conflict = "1"; else delete a.dataset.conflict;
    });
  }
  async function keepPages() {
    // Ask the service worker to keep the pages this page leads to (missing ones only), so that
    // they open without a network; the tasks page names its events, and the worker follows each
    // event's list to its sheets.
    const links = [...document.querySelectorAll("a[data-keep]")].map((a) => a.getAttribute("href"));
    if (!links.length || !navigator.serviceWorker) return;
    const reg = await navigator.serviceWorker.ready;
    const worker = reg.active || navigator.serviceWorker.controller;
    if (worker) worker.postMessage({ type: "keep", urls: [location.pathname, ...links], depth: Number(cfg.keepDepth || 0) });
  }

  // ---- signing out: not while changes are unsent; then this judge's copies and kept pages go --------
  document.querySelectorAll("form[action$='/logout']").forEach((f) => f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const n = await pending();
    if (n.sheets) { window.alert(fmt(T.logout_blocked, { n: n.sheets })); return; }
    const drafts = await myDrafts();
    await tx(["drafts", "meta"], "readwrite", (t) => {
      drafts.forEach((d) => t.objectStore("drafts").delete(d.id));
      return req2p(t.objectStore("meta").getAllKeys()).then((ks) => ks
        .filter((k) => String(k).startsWith(`token:${judge}:`)).forEach((k) => t.objectStore("meta").delete(k)));
    });
    let sent = false;
    const done = () => { if (!sent) { sent = true; f.submit(); } };
    const reg = navigator.serviceWorker ? await navigator.serviceWorker.getRegistration(cfg.workerScope) : null;
    const worker = reg && (reg.active || reg.waiting);
    if (!worker) return done();
    const channel = new MessageChannel();
    channel.port1.onmessage = done;
    worker.postMessage({ type: "forget" }, [channel.port2]);
    setTimeout(done, 1500);
  }));

  // ---- start ---------------------------------------------------------------------------------------
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(cfg.workerUrl, { scope: cfg.workerScope }).catch(() => {});
  } else {
    const hint = document.getElementById("jx-no-sw");
    if (hint) hint.hidden = false;
  }
  window.addEventListener("online", () => { online = true; backoff = 2000; drain(); });
  window.addEventListener("offline", () => { online = false; refreshBanner(); });
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") drain(); });
  window.addEventListener("pageshow", (e) => {
    // Back and Forward through the browser's page cache: the page is as it was left; the phone's
    // copy may be newer (typed in another page, sent meanwhile).
    if (!e.persisted) return;
    (form ? loadSheet() : markList()).then(refreshBanner).then(drain).catch((err) => banner("error", String(err)));
  });
  (form ? loadSheet().then(showQueuedPhotos).then(wireSheet) : markList().then(keepPages))
    .then(refreshBanner).then(drain)
    .catch((err) => banner("error", String(err)));
})();
