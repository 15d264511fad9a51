"""What a release shows, and to whom: the parts every channel takes a release from.

The page, its text and Markdown versions and the alert e-mail read a release's
hero, quotes, results, photo sets, documents and contacts from here, so what
an audience may see is decided once. Editors see everything; pass holders
what will go public with the release; the public only what is public now.
"""

from media.models import PhotoSet, attach_covers
from newsroom.ground.models import Person

PUBLIC, EDITORS, PASS_HOLDER = "public", "editors", "pass holder"


def release_parts(release, audience):
    """What a release shows to this audience: photos, documents, quotes, results, contacts."""
    photo_sets = PhotoSet.objects.filter(releases=release).with_cover()
    documents = release.documents.all()
    hero = release.hero_photo
    if audience == PUBLIC:
        photo_sets, documents, hero = (
            photo_sets.public(),
            documents.public(),
            release.public_hero(),
        )
    elif audience == PASS_HOLDER:
        # What will go public with the release; private material stays private.
        photo_sets = photo_sets.for_pass_holders()
        documents = documents.for_pass_holders()
        hero = hero if hero and hero.is_for_pass_holders() else None
    contacts = list(release.contacts.all()) or list(
        Person.objects.press_contacts().filter(newsroom=release.newsroom)
    )
    return {
        "hero": hero,
        "quotes": release.quotes.select_related("speaker"),
        "results": release.results.select_related("event"),
        "photo_sets": attach_covers(photo_sets),
        "documents": documents,
        "contacts": contacts,
    }
