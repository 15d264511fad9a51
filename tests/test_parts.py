"""One contract for what a release shows: every channel shows every part it should.

The channels are the page, the text and Markdown versions, the API's ninjs
item, the RSS and Atom items, and the alert e-mail (text and HTML). A release
with every part filled, each with words of its own, is read through each of
them. A part added to `press.parts.PARTS` (a new text in `WORDS` included)
fails here until the matrix says where it shows, and then until it does.
"""

import html
import json
import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from media.models import Document, Visibility
from newsroom.ground.models import License
from press.alerts.delivery import send_release_alerts
from press.alerts.models import Follower
from press.models import Correction, PressRelease
from press.parts import PARTS, PUBLIC, WORDS, release_parts
from tests.factories import (
    body,
    make_event,
    make_person,
    make_photo,
    make_photo_set,
    make_quote,
    make_release,
    make_result,
    make_video,
)

CHANNELS = ["page", "text", "Markdown", "API", "RSS", "Atom", "e-mail text", "e-mail HTML"]
PAGE_AND_TEXTS = {"page", "text", "Markdown", "e-mail text"}
EVERY_COPY = PAGE_AND_TEXTS | {"e-mail HTML"}  # the whole release, to read in full
FEEDS = {"RSS", "Atom"}

# Where each part shows. The feeds carry a summary with the hero; the API the words,
# the hero, the quotes and the tags (results are on its events); the e-mail's HTML
# leaves the photo sets and documents to the page it links to.
SHOWN = {
    "headline": EVERY_COPY | {"API"} | FEEDS,
    "lead": EVERY_COPY | {"API"} | FEEDS,
    "body": EVERY_COPY | {"API"},
    "hero": EVERY_COPY | {"API"} | FEEDS,
    "caption": EVERY_COPY | {"API"} | FEEDS,
    "credit_line": EVERY_COPY | FEEDS,
    "quotes": EVERY_COPY | {"API"},
    "results": EVERY_COPY,
    "embedded_video": PAGE_AND_TEXTS,
    "photo_sets": PAGE_AND_TEXTS,
    "videos": PAGE_AND_TEXTS | {"API"} | FEEDS,
    "documents": PAGE_AND_TEXTS,
    "contacts": EVERY_COPY,
    "next_event": {"page"},
    "tags": {"page", "API"},
    "corrections": {"page"},
}


def test_the_matrix_names_every_part_and_only_real_channels():
    assert list(SHOWN) == list(PARTS)
    assert set().union(*SHOWN.values()) <= set(CHANNELS)


@pytest.fixture
def full_release(newsroom):
    """A live release with every part filled, and what each part says that nothing else does."""
    speaker = make_person(
        newsroom, name="Quintus Speaker", title="team principal", organisation="Quokka Racing"
    )
    contact = make_person(
        newsroom, name="Cora Contact", email="cora@contact.example", is_press_contact=True
    )
    photo_set = make_photo_set(newsroom, title="Setmarker gallery")
    hero = make_photo(
        photo_set, title="Hero", caption="", credit="Creditmarker Studio", license=License.FREE
    )
    texts = {words.field: f"Words{words.name}marker" for words in WORDS}
    texts |= {words.field: f"<p>{texts[words.field]}.</p>" for words in WORDS if words.html}
    release = make_release(
        newsroom,
        hero_photo=hero,
        hero_caption="Captionmarker at the podium",
        video_link="https://youtu.be/dQw4w9WgXcQ",
        **texts,
    )
    make_video(photo_set, title="Videomarker clip")
    release.photo_sets.add(photo_set)
    release.contacts.add(contact)
    document = Document.objects.create(
        newsroom=newsroom,
        title="Documentmarker fact sheet",
        visibility=Visibility.WITH_RELEASE,
        file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="facts.pdf"),
    )
    release.documents.add(document)
    race = make_event(newsroom, name="Resultsevent 6h", starts_on=date(2022, 5, 13))
    make_result(release, race, session="Sessionmarker heat", position=3)
    make_event(newsroom, name="Nextmarker Grand Prix", starts_on=date(2099, 6, 3))
    make_quote(release, speaker, "Quotemarker words of the day.")
    release.tags.add(newsroom.tags.create(name="Tagmarker", slug="tagmarker"))
    release.corrected_at = timezone.now()
    PressRelease.objects.filter(pk=release.pk).update(corrected_at=release.corrected_at)
    Correction.objects.create(release=release, note="Correctionmarker: the time was wrong.")
    release.refresh_from_db()

    quote = release.quotes.get()
    distinctive = {
        **{words.name: f"Words{words.name}marker" for words in WORDS},
        "hero": f"/files/photos/{hero.pk}/{hero.version}/",
        "caption": "Captionmarker at the podium",
        "credit_line": hero.credit_line,
        "quotes": [quote.text, quote.attribution],
        "results": ["Sessionmarker heat", "3rd place"],
        "embedded_video": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "photo_sets": "Setmarker gallery",
        "videos": "Videomarker clip",
        "documents": "Documentmarker fact sheet",
        "contacts": "Cora Contact",
        "next_event": "Nextmarker Grand Prix",
        "tags": "Tagmarker",
        "corrections": "Correctionmarker: the time was wrong.",
    }
    return release, distinctive


def readable(content):
    """The content as its reader sees it, and as raw markup (for addresses in attributes):
    feeds escape their HTML descriptions twice, text versions wrap their lines."""
    raw = html.unescape(html.unescape(content))
    text = html.unescape(html.unescape(re.sub(r"<[^>]*>", "", content)))
    return " ".join(raw.split()) + "\n" + " ".join(text.split())


def channels(client, release):
    newsroom, slug = release.newsroom.slug, release.slug

    def get(url):
        response = client.get(url)
        assert response.status_code == 200, url
        return body(response).decode()

    api = json.loads(get(reverse("api:release-detail", args=[newsroom, slug])))
    Follower.objects.create(
        newsroom=release.newsroom,
        email="reader@example.com",
        confirmed_at=timezone.now() - timedelta(days=1),
    )
    send_release_alerts.call(release.pk)
    [alert] = mail.outbox
    return {
        "page": get(release.get_absolute_url()),
        "text": get(reverse("press:release-text", args=[newsroom, slug])),
        "Markdown": get(reverse("press:release-markdown", args=[newsroom, slug])),
        "API": json.dumps(api, ensure_ascii=False),
        "RSS": get(reverse("press:rss", args=[newsroom])),
        "Atom": get(reverse("press:atom", args=[newsroom])),
        "e-mail text": alert.body,
        "e-mail HTML": alert.alternatives[0][0],
    }


def test_every_channel_shows_every_part_it_should(client, full_release):
    release, distinctive = full_release
    outputs = {name: readable(content) for name, content in channels(client, release).items()}
    assert list(outputs) == CHANNELS
    checked = 0

    missing = []
    for part, shown_in in SHOWN.items():
        says = distinctive[part]
        for words in [says] if isinstance(says, str) else says:
            for channel in sorted(shown_in):
                checked += 1
                if words not in outputs[channel]:
                    missing.append((part, channel, words))

    assert missing == []
    assert checked == sum(
        len(shown) * (1 if isinstance(distinctive[part], str) else len(distinctive[part]))
        for part, shown in SHOWN.items()
    )


def test_what_a_channel_does_not_show_of_a_part_is_not_there_by_accident(client, full_release):
    """The matrix is exact for the parts only the page shows: no other channel has them."""
    release, distinctive = full_release
    outputs = {name: readable(content) for name, content in channels(client, release).items()}

    for part in ("next_event", "corrections"):
        for channel in set(CHANNELS) - SHOWN[part]:
            assert distinctive[part] not in outputs[channel], (part, channel)


def test_parts_keep_to_their_audience(newsroom):
    """The public sees public material only; pass holders what goes public with the release."""
    private = make_photo_set(newsroom, visibility=Visibility.PRIVATE, title="Private set")
    with_release = make_photo_set(newsroom, visibility=Visibility.WITH_RELEASE, title="Later")
    release = make_release(
        newsroom, publish_at=timezone.now() + timedelta(hours=2), hero_photo=make_photo(private)
    )
    release.photo_sets.add(private, with_release)

    def titles(audience):
        return [photo_set.title for photo_set in release_parts(release, audience).photo_sets]

    assert titles(PUBLIC) == []
    assert titles("pass holder") == ["Later"]
    assert sorted(titles("editors")) == ["Later", "Private set"]
    assert release_parts(release, PUBLIC).hero is None
    assert release_parts(release, "pass holder").hero is None
    assert release_parts(release, "editors").hero == release.hero_photo


def test_results_read_in_the_releases_language(newsroom):
    release = make_release(newsroom, language="sv")
    make_result(release, make_event(newsroom), position=3)

    [result] = release_parts(release, PUBLIC).results

    assert (result.label, result.outcome_name) == ("3:e plats", "")
