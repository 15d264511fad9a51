"""What the site knows about each language it offers, beyond its name."""

from django.utils.translation import get_language_info

# Open Graph wants a locale (language_TERRITORY): each language where it is most at home.
OPEN_GRAPH_LOCALES = {"en": "en_GB", "sv": "sv_SE", "de": "de_DE", "fi": "fi_FI", "fr": "fr_FR"}


def open_graph_locale(code):
    return OPEN_GRAPH_LOCALES.get(code, code)


def own_name(code):
    """The language's name in itself ("Svenska", "Deutsch"), as a language switcher shows it."""
    name = get_language_info(code)["name_local"]
    return name[:1].upper() + name[1:]
