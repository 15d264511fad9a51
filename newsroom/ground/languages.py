"""What the site knows about each language it offers, beyond its name."""

import re
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.urls import URLResolver, reverse
from django.utils import translation
from django.utils.translation import get_language_info

# Open Graph wants a locale (language_TERRITORY): each language where it is most at home.
OPEN_GRAPH_LOCALES = {"en": "en_GB", "sv": "sv_SE", "de": "de_DE", "fi": "fi_FI", "fr": "fr_FR"}


def open_graph_locale(code):
    return OPEN_GRAPH_LOCALES.get(code, code)


def own_name(code):
    """The language's name in itself ("Svenska", "Deutsch"), as a language switcher shows it."""
    name = get_language_info(code)["name_local"]
    return name[:1].upper() + name[1:]


# The language is the first part of every public page's address ------------------
#
# "/sv/team/releases/…" is Swedish whoever asks, so the page cache, a CDN and a
# feed reader can never hand out a page in another language than its address
# says. Files, the admin, the API and sitemaps have no language in their address.


class LanguagePrefix:
    """A URL pattern that matches the active language's code and a slash.

    Like Django's `i18n_patterns`, but usable inside an app's own URL conf, so
    that an app's pages and its files keep one namespace. The resolver keeps
    one reverse table per active language; `speak_the_address_language`
    activates the language the address starts with before anything resolves it.
    """

    converters = {}

    @property
    def prefix(self):
        return f"{translation.get_language()}/"

    @property
    def regex(self):
        return re.compile(re.escape(self.prefix))

    def match(self, path):
        if path.startswith(self.prefix):
            return path.removeprefix(self.prefix), (), {}
        return None

    def check(self):
        return []

    def describe(self):
        return f"'{self}'"

    def __str__(self):
        return "<language>/"


def in_every_language(patterns):
    """The pages in `patterns`, at an address that starts with the language they speak."""
    return URLResolver(LanguagePrefix(), list(patterns))


def address_language(path):
    """The offered language an address starts with ("/sv/…" → "sv"), or None."""
    first = path.lstrip("/").partition("/")[0]
    return first if first in dict(settings.LANGUAGES) else None


# The language of the page being made, when its address names one (None for the
# API, feeds without a language, sitemaps, e-mails and the admin).
page_language = ContextVar("page_language", default=None)


@contextmanager
def speaking(language):
    """Text and links in `language` outside a page of it: an e-mail, a task, a test."""
    token = page_language.set(language)
    try:
        with translation.override(language):
            yield
    finally:
        page_language.reset(token)


def speak_the_address_language(get_response):
    """Activate the language the address names, or the site's own for addresses without one."""

    def middleware(request):
        language = address_language(request.path_info)
        # For this request only: whatever runs next in the thread (a task, a test) keeps
        # the language it had.
        previous = translation.get_language()
        translation.activate(language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
        token = page_language.set(language)
        try:
            response = get_response(request)
        finally:
            page_language.reset(token)
            if previous:
                translation.activate(previous)
            else:
                translation.deactivate()
        if language:
            response.headers.setdefault("Content-Language", language)
        return response

    return middleware


def reverse_in(language, viewname, /, **kwargs):
    with translation.override(language):
        return reverse(viewname, kwargs=kwargs)


def newsroom_url(newsroom, viewname, /, **kwargs):
    """The address of one of a newsroom's pages: in the language of the page that links
    to it, or, from where no page speaks (feeds, the API, sitemaps, e-mails), in the
    newsroom's first language."""
    return reverse_in(page_language.get() or newsroom.language, viewname, **kwargs)
