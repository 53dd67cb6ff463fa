"""Pure-rule tests need no application or database."""
import pytest


@pytest.fixture(autouse=True)
def db():
    """Overrides the database fixture: domain rules run without Flask or SQLAlchemy."""
    yield None
