"""Benchmark: the annual statistics report (issue 17) over 100,000 registrations and 1,000,000
score rows, against one hand-written SQL query for the same figures, in the same run.

    .venv/bin/python bench/annual_report.py [--registrations 100000] [--scores 1000000]
                                            [--database-url postgresql://postgres@127.0.0.1:5432/jx_annual]
                                            [--repeat 5] [--keep]

It recreates the database (PostgreSQL by default; an sqlite:/// URL works too), migrates it, and
fills a year of a province's competitions with COPY/executemany: 120 competitions held in 2025
(and 30 in 2024, outside the period), 4 events each, registrations in every status (10% teams of
three), people with gender, ethnicity and birth date, 1,000,000 scores on submitted sheets,
published results with awards, entitlements in every status, title selections. Then it times
- the baseline: one SQL statement computing the same figures (GROUPING SETS over the member rows
  for the seven breakdowns and the totals, UNION ALL the awards by level, the entitlements by kind
  and status, the competitions by level and kind, the registrations by status, distinct people);
- the figures: app.analytics.queries.statistics() for the year and the jurisdiction;
- the page: GET /analytics/statistics?period=2025 as the HR department's organizer (figures,
  charts and the HTML), through the app's own test client;
- the PDF (for information).
Prints medians, the ratio of the page and of the figures to the baseline, and checks that both
give the same totals. Target: the page ≤ 2 s on PostgreSQL.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PASSWORD = "Bench-annual-2026"
PREFECTURES = ["540100", "540200", "540300", "540400", "540500", "540600", "542500"]
LEVELS = ["provincial_1", "provincial_2", "municipal", "industry", "enterprise", "college"]
KINDS = ["skills", "college_skills", "workplace", "traditional", "arts_crafts", "title_selection"]
TRACKS = ["staff", "student", "teacher"]
AWARDS = ["first", "second", "third"]

BASELINE_SQL = """
WITH comp AS (
    SELECT id, level, kind, COALESCE(starts_on, CAST(registration_closes_at AS date)) AS held
    FROM competitions
    WHERE jurisdiction = :j AND status <> 'draft'
      AND COALESCE(starts_on, CAST(registration_closes_at AS date)) BETWEEN :start AND :end
), awarded AS (
    SELECT r.registration_id FROM results r JOIN comp ON comp.id = r.competition_id WHERE r.award IS NOT NULL
), m AS (
    SELECT reg.organization_id AS org_id, o.kind AS org_kind, substr(o.region_code, 1, 4) AS pref, e.track,
           p.gender, p.ethnicity,
           CASE WHEN age IS NULL THEN 'unknown' WHEN age <= 17 THEN 'under_18' WHEN age <= 24 THEN '18_24'
                WHEN age <= 34 THEN '25_34' WHEN age <= 44 THEN '35_44' WHEN age <= 54 THEN '45_54'
                ELSE '55_plus' END AS band,
           CASE WHEN rm.position = 0 THEN 1 ELSE 0 END AS is_reg,
           CASE WHEN reg.status = 'approved' THEN 1 ELSE 0 END AS is_cont,
           CASE WHEN reg.status = 'approved' AND a.registration_id IS NOT NULL THEN 1 ELSE 0 END AS is_win
    FROM registration_members rm
    JOIN registrations reg ON reg.id = rm.registration_id
    JOIN comp ON comp.id = reg.competition_id
    JOIN events e ON e.id = reg.event_id
    JOIN people p ON p.id = rm.person_id
    LEFT JOIN organizations o ON o.id = reg.organization_id
    LEFT JOIN awarded a ON a.registration_id = rm.registration_id
    CROSS JOIN LATERAL (SELECT EXTRACT(year FROM age(comp.held, p.birth_date))::int AS age) ag
)
SELECT 'breakdown' AS what, GROUPING(pref) AS g_pref, GROUPING(org_id) AS g_org, GROUPING(org_kind) AS g_kind,
       GROUPING(track) AS g_track, GROUPING(gender) AS g_gender, GROUPING(ethnicity) AS g_eth, GROUPING(band) AS g_band,
       COALESCE(pref, org_id::text, org_kind, track, gender, ethnicity, band) AS k1, NULL AS k2,
       SUM(is_reg) AS n1, SUM(is_cont) AS n2, SUM(is_win) AS n3
FROM m GROUP BY GROUPING SETS ((pref), (org_id), (org_kind), (track), (gender), (ethnicity), (band), ())
UNION ALL
SELECT 'awards', 1, 1, 1, 1, 1, 1, 1, comp.level, r.award, COUNT(*), 0, 0
FROM results r JOIN comp ON comp.id = r.competition_id WHERE r.award IS NOT NULL GROUP BY comp.level, r.award
UNION ALL
SELECT 'entitlements', 1, 1, 1, 1, 1, 1, 1, en.kind, en.status, COUNT(*), 0, 0
FROM entitlements en JOIN comp ON comp.id = en.competition_id GROUP BY en.kind, en.status
UNION ALL
SELECT 'competitions', 1, 1, 1, 1, 1, 1, 1, level, kind, COUNT(*), 0, 0 FROM comp GROUP BY level, kind
UNION ALL
SELECT 'status', 1, 1, 1, 1, 1, 1, 1, reg.status, NULL, COUNT(*), 0, 0
FROM registrations reg JOIN comp ON comp.id = reg.competition_id GROUP BY reg.status
UNION ALL
SELECT 'people', 1, 1, 1, 1, 1, 1, 1, NULL, NULL, COUNT(DISTINCT rm.person_id), 0, 0
FROM registration_members rm JOIN registrations reg ON reg.id = rm.registration_id
JOIN comp ON comp.id = reg.competition_id WHERE reg.status = 'approved'
UNION ALL
SELECT 'titles', 1, 1, 1, 1, 1, 1, 1, comp.id::text, NULL, COUNT(reg.id), 0, 0
FROM comp LEFT JOIN registrations reg ON reg.competition_id = comp.id WHERE comp.kind = 'title_selection' GROUP BY comp.id
"""


def recreate(url: str) -> None:
    if url.startswith("sqlite"):
        path = url.split("sqlite:///", 1)[1]
        if os.path.exists(path):
            os.remove(path)
        return
    u = urlparse(url)
    name = u.path.lstrip("/")
    admin = ["psql", "-h", u.hostname or "127.0.0.1", "-p", str(u.port or 5432), "-U", u.username or "postgres",
             "-d", "postgres", "-qc"]
    subprocess.run(admin + [f"DROP DATABASE IF EXISTS {name}"], check=True)
    subprocess.run(admin + [f"CREATE DATABASE {name}"], check=True)


def copy_rows(conn, table: str, columns: list[str], rows) -> int:
    """COPY on PostgreSQL (psycopg 3), executemany elsewhere."""
    rows = list(rows)
    if not rows:
        return 0
    if conn.dialect.name == "postgresql":
        raw = conn.connection.dbapi_connection
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
            for row in rows:
                cp.write_row(row)
    else:
        from sqlalchemy import text
        conn.execute(text(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})"),
                     [dict(zip(columns, r)) for r in rows])
    return len(rows)


def seed(conn, n_regs: int, n_scores: int, rng: random.Random) -> dict:
    import json
    now = datetime(2026, 1, 10, 8)
    ids = {}
    orgs = [(1, "西藏自治区人力资源和社会保障厅", "government", "540000", now)]
    for i in range(2, 302):
        pref = PREFECTURES[i % len(PREFECTURES)]
        orgs.append((i, f"单位{i:03d}", ("enterprise", "college", "training", "other")[i % 4], pref[:4] + f"{i % 9 + 1:02d}", now))
    copy_rows(conn, "organizations", ["id", "name", "kind", "region_code", "created_at"], orgs)
    copy_rows(conn, "users", ["id", "username", "name", "password_hash", "is_enabled", "session_version", "created_at",
                              "organization_id"],
              [(j, f"judge{j}", f"裁判{j}", "x", True, 1, now, 2 + j % 300) for j in range(2, 202)])
    comps, events = [], []
    scheme = {"aggregation": "mean", "components": [{"key": "p", "name": "实操", "weight": "1", "criteria": [
        {"key": f"C{k}", "name": f"评分项{k}", "max_score": "20", "kind": "judgement", "step": "0.5"} for k in range(5)]}]}
    for c in range(1, 151):
        year = 2025 if c <= 120 else 2024
        held = date(year, 1, 1) + timedelta(days=(c * 3) % 360)
        kind = KINDS[c % len(KINDS)]
        comps.append((c, f"{year}年第{c}届技能竞赛", year, LEVELS[c % len(LEVELS)], kind, "CN-XZ", 1,
                      datetime(year, held.month, held.day) - timedelta(days=40), datetime(year, held.month, held.day) - timedelta(days=7),
                      held, held, 0, 2, False, "single", "final", now, 1, now, "称号" if kind == "title_selection" else None))
        for k in range(4):
            events.append((c * 10 + k, c, f"赛项{k}", TRACKS[(c + k) % 3], 1, "{}", json.dumps(scheme, ensure_ascii=False),
                           json.dumps({"preset": "prizes"}), "[]", False, 0, False, 1, now, now))
    copy_rows(conn, "competitions", ["id", "name", "year", "level", "kind", "jurisdiction", "host_organization_id",
                                     "registration_opens_at", "registration_closes_at", "starts_on", "ends_on",
                                     "publicity_days", "appeal_window_hours", "allow_multiple_events", "stage", "status",
                                     "status_changed_at", "version", "created_at", "award_title"], comps)
    copy_rows(conn, "events", ["id", "competition_id", "name", "track", "team_size", "eligibility", "scheme", "awards",
                               "tiebreak", "no_shared_ranks", "entrant_count", "two_layer", "version", "created_at",
                               "locked_at"], events)
    event_ids = [e[0] for e in events]
    people, regs, members, results, ents = [], [], [], [], []
    pid = 0
    statuses = ["approved"] * 17 + ["submitted", "rejected", "withdrawn"]
    rank_in_event: dict[int, int] = {}
    for rid in range(1, n_regs + 1):
        ev = event_ids[rid % len(event_ids)]
        comp_id = ev // 10
        status = statuses[rid % len(statuses)]
        size = 3 if rid % 10 == 0 else 1
        org = 2 + (rid * 7) % 300
        for pos in range(size):
            pid += 1
            birth = date(1966 + pid % 42, 1 + pid % 12, 1 + pid % 28)
            people.append((pid, f"选手{pid}", "passport", f"E{pid:09d}", ("male", "female")[pid % 2], birth,
                           ("01", "04", "04", "08", None)[pid % 5], False, 0, now, now, org))
            members.append((rid, ev, comp_id, pid, pos, status in ("submitted", "approved")))
        regs.append((rid, ev, comp_id, pid - size + 1, org, status, "import", now, 1))
        if status == "approved":
            rank = rank_in_event.get(ev, 0) + 1
            rank_in_event[ev] = rank
            award = AWARDS[min(rank, 3) - 1] if rank <= 3 or rank % 5 == 0 else None
            results.append((ev, comp_id, rid, "80.00", "{}", rank, award, True, now))
            if award and rid % 4 == 0:
                ents.append((pid - size + 1, rid, comp_id, ev, org, "xz-reward-regional", "CN-XZ", "2019", "reward",
                             "《实施方案》四(四)", "给予奖励", rank, award, 2025, ("eligible", "confirmed", "used", "expired")[rid % 4],
                             now, now))
    copy_rows(conn, "people", ["id", "name", "id_type", "id_number", "gender", "birth_date", "ethnicity",
                               "is_frontline_worker", "claim_nonce", "created_at", "updated_at", "organization_id"], people)
    copy_rows(conn, "registrations", ["id", "event_id", "competition_id", "person_id", "organization_id", "status",
                                      "source", "submitted_at", "version"], regs)
    copy_rows(conn, "registration_members", ["registration_id", "event_id", "competition_id", "person_id", "position",
                                             "is_active"], members)
    copy_rows(conn, "results", ["event_id", "competition_id", "registration_id", "total", "components", "rank", "award",
                                "is_final", "computed_at"], results)
    copy_rows(conn, "entitlements", ["person_id", "registration_id", "competition_id", "event_id", "organization_id",
                                     "rule_id", "jurisdiction", "policy_version", "kind", "citation", "quote", "rank",
                                     "award", "year", "status", "granted_at", "status_changed_at"], ents)
    # Scores: 5 criteria × 4 judges per judged entry until n_scores rows.
    approved = [r for r in regs if r[5] == "approved"]
    sheets, scores = [], []
    sid = 0
    for r in approved:
        if len(scores) >= n_scores:
            break
        for j in range(4):
            sid += 1
            judge = 2 + (r[0] + j * 50) % 200
            sheets.append((sid, r[1], r[0], judge, "locked", 1, now))
            for k in range(5):
                scores.append((sid, f"C{k}", f"{rng.randint(20, 40) / 2:.1f}"))
    scores = scores[:n_scores]
    copy_rows(conn, "sheets", ["id", "event_id", "registration_id", "judge_id", "status", "version", "updated_at"], sheets)
    copy_rows(conn, "scores", ["sheet_id", "criterion_key", "value"], scores)
    ids.update(people=len(people), registrations=len(regs), members=len(members), results=len(results),
               entitlements=len(ents), sheets=len(sheets), scores=len(scores))
    return ids


def median(xs):
    return statistics.median(xs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--registrations", type=int, default=100_000)
    ap.add_argument("--scores", type=int, default=1_000_000)
    ap.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/jx_annual")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    recreate(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("JIANGXUAN_ENV", "development")

    from flask_migrate import upgrade
    from sqlalchemy import text

    from app import create_app
    from app.accounts.operations import create_user
    from app.analytics import queries
    from app.analytics.access import Scope
    from app.extensions import db

    app = create_app()
    app.config["WTF_CSRF_ENABLED"] = False
    rng = random.Random(17)
    with app.test_request_context():
        upgrade()
        t0 = time.perf_counter()
        conn = db.session.connection()
        counts = seed(conn, args.registrations, args.scores, rng)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            for table in ("organizations", "users", "competitions", "events", "people", "registrations",
                          "registration_members", "results", "entitlements", "sheets", "scores"):
                db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                        f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))
        create_user({"username": "hr_bench", "password": PASSWORD, "name": "统计员", "roles": ["organizer"],
                     "organization_id": 1})
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        print(f"seeded in {time.perf_counter() - t0:.1f} s: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))

        scope = Scope(kind="jurisdiction", jurisdiction="CN-XZ", label="西藏自治区人力资源和社会保障厅")
        period = queries.parse_period("2025")
        base_t, fig_t, page_t, pdf_t = [], [], [], []
        client = app.test_client()
        r = client.post("/login", data={"username": "hr_bench", "password": PASSWORD})
        assert r.status_code == 302, r.status_code
        baseline = None
        if db.engine.dialect.name != "postgresql":
            print("the baseline SQL uses PostgreSQL's GROUPING SETS and LATERAL: on SQLite only the app is timed")
        for _ in range(args.repeat):
            if db.engine.dialect.name == "postgresql":
                t = time.perf_counter()
                baseline = db.session.execute(text(BASELINE_SQL), {"j": "CN-XZ", "start": period.start,
                                                                   "end": period.end}).all()
                base_t.append(time.perf_counter() - t)
                db.session.rollback()
            t = time.perf_counter()
            report = queries.statistics(scope, period)
            fig_t.append(time.perf_counter() - t)
            db.session.rollback()
            t = time.perf_counter()
            page = client.get("/analytics/statistics?period=2025")
            page_t.append(time.perf_counter() - t)
            assert page.status_code == 200, page.status_code
        for _ in range(2):
            t = time.perf_counter()
            pdf = client.get("/analytics/statistics.pdf?period=2025")
            pdf_t.append(time.perf_counter() - t)
            assert pdf.status_code == 200
        totals = report["totals"]
        print(f"report: {totals['competitions']} competitions, {totals['registrations']:,} registrations, "
              f"{totals['contestants']:,} contestants, {totals['winners']:,} winners, {totals['people']:,} people")
        if baseline is not None:
            grand = next(row for row in baseline if row.what == "breakdown" and row.g_pref == 1 and row.g_org == 1
                         and row.g_kind == 1 and row.g_track == 1 and row.g_gender == 1 and row.g_eth == 1 and row.g_band == 1)
            same = (int(grand.n1), int(grand.n2), int(grand.n3)) == (totals["registrations"], totals["contestants"],
                                                                     totals["winners"])
            bands = {row.k1: int(row.n2) for row in baseline if row.what == "breakdown" and row.g_band == 0}
            ours = {r["key"]: r["contestants"] for r in report["breakdowns"]["age_band"]["rows"]}
            print(f"same totals as the baseline: {same}; same age bands: {bands == ours}")
            print(f"baseline (one SQL statement)   median {median(base_t) * 1000:8.1f} ms")
        print(f"figures (queries.statistics)   median {median(fig_t) * 1000:8.1f} ms"
              + (f"   ratio {median(fig_t) / median(base_t):.2f}× baseline" if base_t else ""))
        print(f"page (GET /analytics/statistics) median {median(page_t) * 1000:6.1f} ms"
              + (f"   ratio {median(page_t) / median(base_t):.2f}× baseline" if base_t else "")
              + f"   target ≤ 2000 ms: {'met' if median(page_t) <= 2 else 'NOT met'}")
        print(f"PDF report (for information)   median {median(pdf_t) * 1000:8.1f} ms, {len(pdf.data):,} bytes")


if __name__ == "__main__":
    main()
