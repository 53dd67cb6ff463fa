"""The demo data set, as data: accounts and the two regional competitions open for registration
(open.yaml), organizations and people (people.yaml), past competitions judged to final and a title
selection (past.yaml), and analytics' year of competitions (analytics.py). The builders: people.py,
opening.py, judged.py, title.py; what they share: common.py."""
from __future__ import annotations

import random
from datetime import date

from .. import uow
from ..accounts.operations import create_user
from ..audit.models import AuditHead
from ..audit.operations import GENESIS
from ..extensions import db
from . import judged, opening, people, title
from .analytics import load as load_analytics_demo
from .common import data, user

# The documented password of the demo accounts (README); bandit B105 justified.
DEMO_PASSWORD = "Demo-2026-jx"  # nosec B105


def reset_all() -> None:
    """Wipe the database and build the schema again through the migrations.

    The database itself refuses to delete audit events and final results (append-only trail,
    frozen results: migration 0009), and the demo gets no way around that: it drops the tables
    instead, as `flask db downgrade base` would, and migrates from empty."""
    from flask_migrate import upgrade
    from sqlalchemy import MetaData

    db.session.remove()
    engine = db.engine
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")  # outside a transaction, where it takes effect
        meta = MetaData()
        meta.reflect(bind=conn)
        meta.drop_all(bind=conn)
        conn.commit()
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
    engine.dispose()
    upgrade()
    if db.session.get(AuditHead, 1) is None:
        db.session.add(AuditHead(id=1, seq=0, hash=GENESIS))
    db.session.flush()


def load_demo(reset: bool = False):
    """Load the demo set; returns the accounts created, or None if it was loaded already."""
    if reset:
        reset_all()
    elif user("admin"):
        return None
    # Demo data, meant to be the same on every machine: not for secrets (bandit B311 justified).
    rng = random.Random(2026)  # nosec B311

    orgs = people.organizations()
    xz_hr = next(iter(orgs.values()))  # the Tibet HR department hosts the past competitions
    open_data = data("open")
    created = []
    for username, roles, name, org_name in open_data["accounts"]:
        org = orgs[org_name] if org_name else None
        create_user({"username": username, "password": DEMO_PASSWORD, "name": name, "roles": roles,
                     "organization_id": org.id if org else None})
        created.append((username, DEMO_PASSWORD, roles))
    org_xz, org_gx = user("organizer_xz"), user("organizer_gx")
    xz, gx = (opening.open_competition(spec, orgs) for spec in open_data["competitions"])

    xz_people, gx_people, students = people.entrants(orgs, rng)
    candidate = user("candidate")
    own = people.candidate_person(xz_people)
    own.user_id = candidate.id  # 次仁多吉 owns his record
    opening.registrations(xz, gx, xz_people, gx_people, own, students, org_xz, org_gx, candidate)

    # Two past competitions: one final (results, appeals closed) and one being judged.
    judges = [user(u) for u in ("judge1", "judge2", "judge3")]
    chief = user("chief")
    # Judged competitions: four judges, so that after recusal (judge1 and judge2 sit out their own
    # organizations' entries) every entry keeps the 3 judges the schemes require.
    panel = judges + [user("judge4")]
    veterans = people.veterans(orgs, rng)
    judged.judged_competitions(xz_hr, org_xz, veterans, panel, chief, rng)
    title.title_selection(date.today().year, xz_hr, org_xz, user("contact_lasa"), orgs, judges, chief, rng)
    created += load_analytics_demo()  # issue 17: last year's competitions, a lenient judge (app/demo/analytics.py)
    from .pipeline import load as load_pipeline_demo
    load_pipeline_demo()  # issue 21: a candidate's record, a sponsor, a delegation (app/demo/pipeline.py)
    uow.commit()
    return created
