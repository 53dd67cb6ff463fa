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
  document.querySelectorAll("[data-check-all]").forEach((box) => {
    box.addEventListener("change", () => {
      box.closest("form").querySelectorAll("input[name=ids]").forEach((el) => { el.checked = box.checked; });
    });
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
