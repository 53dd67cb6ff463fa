"""Every message the code can show has a Chinese translation in the catalog the application
actually loads (issue 23): the msgids are extracted from the code and templates as `make
extract-messages` does, and looked up in the compiled catalog (messages.mo, as Flask-Babel reads
it; compiled from messages.po into a temporary file when it has not been built). A message
missing there is shown in English to a Chinese reader, whatever the .po file says; a translation
whose %(placeholders)s differ from the source's would raise or drop a value at run time.

When this fails after adding messages: `make extract-messages`, translate the new entries in
app/translations/zh/LC_MESSAGES/messages.po (helpers: a TSV for scripts/po_fill.py), then
`make translations`."""
from __future__ import annotations

import gettext
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

pytestmark = pytest.mark.database_free  # the catalogs, the same on every database

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "app/translations/zh/LC_MESSAGES/messages.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdif]")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run([str(Path(sys.executable).parent / "pybabel"), "extract", "-F", "babel.cfg",
                    "-k", "_l", "-k", "N_", "-o", str(pot), ".", "templates/_macros"],
                   cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as fh:
        return [m for m in read_po(fh) if m.id]


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    """The compiled zh catalog: the built messages.mo when it is at least as new as the .po,
    else one compiled now from the .po (fuzzy entries left out, as pybabel compile does)."""
    path = MO
    if not MO.exists() or MO.stat().st_mtime < PO.stat().st_mtime:
        with PO.open("rb") as fh:
            catalog = read_po(fh)
        path = tmp_path_factory.mktemp("mo") / "messages.mo"
        with path.open("wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)
    with path.open("rb") as fh:
        return gettext.GNUTranslations(fh)


def _key(message) -> str:
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    return f"{message.context}\x04{msgid}" if message.context else msgid


def test_every_extracted_message_is_in_the_compiled_chinese_catalog(extracted, compiled):
    table = compiled._catalog
    missing = []
    for m in extracted:
        key = _key(m)
        found = table.get(key) if not isinstance(m.id, tuple) else table.get((key, 0))
        if not found:
            missing.append(m.id if not isinstance(m.id, tuple) else m.id[0])
    assert not missing, (f"{len(missing)} messages have no Chinese translation in the compiled catalog "
                         f"(make extract-messages; translate; make translations): {missing[:40]}")


def test_translations_keep_the_placeholders_of_their_source(extracted, compiled):
    table = compiled._catalog
    broken = []
    for m in extracted:
        if isinstance(m.id, tuple):
            continue
        translated = table.get(_key(m))
        if translated and sorted(PLACEHOLDER.findall(m.id)) != sorted(PLACEHOLDER.findall(translated)):
            broken.append(f"{m.id!r} → {translated!r}")
    assert not broken, "\n".join(broken[:40])


def test_the_check_sees_a_missing_translation(tmp_path):
    """The check itself: a catalog without one message is caught."""
    with PO.open("rb") as fh:
        catalog = read_po(fh)
    victim = next(m for m in catalog if m.id and m.string and not isinstance(m.id, tuple))
    catalog.delete(victim.id, context=victim.context)
    path = tmp_path / "messages.mo"
    with path.open("wb") as fh:
        write_mo(fh, catalog, use_fuzzy=False)
    with path.open("rb") as fh:
        table = gettext.GNUTranslations(fh)._catalog
    assert _key(victim) not in table
