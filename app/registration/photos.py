"""The entrant's photo on the admission ticket (准考证照片): uploaded by the entrant, their
organization's contact or the organizer until judging begins, checked by content and re-encoded
without metadata (app/domain/photo.py, the rules of the judges' evidence photos), and shown only
to those who see the registration."""
from __future__ import annotations

import hashlib

from flask import Response, abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..audit.operations import record
from ..competitions.models import Competition
from ..domain import photo
from ..domain.errors import N_, Collector, DomainError
from ..extensions import db
from ..forms_util import perform
from ..models_base import utcnow
from ..security import login_required_any
from . import bp
from .access import can_manage, is_own_organization, viewable_registration
from .models import Registration, RegistrationMember

OPEN = ("registration_open", "registration_closed")   # the photo is fixed once judging begins


class PhotoLocked(DomainError):
    code = "wrong_state"
    status = 409


def member_of(reg: Registration, person_id: int | None) -> RegistrationMember:
    members = list(reg.members)
    if person_id is None:
        return members[0] if members else abort(404)
    member = next((m for m in members if m.person_id == person_id), None)
    if member is None:
        abort(404)
    return member


def may_change(reg: Registration, member: RegistrationMember, user) -> bool:
    if can_manage(reg, user) or is_own_organization(reg, user):
        return True
    return user.has_role("candidate") and member.person.user_id is not None and member.person.user_id == user.id


def set_photo(reg: Registration, member: RegistrationMember, data: bytes | None, actor) -> RegistrationMember:
    comp = db.session.get(Competition, reg.competition_id)
    if comp.status not in OPEN or reg.status in ("withdrawn", "rejected"):
        raise PhotoLocked(N_("The photo can be changed until judging begins, on an entry that is not withdrawn."))
    errors = Collector()
    try:
        clean = photo.clean(data or b"")
    except photo.PhotoRefused as exc:
        errors.add("photo", exc.message, **exc.params)
        errors.raise_if_any()
    before = member.photo_sha
    member.photo, member.photo_sha, member.photo_at = clean.data, hashlib.sha256(clean.data).hexdigest(), utcnow()
    record("registration.photo", reg, actor=actor, before={"photo_sha": before, "person_id": member.person_id},
           after={"photo_sha": member.photo_sha, "person_id": member.person_id, "width": clean.width,
                  "height": clean.height}, competition_id=reg.competition_id, event_id=reg.event_id)
    return member


@bp.route("/registrations/<int:registration_id>/photo", methods=["POST"])
@login_required_any
def upload_photo(registration_id: int):
    reg = viewable_registration(registration_id)
    member = member_of(reg, request.form.get("person_id", type=int))
    if not may_change(reg, member, current_user):
        abort(404)  # seeing an entry (a supervisor, a team mate) is not changing its photos
    upload = request.files.get("photo")
    perform(lambda: set_photo(reg, member, upload.read() if upload else None, current_user),
            _("Photo saved: it is printed on the admission ticket."))
    target = request.form.get("next") or ""
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("registration.me")
    return redirect(target)


@bp.route("/registrations/<int:registration_id>/photo.jpg")
@login_required_any
def photo_image(registration_id: int):
    reg = viewable_registration(registration_id)
    member = member_of(reg, request.args.get("person_id", type=int))
    if member.photo_sha is None:
        abort(404)
    return Response(member.photo, mimetype="image/jpeg",
                    headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"})
