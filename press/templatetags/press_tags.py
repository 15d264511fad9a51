from django import template
from django.template.defaultfilters import stringfilter
from django.utils.html import format_html

from press import results, text

register = template.Library()


@register.filter
def result_label(result, language=None):
    """A result as a table reads it: a placed position, or DNF/DNS/DSQ/NC spelled out on hover.

    A release's parts give each result its `label` in the release's language;
    an event's results, from several releases, are read in the `language` given.
    """
    if language is None:
        label, outcome = result.label, result.outcome_name
    else:
        label, outcome = results.label(result, language), results.outcome_name(result)
    if not outcome:
        return label
    return format_html('<abbr title="{}">{}</abbr>', outcome, label)


# The text and Markdown versions (press/release.txt and .md) ---------------------

register.filter("wrap", stringfilter(text.wrap))
register.filter("heading", stringfilter(text.heading))
register.filter("body_text", text.body_text)
register.filter("newsroom_time", text.newsroom_time)
register.filter("contact_line", text.contact_line)
register.filter("markdown_text", stringfilter(text.markdown_text))
register.filter("markdown_url", stringfilter(text.markdown_url))
register.filter("markdown_cell", stringfilter(text.markdown_cell))
register.filter("markdown_paragraph", stringfilter(text.markdown_paragraph))
register.filter("markdown_quote", stringfilter(text.markdown_quote))


@register.filter
def body_markdown(body):
    return text.body_text(body, markdown=True)
