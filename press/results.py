"""How a result reads: a finishing place in the release's language, or its outcome.

The page, the alert e-mail, the text and Markdown versions all read results
through `label()`; the page and the e-mail spell an outcome out on hover with
`outcome_name()`.
"""

from django.utils.translation import gettext_lazy as _

from press.models import Outcome


def english_place(n):
    suffix = "th" if n % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix} place"


def swedish_place(n):
    # 1:a, 2:a, 3:e … 11:e, 12:e … 21:a, 22:a
    ending = "a" if n % 10 in (1, 2) and n % 100 not in (11, 12) else "e"
    return f"{n}:{ending} plats"


PLACES = {
    "en": english_place,
    "sv": swedish_place,
    "de": lambda n: f"{n}. Platz",
    "fi": lambda n: f"{n}. sija",
    "fr": lambda n: "1re place" if n == 1 else f"{n}e place",
}

OUTCOME_NAMES = {
    Outcome.DNF: _("Did not finish"),
    Outcome.DNS: _("Did not start"),
    Outcome.DSQ: _("Disqualified"),
    Outcome.NC: _("Not classified"),
}


def place(position, language="en"):
    """“3rd place”, “3:e plats”, “3. Platz”: a finishing position in the release's language."""
    return PLACES.get((language or "en")[:2], english_place)(position)


def is_placed(result):
    return result.outcome == Outcome.CLASSIFIED


def label(result, language="en"):
    """What a result says in a table: its place, or its outcome's letters (DNF, DSQ…)."""
    return place(result.position, language) if is_placed(result) else result.outcome.upper()


def outcome_name(result):
    """An outcome spelled out (“Did not finish”); empty for a placed result."""
    return "" if is_placed(result) else str(OUTCOME_NAMES[result.outcome])
