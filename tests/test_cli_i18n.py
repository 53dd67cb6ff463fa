"""Command-line bootstrap (create-admin, demo) and the completeness of the Chinese catalog."""
import subprocess
import sys
from pathlib import Path

import pytest

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def test_create_admin_with_and_without_password_option(flask_cli):
    flask = flask_cli("cli.db", migrated=True)
    ok = flask("create-admin", "Root", "--password", "Root-pass-2026")
    assert ok.exit_code == 0 and "administrator root created" in ok.stdout
    again = flask("create-admin", "root", "--password", "Root-pass-2026")
    assert again.exit_code != 0 and "exists already" in again.stderr
    weak = flask("create-admin", "second", "--password", "123")
    assert weak.exit_code != 0 and "password" in weak.stderr
    prompted = flask("create-admin", "third", input="Third-pass-2026\nThird-pass-2026\n")
    assert prompted.exit_code == 0, prompted.output
    assert "administrator third created" in prompted.stdout


@pytest.mark.database_free  # the catalog, the same on every database
def test_every_message_has_a_chinese_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([str(Path(sys.executable).parent / "pybabel"), "extract", "-F", "babel.cfg",
                    "-k", "_l", "-k", "N_", "-o", str(pot), ".", "templates/_macros"],
                   cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as fh:
        template = read_po(fh)
    with (ROOT / "app/translations/zh/LC_MESSAGES/messages.po").open("rb") as fh:
        zh = read_po(fh)
    missing = [m.id for m in template if m.id and (zh.get(m.id) is None or not zh.get(m.id).string
                                                   or "fuzzy" in zh.get(m.id).flags)]
    assert not missing, f"untranslated (run `make extract-messages`, then translate): {missing}"


