"""Enter or edit a registration's project, upload its business plan and pitch deck (typed by
content, size-limited), record the follow-up support of a winning project.

The entry's own side (its members, the contacts of its organization) enters the project and uploads
its files itself, as in real entrepreneurship contests where the team submits its 商业计划书 and
路演材料 online by the submission deadline: here, while the competition's registration window is
open and the entry is active. After the deadline the materials are what the panel judges: only the
competition's organizers change them (a correction, audited like any write)."""
from __future__ import annotations

from sqlalchemy import select

from .. import timeutil
from ..audit.operations import record
from ..domain import dossier as files
from ..domain import project as rules
from ..domain.errors import N_, Collector, DomainError
from ..extensions import db
from ..models_base import utcnow
from ..results.models import Result
from .models import Project, ProjectFile, ProjectSupport


class ProjectStateError(DomainError):
    code = "wrong_state"


def _is_project_contest(reg) -> None:
    if reg.event.competition.kind not in rules.PROJECT_KINDS:
        raise ProjectStateError(N_("Projects are entered in entrepreneurship and trainer contests only."))


def project_of(reg) -> Project | None:
    return db.session.scalar(select(Project).where(Project.registration_id == reg.id))


def submission_open(reg) -> bool:
    """Whether the entry's side may still change its project: registration open, the entry active."""
    from ..registration.models import ACTIVE_STATUSES
    from ..registration.operations import window_open
    return reg.status in ACTIVE_STATUSES and window_open(reg.event.competition)


def _check_submission(reg, actor) -> None:
    """The entry's side writes only until the submission deadline (the registration deadline)."""
    comp = reg.event.competition
    if comp.can_manage(actor):
        return
    if not submission_open(reg):
        raise ProjectStateError(N_("Project materials are submitted until the registration deadline (%(deadline)s); "
                                   "after it they are locked for judging."),
                                deadline=timeutil.local_text(comp.registration_closes_at))


def save_project(reg, data: dict, actor) -> Project:
    _is_project_contest(reg)
    _check_submission(reg, actor)
    clean = rules.parse_project(data)
    p = project_of(reg)
    before = None
    if p is None:
        p = Project(registration_id=reg.id, competition_id=reg.competition_id, **clean)
        db.session.add(p)
    else:
        before = {"name": p.name, "sector": p.sector, "summary": p.summary}
        for k, v in clean.items():
            setattr(p, k, v)
    db.session.flush()
    record("project.save", p, actor=actor, before=before, after=clean, competition_id=reg.competition_id,
           event_id=reg.event_id)
    return p


def add_file(reg, kind, upload: tuple[str | None, bytes] | None, actor) -> ProjectFile:
    from ..sponsors.operations import check_file
    _is_project_contest(reg)
    p = project_of(reg)
    if p is None:
        raise ProjectStateError(N_("Enter the project first."))
    _check_submission(reg, actor)
    errors = Collector()
    if not isinstance(kind, str) or kind not in rules.FILE_KINDS:
        errors.add("kind", N_("Choose the business plan or the pitch deck."))
    if upload is None or not upload[1]:
        errors.add("file", N_("Choose a file."))
        checked = {}
    else:
        checked = check_file(upload[1], errors, "file")
    errors.raise_if_any()
    f = ProjectFile(project_id=p.id, kind=kind, filename=files.clean_filename(upload[0], checked["content_type"]),
                    content_type=checked["content_type"], size=checked["size"], sha256=checked["sha256"],
                    content=upload[1], uploaded_by_id=actor.id)
    db.session.add(f)
    db.session.flush()
    record("project.file", f, actor=actor, after={"project_id": p.id, "kind": kind, "sha256": f.sha256, "size": f.size},
           competition_id=reg.competition_id, event_id=reg.event_id)
    return f


def add_support(reg, data: dict, actor) -> ProjectSupport:
    """Follow-up support is for winners: the project's entry has an award in the final results."""
    p = project_of(reg)
    if p is None:
        raise ProjectStateError(N_("Enter the project first."))
    won = db.session.scalar(select(Result.award).where(Result.registration_id == reg.id))
    if reg.event.competition.status not in ("final", "archived") or not won:
        raise ProjectStateError(N_("Support is recorded for winning projects, once the results are final."))
    clean = rules.parse_support(data, timeutil.to_local(utcnow()).date())
    s = ProjectSupport(project_id=p.id, recorded_by_id=actor.id, **clean)
    db.session.add(s)
    db.session.flush()
    record("project.support", s, actor=actor, after={"project_id": p.id, **clean},
           competition_id=reg.competition_id, event_id=reg.event_id)
    return s


def file_bytes(f: ProjectFile) -> bytes:
    return db.session.scalar(select(ProjectFile.content).where(ProjectFile.id == f.id))


def projects_of(comp_id: int) -> list[Project]:
    return list(db.session.scalars(select(Project).where(Project.competition_id == comp_id).order_by(Project.id)))
