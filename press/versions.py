"""Language versions of a release: an original and its translations, told as one story.

A translation has its own language, address, text, quotes (the same people
speaking), hero caption and place in the workflow; the story's photos,
documents, events, results, contacts and tags are the original's. It goes
public with its original or later, never before (see `PressRelease.clean`).
"""

from django.conf import settings
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from press import history, search
from press.models import PressRelease, Quote, Status


def languages_to_add(original):
    """The newsroom's languages the story has no version in yet, as (code, name) choices."""
    taken = {original.language, *original.translations.values_list("language", flat=True)}
    names = dict(settings.LANGUAGES)
    return [(code, names[code]) for code in original.newsroom.languages if code not in taken]


def in_language(releases, language, *shown):
    """A list's stories as readers of `language` see them: each original replaced by its
    live version in that language where there is one, in one query for the whole list.

    Lists page, count and filter originals (the story: its tags, its time), then
    show each in the reader's language; a version shown in another language than
    the page's says so on its card. `shown` names wide columns the list reads.
    """
    releases = list(releases)
    by_pk = {release.pk: release for release in releases if release.language != language}
    if not by_pk:
        return releases
    versions = (
        PressRelease.objects.live()
        .filter(original__in=by_pk, language=language)
        .listed(*shown)
        .select_related("newsroom")
    )
    found = {}
    for version in versions:
        version.original = by_pk[version.original_id]  # the story's hero, without a query
        found[version.original_id] = version
    return [found.get(release.pk, release) for release in releases]


def free_slug(newsroom, wanted):
    taken = set(
        PressRelease.objects.filter(newsroom=newsroom, slug__startswith=wanted[:190]).values_list(
            "slug", flat=True
        )
    )
    slug, number = wanted[:200], 2
    while slug in taken:
        slug = f"{wanted[:190]}-{number}"
        number += 1
    return slug


@transaction.atomic
def translate(original, language, author=None):
    """A draft translation of `original` in `language`, prefilled with its text and quotes."""
    translation = PressRelease(
        original=original,
        newsroom=original.newsroom,
        kind=original.kind,
        language=language,
        title=original.title,
        slug=free_slug(original.newsroom, slugify(f"{original.slug}-{language}")),
        lead=original.lead,
        body=original.body,
        hero_caption=original.hero_caption,
        status=Status.DRAFT,
        author=author,
    )
    translation.full_clean()
    translation.save()
    Quote.objects.bulk_create(
        Quote(release=translation, speaker_id=quote.speaker_id, text=quote.text, position=n)
        for n, quote in enumerate(original.quotes.all())
    )
    search.refresh_later(translation.pk)  # bulk_create sends no signals
    language_name = dict(settings.LANGUAGES)[language]
    note = _("Made from the original to translate into %(language)s.") % {
        "language": language_name
    }
    history.record(translation, author, note=note)
    return translation
