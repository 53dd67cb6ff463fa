// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.querySelector("[data-toggle-nav]");
  if (toggle) {
    toggle.addEventListener("click", () => {
      const nav = document.getElementById("nav");
      const open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  // "Add a row" for the component and criterion tables: clone the last row, renumber, clear.
  document.querySelectorAll("[data-add-row]").forEach((button) => {
    button.addEventListener("click", () => {
      const tbody = document.getElementById(button.dataset.addRow);
      const last = tbody.querySelector("tr:last-child");
      const index = tbody.querySelectorAll("tr").length;
      const row = last.cloneNode(true);
      row.querySelectorAll("input, select, textarea").forEach((el) => {
        el.name = el.name.replace(/-\d+-/, `-${index}-`);
        el.id = el.id.replace(/-\d+-/, `-${index}-`);
        if (el.tagName === "SELECT") el.selectedIndex = 0; else el.value = "";
        el.removeAttribute("aria-invalid");
      });
      row.querySelectorAll(".error").forEach((el) => el.remove());
      row.querySelectorAll(".has-error").forEach((el) => el.classList.remove("has-error"));
      tbody.appendChild(row);
    });
  });
  // Sign-up: warn as soon as the name is typed if certificate fonts cannot print a character.
  document.querySelectorAll("form[data-name-check]").forEach((form) => {
    const input = form.querySelector("input[name=name]");
    const box = form.querySelector("[data-name-warning]");
    if (!input || !box) return;
    const check = () => {
      const name = input.value.trim();
      if (!name) { box.hidden = true; return; }
      fetch(`${form.dataset.nameCheck}?name=${encodeURIComponent(name)}`, { credentials: "same-origin" })
        .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
        .then((answer) => { box.textContent = answer.message; box.hidden = !answer.message; })
        .catch(() => {});
    };
    input.addEventListener("change", check);
    input.addEventListener("blur", check);
    if (input.value) check();
  });
  // The event form: the weight total as it is typed, and the lists made from the rows above
  // them (each criterion's component, the tie-break chain), rebuilt as components are named.
  const weightBox = document.querySelector("[data-weight-total]");
  const compRows = document.querySelector("[data-components]");
  if (weightBox && compRows) {
    const rowIndex = (el) => Number((el.name.match(/-(\d+)-/) || [0, 0])[1]);
    const components = () => [...compRows.querySelectorAll("input[name$='-name']")]
      .filter((el) => el.value.trim()).map((el) => ({ value: String(rowIndex(el)), name: el.value.trim() }));
    const criteria = () => [...document.querySelectorAll("[data-criteria] input[name$='-name']")]
      .filter((el) => el.value.trim()).map((el) => ({ value: String(rowIndex(el)), name: el.value.trim() }));
    const refill = (select, keep, options) => {
      const current = select.value;
      [...select.options].slice(keep).forEach((o) => o.remove());
      options.forEach(([value, text]) => select.add(new Option(text, value)));
      select.value = [...select.options].some((o) => o.value === current) ? current : "";
    };
    const total = () => {
      let sum = 0;
      compRows.querySelectorAll("input[name$='-weight']").forEach((el) => {
        const v = parseFloat(el.value.replace(/[，,]/g, "."));
        if (!Number.isNaN(v)) sum += v;
      });
      const shown = (Math.round(sum * 10000) / 10000).toString();
      const ok = Math.abs(sum - 1) < 1e-9;
      weightBox.textContent = (ok ? weightBox.dataset.ok : weightBox.dataset.bad).replace("{total}", shown);
      weightBox.classList.toggle("bad", !ok);
    };
    const lists = () => {
      const comps = components();
      document.querySelectorAll("[data-criteria] select[name$='-component']").forEach((select) => {
        refill(select, 1, comps.map((c) => [c.value, c.name]));
      });
      const chain = document.querySelector("[data-tiebreak]");
      if (!chain) return;
      const options = comps.map((c) => [`component#${c.value}`, chain.dataset.total.replace("{name}", c.name)])
        .concat(criteria().map((c) => [`criterion#${c.value}`, chain.dataset.criterion.replace("{name}", c.name)]));
      chain.querySelectorAll("select").forEach((select) => {
        const time = [...select.options].find((o) => o.value === "time_used");
        refill(select, 1, options.concat(time ? [[time.value, time.text]] : []));
      });
    };
    document.addEventListener("input", (e) => { if (e.target.closest("[data-components]")) total(); });
    document.addEventListener("change", (e) => { if (e.target.closest("[data-components], [data-criteria]")) lists(); });
    document.querySelectorAll("[data-add-row]").forEach((b) => b.addEventListener("click", () => { total(); lists(); }));
    total();
  }
  // Tables that fit a phone (issue 23): each cell learns its column's heading, so that below
  // 640 px (app.css) a row reads as a card of "heading: value" lines. The chief judge's matrix,
  // heat maps and the form tables keep their grid and scroll inside their own box instead.
  document.querySelectorAll("main table").forEach((table) => {
    if (table.matches(".matrix, .heatmap, .rows, .conflict, .paper-entry, .no-cards")) return;
    const heads = [...table.querySelectorAll("thead tr:last-child th")].map((th) => th.textContent.trim());
    if (!heads.length) return;
    table.classList.add("cards");
    table.querySelectorAll("tbody tr").forEach((tr) => {
      let col = 0;
      [...tr.children].forEach((cell) => {
        if (heads[col] && cell.colSpan === 1) cell.dataset.label = heads[col];
        col += cell.colSpan || 1;
      });
    });
  });
  document.querySelectorAll("[data-check-all]").forEach((box) => {
    box.addEventListener("change", () => {
      box.closest("form").querySelectorAll("input[name=ids]").forEach((el) => { el.checked = box.checked; });
      box.closest("form").dispatchEvent(new Event("change"));
    });
  });
  // Bulk decisions: how many are ticked, shown in the bar that stays above the list.
  document.querySelectorAll("form[data-bulk]").forEach((form) => {
    const count = form.querySelector("[data-selected-count]");
    if (!count) return;
    const update = () => { count.textContent = form.querySelectorAll("input[name=ids]:checked").length; };
    form.addEventListener("change", update);
    update();
  });
  // Signing out from any page: the judges' service worker forgets the pages it kept (a judge's
  // sheets on a shared phone). On a judge's own pages static/js/offline.js does this too, and
  // first refuses while scores are unsent.
  document.querySelectorAll("form[action$='/logout']").forEach((form) => {
    if (document.getElementById("jx-offline") || !navigator.serviceWorker) return;
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      let sent = false;
      const done = () => { if (!sent) { sent = true; form.submit(); } };
      navigator.serviceWorker.getRegistration("/judge").then((reg) => {
        const worker = reg && (reg.active || reg.waiting);
        if (!worker) return done();
        const channel = new MessageChannel();
        channel.port1.onmessage = done;
        worker.postMessage({ type: "forget" }, [channel.port2]);
        window.setTimeout(done, 1500);
      }).catch(done);
    }, { once: true });
  });
  // Certificate serial numbers: parts added by buttons, the first number shown as it would print.
  document.querySelectorAll("[data-serial-builder]").forEach((box) => {
    const input = box.querySelector("input[name=serial_pattern]");
    const out = box.querySelector("[data-serial-preview]");
    const problem = box.querySelector("[data-serial-problem]");
    if (!input || !out) return;
    const values = { region: box.dataset.region, year: box.dataset.year, competition: box.dataset.competition,
                     event: box.dataset.event, seq: "1" };
    const show = () => {
      out.textContent = input.value.replace(/\{(\w+)(?::0?(\d{1,2})d)?\}/g, (whole, name, width) => {
        if (!(name in values)) return whole;
        const v = String(values[name]);
        return width ? v.padStart(Number(width), /^\d+$/.test(v) ? "0" : " ") : v;
      });
      if (problem) problem.hidden = !input.value || input.value.includes("{seq");
    };
    box.querySelectorAll("[data-part]").forEach((button) => {
      button.addEventListener("click", () => {
        input.value = button.dataset.part ? input.value + button.dataset.part : "";
        show();
        input.focus();
      });
    });
    input.addEventListener("input", show);
    show();
  });
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (e) => {
      if (!window.confirm(form.dataset.confirm)) e.preventDefault();
    });
  });
  // Progress of a background job: poll its status, fill the bar, reload when it ends.
  document.querySelectorAll("[data-job-url]").forEach((box) => {
    const bar = box.querySelector("progress");
    const text = box.querySelector("[data-job-text]");
    const poll = () => {
      fetch(box.dataset.jobUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
        .then((job) => {
          bar.max = job.total || 1;
          bar.value = job.done;
          text.textContent = `${job.done} / ${job.total}`;
          if (job.status === "done" || job.status === "failed") window.location.reload();
          else window.setTimeout(poll, 1000);
        })
        .catch(() => window.setTimeout(poll, 3000));
    };
    poll();
  });
});
