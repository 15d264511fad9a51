"""Template filters every app's pages share."""

from django import template
from django.utils import timezone

from newsroom.ground import languages
from newsroom.ground.http import absolute_url

register = template.Library()


@register.filter
def machine_time(value):
    """A date and time as `<time datetime>` takes it: "2022-05-15T21:30:00+02:00".

    In the page's time zone and to the second: HTML allows at most three digits
    of a second, and Django's "c" format writes all six the database keeps.
    """
    if not value:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


@register.filter
def absolute(path):
    """A path as a full address on this site: canonical links, whatever Host was sent."""
    return absolute_url(path)


register.filter("open_graph_locale", languages.open_graph_locale)
register.filter("own_name", languages.own_name)


@register.simple_tag(takes_context=True)
def page_in_languages(context):
    """This page in each language its newsroom publishes in, as [(language, path)]:
    none for a newsroom with one language. (A release's page links its versions instead.)"""
    request, newsroom = context.get("request"), context.get("newsroom")
    match = getattr(request, "resolver_match", None)
    if newsroom is None or match is None or not match.view_name:
        return []
    codes = newsroom.languages
    if len(codes) < 2:
        return []
    query = request.GET.urlencode()
    suffix = f"?{query}" if query else ""
    return [
        (code, languages.reverse_in(code, match.view_name, **match.kwargs) + suffix)
        for code in codes
    ]
