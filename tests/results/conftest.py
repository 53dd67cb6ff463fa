from tests.judging.conftest import drawn, jworld  # noqa: F401  (shared fixtures)
