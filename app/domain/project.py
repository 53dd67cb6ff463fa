"""Contests of projects (创业大赛, 创业培训师资大赛; 桂政发〔2019〕16号 (五): 对优胜项目和优秀师资予以重点支持和培养):
a project entered under a registration (its team: the registration's members, the captain leading),
its business plan and pitch deck files, and the follow-up support of the winners."""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from .errors import N_, Collector
from .fields import text as _text

PROJECT_KINDS = ("entrepreneurship", "trainer")  # the competition kinds whose entries are projects
FILE_KINDS = {"business_plan": N_("Business plan"), "pitch_deck": N_("Pitch deck")}
SUPPORT_KINDS = {"funding": N_("Funding"), "incubator": N_("Incubator place"), "loan": N_("Loan"),
                 "mentoring": N_("Mentoring"), "other": N_("Other support")}
AMOUNT_MAX = Decimal("999999999999.99")


def parse_project(data: dict) -> dict:
    errors = Collector()
    out = {"name": _text(data, "name", 200, errors, N_("Name the project.")),
           "sector": _text(data, "sector", 100, errors, N_("Name the project's sector.")),
           "summary": _text(data, "summary", 4000, errors, multiline=True)}
    errors.raise_if_any()
    return out


def parse_support(data: dict, today: date) -> dict:
    errors = Collector()
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in SUPPORT_KINDS:
        errors.add("kind", N_("Choose funding, an incubator place, a loan, mentoring or other support."))
        kind = None
    out = {"kind": kind, "provider": _text(data, "provider", 200, errors, N_("Name who gives the support.")),
           "note": _text(data, "note", 500, errors)}
    raw = data.get("amount")
    out["amount"] = None
    if raw not in (None, ""):
        try:
            amount = Decimal(str(raw).strip()) if isinstance(raw, (str, int, float)) and not isinstance(raw, bool) else None
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite() or amount <= 0 or amount > AMOUNT_MAX \
                or amount != amount.quantize(Decimal("0.01")):
            errors.add("amount", N_("Enter the amount in yuan: more than 0, at most two decimals."))
        else:
            out["amount"] = amount
    if kind in ("funding", "loan") and out["amount"] is None and not errors.has("amount"):
        errors.add("amount", N_("Funding and loans need their amount."))
    raw = data.get("granted_on")
    try:
        day = date.fromisoformat(raw.strip()) if isinstance(raw, str) and raw.strip() else None
    except ValueError:
        day = None
    if day is None:
        errors.add("granted_on", N_("Enter the date of the support (YYYY-MM-DD)."))
    elif day > today:
        errors.add("granted_on", N_("The date cannot be in the future."))
    out["granted_on"] = day
    errors.raise_if_any()
    return out
