"""Background jobs (batch certificate issue): progress lives in the database so that the web
process, in-process threads and RQ workers on other machines all see the same numbers."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models_base import one_of, utcnow

STATUSES = ("queued", "running", "done", "failed")
KINDS = ("certificates",)  # what runs each kind: app/wiring.py (a new kind is a new migration)


class Job(db.Model):
    __tablename__ = "jobs"
    __table_args__ = (one_of("kind", KINDS), one_of("status", STATUSES))

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random hex: not guessable
    kind: Mapped[str] = mapped_column(String(30))
    competition_id: Mapped[int | None] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="queued", index=True)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    files: Mapped[list] = mapped_column(JSON, default=list)  # [{name, kind, size, pages?}]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
    # When the stored files were deleted at the end of their retention (JOB_FILE_RETENTION_DAYS
    # after finished_at; app/jobs/runner.expire_files).
    files_deleted_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.status} {self.done}/{self.total}>"
