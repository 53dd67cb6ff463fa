"""Files kept in the database (the `db` storage backend): one row per file, its bytes in chunks of
at most CHUNK_BYTES, so that a zip of 20,000 certificates never has to be one value (PostgreSQL's
bytea stops at 1 GB) and is streamed a chunk at a time."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKeyConstraint, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models_base import utcnow


class StoredFile(db.Model):
    __tablename__ = "stored_files"

    folder: Mapped[str] = mapped_column(String(255), primary_key=True)  # "jobs/<job id>/pdf"
    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    chunks: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StoredFileChunk(db.Model):
    __tablename__ = "stored_file_chunks"
    __table_args__ = (ForeignKeyConstraint(["folder", "name"], ["stored_files.folder", "stored_files.name"],
                                           ondelete="CASCADE"),)

    folder: Mapped[str] = mapped_column(String(255), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
