"""The layering of app/ is a checked contract (.importlinter, read by import-linter): no import
runs up the layers (entry points → faces → areas in order → house tools → pure domain), no circle
between the rooms, the API and the areas' logic import no web view, the domain stays pure."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest
from importlinter.cli import EXIT_STATUS_SUCCESS, lint_imports

pytestmark = pytest.mark.database_free  # the import graph of app/, the same on every database

ROOT = Path(__file__).resolve().parent.parent


def test_the_imports_keep_the_layering_contract(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    # import-linter configures its logging with dictConfig, which disables every logger that
    # exists already (the app's): they are put back as they were for the tests that follow.
    loggers = [lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger)]
    enabled = [lg for lg in loggers if not lg.disabled]
    root_handlers = list(logging.getLogger().handlers)
    try:
        status = lint_imports(config_filename=str(ROOT / ".importlinter"), no_cache=True, no_logo=True)
    finally:
        for lg in enabled:
            lg.disabled = False
        logging.getLogger().handlers[:] = root_handlers
    out = capsys.readouterr().out
    assert status == EXIT_STATUS_SUCCESS, out
    assert "BROKEN" not in out and out.count("KEPT") == 5, out


def test_the_contract_names_every_room_of_app():
    """A new package or module under app/ is placed in the layers (or the check would not see it)."""
    text = (ROOT / ".importlinter").read_text(encoding="utf-8")
    layers = text.split("[importlinter:contract:rooms]", 1)[1].split("[importlinter:contract:", 1)[0]
    rooms = {p.stem if p.is_file() else p.name for p in (ROOT / "app").iterdir()
             if (p.is_file() and p.suffix == ".py" and p.name != "__init__.py")
             or (p.is_dir() and (p / "__init__.py").exists())}
    missing = {r for r in rooms if f"app.{r} " not in layers + " " and f"app.{r})" not in layers
               and f"app.{r}\n" not in layers}
    assert not missing, f"rooms of app/ not placed in .importlinter's layers: {sorted(missing)}"
