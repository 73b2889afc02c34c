"""The message catalogs: up to date with the code, complete in every shipped language, same placeholders."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from participation.config import DEFAULT_LANGUAGES
from participation.i18n.languages import to_babel

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = ROOT / "translations"
SHIPPED = [to_babel(code) for code in DEFAULT_LANGUAGES.split()]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _ids(path: Path) -> set[str]:
    with path.open("rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[str]:
    """Extract the messages from the code right now, as `make translations` does."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from babel.messages.frontend import main; main()",
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
    )
    return _ids(pot)


def test_template_is_up_to_date_with_the_code(extracted):
    assert _ids(CATALOGS / "messages.pot") == extracted, "run `make translations`"


@pytest.mark.parametrize("locale", SHIPPED)
def test_catalog_has_every_message_translated_and_nothing_fuzzy(locale, extracted):
    path = CATALOGS / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    assert ids == extracted, f"{locale}: run `make translations` and translate the new messages"
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert not message.fuzzy, (locale, message.id)
        assert all(s.strip() for s in strings), (locale, message.id)
        assert len(strings) == (catalog.num_plurals if message.pluralizable else 1), (locale, message.id)


@pytest.mark.parametrize("locale", SHIPPED)
def test_placeholders_match_the_source(locale):
    with (CATALOGS / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        allowed = set().union(*(PLACEHOLDER.findall(i) for i in ids))
        needed = set(PLACEHOLDER.findall(ids[-1])) - {"num"}  # a plural form may spell the number out
        for string in strings:
            used = set(PLACEHOLDER.findall(string))
            assert used <= allowed and needed <= used, (locale, message.id, string)


def test_status_file_lists_every_shipped_language():
    status = (CATALOGS / "STATUS.md").read_text()
    for code in DEFAULT_LANGUAGES.split():
        assert f"| {code} |" in status, code
