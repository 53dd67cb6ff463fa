"""Eligibility of a person for an event (registration checks at entry).

Limits of age, schooling and seniority are off unless the event sets them (Guangxi policy,
seed 000_e1cdfcc74d85af08.txt (十)). Each refusal names the rule that refused it.
Age is computed on the competition's first day (or the registration deadline when no date is set).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .errors import N_

# Tracks that enter through a school: the entrant's organization must be one of these kinds.
SCHOOL_TRACK_ORG_KINDS = {"student": ("college", "training"), "teacher": ("college", "training")}


@dataclass(frozen=True)
class Refusal:
    rule: str
    message: str
    params: dict


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def check_eligibility(*, eligibility: dict, track: str, birth_date: date | None, skill_grade: int | None,
                      organization_kind: str | None, on: date) -> list[Refusal]:
    refusals: list[Refusal] = []
    min_age, max_age = eligibility.get("min_age"), eligibility.get("max_age")
    if min_age is not None or max_age is not None:
        if birth_date is None:
            refusals.append(Refusal("age", N_("The birth date is needed to check the age limit."), {}))
        else:
            age = age_on(birth_date, on)
            if min_age is not None and age < min_age:
                refusals.append(Refusal("age", N_("Entrants must be at least %(min)d years old on %(day)s (this person is %(age)d)."),
                                        {"min": min_age, "day": on.isoformat(), "age": age}))
            if max_age is not None and age > max_age:
                refusals.append(Refusal("age", N_("Entrants must be at most %(max)d years old on %(day)s (this person is %(age)d)."),
                                        {"max": max_age, "day": on.isoformat(), "age": age}))
    kinds = SCHOOL_TRACK_ORG_KINDS.get(track)
    if kinds and organization_kind not in kinds:
        refusals.append(Refusal("track", N_("The student and teacher tracks are for entrants registered through a college or training institution."), {}))
    min_grade = eligibility.get("min_skill_grade")
    if min_grade is not None and (skill_grade is None or skill_grade > min_grade):
        # Grade numbers run from 5 (junior) to 1 (senior technician): a smaller number is higher.
        refusals.append(Refusal("skill_grade", N_("This event requires skill grade %(grade)d or higher."),
                                {"grade": min_grade}))
    org_kinds = eligibility.get("organization_kinds")
    if org_kinds and organization_kind not in org_kinds:
        refusals.append(Refusal("organization_kind", N_("This event is open only to entrants of certain kinds of organization."), {}))
    return refusals
