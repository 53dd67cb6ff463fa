"""Sponsorship and donations of a competition (赞助/捐赠, 桂政发〔2019〕16号 (十六): 鼓励社会捐助、赞助职业技能
竞赛活动): the fields an organizer records, checked the same way from a form or the API."""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from .errors import N_, Collector

KINDS = {"money": N_("Money"), "goods": N_("Goods"), "services": N_("Services")}
KIND_ZH = {"money": "资金", "goods": "物资", "services": "服务"}
AMOUNT_MAX = Decimal("999999999999.99")
TEXT_LIMITS = {"sponsor_name": 200, "description": 500, "purpose": 500, "acknowledgement": 200}


def _flag(value) -> bool:
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.strip().lower() in ("1", "true", "on", "yes", "y")


def parse(data: dict, today: date) -> dict:
    errors = Collector()
    out: dict = {}
    for key, limit in TEXT_LIMITS.items():
        raw = data.get(key)
        if raw is not None and not isinstance(raw, str):
            errors.add(key, N_("Enter text."))
            out[key] = None
            continue
        text = " ".join((raw or "").split())
        if len(text) > limit:
            errors.add(key, N_("At most %(n)d characters."), n=limit)
        out[key] = text or None
    if not out.get("sponsor_name") and not errors.has("sponsor_name"):
        errors.add("sponsor_name", N_("Name the sponsor."))
    if not out.get("purpose") and not errors.has("purpose"):
        errors.add("purpose", N_("Say what the sponsorship is for."))
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        errors.add("kind", N_("Choose money, goods or services."))
        kind = None
    out["kind"] = kind
    raw = data.get("amount")
    amount = None
    if isinstance(raw, (str, int, float)) and not isinstance(raw, bool):
        try:
            amount = Decimal(str(raw).strip().replace(",", ""))
        except InvalidOperation:
            amount = None
    if amount is None or not amount.is_finite() or amount <= 0 or amount > AMOUNT_MAX \
            or amount != amount.quantize(Decimal("0.01")):
        errors.add("amount", N_("Enter the amount (or, for goods and services, the value) in yuan: more than 0, at most two decimals."))
        amount = None
    out["amount"] = amount
    if kind in ("goods", "services") and not out.get("description") and not errors.has("description"):
        errors.add("description", N_("Describe the goods or services."))
    raw_day = data.get("received_on")
    out["received_on"] = None
    if raw_day not in (None, ""):
        try:
            day = date.fromisoformat(raw_day.strip()) if isinstance(raw_day, str) else None
        except ValueError:
            day = None
        if day is None or day.year < 1950:
            errors.add("received_on", N_("Enter a date (YYYY-MM-DD)."))
        elif day > today:
            errors.add("received_on", N_("The date cannot be in the future."))
        else:
            out["received_on"] = day
    out["print_on_bulletin"] = _flag(data.get("print_on_bulletin"))
    if out["print_on_bulletin"] and not out.get("acknowledgement") and not errors.has("acknowledgement"):
        errors.add("acknowledgement", N_("Write the acknowledgement to print on the bulletins."))
    errors.raise_if_any()
    return out


def totals(rows) -> dict:
    """{kind: sum, ..., "total": sum} over rows with kind and amount (exact decimals)."""
    out = {k: Decimal("0.00") for k in KINDS}
    for r in rows:
        out[r.kind] += r.amount
    out["total"] = sum((out[k] for k in KINDS), Decimal("0.00"))
    return out
