"""The audit log in sentences (issue 23): who did what to which object, each changed field as
old → new in the reader's language; the raw record stays one click away on the page.

`describe(event, names)` returns a plain dict for the template; `names` resolves competition,
event and user ids to names in one query each for a whole page (`names_for(events)`)."""
from __future__ import annotations

from flask_babel import gettext

from ..domain.errors import N_
from ..domain.lifecycle import STATUSES as COMPETITION_STATUSES
from ..domain.refdata import (ENTITLEMENT_STATUSES, LEVELS, ORG_KINDS, REGISTRATION_STATUSES, ROLES, SHEET_STATUSES,
                              TRACKS)

# What each action did, as a verb phrase; %(object)s names the object.
ACTIONS = {
    "appeal.decide": N_("decided the appeal %(object)s"),
    "appeal.file": N_("filed the appeal %(object)s"),
    "certificate.reissue": N_("reissued the certificate %(object)s"),
    "certificate.release": N_("released the held certificate %(object)s"),
    "certificate.revoke": N_("revoked the certificate %(object)s"),
    "certificates.issue": N_("issued the certificates of %(object)s"),
    "certificates.settings": N_("changed the certificate settings of %(object)s"),
    "competition.create": N_("created the competition %(object)s"),
    "competition.status": N_("moved the competition %(object)s to another stage"),
    "competition.supervisor_assign": N_("assigned a supervisor to %(object)s"),
    "competition.supervisor_unassign": N_("removed a supervisor from %(object)s"),
    "competition.update": N_("edited the competition %(object)s"),
    "conflict.declare": N_("declared a judge's conflict of interest in %(object)s"),
    "dossier.attachment_add": N_("added a file to the dossier %(object)s"),
    "dossier.attachment_delete": N_("removed a file from the dossier %(object)s"),
    "dossier.create": N_("created the dossier %(object)s"),
    "dossier.update": N_("edited the dossier %(object)s"),
    "draw.codes": N_("drew the contestants' codes for %(object)s"),
    "draw.stations": N_("drew the stations for %(object)s"),
    "entitlement.facts": N_("corrected the facts of the entitlement %(object)s"),
    "entitlement.status": N_("changed the status of the entitlement %(object)s"),
    "entitlements.issue": N_("recorded the entitlements of %(object)s"),
    "event.create": N_("created the event %(object)s"),
    "event.decrypt": N_("decrypted the names of %(object)s"),
    "event.decrypt_refused": N_("was refused decryption of %(object)s"),
    "event.decrypt_request": N_("asked to decrypt the names of %(object)s"),
    "event.lock": N_("locked the scores of %(object)s"),
    "event.update": N_("edited the event %(object)s"),
    "external_result.create": N_("entered the outside result %(object)s"),
    "external_result.decision": N_("decided on the outside result %(object)s"),
    "job.create": N_("started the background job %(object)s"),
    "job.files_expired": N_("deleted the stored files of finished jobs whose retention ended"),
    "job.resume": N_("resumed the background job %(object)s"),
    "organization.create": N_("created the organization %(object)s"),
    "organization.update": N_("edited the organization %(object)s"),
    "panel.add": N_("added a judge to the panel of %(object)s"),
    "panel.remove": N_("removed a judge from the panel of %(object)s"),
    "paper.accept": N_("accepted the paper marking form %(object)s"),
    "paper.entry": N_("typed in the paper marking form %(object)s"),
    "paper.issue": N_("printed the paper marking form %(object)s"),
    "person.claim": N_("linked an account to the person %(object)s"),
    "person.claim_reject": N_("refused an account's claim to the person %(object)s"),
    "person.create": N_("created the person record %(object)s"),
    "person.grade_promotion": N_("recorded a skill-grade promotion of %(object)s"),
    "person.grade_promotion_undone": N_("undid a skill-grade promotion of %(object)s"),
    "person.update": N_("edited the person record %(object)s"),
    "recheck.draw": N_("drew the entries to re-check in %(object)s"),
    "recheck.full": N_("ordered a full re-check of %(object)s"),
    "recheck.mark": N_("recorded a re-check of %(object)s"),
    "registration.attendance": N_("recorded the attendance of %(object)s"),
    "registration.attendance_confirm": N_("confirmed the attendance of %(object)s"),
    "registration.create": N_("submitted the registration %(object)s"),
    "registration.import": N_("imported registrations into %(object)s"),
    "registration.photo": N_("changed the photo of %(object)s"),
    "registration.review": N_("reviewed the registration %(object)s"),
    "registration.time_used": N_("recorded the time used by %(object)s"),
    "registration.withdraw": N_("withdrew the registration %(object)s"),
    "results.advance": N_("recorded who advances from %(object)s"),
    "results.final": N_("made the results of %(object)s final"),
    "results.final_correction_close": N_("closed the correction of the final results of %(object)s"),
    "results.final_correction_open": N_("opened a correction of the final results of %(object)s"),
    "results.recompute": N_("recomputed the results of %(object)s"),
    "results.tie_resolve": N_("resolved a tie in %(object)s"),
    "scheme_template.save": N_("saved a scoring-scheme template %(object)s"),
    "scores.import": N_("imported scores into %(object)s"),
    "sheet.correct": N_("corrected the score sheet %(object)s"),
    "sheet.paper": N_("entered the score sheet %(object)s from paper"),
    "sheet.photo": N_("added a photo to the score sheet %(object)s"),
    "sheet.save": N_("saved the score sheet %(object)s"),
    "sheet.submit": N_("submitted the score sheet %(object)s"),
    "sheet.void": N_("voided the score sheet %(object)s"),
    "token.device": N_("issued a device token for %(object)s"),
    "user.create": N_("created the account %(object)s"),
    "user.password_change": N_("changed the password of %(object)s"),
    "user.signup": N_("signed up as %(object)s"),
    "user.update": N_("edited the account %(object)s"),
    "camp_session.create": N_("recorded a training camp session of %(object)s"),
    "camp_session.marks": N_("entered the camp assessment marks of %(object)s"),
    "delegation.create": N_("formed the delegation %(object)s"),
    "delegation.member_add": N_("added a member to the delegation %(object)s"),
    "delegation.member_remove": N_("removed a member from the delegation %(object)s"),
    "delegation.nominate": N_("nominated the delegation %(object)s"),
    "delegation.select": N_("selected the squad of %(object)s from results"),
    "grade_application.create": N_("filed an exceptional grade application for %(object)s"),
    "invitation.create": N_("sent the invitation %(object)s into another organizer's event"),
    "invitation.decision": N_("accepted or declined the invitation %(object)s"),
    "invitation.withdraw": N_("withdrew the invitation %(object)s"),
    "grade_application.decision": N_("decided the grade application %(object)s"),
    "person.occupation_grade": N_("recorded a skill grade of %(object)s"),
    "person.occupation_grade_revoked": N_("withdrew a skill grade of %(object)s"),
    "person.title": N_("recorded a title of %(object)s"),
    "person.training": N_("recorded a training of %(object)s"),
    "project.file": N_("added a file to the project %(object)s"),
    "project.save": N_("saved the project %(object)s"),
    "project.support": N_("recorded follow-up support for %(object)s"),
    "sponsorship.create": N_("recorded a sponsorship of %(object)s"),
    "sponsorship.delete": N_("deleted a sponsorship of %(object)s"),
}

AREAS = {
    "appeal": N_("Appeals"), "certificate": N_("Certificates"), "certificates": N_("Certificate batches and settings"),
    "competition": N_("Competitions"), "conflict": N_("Conflicts of interest"), "dossier": N_("Dossiers"),
    "draw": N_("Draws"), "entitlement": N_("Entitlements"), "entitlements": N_("Entitlement records"),
    "event": N_("Events, lock and decryption"), "external_result": N_("Outside results"), "job": N_("Background jobs"),
    "organization": N_("Organizations"), "panel": N_("Judge panels"), "paper": N_("Paper marking forms"),
    "person": N_("People"), "recheck": N_("Re-checks"), "registration": N_("Registrations"), "results": N_("Results"),
    "scheme_template": N_("Scheme templates"), "scores": N_("Score imports"), "sheet": N_("Score sheets"),
    "token": N_("Device tokens"), "user": N_("Accounts"),
    "camp_session": N_("Training camp sessions"),
    "delegation": N_("Delegations"),
    "grade_application": N_("Grade applications"),
    "invitation": N_("Invitations to other organizers' events"),
    "project": N_("Projects"),
    "sponsorship": N_("Sponsorships"),
}


def area_label(area: str) -> str:
    return gettext(AREAS[area]) if area in AREAS else area


# Field names shown in the reader's words. A field without one (ids, nested settings such as the
# scoring scheme) is left out of the sentence's changes: it stays in the raw record, one click away.
FIELDS = {
    "status": N_("Status"), "name": N_("Name"), "reason": N_("Reason"), "version": N_("Version"),
    "publicity_days": N_("Publicity days"), "registration_opens_at": N_("Registration opens"),
    "registration_closes_at": N_("Registration closes"), "starts_on": N_("First day"), "ends_on": N_("Last day"),
    "level": N_("Level"), "kind": N_("Kind"), "track": N_("Track"), "team_size": N_("Team size"),
    "max_entrants": N_("Capacity (empty: no limit)"), "venue": N_("Venue"), "values": N_("Scores"),
    "roles": N_("Roles"), "is_enabled": N_("Account enabled"), "organization_id": N_("Organization"),
    "skill_grade": N_("Skill grade"), "phone": N_("Phone"), "id_number": N_("ID number"), "total": N_("Total"),
    "rank": N_("Rank"), "award": N_("Award"), "seed": N_("Draw code"), "note": N_("Note"), "title": N_("Title"),
    "description": N_("Description"), "appeal_window_hours": N_("Appeal window (hours after the event)"),
    "role": N_("Role"), "requested_role": N_("Role"), "target_level": N_("Level"), "occupation": N_("Occupation"),
    "year": N_("Year"),
}

VALUE_LABELS = {"status": {**COMPETITION_STATUSES, **REGISTRATION_STATUSES, **SHEET_STATUSES, **ENTITLEMENT_STATUSES},
                "level": LEVELS, "target_level": LEVELS, "kind": ORG_KINDS, "track": TRACKS,
                "role": ROLES, "requested_role": ROLES}


def _value(field: str, value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if field == "roles" and isinstance(value, list):
        return "、".join(gettext(ROLES[r]) if r in ROLES else str(r) for r in value)
    labels = VALUE_LABELS.get(field)
    if labels and isinstance(value, str) and value in labels:
        return gettext(labels[value])
    if isinstance(value, dict):
        return "；".join(f"{k}: {_value(k, v)}" for k, v in value.items())
    if isinstance(value, list):
        return "、".join(_value(field, v) for v in value)
    return str(value)


def changes(before: dict | None, after: dict | None) -> list[dict]:
    """Each field that changed (or was set, or removed): its label, the old and the new value."""
    before, after = before or {}, after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    out = []
    for key in list(before) + [k for k in after if k not in before]:
        old, new = before.get(key), after.get(key)
        if old == new or key not in FIELDS:
            continue
        out.append({"field": gettext(FIELDS[key]),
                    "old": _value(key, old) if key in before else "—", "new": _value(key, new) if key in after else "—"})
    return out


def _get(ev, name: str):
    """An attribute of an AuditEvent, or a key of its dict form (judging.queries.audit_item)."""
    return ev.get(name) if isinstance(ev, dict) else getattr(ev, name)


def names_for(events) -> dict:
    """Names of the competitions, events and accounts a page of events refers to."""
    from sqlalchemy import select

    from ..accounts.models import User
    from ..competitions.models import Competition, Event
    from ..extensions import db

    rows = [{k: _get(e, k) for k in ("competition_id", "event_id", "object_type", "object_id")} for e in events]
    comp_ids = {e["competition_id"] for e in rows if e["competition_id"]} | {
        e["object_id"] for e in rows if e["object_type"] == "competitions" and e["object_id"]}
    event_ids = {e["event_id"] for e in rows if e["event_id"]} | {
        e["object_id"] for e in rows if e["object_type"] == "events" and e["object_id"]}
    user_ids = {e["object_id"] for e in rows if e["object_type"] == "users" and e["object_id"]}
    names = {"competitions": {}, "events": {}, "users": {}}
    if comp_ids:
        names["competitions"] = dict(db.session.execute(select(Competition.id, Competition.name)
                                                        .where(Competition.id.in_(comp_ids))).all())
    if event_ids:
        names["events"] = dict(db.session.execute(select(Event.id, Event.name).where(Event.id.in_(event_ids))).all())
    if user_ids:
        names["users"] = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all())
    return names


def describe(event, names: dict) -> dict:
    """The event as a sentence: {"who", "did", "where", "changes", "reason"}; `names` from names_for."""
    g = {k: _get(event, k) for k in ("object_type", "object_id", "action", "competition_id", "event_id",
                                     "before", "after", "reason", "actor_name")}
    kind, ident = g["object_type"], g["object_id"]
    named = names.get(kind, {}).get(ident)
    # The sentence names the kind of object ("saved the score sheet …"): here its name, or its number.
    obj = f"「{named}」" if named else (f"#{ident}" if ident is not None else "")
    template = ACTIONS.get(g["action"])
    did = gettext(template, object=obj).strip() if template else f"{g['action']} {kind} {obj}".strip()
    where = []
    if g["competition_id"] and not (kind == "competitions" and ident == g["competition_id"]):
        where.append(names["competitions"].get(g["competition_id"]) or f"#{g['competition_id']}")
    if g["event_id"] and not (kind == "events" and ident == g["event_id"]):
        where.append(names["events"].get(g["event_id"]) or f"#{g['event_id']}")
    return {"who": g["actor_name"] or gettext("The system"), "did": did, "where": " · ".join(where),
            "changes": changes(g["before"], g["after"]), "reason": g["reason"] or ""}
