"""The demo data (`flask demo`, app/demo/): realistic people and competitions, dated in the year
they are labelled with, the talent pipeline of issue 21, and `flask demo --reset`.

Loading the demo is the costliest set-up of the suite, so it is loaded once here and each aspect
is checked by its own function, then reset (the second load)."""
from __future__ import annotations

from sqlalchemy import func, select

from app import timeutil
from app.accounts.models import User
from app.audit import triggers
from app.audit.models import AuditEvent
from app.audit.operations import verify_chain
from app.certificates.models import Certificate
from app.competitions.models import Competition
from app.delegations.models import Delegation
from app.demo import load_demo
from app.domain.idcard import parse_resident_id
from app.extensions import db
from app.people.models import Person
from app.projects.models import Project
from app.records import operations as records
from app.registration.models import Registration
from app.results.models import Result
from app.selection.models import Entitlement, Invitation
from app.selection.operations import talent_record
from app.sponsors.models import Sponsorship


def _realistic(accounts):
    roles = {r for _, _, rs in accounts for r in rs}
    assert roles == {"admin", "organizer", "judge", "chief_judge", "supervisor", "org_contact", "candidate"}
    names = [c.name for c in db.session.scalars(select(Competition))]
    assert any("西藏" in n for n in names) and any("广西" in n for n in names)
    people = db.session.scalars(select(Person)).all()
    assert len(people) >= 30
    assert any("\u0f00" <= p.name[0] <= "\u0fff" for p in people)  # Tibetan script names
    for p in people:
        parsed = parse_resident_id(p.id_number)
        assert parsed.birth_date == p.birth_date and parsed.gender == p.gender
    statuses = set(db.session.scalars(select(Registration.status)))
    assert statuses == {"submitted", "approved", "rejected", "withdrawn"}
    # One team in the skills competitions (the entrepreneurship contest's projects are teams too).
    assert db.session.scalar(select(func.count()).select_from(Registration).join(
        Competition, Competition.id == Registration.competition_id).where(
        Registration.team_name.is_not(None), Competition.kind != "entrepreneurship")) == 1
    statuses = {c.status for c in db.session.scalars(select(Competition))}
    assert {"registration_open", "judging", "final"} <= statuses
    assert db.session.scalar(select(func.count()).select_from(Result).where(Result.award == "first")) >= 2
    assert load_demo() is None  # loading twice is refused, not duplicated
    assert db.session.scalar(select(func.count()).select_from(User)) == len(accounts)


def _dated_in_their_year():
    comps = db.session.scalars(select(Competition)).all()
    assert any(c.status == "final" for c in comps)
    for c in comps:
        assert c.name.startswith(f"{c.year}年"), c.name
        if c.starts_on:
            assert c.starts_on.year == c.year and c.ends_on.year == c.year, (c.name, c.starts_on)
        certs = db.session.scalars(select(Certificate).where(Certificate.competition_id == c.id)).all()
        assert c.status == "final" or not certs
        for cert in certs:
            issued = timeutil.to_local(cert.issued_at).date()
            assert cert.serial.startswith(f"XZ{c.year}-"), cert.serial
            assert issued.year == c.year and issued > c.ends_on, (cert.serial, issued, c.ends_on)
        if c.status == "final":
            assert c.status_changed_at.year == c.year
            assert all(e.granted_at.year == c.year for e in
                       db.session.scalars(select(Entitlement).where(Entitlement.competition_id == c.id)))


def _pipeline():
    """Issue 21: the candidate's record with grades in two occupations and a title that opens a
    技能大师工作室, a sponsor printed on bulletins, a delegation with its camp ready to nominate."""
    cand = db.session.scalar(select(User).where(User.username == "candidate"))
    person = db.session.scalar(select(Person).where(Person.user_id == cand.id))
    f = records.person_file(person, None, talent_record(person, None))
    assert {o["occupation"] for o in f["occupations"]} == {"电工", "唐卡制作"}
    assert f["studio"]["titles"] == ["西藏技术能手"] and f["trainings"] and f["applications"]
    assert db.session.scalar(select(Sponsorship).where(Sponsorship.print_on_bulletin.is_(True))) is not None
    d = db.session.scalars(select(Delegation)).one()
    assert len([m for m in d.members if m.role == "member"]) == 3 and len(d.sessions) == 2
    projects = db.session.scalars(select(Project)).all()
    assert len(projects) == 2 and any(p.files for p in projects)
    assert db.session.scalar(select(Sponsorship).where(Sponsorship.competition_id == projects[0].competition_id))
    # An invitation into the Guangxi organizer's open event, waiting for its answer.
    inv = db.session.scalars(select(Invitation)).one()
    gx = db.session.scalar(select(User).where(User.username == "organizer_gx"))
    assert inv.status == "pending" and inv.target_organization_id == gx.organization_id and len(inv.entries) == 2


def _reset_rebuilds_the_schema():
    """`flask demo --reset` after a demo with final results and audit events: the database refuses
    to delete those rows, so the reset drops the tables and migrates from empty."""
    db.session.commit()
    frozen = db.session.scalar(select(func.count()).select_from(Result).where(Result.is_final))
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    assert frozen > 0 and events > 0
    accounts = load_demo(reset=True)
    db.session.commit()
    assert accounts is not None
    assert db.session.scalar(select(func.count()).select_from(Result).where(Result.is_final)) == frozen
    assert verify_chain() == (events, None)  # one fresh chain, not the old one with the new appended
    with db.engine.connect() as conn:
        assert triggers.installed_triggers(conn) == triggers.trigger_names(conn)


def test_the_demo_is_realistic_dated_shows_the_pipeline_and_resets():
    accounts = load_demo()
    assert accounts is not None
    _realistic(accounts)
    _dated_in_their_year()
    _pipeline()
    _reset_rebuilds_the_schema()
