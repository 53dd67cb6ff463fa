"""The storage backends of generated files (app/storage): the database (default), an S3-compatible
object store (boto3; here moto's in-process S3) and a local directory behave alike."""
from __future__ import annotations

import pytest

from app import storage
from app.extensions import db


@pytest.fixture(params=["db", "local", "s3"])
def store(request, app, tmp_path, monkeypatch):
    if request.param == "db":
        yield storage.DbStorage(db.engine)
    elif request.param == "local":
        yield storage.LocalStorage(tmp_path / "files")
    else:
        moto = pytest.importorskip("moto")
        import boto3
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")  # nosec: moto's fake credentials
        with moto.mock_aws():
            client = boto3.client("s3", region_name="us-east-1")
            client.create_bucket(Bucket="jx-test")
            yield storage.S3Storage("jx-test", "jiangxuan", client=client)


def test_files_are_written_listed_read_streamed_and_replaced(store):
    store.put_many([("jobs/a/pdf/1.pdf", b"%PDF-one"), ("jobs/a/pdf/2.pdf", b"%PDF-two"),
                    ("jobs/a/parts/g1.pdf", b"part")])
    assert store.names("jobs/a/pdf") == {"1.pdf", "2.pdf"}
    assert store.names("jobs/a/parts") == {"g1.pdf"}
    assert store.names("jobs/a") == set()            # only the files directly in a folder
    assert store.names("jobs/none") == set()
    assert store.read("jobs/a/pdf/1.pdf") == b"%PDF-one" and store.size("jobs/a/pdf/2.pdf") == 8
    assert store.read("jobs/a/pdf/3.pdf") is None and store.size("jobs/a/pdf/3.pdf") is None
    assert store.stream("jobs/a/pdf/3.pdf") is None
    store.put("jobs/a/pdf/1.pdf", b"%PDF-new")
    assert store.read("jobs/a/pdf/1.pdf") == b"%PDF-new"
    assert list(store.iter_files("jobs/a/pdf", ["2.pdf", "1.pdf"])) == [("2.pdf", b"%PDF-two"), ("1.pdf", b"%PDF-new")]
    with pytest.raises(storage.StorageError):
        list(store.iter_files("jobs/a/pdf", ["1.pdf", "9.pdf"]))
    store.delete_folder("jobs/a")
    assert store.names("jobs/a/pdf") == set() and store.read("jobs/a/parts/g1.pdf") is None
    store.check()


def test_the_database_reads_many_files_a_few_megabytes_at_a_time(app, monkeypatch):
    """iter_files (the zip of a batch's signed PDFs) fetches files together up to ITER_BATCH_BYTES,
    not a fixed count: 200 signed PDFs a query held ~100 MB at once in an RQ work horse."""
    from sqlalchemy import event

    store = storage.DbStorage(db.engine)
    files = [(f"{n:03d}.pdf", bytes([n]) * (1000 + n)) for n in range(12)]
    store.put_many([(f"jobs/b/pdf/{name}", data) for name, data in files])
    monkeypatch.setattr(storage, "ITER_BATCH_BYTES", 3500)  # three files of ~1 KB a query
    reads = []

    def count(conn, cursor, statement, *args):
        if "stored_file_chunks" in statement and statement.lstrip().upper().startswith("SELECT"):
            reads.append(statement)
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        wanted = [name for name, _data in reversed(files)]
        got = list(store.iter_files("jobs/b/pdf", wanted))
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert got == list(reversed(files))  # every file whole, in the order asked
    assert len(reads) == 4
    with pytest.raises(storage.StorageError):
        list(store.iter_files("jobs/b/pdf", ["000.pdf", "999.pdf"]))


def test_two_writers_of_one_file_in_the_database_follow_each_other(app):
    """A job run twice at once (a resume while a run still works) writes the same files from two
    transactions: the second waits for the first and replaces its file; neither fails on the file's
    primary key (PostgreSQL refused the second before)."""
    import threading
    import time

    store = storage.DbStorage(db.engine)
    key = "jobs/twice/pdf/XZ2026-002-00001.pdf"
    errors: list[BaseException] = []
    first = db.engine.connect()
    tx = first.begin()
    store._write(first, key, b"%PDF-first" * 70_000)   # not committed yet: over one chunk

    def second():
        try:
            store.put(key, b"%PDF-second")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
    thread = threading.Thread(target=second)
    thread.start()
    time.sleep(0.5)          # the second writer is waiting for the first
    tx.commit()
    first.close()
    thread.join(30)
    assert not thread.is_alive() and not errors, errors
    assert store.read(key) == b"%PDF-second" and store.names("jobs/twice/pdf") == {"XZ2026-002-00001.pdf"}


def test_a_large_file_is_stored_from_disk_and_streamed_in_pieces(store, tmp_path, monkeypatch):
    monkeypatch.setattr(storage, "CHUNK_BYTES", 1000)   # the database keeps it in 1,000-byte chunks
    monkeypatch.setattr(storage, "READ_BYTES", 300)
    data = bytes(range(256)) * 20                      # 5,120 bytes
    path = tmp_path / "big.zip"
    path.write_bytes(data)
    store.put_file("jobs/b/big.zip", path)
    assert store.size("jobs/b/big.zip") == len(data)
    pieces = list(store.stream("jobs/b/big.zip"))
    assert b"".join(pieces) == data and len(pieces) > 1
    store.put("jobs/b/empty.pdf", b"")
    assert store.read("jobs/b/empty.pdf") == b"" and store.size("jobs/b/empty.pdf") == 0


@pytest.mark.parametrize("key", ["../etc/passwd", "jobs/../x", "jobs//x", "/abs", "jobs/a b", "name", "jobs/x/",
                                 "jobs/\u00e9/x"])
def test_keys_are_plain_paths_only(key):
    with pytest.raises(ValueError):
        storage.split(key)


def test_the_backend_follows_the_configuration(app, monkeypatch, tmp_path):
    assert isinstance(storage.current(), storage.DbStorage)       # the default
    monkeypatch.setitem(app.config, "STORAGE", "local")
    monkeypatch.setitem(app.config, "STORAGE_DIR", str(tmp_path))
    assert isinstance(storage.current(), storage.LocalStorage) and storage.current().root == tmp_path
    monkeypatch.setitem(app.config, "STORAGE", "s3")
    monkeypatch.setitem(app.config, "STORAGE_S3_BUCKET", None)
    with pytest.raises(storage.StorageError, match="STORAGE_S3_BUCKET"):
        storage.current()
    monkeypatch.setitem(app.config, "STORAGE", "ftp")
    with pytest.raises(storage.StorageError, match="db, s3, local"):
        storage.current()


@pytest.mark.parametrize("backend", ["s3", "local"])
def test_a_certificate_batch_runs_on_another_backend(backend, final, api_as, app, monkeypatch, tmp_path):
    """The batch job end to end with its files in an S3 bucket (moto) or a directory."""
    import io
    import zipfile

    from app.jobs import runner
    monkeypatch.setitem(app.config, "STORAGE", backend)
    monkeypatch.setitem(app.config, "STORAGE_DIR", str(tmp_path / "jobs"))
    monkeypatch.setitem(app.config, "STORAGE_S3_BUCKET", "jx-batch")
    monkeypatch.setitem(app.config, "STORAGE_S3_REGION", "us-east-1")
    mock = None
    if backend == "s3":
        moto = pytest.importorskip("moto")
        import boto3
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")  # nosec: moto's fake credentials
        mock = moto.mock_aws()
        mock.start()
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="jx-batch")
    try:
        org = api_as(final["organizer"])
        job_id = org.post(f"/competitions/{final['comp'].id}/certificates").get_json()["job_id"]
        runner.wait(job_id)
        body = org.get(f"/jobs/{job_id}").get_json()
        assert body["status"] == "done" and body["done"] == 4, body
        z = org.get(body["download_url"].removeprefix("/api/v1"))
        assert z.status_code == 200 and int(z.headers["Content-Length"]) == len(z.data)
        with zipfile.ZipFile(io.BytesIO(z.data)) as zf:
            assert len(zf.namelist()) == 4
        assert len(storage.current().names(runner.job_folder(job_id, "pdf"))) == 4
        if backend == "local":
            assert (tmp_path / "jobs" / "jobs" / job_id / "pdf").is_dir()
        assert isinstance(storage.current(), storage.S3Storage if backend == "s3" else storage.LocalStorage)
    finally:
        if mock is not None:
            mock.stop()
