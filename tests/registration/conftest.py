"""Registration tests use the root fixtures (the `world` scenario: tests/scenarios.py)."""
from tests.scenarios import person, resident_id  # noqa: F401  (their old home: kept for older imports)
