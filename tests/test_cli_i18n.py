"""Command-line bootstrap (create-admin, demo) and the completeness of the Chinese catalog."""
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po
from sqlalchemy import func, select

from app.accounts.models import User
from app.competitions.models import Competition
from app.demo import load_demo
from app.domain.idcard import parse_resident_id
from app.extensions import db
from app.people.models import Person
from app.registration.models import Registration

ROOT = Path(__file__).resolve().parent.parent


def test_create_admin_with_and_without_password_option(flask_cli):
    flask = flask_cli("cli.db", migrated=True)
    ok = flask("create-admin", "Root", "--password", "Root-pass-2026")
    assert ok.exit_code == 0 and "administrator root created" in ok.stdout
    again = flask("create-admin", "root", "--password", "Root-pass-2026")
    assert again.exit_code != 0 and "exists already" in again.stderr
    weak = flask("create-admin", "second", "--password", "123")
    assert weak.exit_code != 0 and "password" in weak.stderr
    prompted = flask("create-admin", "third", input="Third-pass-2026\nThird-pass-2026\n")
    assert prompted.exit_code == 0, prompted.output
    assert "administrator third created" in prompted.stdout


def test_demo_data_is_realistic():
    accounts = load_demo()
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
    from app.results.models import Result
    statuses = {c.status for c in db.session.scalars(select(Competition))}
    assert {"registration_open", "judging", "final"} <= statuses
    assert db.session.scalar(select(func.count()).select_from(Result).where(Result.award == "first")) >= 2
    assert load_demo() is None  # loading twice is refused, not duplicated
    assert db.session.scalar(select(func.count()).select_from(User)) == len(accounts)


def test_every_message_has_a_chinese_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([str(Path(sys.executable).parent / "pybabel"), "extract", "-F", "babel.cfg",
                    "-k", "_l", "-k", "N_", "-o", str(pot), ".", "templates/_macros"],
                   cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as fh:
        template = read_po(fh)
    with (ROOT / "app/translations/zh/LC_MESSAGES/messages.po").open("rb") as fh:
        zh = read_po(fh)
    missing = [m.id for m in template if m.id and (zh.get(m.id) is None or not zh.get(m.id).string
                                                   or "fuzzy" in zh.get(m.id).flags)]
    assert not missing, f"untranslated (run `make extract-messages`, then translate): {missing}"


def test_demo_competitions_are_dated_in_the_year_they_are_labelled_with():
    from app import timeutil
    from app.certificates.models import Certificate
    from app.selection.models import Entitlement
    load_demo()
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
