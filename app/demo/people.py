"""The demo's organizations and people (people.yaml): entrants of the open competitions with valid
generated resident IDs, the Lhasa college's students, and the veterans of the past competitions."""
from __future__ import annotations

import random
from datetime import date

from sqlalchemy import select

from ..domain.idcard import make_resident_id
from ..extensions import db
from ..people.models import Person
from ..people.operations import create_organization
from .common import data

def organizations() -> dict:
    """Every organization of the demo, by name."""
    orgs = {}
    for name, kind, region in data("people")["organizations"]:
        orgs[name] = create_organization({"name": name, "kind": kind, "region_code": region})
    db.session.flush()
    return orgs


def entrants(orgs: dict, rng: random.Random) -> tuple[list[Person], list[Person], list[Person]]:
    """(Tibet's entrants, Guangxi's entrants, the Lhasa college's students): Tibetan and Chinese
    names, valid generated resident IDs."""
    people = data("people")
    by_region = {}
    for key, region in people["regions"].items():
        org_pool = [orgs[n] for n in region["organizations"]]
        names = [n for group in region["names"].values() for n in group]
        by_region[key] = []
        for name in names:
            birth = date(rng.randint(1975, 2005), rng.randint(1, 12), rng.randint(1, 28))
            sequence = rng.randint(0, 499) * 2 + (1 if rng.random() < 0.5 else 0)
            number = make_resident_id(rng.choice(region["counties"]), birth, sequence)
            eth = region["ethnicity"] or rng.choice(["01", "08", "08", "13"])
            person = Person(name=name, name_bo=people["tibetan_script"].get(name), id_type="resident_id",
                            id_number=number, gender="male" if sequence % 2 else "female", birth_date=birth,
                            ethnicity=eth, phone=f"13{rng.randint(100000000, 999999999)}",
                            education=rng.choice(["senior_high", "associate", "bachelor"]),
                            skill_grade=rng.choice([None, 4, 3, 3, 2]),
                            is_frontline_worker=rng.random() < 0.6,
                            organization_id=rng.choice(org_pool).id)
            db.session.add(person)
            by_region[key].append(person)
    spec = people["students"]
    college = orgs[spec["organization"]]
    for name in spec["names"]:
        birth = date(rng.randint(2004, 2007), rng.randint(1, 12), rng.randint(1, 28))
        sequence = rng.randint(0, 999)
        db.session.add(Person(name=name, id_type="resident_id",
                              id_number=make_resident_id(spec["county"], birth, sequence),
                              gender="male" if sequence % 2 else "female", birth_date=birth, ethnicity="04",
                              education="senior_high", organization_id=college.id))
    db.session.flush()
    students = db.session.scalars(select(Person).where(Person.organization_id == college.id,
                                                       Person.birth_date >= date(2004, 1, 1))).all()
    return by_region["xz"], by_region["gx"], students


def candidate_person(xz_people: list[Person]) -> Person:
    """The entrant whose record the candidate account owns."""
    name = data("people")["candidate_person"]
    return next(p for p in xz_people if p.name == name)


def veterans(orgs: dict, rng: random.Random) -> list[Person]:
    """The entrants of the past competitions, all of Tibet."""
    people = data("people")
    region = people["regions"]["xz"]
    counties, xz_orgs = region["counties"], [orgs[n] for n in region["organizations"]]
    out = []
    for k, name in enumerate(people["veterans"]):
        birth = date(1975 + k % 20, 1 + k % 12, 1 + k % 27)
        person = Person(name=name, id_type="resident_id", id_number=make_resident_id(counties[k % 5], birth, 300 + k),
                        gender="male" if (300 + k) % 2 else "female", birth_date=birth, ethnicity="04",
                        skill_grade=rng.choice([3, 2]), is_frontline_worker=True,
                        organization_id=xz_orgs[k % len(xz_orgs)].id)
        db.session.add(person)
        out.append(person)
    db.session.flush()
    return out
