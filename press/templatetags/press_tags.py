from django import template
from django.utils.dateformat import format as format_date
from django.utils.html import format_html

from press import results

register = template.Library()


@register.filter
def result_label(result, language="en"):
    """A result as read in a table: a placed position, or DNF/DNS/DSQ/NC spelled out on hover."""
    if results.is_placed(result):
        return results.label(result, language)
    return format_html(
        '<abbr title="{}">{}</abbr>', results.outcome_name(result), results.label(result)
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
