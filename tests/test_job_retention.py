"""Job files retention (JOB_FILE_RETENTION_DAYS, default 30): a finished job's stored files are
deleted from the configured backend once their time is up — by `flask jobs cleanup` and at the end
of every job run — and its page, its JSON and its download say so; younger jobs keep theirs."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app import storage, uow
from app.audit.models import AuditEvent
from app.extensions import db
from app.jobs import runner
from app.jobs.models import Job


@pytest.fixture(params=["db", "local", "s3"])
def backend(request, app, monkeypatch, tmp_path):
    """The storage backend of the job files, as configured (moto's in-process S3 for s3)."""
    monkeypatch.setitem(app.config, "STORAGE", request.param)
    monkeypatch.setitem(app.config, "STORAGE_DIR", str(tmp_path / "jobs"))
    monkeypatch.setitem(app.config, "STORAGE_S3_BUCKET", "jx-retention")
    monkeypatch.setitem(app.config, "STORAGE_S3_REGION", "us-east-1")
    if request.param != "s3":
        yield request.param
        return
    moto = pytest.importorskip("moto")
    import boto3
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")  # nosec: moto's fake credentials
    with moto.mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="jx-retention")
        yield request.param


def _batch(org, final) -> str:
    job_id = org.post(f"/competitions/{final['comp'].id}/certificates").get_json()["job_id"]
    runner.wait(job_id)
    return job_id


def test_expired_files_are_deleted_and_the_job_says_so(backend, final, api_as, app, login):
    org = api_as(final["organizer"])
    old_id, young_id = _batch(org, final), _batch(org, final)
    body = org.get(f"/jobs/{old_id}").get_json()
    assert body["status"] == "done" and body["files_expired"] is False and body["download_url"]
    job = db.session.get(Job, old_id)
    assert runner.files_expire_at(job) == job.finished_at + timedelta(days=30)
    assert body["files_expire_at"]
    page = login(final["organizer"]).get(f"/manage/competitions/{final['comp'].id}/certificates").get_data(as_text=True)
    assert page.count("data-files-expire") == 2 and "data-files-expired" not in page

    job.finished_at -= timedelta(days=31)                 # finished 31 days ago: its time is up
    uow.commit()
    result = app.test_cli_runner().invoke(args=["jobs", "cleanup"])
    assert result.exit_code == 0 and "deleted the files of 1 jobs" in result.output, result.output
    db.session.expire_all()
    store = storage.current()
    assert store.names(runner.job_folder(old_id, "pdf")) == set() and store.names(runner.job_folder(old_id)) == set()
    assert len(store.names(runner.job_folder(young_id, "pdf"))) == 4          # the young job keeps its files
    assert db.session.get(Job, old_id).files_deleted_at is not None
    assert db.session.get(Job, young_id).files_deleted_at is None

    body = org.get(f"/jobs/{old_id}").get_json()
    assert body["files_expired"] is True and "download_url" not in body and all(f["url"] is None for f in body["files"])
    zip_name = next(f["name"] for f in body["files"] if f.get("kind") == "zip")
    # The job's own files are gone (410, saying why); a name it never made stays unknown (404).
    gone = org.get(f"/jobs/{old_id}/files/{zip_name}")
    assert gone.status_code == 410 and gone.get_json()["error"]["code"] == "gone"
    assert "保留期" in gone.get_json()["error"]["message"], gone.get_json()
    page = login(final["organizer"]).get(f"/manage/jobs/{old_id}/files/{zip_name}")
    assert page.status_code == 410 and "保留期" in page.get_data(as_text=True)
    assert org.get(f"/jobs/{old_id}/files/other.zip").status_code == 404
    assert org.get(f"/jobs/{young_id}/files/{zip_name}").status_code == 404   # another job's name
    r = org.post(f"/jobs/{old_id}/resume")
    assert r.status_code == 409
    page = login(final["organizer"]).get(f"/manage/competitions/{final['comp'].id}/certificates").get_data(as_text=True)
    assert page.count("data-files-expired") == 1 and page.count("data-files-expire>") == 1
    audits = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "job.files_expired")).all()
    assert len(audits) == 1 and audits[0].after["jobs"] == [old_id] and audits[0].after["retention_days"] == 30

    # Nothing more to do: a second cleanup deletes nothing and records nothing.
    assert "deleted the files of 0 jobs" in app.test_cli_runner().invoke(args=["jobs", "cleanup"]).output
    assert db.session.scalar(select(db.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "job.files_expired")) == 1


def test_every_job_run_ends_by_deleting_what_expired_with_the_configured_retention(final, api_as, app, monkeypatch):
    org = api_as(final["organizer"])
    first = _batch(org, final)
    job = db.session.get(Job, first)
    job.finished_at -= timedelta(days=8)
    uow.commit()
    monkeypatch.setitem(app.config, "JOB_FILE_RETENTION_DAYS", 7)
    second = _batch(org, final)                           # its run ends with the cleanup
    db.session.expire_all()
    assert db.session.get(Job, first).files_deleted_at is not None
    assert storage.current().names(runner.job_folder(first, "pdf")) == set()
    assert db.session.get(Job, second).files_deleted_at is None
    assert len(storage.current().names(runner.job_folder(second, "pdf"))) == 4
    assert runner.files_expire_at(db.session.get(Job, second)) == db.session.get(Job, second).finished_at + timedelta(days=7)
