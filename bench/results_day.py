"""Results-day load: gunicorn on PostgreSQL + Redis, the demo data set (a final competition with
published results and issued certificates, another competition in judging), driven by locust
headless with a results-day mix — public results page and JSON, name + ID lookups, certificate
verifications (page and JSON), judges saving their draft sheets — beside the app's trivial endpoint
(/healthz) measured in the same run.

    .venv/bin/python bench/results_day.py [--seconds 60] [--users 60] [--workers N] [--threads N]
                                          [--database-url postgresql://postgres@127.0.0.1:5432/jx_results_day]
                                          [--redis-url redis://127.0.0.1:6379/6]

Prints req/s, p50/p95/p99 and errors per request type and each p99 as a multiple of the trivial
endpoint's p99. Target (issue 8): 0 errors, every p99 below 10x the trivial p99. The database given
is dropped and created again; the Redis database is flushed. The lookup's per-client limit is raised
for the run (locust is one client); a lookup's 404 is a served answer (a quarter miss on purpose).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def seed(database_url: str) -> dict:
    """Migrate an empty database, load the demo, and collect what the simulated users need."""
    os.environ["DATABASE_URL"] = database_url
    from flask_migrate import upgrade
    from sqlalchemy import select

    from app import create_app
    from app.accounts.operations import issue_token
    from app.certificates.models import Certificate
    from app.competitions.models import Competition, Event
    from app.demo import load_demo
    from app.extensions import db
    from app.judging.models import PanelMember, Sheet
    from app.judging.operations import judge_criteria
    from app.people.models import Person
    from app.registration.models import Registration, RegistrationMember
    from app.results.models import Result

    app = create_app()
    with app.test_request_context():
        upgrade()
        load_demo()
        db.session.commit()
        final = db.session.scalars(select(Competition).where(Competition.status == "final")
                                   .order_by(Competition.id)).first()
        people = db.session.execute(
            select(Person.name, Person.id_number).join(RegistrationMember, RegistrationMember.person_id == Person.id)
            .join(Result, Result.registration_id == RegistrationMember.registration_id)
            .where(Result.competition_id == final.id, Person.id_type == "resident_id")).all()
        codes = db.session.scalars(select(Certificate.code).where(Certificate.revoked_at.is_(None))).all()
        judges = []
        judging = db.session.scalars(select(Competition).where(Competition.status == "judging")).all()
        for comp in judging:
            for event in db.session.scalars(select(Event).where(Event.competition_id == comp.id)):
                criteria = judge_criteria(event)
                for pm in db.session.scalars(select(PanelMember).where(PanelMember.event_id == event.id,
                                                                       PanelMember.role == "judge")):
                    sheets = db.session.execute(
                        select(Sheet.version, Registration.code).join(Registration, Registration.id == Sheet.registration_id)
                        .where(Sheet.event_id == event.id, Sheet.judge_id == pm.user_id, Sheet.status == "draft")).all()
                    if sheets:
                        token, _row = issue_token(pm.user, 24)
                        judges.append({"user": pm.user.username, "token": token, "sheets": [
                            {"event_id": event.id, "code": code, "version": version, "criteria": criteria}
                            for version, code in sheets]})
        db.session.commit()
        # One locust judge per panel seat: a judge sitting on two events shows up twice with
        # different sheets, which never collide.
        return {"competition_id": final.id, "competition": final.name,
                "people": [[n, i] for n, i in people], "certificates": list(codes), "judges": judges}


def percentiles(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [row for row in csv.DictReader(f) if row["Name"] != "Aggregated"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--users", type=int, default=60, help="simulated public visitors (judges come on top)")
    ap.add_argument("--workers", type=int, default=None,
                    help="gunicorn workers (default: gunicorn.conf.py's, one sync worker per core)")
    ap.add_argument("--threads", type=int, default=1, help="threads per worker (> 1: gthread workers)")
    ap.add_argument("--port", type=int, default=5089)
    ap.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/jx_results_day")
    ap.add_argument("--redis-url", default="redis://127.0.0.1:6379/6")
    args = ap.parse_args()

    name = args.database_url.rsplit("/", 1)[1]
    admin = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc"]
    subprocess.run(admin + [f"DROP DATABASE IF EXISTS {name}"], check=True, capture_output=True)
    subprocess.run(admin + [f"CREATE DATABASE {name}"], check=True)
    subprocess.run(["redis-cli", "-u", args.redis_url, "FLUSHDB"], capture_output=True)
    url = args.database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    os.environ["DATABASE_URL"] = url  # before the app's settings are first imported
    t0 = time.perf_counter()
    data = seed(url)
    print(f"seeded the demo in {time.perf_counter() - t0:.1f} s: {data['competition']} (final), "
          f"{len(data['people'])} people with published results, {len(data['certificates'])} certificates, "
          f"{len(data['judges'])} judges with {sum(len(j['sheets']) for j in data['judges'])} draft sheets")
    work = Path(tempfile.mkdtemp(prefix="jx-results-day-"))
    (work / "seed.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": args.redis_url, "JIANGXUAN_ENV": "production",
           "SECRET_KEY": "bench-" + "x" * 40, "SESSION_COOKIE_SECURE": "0",
           "LOOKUP_RATE_LIMIT": "100000000 per minute", "VERIFY_RATE_LIMIT": "100000000 per minute"}
    log = open(work / "gunicorn.log", "wb")
    gunicorn = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "--bind", f"127.0.0.1:{args.port}",
                                 *(["--workers", str(args.workers)] if args.workers else []),
                                 *(["--threads", str(args.threads)] if args.threads > 1 else []),
                                 "--log-level", "warning", "wsgi:app"],
                                cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        urllib.request.urlopen(f"{base}/results/{data['competition_id']}", timeout=10).read()  # warm, as publishing does
        judges = len(data["judges"])
        users = args.users + judges
        cmd = [str(ROOT / ".venv/bin/locust"), "-f", str(ROOT / "bench/results_day_locust.py"), "--headless",
               "-u", str(users), "-r", str(max(users // 5, 1)), "-t", f"{args.seconds}s", "--host", base,
               "--csv", str(work / "run"), "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "5"]
        lenv = {**os.environ, "RESULTS_DAY_SEED": str(work / "seed.json"), "RESULTS_DAY_JUDGES": str(judges)}
        print(f"gunicorn {args.workers or os.cpu_count()} workers × {args.threads} thread(s) on PostgreSQL + Redis; locust {args.users} visitors + "
              f"{judges} judges for {args.seconds} s (load generator on the same machine)")
        subprocess.run(cmd, env=lenv, cwd=ROOT, capture_output=True, timeout=args.seconds + 120)
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=30)
        log.close()

    rows = percentiles(work / "run_stats.csv")
    trivial = next(r for r in rows if r["Name"] == "trivial /healthz")
    base_p99 = float(trivial["99%"]) or 1.0
    print(f"\n{'request':<30}{'requests':>9}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'errors':>8}"
          f"{'p99 / trivial':>15}")
    worst, errors = 0.0, 0
    for r in sorted(rows, key=lambda r: r["Name"] != "trivial /healthz"):
        ratio = float(r["99%"]) / base_p99
        if r is not trivial:
            worst = max(worst, ratio)
        errors += int(r["Failure Count"])
        print(f"{r['Name']:<30}{int(r['Request Count']):>9}{float(r['Requests/s']):>8.1f}{float(r['50%']):>8.0f}"
              f"{float(r['95%']):>8.0f}{float(r['99%']):>8.0f}{int(r['Failure Count']):>8}{ratio:>14.1f}x")
    total = sum(float(r["Requests/s"]) for r in rows)
    print(f"\nall requests: {total:.0f} req/s; errors {errors}; worst p99 {worst:.1f}x the trivial p99 "
          f"({base_p99:.0f} ms) — target 0 errors and < 10x: {'met' if errors == 0 and worst < 10 else 'NOT met'}")
    failures = work / "run_failures.csv"
    if errors and failures.exists():
        print(failures.read_text(encoding="utf-8")[:2000])
    print(f"(locust CSVs and the server log: {work})")


if __name__ == "__main__":
    main()
