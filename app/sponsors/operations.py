"""Record, list and remove a competition's sponsorships; totals; the bulletin's acknowledgements."""
from __future__ import annotations

import hashlib

from sqlalchemy import select

from .. import timeutil
from ..audit.operations import record
from ..domain import dossier as files
from ..domain import sponsorship as rules
from ..domain.errors import N_, Collector, ValidationFailed
from ..extensions import db
from ..models_base import utcnow
from .models import Sponsorship


def check_file(content: bytes, errors: Collector, field: str = "agreement") -> dict:
    """The stored fields of an uploaded PDF, JPEG or PNG (typed by its bytes, size-limited)."""
    from ..forms_util import max_upload_bytes
    kind = files.sniff_type(content)
    limit = max_upload_bytes()
    if len(content) > limit:
        errors.add(field, N_("The file is too large: at most %(mb)d MB."), mb=max(limit // (1024 * 1024), 1))
    elif kind is None:
        errors.add(field, N_("Only PDF, JPEG and PNG files are accepted (checked by their content, not their name)."))
    elif not files.looks_complete(content, kind):
        errors.add(field, N_("The file is damaged or incomplete."))
    else:
        return {"content_type": kind, "size": len(content), "sha256": hashlib.sha256(content).hexdigest()}
    return {}


def add(comp, data: dict, upload: tuple[str | None, bytes] | None, actor) -> Sponsorship:
    errors = Collector()
    try:
        clean = rules.parse(data, timeutil.to_local(utcnow()).date())
    except ValidationFailed as exc:  # reported together with the file's errors
        errors.errors.extend(exc.errors)
        clean = None
    stored = {}
    if upload is not None and upload[1]:
        checked = check_file(upload[1], errors)
        if checked:
            stored = {"agreement_filename": files.clean_filename(upload[0], checked["content_type"]),
                      "agreement_content_type": checked["content_type"], "agreement_size": checked["size"],
                      "agreement_sha256": checked["sha256"], "agreement": upload[1]}
    errors.raise_if_any()
    row = Sponsorship(competition_id=comp.id, recorded_by_id=actor.id, **clean, **stored)
    db.session.add(row)
    db.session.flush()
    record("sponsorship.create", row, actor=actor, competition_id=comp.id,
           after={**clean, "agreement_sha256": stored.get("agreement_sha256")})
    return row


def remove(row: Sponsorship, actor) -> None:
    record("sponsorship.delete", row, actor=actor, competition_id=row.competition_id,
           before={"sponsor_name": row.sponsor_name, "kind": row.kind, "amount": row.amount})
    db.session.delete(row)
    db.session.flush()


def for_competition(comp_id: int) -> list[Sponsorship]:
    return list(db.session.scalars(select(Sponsorship).where(Sponsorship.competition_id == comp_id)
                                   .order_by(Sponsorship.created_at, Sponsorship.id)))


def acknowledgements(comp_id: int) -> list[str]:
    """The acknowledgements to print on the competition's bulletins, in the order recorded."""
    return [a for a in db.session.scalars(select(Sponsorship.acknowledgement).where(
        Sponsorship.competition_id == comp_id, Sponsorship.print_on_bulletin.is_(True))
        .order_by(Sponsorship.created_at, Sponsorship.id)) if a]


def agreement_bytes(row: Sponsorship) -> bytes | None:
    return db.session.scalar(select(Sponsorship.agreement).where(Sponsorship.id == row.id))


def totals_for(comp_ids) -> dict:
    """Totals by kind over these competitions (for the year statistics)."""
    rows = db.session.scalars(select(Sponsorship).where(Sponsorship.competition_id.in_(comp_ids))).all()
    out = rules.totals(rows)
    out["count"] = len(rows)
    return out
