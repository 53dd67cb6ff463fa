"""A province's year at full size, end to end, on PostgreSQL + Redis + 2 RQ workers (issue 22).

    .venv/bin/python bench/province_year.py [--scale 1.0] [--seconds 30] [--database-url URL] [--redis-url URL]

At --scale 1: 200 events (one of 10,000 entries, the rest sharing 90,000), 100,000 registrations
imported through the app's importer in files of at most 5,000 rows, 500 judges, 1,000,000 score
rows saved and submitted through the app's own sheet operations (committed in batches of 50
sheets, as a venue's devices send them), every event locked by its chief judge, every competition
ranked and published (results.publish: ranks, awards, cache warmed) and made final (ranks
frozen, certificates issued, entitlements granted), then 20,000 certificates batch-printed by two
RQ workers (PAdES-signed digital PDFs + print files, into the database storage). Then the web
phase against gunicorn (2 sync workers): the public lookup and the results page at 32
connections beside /healthz, 256 connections for errors, and 500 candidate sign-ups a minute.
--scale 0.05 runs the same phases with 5% of every count (a few minutes).

Each phase prints its time and its ratio to a floor measured in the same run:
- import: PostgreSQL COPY of the same rows into an unlogged table (people-like columns);
- ranking and publishing: one SQL statement (per-criterion AVG, total, RANK() OVER) per event;
- certificates: bare rendering — the same certificates' pages rendered by WeasyPrint in groups of
  25 with no signing, splitting or storing, on a sample, extrapolated to 2 processes;
- web: /healthz of the same gunicorn in the same run.
Peak RSS is sampled (psutil, every 0.2 s) for each process: this bench process (it runs the
operations in-process, as a web worker would), the gunicorn workers, the RQ workers and their
work horses and PDF processes; the highest per kind and phase is printed.

Targets (2 cores): import ≥ 20,000 rows/s; publishing a 10,000-entry event ≤ 2 s; public lookup
≥ 50% of /healthz req/s at 32 connections with p99 ≤ 50 ms and 0 errors at 256; results page p99
≤ 25 ms at 32 connections; 500 sign-ups a minute with 0 errors; peak RSS ≤ 300 MB per web or RQ
worker in every phase. The database given is emptied (default: jx_province, dropped and created).
Needs wrk (apt-get install wrk) for the web phase (skipped, said so, without it).
"""
from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
MB = 1024 * 1024
PASSWORD = "Bench-pass-2026"


# ---- memory ------------------------------------------------------------------------------------

class RssSampler:
    """Peak RSS per process kind and phase, sampled from this process and every process it
    started (and their children)."""

    def __init__(self):
        import psutil
        self.psutil = psutil
        self.roots: dict[int, str] = {os.getpid(): "bench (operations in-process)"}
        self.phase = "setup"
        self.peaks: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def watch(self, pid: int, kind: str) -> None:
        self.roots[pid] = kind

    def _kinds(self):
        for pid, kind in list(self.roots.items()):
            try:
                proc = self.psutil.Process(pid)
                children = proc.children(recursive=True)
            except self.psutil.Error:
                continue
            if kind.startswith("gunicorn"):  # the master forks the workers: count the workers
                yield from ((c, "gunicorn worker") for c in children)
                yield proc, "gunicorn master"
            elif kind.startswith("rq"):
                yield proc, "rq worker"
                yield from ((c, "rq work horse / PDF process") for c in children)
            else:  # this process (its children are the watched ones, wrk and psql)
                yield proc, kind

    def _run(self):
        while not self._stop.is_set():
            for proc, kind in self._kinds():
                try:
                    rss = proc.memory_info().rss / MB
                except self.psutil.Error:
                    continue
                peaks = self.peaks[self.phase]
                peaks[kind] = max(peaks[kind], rss)
            self._stop.wait(0.2)

    def start(self):
        self._thread.start()

    def stop(self):
        self._stop.set()
        self._thread.join(2)


# ---- data --------------------------------------------------------------------------------------

FAMILY = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗次达扎格"
GIVEN = "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂仁瓦西桑"
REGIONS = ["540102", "540103", "540202", "540302", "540402"]


def xlsx(rows: list[list]) -> bytes:
    from openpyxl import Workbook
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("报名表")
    ws.append(["姓名", "证件类型", "证件号码", "性别", "出生日期", "民族", "手机号码", "文化程度", "职业技能等级", "单位"])
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def unique_rows(n: int) -> list[list]:
    """n people with distinct ID numbers (resident IDs need region × birth date × sequence)."""
    from app.domain.idcard import make_resident_id
    rows, i = [], 0
    for k in range(n):
        region, day, seq = REGIONS[k % 5], k // 5 % 9000, k // 45000
        birth = date(1970, 1, 1) + timedelta(days=day)
        number = make_resident_id(region, birth, seq * 2 + (k % 2))
        name = FAMILY[k % 24] + GIVEN[k // 24 % 24] + GIVEN[k // 576 % 24]
        rows.append([name, "居民身份证", number, "", "", "汉族", f"139{k:08d}", "大专", "三级（高级工）", "拉萨职业技术学院"])
        i += 1
    return rows


SCHEME = {"aggregation": "mean", "min_judges": 5, "components": [
    {"key": "practical", "name": "实操", "weight": "1", "entry": "judges", "criteria": [
        {"key": "P1", "name": "操作", "max_score": "60", "kind": "measurement", "step": "0.5"},
        {"key": "P2", "name": "质量", "max_score": "40", "kind": "measurement", "step": "0.5"}]}]}
JUDGES_PER_EVENT = 5


def fmt_s(x: float) -> str:
    return f"{x:,.2f} s"


# ---- the run -----------------------------------------------------------------------------------

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=float, default=1.0, help="share of the full-size counts (0.05: a quick run)")
    ap.add_argument("--seconds", type=int, default=30, help="seconds per web load run")
    ap.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/jx_province")
    ap.add_argument("--redis-url", default="redis://127.0.0.1:6379/6")
    ap.add_argument("--port", type=int, default=5097)
    ap.add_argument("--web-only", action="store_true",
                    help="only the web phase, on the database a previous run left (same --database-url)")
    args = ap.parse_args()
    if args.web_only:
        return web_only(args)
    s = args.scale
    n_events = max(2, round(200 * s))
    n_regs = max(200, round(100_000 * s))
    big = max(50, round(10_000 * s))
    n_judges = max(JUDGES_PER_EVENT * 2, round(500 * s))
    n_certs = max(25, round(20_000 * s))
    per_comp = 10  # events per competition (the big event has one of its own)

    if args.database_url.endswith("/jx_province"):
        for sql in ("DROP DATABASE IF EXISTS jx_province WITH (FORCE)", "CREATE DATABASE jx_province"):
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", sql], check=True)
    subprocess.run(["redis-cli", "-u", args.redis_url, "FLUSHDB"], capture_output=True)
    work = Path(tempfile.mkdtemp(prefix="jx-province-"))
    env_common = {"DATABASE_URL": args.database_url, "REDIS_URL": args.redis_url, "JIANGXUAN_ENV": "development",
                  "SECRET_KEY": "bench-" + "x" * 40, "CERT_KEY_DIR": str(work / "keys"), "STORAGE": "db",
                  "LOOKUP_RATE_LIMIT": "100000000 per minute", "SIGNUP_RATE_LIMIT": "100000000 per minute",
                  "LOG_REQUESTS": "0", "PDF_WORKERS": "0"}
    os.environ.update(env_common)

    from flask_migrate import upgrade
    from sqlalchemy import func, select, text

    from app import create_app, uow
    from app.accounts.operations import create_user
    from app.accounts.passwords import hash_password
    from app.competitions import operations as comps
    from app.competitions.models import Competition, Event
    from app.extensions import db
    from app.judging import operations as jops
    from app.judging.models import Sheet
    from app.judging.signoff import lock_event
    from app.people.operations import create_organization
    from app.registration.importer import import_registrations

    rss = RssSampler()
    rss.start()
    app = create_app()
    phases: list[tuple[str, float, str, str]] = []   # name, seconds, floor text, target text

    def phase(name):
        rss.phase = name
        print(f"\n== {name}", flush=True)

    procs: list[subprocess.Popen] = []
    try:
        with app.test_request_context():
            phase("setup")
            t0 = time.perf_counter()
            upgrade()
            host = create_organization({"name": "西藏自治区人力资源和社会保障厅", "kind": "government", "region_code": "540000"})
            college = create_organization({"name": "拉萨职业技术学院", "kind": "college", "region_code": "540100"})
            judge_org = create_organization({"name": "日喀则市职业技术学校", "kind": "college", "region_code": "540200"})
            organizer = create_user({"username": "organizer", "password": PASSWORD, "name": "组织方",
                                     "roles": ["organizer"], "organization_id": host.id})
            uow.commit()
            # 500 judges and the chief judges: one password hash for all (set-up, not measured).
            pw = hash_password(PASSWORD)
            now = datetime.utcnow()
            conn = db.session.connection()
            n_chiefs = max(1, n_events // 4)
            conn.execute(text("INSERT INTO users (username, name, password_hash, is_enabled, session_version, created_at, "
                              "organization_id, locale) VALUES (:u, :u, :pw, true, 1, :now, :org, 'zh_CN')"),
                         [{"u": f"judge{j}", "pw": pw, "now": now, "org": judge_org.id} for j in range(n_judges)]
                         + [{"u": f"chief{j}", "pw": pw, "now": now, "org": judge_org.id} for j in range(n_chiefs)])
            conn.execute(text("INSERT INTO user_roles (user_id, role) SELECT id, CASE WHEN username LIKE 'chief%' "
                              "THEN 'chief_judge' ELSE 'judge' END FROM users WHERE username LIKE 'judge%' OR username LIKE 'chief%'"))
            uow.commit()
            from app.accounts.models import User
            judges = db.session.scalars(select(User).where(User.username.like("judge%")).order_by(User.id)).all()
            chiefs = db.session.scalars(select(User).where(User.username.like("chief%")).order_by(User.id)).all()
            # Competitions: the big event alone in one, the others ten to a competition.
            nowz = datetime.now(timezone.utc)
            comp_payload = lambda k: {  # noqa: E731
                "name": f"2026年西藏自治区职业技能大赛（第{k + 1}批）", "year": 2026, "level": "provincial_1",
                "kind": "skills", "jurisdiction": "CN-XZ", "publicity_days": 0, "appeal_window_hours": 0,
                "registration_opens_at": (nowz - timedelta(days=1)).isoformat(),
                "registration_closes_at": (nowz + timedelta(days=10)).isoformat(),
                "starts_on": (nowz + timedelta(days=20)).date().isoformat(),
                "ends_on": (nowz + timedelta(days=21)).date().isoformat()}
            competitions, events = [], []
            sizes = [big] + [(n_regs - big) // (n_events - 1) + (1 if i < (n_regs - big) % (n_events - 1) else 0)
                             for i in range(n_events - 1)]
            for i in range(n_events):
                if i == 0 or (i - 1) % per_comp == 0:
                    competitions.append(comps.create_competition(comp_payload(len(competitions)), organizer))
                comp = competitions[-1]
                events.append(comps.create_event(comp, {"name": f"赛项{i + 1}", "occupation": f"职业{i + 1}",
                                                        "track": "staff", "team_size": 1, "scheme": SCHEME,
                                                        "awards": {"preset": "prizes"}}, organizer))
            for comp in competitions:
                comps.change_status(comp, "registration_open", organizer)
            uow.commit()
            event_ids, comp_ids, organizer_id = [e.id for e in events], [c.id for c in competitions], organizer.id
            judge_ids, chief_ids = [j.id for j in judges], [c.id for c in chiefs]
            print(f"{len(competitions)} competitions, {n_events} events (sizes: {sizes[0]:,} + "
                  f"{len(sizes) - 1} × ~{sizes[1]:,}), {n_judges} judges; set-up {time.perf_counter() - t0:.1f} s")

            # ---- import ------------------------------------------------------------------------
            phase("import")
            rows = unique_rows(n_regs)
            files = []
            start = 0
            for event, size in zip(events, sizes):
                for off in range(0, size, 5000):
                    files.append((event, rows[start + off:start + min(size, off + 5000)]))
                start += size
            blobs = [(e, xlsx(r), len(r)) for e, r in files]
            t0 = time.perf_counter()
            imported = 0
            for event, data, n in blobs:
                outcome = import_registrations(event, data, organizer, "报名.xlsx")
                uow.commit()
                imported += len(outcome.ids)
            import_s = time.perf_counter() - t0
            assert imported == n_regs, (imported, n_regs)
            # Floor: COPY of the same rows (people-like columns) into an unlogged table.
            import psycopg
            pg_url = args.database_url.replace("postgresql+psycopg://", "postgresql://")
            buf = io.StringIO()
            k = 0
            for event, size in zip(events, sizes):
                for _ in range(size):
                    r = rows[k]
                    buf.write("\t".join((r[0], r[1], r[2], r[5], r[6], r[7], r[8], r[9], str(event.id))) + "\n")
                    k += 1
            with psycopg.connect(pg_url, autocommit=True) as raw, raw.cursor() as cur:
                cur.execute("CREATE UNLOGGED TABLE copy_floor (name text, id_type text, id_number text, ethnicity text, "
                            "phone text, education text, skill_grade text, organization text, event_id int)")
                t0 = time.perf_counter()
                with cur.copy("COPY copy_floor FROM STDIN") as copy:
                    copy.write(buf.getvalue())
                copy_s = time.perf_counter() - t0
                cur.execute("DROP TABLE copy_floor")
            rate = n_regs / import_s
            print(f"imported {n_regs:,} registrations in {len(blobs)} files: {fmt_s(import_s)} ({rate:,.0f} rows/s); "
                  f"COPY floor {fmt_s(copy_s)} ({n_regs / copy_s:,.0f} rows/s); ratio {import_s / copy_s:.1f}×")
            phases.append(("import", import_s, f"COPY {fmt_s(copy_s)} ({import_s / copy_s:.1f}×)",
                           f"≥ 20,000 rows/s: {rate:,.0f} → {'met' if rate >= 20000 else 'MISSED'}"))
            # Approval: every import approved (one UPDATE; the review screen is not what is measured).
            db.session.execute(text("UPDATE registrations SET status = 'approved', reviewed_by_id = :u, reviewed_at = :now"),
                               {"u": organizer.id, "now": now})
            uow.commit()

            # ---- panels, draw ------------------------------------------------------------------
            phase("draw")
            t0 = time.perf_counter()
            for comp in competitions:
                comps.change_status(comp, "registration_closed", organizer)
            panels = {}
            for i, event in enumerate(events):
                members = [judges[(i * JUDGES_PER_EVENT + j) % len(judges)] for j in range(JUDGES_PER_EVENT)]
                for judge in members:
                    jops.add_panel_member(event, judge, "judge", organizer)
                chief = chiefs[i % len(chiefs)]
                jops.add_panel_member(event, chief, "chief_judge", organizer)
                panels[event_ids[i]] = ([m.id for m in members], chief.id)
                jops.draw_codes(event, f"seed-{i}", organizer)
                uow.commit()
            for comp in competitions:
                comps.change_status(comp, "judging", organizer)
            uow.commit()
            print(f"panels of {JUDGES_PER_EVENT} judges + a chief judge, codes drawn: {time.perf_counter() - t0:.1f} s")

            # ---- scores ------------------------------------------------------------------------
            phase("scores")
            from app.judging.queries import my_sheets
            rng = random.Random(22)
            t0 = time.perf_counter()
            saved = 0
            for event_id in event_ids:
                members, _chief = panels[event_id]
                for judge_id in members:
                    event, judge = db.session.get(Event, event_id), db.session.get(User, judge_id)
                    batch = 0
                    for sheet in my_sheets(event, judge):
                        skill = (sheet.registration_id * 7919 % 1000) / 1000
                        p1 = min(60, max(0, round((skill * 50 + rng.uniform(0, 10)) * 2) / 2))
                        p2 = min(40, max(0, round((skill * 30 + rng.uniform(0, 10)) * 2) / 2))
                        jops.save_sheet(sheet, {"P1": str(p1), "P2": str(p2)}, sheet.version, judge)
                        jops.submit_sheet(sheet, sheet.version, judge)
                        saved += 1
                        batch += 1
                        if batch == 50:   # a venue device sends 50 sheets at a time
                            uow.commit()
                            batch = 0
                    uow.commit()
                    db.session.expunge_all()   # memory stays flat, as in a web worker's requests
            scores_s = time.perf_counter() - t0
            events = [db.session.get(Event, i) for i in event_ids]
            competitions = [db.session.get(Competition, i) for i in comp_ids]
            organizer = db.session.get(User, organizer_id)
            n_scores = db.session.scalar(text("SELECT count(*) FROM scores"))
            print(f"{saved:,} sheets saved and submitted ({n_scores:,} score rows): {fmt_s(scores_s)} "
                  f"({n_scores / scores_s:,.0f} score rows/s)")
            phases.append(("scores", scores_s, f"{n_scores:,} rows, {n_scores / scores_s:,.0f}/s", "—"))

            # ---- lock, rank, publish, final ----------------------------------------------------
            phase("lock")
            t0 = time.perf_counter()
            for event_id in event_ids:
                lock_event(db.session.get(Event, event_id), db.session.get(User, panels[event_id][1]))
                uow.commit()
            lock_s = time.perf_counter() - t0
            print(f"{n_events} events locked by their chief judges: {fmt_s(lock_s)}")

            phase("publish")
            floor_sql = text("""
                WITH crit AS (SELECT sh.registration_id AS rid, sc.criterion_key AS k, AVG(sc.value) AS v
                              FROM scores sc JOIN sheets sh ON sh.id = sc.sheet_id
                              WHERE sh.event_id = :e GROUP BY sh.registration_id, sc.criterion_key),
                     tot AS (SELECT rid, SUM(v) AS total FROM crit GROUP BY rid)
                SELECT rid, total, RANK() OVER (ORDER BY total DESC) FROM tot""")
            t0 = time.perf_counter()
            for event_id in event_ids:
                db.session.execute(floor_sql, {"e": event_id}).all()
            rank_floor_all = time.perf_counter() - t0
            t0 = time.perf_counter()
            db.session.execute(floor_sql, {"e": event_ids[0]}).all()
            rank_floor_big = time.perf_counter() - t0
            db.session.rollback()
            publish_times = []
            for comp_id in comp_ids:
                t0 = time.perf_counter()
                comps.change_status(db.session.get(Competition, comp_id), "publicity", db.session.get(User, organizer_id))
                uow.commit()
                publish_times.append(time.perf_counter() - t0)
            publish_all = sum(publish_times)
            print(f"published {len(competitions)} competitions (ranks, awards, cache warmed): {fmt_s(publish_all)}; "
                  f"SQL RANK() floor for all events {fmt_s(rank_floor_all)} ({publish_all / rank_floor_all:.1f}×)")
            print(f"the {big:,}-entry event's competition: {fmt_s(publish_times[0])}; floor {fmt_s(rank_floor_big)} "
                  f"({publish_times[0] / rank_floor_big:.1f}×)")
            phases.append(("publish (all)", publish_all, f"RANK() {fmt_s(rank_floor_all)} ({publish_all / rank_floor_all:.1f}×)", "—"))
            phases.append((f"publish {big:,}-entry event", publish_times[0],
                           f"RANK() {fmt_s(rank_floor_big)} ({publish_times[0] / rank_floor_big:.1f}×)",
                           f"≤ 2 s at 10,000 entries: {'met' if publish_times[0] <= 2 else 'MISSED'}"
                           + ("" if big >= 10_000 else f" (here {big:,} entries)")))

            phase("final")
            t0 = time.perf_counter()
            for comp_id in comp_ids:
                c = db.session.get(Competition, comp_id)
                c.status_changed_at -= timedelta(days=1)
                uow.commit()
                comps.change_status(c, "final", db.session.get(User, organizer_id))
                uow.commit()
            final_s = time.perf_counter() - t0
            n_issued = db.session.scalar(text("SELECT count(*) FROM certificates"))
            n_ent = db.session.scalar(text("SELECT count(*) FROM entitlements"))
            print(f"final (frozen, {n_issued:,} certificates issued, {n_ent:,} entitlements): {fmt_s(final_s)}")
            phases.append(("final + entitlements", final_s, f"{n_issued:,} certificates, {n_ent:,} entitlements", "—"))

            # ---- certificates on 2 RQ workers --------------------------------------------------
            phase("certificates")
            env = {**os.environ, **env_common, "PYTHONPATH": str(ROOT)}
            for k in range(2):
                d = work / f"rq{k}"
                d.mkdir()
                p = subprocess.Popen([str(BIN / "rq"), "worker", "jiangxuan", "--url", args.redis_url,
                                      "--name", f"bench-{k}-{os.getpid()}", "--logging_level", "WARNING"],
                                     cwd=d, env=env, stdout=open(work / f"rq{k}.log", "w"), stderr=subprocess.STDOUT)
                procs.append(p)
                rss.watch(p.pid, "rq")
            from app.certificates import printing
            from app.certificates.models import Certificate
            from app.jobs import runner
            from app.jobs.models import Job
            per_event = dict(db.session.execute(select(Certificate.event_id, func.count()).where(
                Certificate.status == "valid").group_by(Certificate.event_id)).all())
            chosen, total = [], 0
            for event_id in event_ids[1:] + event_ids[:1]:   # the small events first
                if total >= n_certs:
                    break
                if per_event.get(event_id):
                    chosen.append(event_id)
                    total += per_event[event_id]
            time.sleep(3)  # workers up
            t0 = time.perf_counter()
            job_ids = []
            for event_id in chosen:
                event = db.session.get(Event, event_id)
                comp = db.session.get(Competition, event.competition_id)
                job = printing.create_certificate_job(comp, db.session.get(User, organizer_id), "https://jx.example.cn", event_id)
                uow.commit()
                runner.dispatch(job.id)
                job_ids.append(job.id)
            while True:
                db.session.expire_all()
                states = db.session.execute(select(Job.status, Job.done).where(Job.id.in_(job_ids))).all()
                db.session.rollback()
                if all(st in ("done", "failed") for st, _ in states):
                    break
                if any(p.poll() is not None for p in procs):
                    raise SystemExit("an RQ worker died: see " + str(work))
                time.sleep(1)
            certs_s = time.perf_counter() - t0
            failed = [j for j in job_ids if db.session.get(Job, j).status == "failed"]
            # Floor: bare WeasyPrint rendering of a sample of the same certificates, groups of 25.
            from app.certificates import batch
            sample_job = db.session.get(Job, job_ids[0])
            plan, designs = printing._plan(sample_job)
            db.session.rollback()
            batch.init_worker(app.config["PDF_FONT_DIR"], None, None)
            t1, rendered = time.perf_counter(), 0
            for group in plan[: max(1, 100 // batch.GROUP)]:
                design = designs[group["design"]]
                batch.render_pages(design["template"], group["items"], design["assets"])
                rendered += len(group["items"])
            floor_rate = rendered / (time.perf_counter() - t1) * 2   # two processes
            floor_s = total / floor_rate
            stored = db.session.scalar(text("SELECT coalesce(sum(size), 0) FROM stored_files"))
            print(f"{total:,} certificates of {len(chosen)} events on 2 RQ workers: {fmt_s(certs_s)} "
                  f"({total / certs_s:.1f}/s){'; FAILED jobs: ' + str(len(failed)) if failed else ''}; "
                  f"bare rendering floor {fmt_s(floor_s)} ({floor_rate:.1f}/s on 2 processes, from {rendered}) → "
                  f"{certs_s / floor_s:.1f}×; {stored / MB:,.0f} MB stored in the database")
            phases.append(("certificates", certs_s, f"bare render {fmt_s(floor_s)} ({certs_s / floor_s:.1f}×)",
                           f"{total:,} printed, {total / certs_s:.1f}/s" + (f", {len(failed)} jobs FAILED" if failed else "")))
            for p in procs:
                p.send_signal(signal.SIGTERM)
            for p in procs:
                p.wait(60)
            procs.clear()
            people = [(r[0], r[2]) for r in random.Random(1).sample(rows[:n_regs], min(200, n_regs))]
            first_comp = comp_ids[-1]
            # As autovacuum does long before results day (the rows were bulk-loaded minutes ago).
            db.session.commit()
            db.session.execute(text("ANALYZE"))
            db.session.commit()

        # ---- web ---------------------------------------------------------------------------------
        phase("web")
        web_results = run_web(args, env_common, work, rss, people, first_comp, procs)
        phases.extend(web_results)
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(30)
                except subprocess.TimeoutExpired:
                    p.kill()
        rss.stop()

    print("\n== summary (scale %.3g: %d events, %s registrations)" % (s, n_events, f"{n_regs:,}"))
    print(f"{'phase':<34}{'time':>12}  {'floor (same run)':<40}target")
    for name, secs, floor, target in phases:
        print(f"{name:<34}{secs:>11.2f}s  {floor:<40}{target}")
    print("\npeak RSS (MB) by process kind and phase")
    kinds = sorted({k for p in rss.peaks.values() for k in p})
    print(f"{'phase':<14}" + "".join(f"{k[:26]:>28}" for k in kinds))
    worst = 0.0
    for ph, peaks in rss.peaks.items():
        print(f"{ph:<14}" + "".join(f"{peaks.get(k, 0):>28.0f}" for k in kinds))
        worst = max([worst] + [v for k, v in peaks.items() if k in ("gunicorn worker", "rq worker",
                                                                    "rq work horse / PDF process")])
    print(f"target ≤ 300 MB per web or RQ worker in every phase: highest {worst:.0f} MB → "
          f"{'met' if worst <= 300 else 'MISSED'}")
    shutil.rmtree(work, ignore_errors=True)


def web_only(args) -> None:
    """The web phase again, on the data a full run left in the database."""
    work = Path(tempfile.mkdtemp(prefix="jx-province-web-"))
    env_common = {"DATABASE_URL": args.database_url, "REDIS_URL": args.redis_url, "JIANGXUAN_ENV": "development",
                  "SECRET_KEY": "bench-" + "x" * 40, "CERT_KEY_DIR": str(work / "keys"), "STORAGE": "db",
                  "LOOKUP_RATE_LIMIT": "100000000 per minute", "SIGNUP_RATE_LIMIT": "100000000 per minute",
                  "LOG_REQUESTS": "0"}
    os.environ.update(env_common)
    import psycopg
    with psycopg.connect(args.database_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute("ANALYZE")
        people = conn.execute("SELECT name, id_number FROM people WHERE user_id IS NULL ORDER BY random() LIMIT 200").fetchall()
        comp_id = conn.execute("SELECT max(id) FROM competitions").fetchone()[0]
    rss = RssSampler()
    rss.start()
    rss.phase = "web"
    procs: list[subprocess.Popen] = []
    try:
        rows = run_web(args, env_common, work, rss, people, comp_id, procs)
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                p.wait(30)
        rss.stop()
    for name, secs, floor, target in rows:
        print(f"{name:<34}{secs:>11.2f}s  {floor:<40}{target}")
    print("peak RSS (MB): " + ", ".join(f"{k} {v:.0f}" for k, v in rss.peaks["web"].items()))
    shutil.rmtree(work, ignore_errors=True)


def run_web(args, env_common, work, rss, people, comp_id, procs) -> list[tuple[str, float, str, str]]:
    import urllib.request
    sys.path.insert(0, str(ROOT / "bench"))
    from lookup_load import LOOKUP_LUA, run_wrk
    out = []
    env = {**os.environ, **env_common, "WEB_CONCURRENCY": "2", "BIND": f"127.0.0.1:{args.port}"}
    d = work / "web"
    d.mkdir()
    gunicorn = subprocess.Popen([str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "--chdir", str(ROOT),
                                 "--log-level", "warning", "wsgi:app"], cwd=d, env=env)
    procs.append(gunicorn)
    rss.watch(gunicorn.pid, "gunicorn")
    base = f"http://127.0.0.1:{args.port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(f"{base}/readyz", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    urllib.request.urlopen(f"{base}/results/{comp_id}", timeout=30).read()
    if not shutil.which("wrk"):
        print("wrk not installed: the public lookup and results page loads are skipped (apt-get install wrk)")
        out.append(("web load", 0.0, "—", "SKIPPED: no wrk"))
    else:
        script = work / "lookup.lua"
        entries = ", ".join('{"%s", "%s"}' % (n, i) for n, i in people)
        script.write_text(LOOKUP_LUA % entries, encoding="utf-8")
        r_h = run_wrk(f"{base}/healthz", 32, args.seconds)
        r_l = run_wrk(f"{base}/", 32, args.seconds, str(script))
        r_r = run_wrk(f"{base}/results/{comp_id}", 32, args.seconds)
        r_l256 = run_wrk(f"{base}/", 256, args.seconds, str(script))
        r_r256 = run_wrk(f"{base}/results/{comp_id}", 256, args.seconds)
        share = r_l["rps"] / r_h["rps"]
        print(f"32 connections: /healthz {r_h['rps']:,.0f} req/s (p99 {r_h['p99']:.0f} ms); lookup {r_l['rps']:,.0f} "
              f"req/s = {share:.0%} (p99 {r_l['p99']:.0f} ms, errors {r_l['socket_errors'] + r_l['non2xx']}); "
              f"results page {r_r['rps']:,.0f} req/s (p99 {r_r['p99']:.0f} ms)")
        print(f"256 connections: lookup errors {r_l256['socket_errors'] + r_l256['non2xx']} ({r_l256['rps']:,.0f} req/s, "
              f"p99 {r_l256['p99']:.0f} ms); results page errors {r_r256['socket_errors'] + r_r256['non2xx']}")
        out.append(("lookup @32 vs /healthz", float(args.seconds), f"/healthz {r_h['rps']:,.0f} req/s",
                    f"≥ 50% & p99 ≤ 50 ms: {share:.0%}, p99 {r_l['p99']:.0f} ms → "
                    f"{'met' if share >= 0.5 and r_l['p99'] <= 50 else 'MISSED'}"))
        errs = r_l256["socket_errors"] + r_l256["non2xx"]
        out.append(("lookup @256 errors", float(args.seconds), f"{r_l256['rps']:,.0f} req/s", f"0 errors: {errs} → {'met' if errs == 0 else 'MISSED'}"))
        out.append(("results page @32 p99", float(args.seconds), f"{r_r['rps']:,.0f} req/s",
                    f"p99 ≤ 25 ms: {r_r['p99']:.0f} ms → {'met' if r_r['p99'] <= 25 else 'MISSED'}"))
    # Sign-ups: 500 a minute (one every 0.12 s) for the run's seconds, each a new browser (GET the
    # form for its CSRF token, POST it), from several threads.
    ok, errors, latencies, elapsed = signups(base, args.seconds, 500 / 60)
    rate = ok / elapsed * 60
    print(f"sign-ups: {ok} sent over {args.seconds} s, all done after {elapsed:.0f} s ({rate:.0f}/min), {errors} errors, p99 "
          f"{sorted(latencies)[int(len(latencies) * 0.99) - 1] * 1000 if latencies else 0:.0f} ms")
    out.append(("sign-ups 500/min", elapsed, f"{ok} done",
                f"500/min, 0 errors: {rate:.0f}/min, {errors} errors → {'met' if errors == 0 and rate >= 490 else 'MISSED'}"))
    gunicorn.send_signal(signal.SIGTERM)
    gunicorn.wait(30)
    return out


def signups(base: str, seconds: int, per_second: float):
    import re
    from concurrent.futures import ThreadPoolExecutor

    import httpx
    from app.domain.idcard import make_resident_id
    run = int(time.time()) % 100_000          # user names and ID numbers of this run's own
    counter = iter(range(10_000_000))
    lock = threading.Lock()
    latencies, errors = [], [0]

    def one(k: int):
        t0 = time.perf_counter()
        try:
            with httpx.Client(base_url=base, timeout=30) as c:
                page = c.get("/signup")
                token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
                number = make_resident_id("540102", date(1990, 1, 1) + timedelta(days=(k + run) % 9000),
                                          900 + (k + run) // 9000 % 90)
                r = c.post("/signup", data={"csrf_token": token, "name": "新选手" + GIVEN[k % 24], "id_type": "resident_id",
                                            "id_number": number, "username": f"signup{run}x{k}", "password": PASSWORD + "!x",
                                            "password_confirm": PASSWORD + "!x"},
                           follow_redirects=False)
                if r.status_code not in (302, 303):
                    raise RuntimeError(f"{r.status_code}: {r.text[:200]}")
            with lock:
                latencies.append(time.perf_counter() - t0)
        except Exception as exc:
            with lock:
                errors[0] += 1
                if errors[0] <= 3:
                    print("sign-up error:", exc)

    start = time.perf_counter()
    with ThreadPoolExecutor(16) as pool:
        n = 0
        while time.perf_counter() - start < seconds:
            target = start + n / per_second
            time.sleep(max(0.0, target - time.perf_counter()))
            pool.submit(one, next(counter))
            n += 1
    # Sustained: the sign-ups sent in `seconds` must also be done by then (plus one second).
    elapsed = max(seconds, time.perf_counter() - start - 1)
    return len(latencies), errors[0], latencies, elapsed


if __name__ == "__main__":
    main()
