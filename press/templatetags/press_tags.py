from django import template
from django.utils.dateformat import format as format_date
from django.utils.html import format_html

from press.models import Outcome

register = template.Library()


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
    Outcome.DNF: "Did not finish",
    Outcome.DNS: "Did not start",
    Outcome.DSQ: "Disqualified",
    Outcome.NC: "Not classified",
}


def place(position, language="en"):
    """“3rd place”, “3:e plats”, “3. Platz”: a finishing position in the release's language."""
    return PLACES.get((language or "en")[:2], english_place)(position)


@register.filter
def result_label(result, language="en"):
    """A result as read in a table: a placed position, or DNF/DNS/DSQ/NC spelled out on hover."""
    if result.outcome == Outcome.CLASSIFIED:
        return place(result.position, language)
    return format_html(
        '<abbr title="{}">{}</abbr>', OUTCOME_NAMES[result.outcome], result.outcome.upper()
    )


@register.filter
def date_range(event):
    """“13–15 May 2022”, “30 May–1 June 2022”, “13 May 2022”: an event's days, compactly."""
    start, end = event.starts_on, event.ends_on
    if start == end:
        return format_date(start, "j F Y")
    if (start.year, start.month) == (end.year, end.month):
        return f"{format_date(start, 'j')}–{format_date(end, 'j F Y')}"
    if start.year == end.year:
        return f"{format_date(start, 'j F')}–{format_date(end, 'j F Y')}"
    return f"{format_date(start, 'j F Y')}–{format_date(end, 'j F Y')}"
