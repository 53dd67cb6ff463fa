"""Choosing a scheme template for a new event (the library and the organization's own), and an
organization saving one of its events' schemes as its own template."""
from __future__ import annotations

from sqlalchemy import select

from ..audit.operations import record
from ..domain.errors import N_, Collector, Forbidden
from ..extensions import db
from . import load


def _own(user):
    from ..competitions.models import SchemeTemplate
    if not getattr(user, "organization_id", None):
        return []
    return list(db.session.scalars(select(SchemeTemplate).where(SchemeTemplate.organization_id == user.organization_id)
                                   .order_by(SchemeTemplate.name, SchemeTemplate.id)))


def choices(user) -> list[dict]:
    """What the event form offers: {value, label, group} — the library, then the user's organization's."""
    out = [{"value": t["key"], "label": t["name"], "group": t["group"], "basis": t["basis"]} for t in load().values()]
    out += [{"value": f"org-{t.id}", "label": t.name, "group": "own", "basis": ""} for t in _own(user)]
    return out


def find(value, user) -> dict | None:
    """A chosen template by its value ('thangka', 'org-12'); None if unknown or not the user's."""
    if not isinstance(value, str) or not value:
        return None
    if value.startswith("org-"):
        rows = {f"org-{t.id}": t for t in _own(user)}
        row = rows.get(value)
        return None if row is None else {"name": row.name, "occupation": row.occupation or row.name,
                                         "scheme": row.scheme, "tiebreak": row.tiebreak or [], "basis": ""}
    return load().get(value)


def save_template(event, name, actor):
    """The event's scheme (and tie-break chain) as a template of the host organization."""
    from ..competitions.models import SchemeTemplate
    comp = event.competition
    if not comp.can_manage(actor):
        raise Forbidden(N_("Only the competition's organizers save its schemes as templates."))
    name = str(name or "").strip()[:200] or event.name
    if comp.host_organization_id is None:
        errors = Collector()
        errors.add("name", N_("This competition has no host organization to keep the template."))
        errors.raise_if_any()
    row = SchemeTemplate(organization_id=comp.host_organization_id, name=name, occupation=event.occupation,
                         scheme=event.scheme, tiebreak=event.tiebreak or [], created_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    record("scheme_template.save", row, actor=actor, after={"name": name, "event_id": event.id},
           competition_id=comp.id, event_id=event.id)
    return row
