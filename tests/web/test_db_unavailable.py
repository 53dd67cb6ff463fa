"""A lost database connection (a PostgreSQL restart) is a 503 'try again', never a 500."""
import pytest
from sqlalchemy.exc import OperationalError

from app.results import public


@pytest.mark.parametrize("message, status", [
    ("server closed the connection unexpectedly", 503),
    ("FATAL: the database system is shutting down", 503),
    ("database is locked", 503),
    ("no such table: results", 500),
])
def test_database_errors_map_to_503_only_when_retrying_helps(app, client, monkeypatch, message, status):
    def boom(*_a, **_k):
        raise OperationalError("SELECT 1", {}, Exception(message))
    monkeypatch.setattr(public, "public_competitions", boom)
    monkeypatch.setattr("app.api.results.public_competitions", boom)
    r = client.get("/api/v1/public/competitions")
    assert r.status_code == status
    if status == 503:
        assert r.get_json()["error"]["code"] == "busy"
