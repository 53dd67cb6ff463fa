"""The demo shows issue 21: the candidate's record with grades in two occupations and a title that
opens a 技能大师工作室, a sponsor printed on bulletins, a delegation with its camp ready to nominate."""
from sqlalchemy import select

from app.selection.operations import talent_record
from app.accounts.models import User
from app.delegations.models import Delegation
from app.demo import load_demo
from app.extensions import db
from app.people.models import Person
from app.records import operations as records
from app.sponsors.models import Sponsorship


def test_the_demo_shows_a_record_a_sponsor_and_a_delegation():
    load_demo()
    cand = db.session.scalar(select(User).where(User.username == "candidate"))
    person = db.session.scalar(select(Person).where(Person.user_id == cand.id))
    f = records.person_file(person, None, talent_record(person, None))
    assert {o["occupation"] for o in f["occupations"]} == {"电工", "唐卡制作"}
    assert f["studio"]["titles"] == ["西藏技术能手"] and f["trainings"] and f["applications"]
    assert db.session.scalar(select(Sponsorship).where(Sponsorship.print_on_bulletin.is_(True))) is not None
    d = db.session.scalars(select(Delegation)).one()
    assert len([m for m in d.members if m.role == "member"]) == 3 and len(d.sessions) == 2
    from app.projects.models import Project
    projects = db.session.scalars(select(Project)).all()
    assert len(projects) == 2 and any(p.files for p in projects)
    assert db.session.scalar(select(Sponsorship).where(Sponsorship.competition_id == projects[0].competition_id))
    # An invitation into the Guangxi organizer's open event, waiting for its answer.
    from app.selection.models import Invitation
    inv = db.session.scalars(select(Invitation)).one()
    gx = db.session.scalar(select(User).where(User.username == "organizer_gx"))
    assert inv.status == "pending" and inv.target_organization_id == gx.organization_id and len(inv.entries) == 2
