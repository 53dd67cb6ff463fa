"""Public reads from a replica (app/replica.py): with DATABASE_REPLICA_URL set, the results lookup
reads there (here a separate, empty database stands in for a replica that has not caught up), and
/readyz checks it; without it, the primary answers."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.registration.models import Registration
from tests import testdb
from tests.conftest import new_client


def test_the_lookup_reads_the_replica_when_one_is_set(final, app, monkeypatch, tmp_path, migrated_sqlite):
    reg = db.session.scalars(select(Registration).order_by(Registration.id)).all()[1]
    ask = {"name": reg.person.name, "id_number": reg.person.id_number}
    client = new_client(app)
    r = client.post("/api/v1/public/lookup", json=ask)
    assert r.status_code == 200 and r.get_json()["results"], r.get_json()
    replica = tmp_path / "replica.db"
    testdb.copy_sqlite(migrated_sqlite, replica)          # the schema, none of the rows yet
    monkeypatch.setitem(app.config, "DATABASE_REPLICA_URL", f"sqlite:///{replica}")
    assert new_client(app).post("/api/v1/public/lookup", json=ask).status_code == 404
    ready = new_client(app).get("/readyz").get_json()
    assert ready["checks"]["database_replica"] == "ok" and ready["status"] == "ready"


def test_a_replica_that_does_not_answer_is_named_by_readiness(app, monkeypatch):
    monkeypatch.setitem(app.config, "DATABASE_REPLICA_URL", "postgresql://nobody@127.0.0.1:1/none")
    r = new_client(app).get("/readyz")
    assert r.status_code == 503 and r.get_json()["down"] == ["database_replica"]
