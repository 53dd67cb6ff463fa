"""Where generated files live (batch job outputs: digital PDFs, print files, zips), chosen by
configuration so that every application instance and every RQ worker reaches the same files:

- `db` (the default): in the application's database (tables stored_files and stored_file_chunks,
  app/storage/models.py). Nothing to set up; backups hold the files; right for a few machines
  sharing one PostgreSQL.
- `s3`: an S3-compatible object store (AWS S3, MinIO, Ceph, OSS/COS in S3 mode) through boto3:
  STORAGE_S3_BUCKET, STORAGE_S3_ENDPOINT_URL (empty for AWS), STORAGE_S3_REGION, STORAGE_S3_PREFIX;
  credentials as boto3 reads them (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a profile, a role).
- `local`: a directory (STORAGE_DIR, default instance/jobs) — one machine only, or a shared
  volume mounted at the same path everywhere.

Keys are "folder/name" paths of plain segments (letters, digits, _ - .), e.g.
"jobs/<job id>/pdf/XZ2026-001-00001.pdf". Uploads (photos, design images, nomination files,
evidence) are already rows of their own tables; this is for files the application generates.
"""
from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

from flask import current_app

READ_BYTES = 1024 * 1024        # streaming reads
CHUNK_BYTES = 4 * 1024 * 1024   # database chunk size
ITER_BATCH_BYTES = 8 * 1024 * 1024  # files read together by DbStorage.iter_files
_SEGMENT = re.compile(r"[\w\-.]{1,200}", re.ASCII)
BACKENDS = ("db", "s3", "local")


class StorageError(RuntimeError):
    pass


def split(key: str) -> tuple[str, str]:
    """"jobs/x/pdf/a.pdf" → ("jobs/x/pdf", "a.pdf"); refuses anything but plain segments."""
    parts = key.split("/") if isinstance(key, str) else []
    if len(parts) < 2 or any(not _SEGMENT.fullmatch(p) or p in (".", "..") for p in parts):
        raise ValueError(f"bad storage key: {key!r}")
    return "/".join(parts[:-1]), parts[-1]


def check_folder(folder: str) -> str:
    split(folder + "/x")
    return folder


class Storage:
    """What every backend offers. Writes replace a file whole: a reader sees the old file, the new
    one, or (for a new key) nothing — never half a file."""
    name = "?"

    def put_many(self, items: list[tuple[str, bytes]]) -> None:
        """Store several files; the last one is written last (a marker of the others)."""
        raise NotImplementedError

    def put(self, key: str, data: bytes) -> None:
        self.put_many([(key, data)])

    def put_file(self, key: str, path: Path) -> None:
        """Store a local file, read in pieces (a zip of thousands of PDFs)."""
        raise NotImplementedError

    def names(self, folder: str) -> set[str]:
        """The names of the files directly in a folder."""
        raise NotImplementedError

    def size(self, key: str) -> int | None:
        raise NotImplementedError

    def read(self, key: str) -> bytes | None:
        stream = self.stream(key)
        return None if stream is None else b"".join(stream)

    def stream(self, key: str) -> Iterator[bytes] | None:
        """The file in pieces of about READ_BYTES, or None when there is no such file."""
        raise NotImplementedError

    def iter_files(self, folder: str, names: Iterable[str]) -> Iterator[tuple[str, bytes]]:
        """(name, bytes) of each named file of a folder, in the order given (missing: an error)."""
        for name in names:
            data = self.read(f"{folder}/{name}")
            if data is None:
                raise StorageError(f"missing {folder}/{name}")
            yield name, data

    def delete_folder(self, folder: str) -> None:
        """Remove every file under a folder (and its sub-folders)."""
        raise NotImplementedError

    def check(self) -> None:
        """Raise when the storage cannot be reached (readiness)."""


# ---- database ----------------------------------------------------------------------------------

class DbStorage(Storage):
    """Rows of stored_files + stored_file_chunks, written on a connection of their own (each write
    commits at once, whatever the caller's session holds)."""
    name = "db"

    def __init__(self, engine):
        self.engine = engine
        from .models import StoredFile, StoredFileChunk
        self.files, self.chunks = StoredFile.__table__, StoredFileChunk.__table__

    def _take(self, conn, folder: str, name: str, size: int, chunks: int) -> None:
        """Insert or update the file's row. On a file being written by another transaction this
        waits for it (the row's lock), so two writers of one file (a job run twice at once) follow
        each other instead of one failing on the primary key."""
        if conn.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as upsert
        else:
            from sqlalchemy.dialects.sqlite import insert as upsert
        values = {"size": size, "chunks": chunks, "created_at": _now()}
        stmt = upsert(self.files).values(folder=folder, name=name, **values)
        conn.execute(stmt.on_conflict_do_update(index_elements=[self.files.c.folder, self.files.c.name], set_=values))

    def _write(self, conn, key: str, data_or_path) -> None:
        from sqlalchemy import delete, insert
        folder, name = split(key)
        if isinstance(data_or_path, (bytes, bytearray, memoryview)):
            data = bytes(data_or_path)
            pieces = [data[i:i + CHUNK_BYTES] for i in range(0, len(data), CHUNK_BYTES)] or [b""]
            self._take(conn, folder, name, len(data), len(pieces))
            conn.execute(delete(self.chunks).where(self.chunks.c.folder == folder, self.chunks.c.name == name))
            conn.execute(insert(self.chunks), [{"folder": folder, "name": name, "seq": i, "data": p}
                                               for i, p in enumerate(pieces)])
            return
        path = Path(data_or_path)
        size = path.stat().st_size
        count = max(1, -(-size // CHUNK_BYTES))
        self._take(conn, folder, name, size, count)
        conn.execute(delete(self.chunks).where(self.chunks.c.folder == folder, self.chunks.c.name == name))
        with open(path, "rb") as fh:
            for seq in range(count):
                conn.execute(insert(self.chunks).values(folder=folder, name=name, seq=seq, data=fh.read(CHUNK_BYTES)))

    def put_many(self, items):
        with self.engine.begin() as conn:  # one transaction: all of them or none
            for key, data in items:
                self._write(conn, key, data)

    def put_file(self, key, path):
        with self.engine.begin() as conn:
            self._write(conn, key, path)

    def names(self, folder):
        from sqlalchemy import select
        check_folder(folder)
        with self.engine.connect() as conn:
            return set(conn.scalars(select(self.files.c.name).where(self.files.c.folder == folder)))

    def _header(self, key):
        from sqlalchemy import select
        folder, name = split(key)
        with self.engine.connect() as conn:
            return conn.execute(select(self.files.c.size, self.files.c.chunks).where(
                self.files.c.folder == folder, self.files.c.name == name)).first()

    def size(self, key):
        row = self._header(key)
        return None if row is None else row.size

    def stream(self, key):
        row = self._header(key)
        if row is None:
            return None
        folder, name = split(key)
        engine, chunks = self.engine, self.chunks

        def pieces():
            from sqlalchemy import select
            for seq in range(row.chunks):  # one short read per chunk: no transaction held while sending
                with engine.connect() as conn:
                    data = conn.scalar(select(chunks.c.data).where(
                        chunks.c.folder == folder, chunks.c.name == name, chunks.c.seq == seq))
                if data is None:
                    raise StorageError(f"{key}: chunk {seq} missing (replaced while read?)")
                for i in range(0, len(data), READ_BYTES):
                    yield bytes(data[i:i + READ_BYTES])
        return pieces()

    def iter_files(self, folder, names):
        from sqlalchemy import select
        check_folder(folder)
        names = list(names)
        # Files a query, up to ITER_BATCH_BYTES together (a zip of 20,000 signed PDFs of ~250 KB
        # each: 200 of them a query held ~100 MB at once in the driver and in Python).
        sizes: dict[str, int] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(names), 1000):
                sizes.update(conn.execute(select(self.files.c.name, self.files.c.size).where(
                    self.files.c.folder == folder, self.files.c.name.in_(names[start:start + 1000]))).all())
        batches: list[list[str]] = []
        held = 0
        for name in names:
            if name not in sizes:
                raise StorageError(f"missing {folder}/{name}")
            if not batches or held + sizes[name] > ITER_BATCH_BYTES or len(batches[-1]) >= 200:
                batches.append([])
                held = 0
            batches[-1].append(name)
            held += sizes[name]
        for batch in batches:
            found: dict[str, list[bytes]] = {}
            with self.engine.connect() as conn:
                rows = conn.execute(select(self.chunks.c.name, self.chunks.c.data).where(
                    self.chunks.c.folder == folder, self.chunks.c.name.in_(batch)).order_by(
                    self.chunks.c.name, self.chunks.c.seq))
                for name, data in rows:
                    found.setdefault(name, []).append(bytes(data))
                del rows
            for name in batch:
                if name not in found:
                    raise StorageError(f"missing {folder}/{name}")
                yield name, b"".join(found.pop(name))

    def delete_folder(self, folder):
        from sqlalchemy import delete, or_
        check_folder(folder)
        with self.engine.begin() as conn:
            for table in (self.chunks, self.files):
                conn.execute(delete(table).where(or_(table.c.folder == folder,
                                                     table.c.folder.startswith(folder + "/", autoescape=True))))

    def check(self):
        from sqlalchemy import select
        with self.engine.connect() as conn:
            conn.execute(select(self.files.c.name).limit(1))


def _now():
    from ..models_base import utcnow
    return utcnow()


# ---- S3-compatible object store ----------------------------------------------------------------

class S3Storage(Storage):
    name = "s3"

    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None, region: str | None = None,
                 client=None):
        if not bucket:
            raise StorageError("STORAGE=s3 needs STORAGE_S3_BUCKET")
        self.bucket, self.prefix = bucket, prefix.strip("/") + "/" if prefix.strip("/") else ""
        if client is None:
            import boto3
            from botocore.config import Config as BotoConfig
            client = boto3.session.Session().client(
                "s3", endpoint_url=endpoint_url or None, region_name=region or None,
                config=BotoConfig(retries={"max_attempts": 5, "mode": "standard"},
                                  s3={"addressing_style": "path" if endpoint_url else "auto"}))
        self.client = client

    def _key(self, key: str) -> str:
        split(key)
        return self.prefix + key

    def put_many(self, items):
        for key, data in items:  # in order: the last is the marker of the others
            self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=bytes(data))

    def put_file(self, key, path):
        self.client.upload_file(str(path), self.bucket, self._key(key))  # multipart above 8 MB

    def _list(self, prefix: str, delimiter: str | None):
        paginator = self.client.get_paginator("list_objects_v2")
        kwargs = {"Bucket": self.bucket, "Prefix": prefix}
        if delimiter:
            kwargs["Delimiter"] = delimiter
        for page in paginator.paginate(**kwargs):
            yield from page.get("Contents", [])

    def names(self, folder):
        prefix = self.prefix + check_folder(folder) + "/"
        return {obj["Key"][len(prefix):] for obj in self._list(prefix, "/")}

    def _missing(self, exc) -> bool:
        return getattr(exc, "response", {}).get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound")

    def size(self, key):
        from botocore.exceptions import ClientError
        try:
            return self.client.head_object(Bucket=self.bucket, Key=self._key(key))["ContentLength"]
        except ClientError as exc:
            if self._missing(exc):
                return None
            raise

    def stream(self, key):
        from botocore.exceptions import ClientError
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]
        except ClientError as exc:
            if self._missing(exc):
                return None
            raise

        def pieces():
            try:
                yield from body.iter_chunks(READ_BYTES)
            finally:
                body.close()
        return pieces()

    def delete_folder(self, folder):
        prefix = self.prefix + check_folder(folder) + "/"
        keys = [obj["Key"] for obj in self._list(prefix, None)]
        for start in range(0, len(keys), 1000):
            self.client.delete_objects(Bucket=self.bucket, Delete={
                "Objects": [{"Key": k} for k in keys[start:start + 1000]], "Quiet": True})

    def check(self):
        self.client.head_bucket(Bucket=self.bucket)


# ---- local directory ---------------------------------------------------------------------------

class LocalStorage(Storage):
    name = "local"

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        folder, name = split(key)
        return self.root / folder / name

    def _replace(self, target: Path, write) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".part")
        write(tmp)
        os.replace(tmp, target)  # a killed writer never leaves half a file under the final name

    def put_many(self, items):
        for key, data in items:
            self._replace(self._path(key), lambda tmp, data=data: tmp.write_bytes(bytes(data)))

    def put_file(self, key, path):
        self._replace(self._path(key), lambda tmp: shutil.copyfile(path, tmp))

    def names(self, folder):
        directory = self.root / check_folder(folder)
        if not directory.is_dir():
            return set()
        return {p.name for p in directory.iterdir() if p.is_file() and not p.name.endswith(".part")}

    def size(self, key):
        path = self._path(key)
        return path.stat().st_size if path.is_file() else None

    def stream(self, key):
        path = self._path(key)
        if not path.is_file():
            return None
        fh = open(path, "rb")

        def pieces():
            with fh:
                while chunk := fh.read(READ_BYTES):
                    yield chunk
        return pieces()

    def delete_folder(self, folder):
        shutil.rmtree(self.root / check_folder(folder), ignore_errors=True)

    def check(self):
        self.root.mkdir(parents=True, exist_ok=True)
        if not os.access(self.root, os.W_OK):
            raise StorageError(f"{self.root} is not writable")


# ---- choosing one ------------------------------------------------------------------------------

def from_config(config, engine=None) -> Storage:
    kind = (config.get("STORAGE") or "db").lower()
    if kind == "db":
        if engine is None:
            from ..extensions import db
            engine = db.engine
        return DbStorage(engine)
    if kind == "s3":
        return S3Storage(config.get("STORAGE_S3_BUCKET") or "", config.get("STORAGE_S3_PREFIX") or "",
                         config.get("STORAGE_S3_ENDPOINT_URL"), config.get("STORAGE_S3_REGION"))
    if kind == "local":
        return LocalStorage(config.get("STORAGE_DIR"))
    raise StorageError(f"STORAGE must be one of {', '.join(BACKENDS)} (got {kind!r})")


def current() -> Storage:
    """This application's storage (made once per application and process, on first use)."""
    app = current_app._get_current_object()
    cfg = app.config
    # A forked worker makes its own clients; a changed setting (tests) a new storage.
    ident = (os.getpid(), cfg.get("STORAGE"), cfg.get("STORAGE_DIR"), cfg.get("STORAGE_S3_BUCKET"),
             cfg.get("STORAGE_S3_PREFIX"), cfg.get("STORAGE_S3_ENDPOINT_URL"))
    made = app.extensions.get("jx_storage")
    if made is None or made[0] != ident:
        made = app.extensions["jx_storage"] = (ident, from_config(cfg))
    return made[1]
