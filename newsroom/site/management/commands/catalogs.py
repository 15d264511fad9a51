"""Bring the translation catalogs in step with the code and templates, or check that they are.

    manage.py catalogs           # new messages into every .po file, then compile the .mo files
    manage.py catalogs --check   # fail if a message is missing, untranslated or left over

Collecting messages needs GNU gettext (`apt install gettext`); compiling does
not: the .mo files are written here in Python, and they are committed, so a
fresh install has working translations without any gettext tool.
"""

import os
import shutil
import tempfile
from pathlib import Path

import polib
from django.conf import settings
from django.core.management import BaseCommand, CommandError, call_command

LOCALE = Path(settings.LOCALE_PATHS[0])
# Not part of the site: the virtualenv, tests, benchmarks, anything installed by npm.
IGNORED = [".venv", ".venv/*", "tests/*", "bench/*", "node_modules/*", "build/*"]


def translated_languages():
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def catalog_path(language):
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def collect(languages):
    """Every marked message into the .po files: translations kept, gone ones made obsolete."""
    LOCALE.mkdir(exist_ok=True)
    os.chdir(settings.BASE_DIR)  # makemessages reads the tree it is started in
    call_command(
        "makemessages",
        locale=languages,
        ignore_patterns=IGNORED,
        extensions=["html", "txt", "md", "svg", "py"],  # templates of every kind, and code
        add_location="file",  # file names, no line numbers: a moved line changes no catalog
        verbosity=0,
    )


def problems(catalog):
    """What keeps a catalog from being complete, one line each."""
    found = [f"not translated: {entry.msgid!r}" for entry in catalog.untranslated_entries()]
    found += [f"fuzzy: {entry.msgid!r}" for entry in catalog.fuzzy_entries()]
    found += [f"no longer used: {entry.msgid!r}" for entry in catalog.obsolete_entries()]
    return found


def compile_catalog(language):
    catalog = polib.pofile(str(catalog_path(language)))
    catalog.save_as_mofile(str(catalog_path(language).with_suffix(".mo")))


class Command(BaseCommand):
    help = "Collect new messages into the translation catalogs and compile them (or --check)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Change nothing; fail if a catalog lacks a message or has one left over.",
        )

    def handle(self, *args, check=False, **options):
        languages = translated_languages()
        if not check:
            collect(languages)
            for language in languages:
                compile_catalog(language)
                self.stdout.write(f"{language}: {'; '.join(problems_of(language)) or 'complete'}")
            return
        with tempfile.TemporaryDirectory() as kept:
            shutil.copytree(LOCALE, kept, dirs_exist_ok=True)
            try:
                collect(languages)
                found = {language: problems_of(language) for language in languages}
            finally:
                shutil.copytree(kept, LOCALE, dirs_exist_ok=True)
        lines = [f"{language}: {line}" for language, lines in found.items() for line in lines]
        if lines:
            raise CommandError(
                "The catalogs are out of step with the code and templates "
                "(run manage.py catalogs, then translate):\n" + "\n".join(lines)
            )
        self.stdout.write("Every catalog holds every message, translated.")


def problems_of(language):
    return problems(polib.pofile(str(catalog_path(language))))
