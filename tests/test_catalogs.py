"""The translation catalogs: complete for every language the site offers, compiled in step.

The .po files are what translators edit; the .mo files beside them are what
Django reads, committed so that a fresh install needs no gettext tools. CI
also regenerates the .po files from the code and templates and fails when
they differ (.ci/run), so no marked string is left out of a catalog.
"""

import gettext
import re

import polib
import pytest
from django.conf import settings

LOCALE = settings.BASE_DIR / "locale"
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != "en"]

# %(name)s in Python strings and blocktranslate, %s and %d in older ones.
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")


def catalog(language):
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


def msgstrs(entry):
    return [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())


def placeholders(text):
    return sorted(PLACEHOLDER.findall(text))


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_offered_language_has_a_complete_catalog(language):
    entries = catalog(language)

    assert len(entries) > 300  # the whole site, not a start
    assert [entry.msgid for entry in entries if "fuzzy" in entry.flags] == []
    assert [entry.msgid for entry in entries if not all(msgstrs(entry))] == []
    assert [entry.msgid for entry in entries.obsolete_entries()] == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_every_placeholder(language):
    wrong = [
        (entry.msgid, text)
        for entry in catalog(language)
        for text in msgstrs(entry)
        if placeholders(text) != placeholders(entry.msgid_plural or entry.msgid)
        # A singular may say "one" instead of %(counter)s.
        and not (entry.msgid_plural and placeholders(text) == placeholders(entry.msgid))
        and not (entry.msgid_plural and not placeholders(text))
    ]
    assert wrong == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalog_says_what_the_po_file_says(language):
    with open(LOCALE / language / "LC_MESSAGES" / "django.mo", "rb") as file:
        compiled = gettext.GNUTranslations(file)

    stale = []
    for entry in catalog(language):
        if entry.msgid_plural:
            for n, text in entry.msgstr_plural.items():
                count = 1 if n == 0 else 2  # English, Swedish, German: two forms
                args = (entry.msgid, entry.msgid_plural, count)
                got = (
                    compiled.npgettext(entry.msgctxt, *args)
                    if entry.msgctxt
                    else compiled.ngettext(*args)
                )
                if got != text:
                    stale.append(entry.msgid)
        elif entry.msgctxt:
            if compiled.pgettext(entry.msgctxt, entry.msgid) != entry.msgstr:
                stale.append(entry.msgid)
        elif compiled.gettext(entry.msgid) != entry.msgstr:
            stale.append(entry.msgid)
    assert stale == [], "the .mo file is older than the .po file: manage.py compilemessages"


def test_the_settings_offer_only_languages_with_a_catalog():
    shipped = {path.parent.parent.name for path in LOCALE.glob("*/LC_MESSAGES/django.po")}
    assert set(TRANSLATED) == shipped
