"""Every public page type is valid HTML (the Nu HTML Checker) and accessible (axe-core).

The page types come from the URL conf: each named route of the public site
is either an HTML page listed in `site_pages()`, built from seeded content,
or a route that answers with something else, listed with its reason in
NOT_PAGES. A new HTML view fails `test_every_html_route_is_checked` until
it is added here. Error pages, a search without results, editors' previews
and the answers to forms are pages too, with no route of their own.

vnu runs once over all pages (its JVM takes seconds to start); axe runs in
Chromium on each page as a visitor's browser shows it, scripts and style
sheets included.
"""

import json
import re
import subprocess
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import lxml.html
import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client, RequestFactory
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.views.defaults import server_error

from media import selection
from media.models import Document, PhotoText, Visibility
from newsroom.ground.languages import address_language, speaking
from newsroom.ground.models import NewsroomLanguage
from press.alerts import delivery as alerts
from press.alerts.models import Follower
from press.models import PressRelease, Status
from press.passes.models import PreviewPass
from press.versions import translate
from tests.factories import (
    jpeg_bytes,
    make_newsroom,
    make_photo,
    make_photo_set,
    make_release,
    make_video,
    public_routes,
)
from tests.files import make_fact_sheet

# Routes of the public site that are not HTML pages, and where they are checked instead.
NOT_PAGES = {
    # XML and text for machines: validated in tests/test_standards.py and test_distribution.py.
    "sitemap",
    "sitemap-site",
    "sitemap-section",
    "robots",
    # Feeds (RSS, Atom) and calendars (iCalendar): tests/test_standards.py.
    "press:site-rss",
    "press:site-atom",
    "press:rss",
    "press:atom",
    "press:tag-rss",
    "press:tag-atom",
    "press:kind-rss",
    "press:kind-atom",
    "press:event-calendar",
    "passes:pass-calendar",
    # A release as plain text and as Markdown.
    "press:release-text",
    "press:release-markdown",
    # Files: photos, videos, subtitles, ZIPs, documents, logos and portraits, and the
    # favicon's redirect.
    "media:photo-file",
    "media:photoset-zip",
    "media:document-file",
    "media:selection-zip",
    "passes:pass-photo-file",
    "passes:pass-photoset-zip",
    "media:video-file",
    "media:subtitle-file",
    "passes:pass-video-file",
    "passes:pass-subtitle-file",
    "passes:pass-document",
    "passes:pass-selection-zip",
    "newsroom:logo",
    "newsroom:portrait",
    "favicon.ico",
    # The JSON API (tests/test_api.py and tests/test_api_contract.py).
    "api:index",
    "api:openapi",
    "api:release-list",
    "api:release-detail",
    "api:photoset-list",
    "api:photoset-detail",
    "api:event-list",
    "api:event-detail",
    "api:not-found",
}


@dataclass
class Page:
    """One page as the site answered it: what it is, its route, address and response."""

    label: str
    route: str | None
    path: str
    status: int
    content: bytes
    headers: dict


@pytest.fixture
def site(seed_release, newsroom, editor):
    """One of everything a public page shows, and the rows behind forms and passes."""
    tag = newsroom.tags.create(name="24H Series", slug="24h-series")
    seed_release.tags.add(tag)
    # A second newsroom: the site's front page lists them (with one, it is that one's home).
    make_newsroom(name="Lestrup Racing Team", slug="lestrup-racing")
    seed_release.contacts.add(*newsroom.people.filter(is_press_contact=True))
    document = Document.objects.create(
        newsroom=newsroom,
        title="Fact sheet",
        description="The team, the car and the season.",
        file=ContentFile(make_fact_sheet("Fact sheet", ["Lestrup Racing Team"]), name="f.pdf"),
        visibility=Visibility.PUBLIC,
    )
    seed_release.documents.add(document)
    seed_release.corrections.create(note="Race 2: a DNF, not 12th.")
    PressRelease.objects.filter(pk=seed_release.pk).update(corrected_at=timezone.now())
    signing_photos = make_photo_set(
        newsroom, title="Signing photos", slug="signing", visibility=Visibility.WITH_RELEASE
    )
    signing = make_release(
        newsroom,
        title="A new team for 2030",
        slug="new-team",
        lead="Bäckman signs for two seasons.",
        publish_at=timezone.now() + timedelta(days=2),
        # Larger than the medium size: its srcset names all three widths.
        hero_photo=make_photo(
            signing_photos, data=jpeg_bytes(2400, 1600), title="Signing", caption="The contract."
        ),
    )
    signing.photo_sets.add(signing_photos)
    signing_video = make_video(signing_photos, title="Signing day", caption="At the factory.")
    public_video = make_video(
        seed_release.photo_sets.get(),
        title="Night pass",
        caption="Car #120 at night.",
        subtitles=[("en", [(0.1, 0.5, "Night")]), ("sv", [(0.1, 0.5, "Natt")])],
    )
    # Its Swedish version, under the same embargo: the pass opens it too.
    signing_in_swedish = translate(signing, "sv")
    signing_in_swedish.status = Status.PUBLISHED
    signing_in_swedish.save()
    valid = PreviewPass.objects.create(release=signing, name="Kim Reporter", email="k@n.example")
    revoked = PreviewPass.objects.create(release=signing, name="Lee Writer", email="l@n.example")
    PreviewPass.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())
    draft = make_release(newsroom, title="Draft", slug="draft", status=Status.DRAFT)
    pending = Follower.objects.create(
        newsroom=newsroom, email="new@n.example", confirmation_sent_at=timezone.now()
    )
    following = Follower.objects.create(
        newsroom=newsroom, email="old@n.example", confirmed_at=timezone.now()
    )
    return {
        "release": seed_release,
        "tag": tag,
        "event": seed_release.events.get(),
        "photo_set": seed_release.photo_sets.get(),
        "photo": seed_release.hero_photo,
        "pass": valid,
        "revoked_pass": revoked,
        "signing_photos": signing_photos,
        "signing_video": signing_video,
        "video": public_video,
        "draft": draft,
        "pending": pending,
        "following": following,
        "editor": editor,
    }


# The page types in each language we ship, with the story's texts written in it.
STORY_IN = {
    "sv": ("Pallplats på Hockenheim", "Trea i debuten.", "Bäckman skriver på för två säsonger."),
    "de": ("Podest in Hockenheim", "Dritter beim Debüt.", "Bäckman unterschreibt für zwei Jahre."),
}


@pytest.fixture
def site_in_languages(site):
    """The site, its newsroom publishing in Swedish and German too, the stories translated."""
    newsroom = site["release"].newsroom
    site["versions"], site["drafts"] = {}, {}
    for language, (title, lead, signing_lead) in STORY_IN.items():
        NewsroomLanguage.objects.create(newsroom=newsroom, language=language)
        PhotoText.objects.create(photo=site["photo"], language=language, caption=lead)
        version = translate(site["release"], language)
        version.title, version.lead, version.status = title, lead, Status.PUBLISHED
        version.save()
        site["versions"][language] = version
        signing = site["pass"].release.translations.filter(language=language).first()
        signing = signing or translate(site["pass"].release, language)
        signing.lead, signing.status = signing_lead, Status.PUBLISHED
        signing.save()  # under the original's embargo: the pass opens it
        site["drafts"][language] = translate(site["draft"], language)
    return site


# The pass's story in another language than the page's: its version page.
ANOTHER = {"en": "sv", "sv": "de", "de": "sv"}


def language_to_speak(page, site):
    """The language a page must speak: the one its address names (as its first part, or as
    the version a pass page shows), else that of the release its pass is for."""
    path = urlsplit(page.path).path
    if address_language(path):
        return address_language(path)
    try:
        named = resolve(path).kwargs.get("language")
    except Resolver404:
        named = None
    return named or site["pass"].release.language


def site_pages(site, monkeypatch, language="en"):
    """Every page type, fetched as its audience gets it, at its address in `language`."""
    with speaking(language):
        return fetch_site_pages(site, monkeypatch, language)


def fetch_site_pages(site, monkeypatch, language):
    release = site.get("versions", {}).get(language, site["release"])
    photo_set, photo = site["photo_set"], site["photo"]
    slug = release.newsroom.slug
    token = site["pass"].token
    draft = site.get("drafts", {}).get(language, site["draft"])
    prefix = f"/{language}"
    visitor = Client()
    editor = Client()
    editor.force_login(site["editor"])
    strict = Client(enforce_csrf_checks=True)

    def limited():
        # Past the sign-ups one address may send: the 429 page.
        with monkeypatch.context() as patch:
            patch.setattr(alerts, "signup_wait", lambda client: 600)
            return visitor.post(reverse("alerts:follow", args=[slug]), {"email": "x@n.example"})

    fetches = [
        ("newsrooms", "newsroom:site-root", 200, visitor.get, f"{prefix}/"),
        ("home", "newsroom:home", 200, visitor.get, reverse("newsroom:home", args=[slug])),
        ("contacts", "newsroom:contacts", 200, visitor.get, f"{prefix}/{slug}/contacts/"),
        ("releases", "press:release-list", 200, visitor.get, f"{prefix}/{slug}/releases/"),
        ("releases by tag", None, 200, visitor.get, f"{prefix}/{slug}/releases/?tag=24h-series"),
        (
            "releases, filter refused",
            None,
            200,
            visitor.get,
            f"{prefix}/{slug}/releases/?kind=poem",
        ),
        ("release", "press:release-detail", 200, visitor.get, release.get_absolute_url()),
        ("events", "press:event-list", 200, visitor.get, f"{prefix}/{slug}/events/"),
        ("event", "press:event-detail", 200, visitor.get, site["event"].get_absolute_url()),
        ("media kit", "media:photoset-list", 200, visitor.get, f"{prefix}/{slug}/photos/"),
        ("documents", "media:document-list", 200, visitor.get, f"{prefix}/{slug}/documents/"),
        ("empty selection", "media:selection-start", 200, visitor.get, f"{prefix}/selection/"),
        ("selection", "media:selection", 200, visitor.get, selection_path(site, prefix)),
        (
            "selection, too many items",
            None,
            400,
            visitor.get,
            f"{prefix}/selection/?" + "&".join(f"item=p{n}" for n in range(1, 202)),
        ),
        ("photo set", "media:photoset-detail", 200, visitor.get, photo_set.get_absolute_url()),
        ("photo", "media:photo-detail", 200, visitor.get, photo.get_absolute_url()),
        ("video", "media:video-detail", 200, visitor.get, site["video"].get_absolute_url()),
        ("search form", "search", 200, visitor.get, f"{prefix}/search/"),
        ("search results", None, 200, visitor.get, f"{prefix}/search/?q=Hockenheim"),
        ("search, nothing found", None, 200, visitor.get, f"{prefix}/search/?q=zeppelin"),
        ("newsroom search", None, 200, visitor.get, f"{prefix}/search/?q=podium&newsroom={slug}"),
        ("search, filter refused", None, 200, visitor.get, f"{prefix}/search/?q=podium&year=1066"),
        ("follow", "alerts:follow", 200, visitor.get, f"{prefix}/{slug}/alerts/"),
        ("follow, asked", None, 200, visitor.get, f"{prefix}/{slug}/alerts/?asked=1"),
        (
            "follow, form errors",
            None,
            200,
            lambda path: visitor.post(path, {}),
            f"{prefix}/{slug}/alerts/",
        ),
        ("follow, too many", None, 429, lambda path: limited(), f"{prefix}/{slug}/alerts/"),
        ("confirm", "alerts:confirm", 200, visitor.get, site["pending"].get_confirm_url()),
        ("confirmed", None, 200, visitor.get, site["following"].get_confirm_url()),
        (
            "unsubscribe",
            "alerts:unsubscribe",
            200,
            visitor.get,
            site["following"].get_unsubscribe_url(),
        ),
        ("unsubscribed", None, 200, visitor.post, site["following"].get_unsubscribe_url()),
        ("pass", "passes:pass", 200, visitor.get, pass_path(site["pass"], language)),
        (
            "pass, another version",
            "passes:pass-version",
            200,
            visitor.get,
            pass_path(site["pass"], ANOTHER[language]),
        ),
        (
            "pass photo set",
            "passes:pass-photoset",
            200,
            visitor.get,
            reverse("passes:pass-photoset", args=[token, "signing"]),
        ),
        (
            "pass photo",
            "passes:pass-photo",
            200,
            visitor.get,
            reverse(
                "passes:pass-photo", args=[token, "signing", site["pass"].release.hero_photo_id]
            ),
        ),
        (
            "pass video",
            "passes:pass-video",
            200,
            visitor.get,
            reverse("passes:pass-video", args=[token, "signing", site["signing_video"].pk]),
        ),
        (
            "pass selection",
            "passes:pass-selection",
            200,
            visitor.get,
            reverse("passes:pass-selection", args=[token, selection_items(site)]),
        ),
        (
            "pass, empty selection",
            "passes:pass-selection-start",
            200,
            visitor.get,
            reverse("passes:pass-selection-start", args=[token]),
        ),
        ("pass revoked", None, 410, visitor.get, site["revoked_pass"].link_path()),
        ("draft, editor's preview", None, 200, editor.get, draft.get_absolute_url()),
        (
            "private set, editor's preview",
            None,
            200,
            editor.get,
            site["signing_photos"].get_absolute_url(),
        ),
        ("not found", None, 404, visitor.get, f"{prefix}/{slug}/releases/no-such-release/"),
        ("bad request", None, 400, visitor.get, f"{prefix}/search/?q=%00"),
        ("forbidden (no CSRF token)", None, 403, strict.post, f"{prefix}/{slug}/alerts/"),
    ]
    pages = []
    # The 500 page, as Django's handler gives it when a view fails.
    failed = server_error(RequestFactory().get(f"{prefix}/"))
    pages.append(
        Page("server error", None, f"{prefix}/", 500, failed.content, dict(failed.headers))
    )
    for label, route, status, fetch, path in fetches:
        response = fetch(path)
        assert response.status_code == status, (label, path, response.status_code)
        assert response["Content-Type"].startswith("text/html"), label
        pages.append(
            Page(label, route, path, status, response.content, dict(response.headers.items()))
        )
    return pages


def selection_items(site):
    """A selection of the set's photo, a photo of the embargoed set and the fact sheet."""
    items = [
        selection.Item("p", site["photo"].pk),
        selection.Item("p", site["pass"].release.hero_photo_id),
        selection.Item("d", Document.objects.get(title="Fact sheet").pk),
    ]
    return selection.token(items)


def selection_path(site, prefix):
    return f"{prefix}/selection/{selection_items(site)}/"


def pass_path(preview_pass, language):
    """The pass's page of its story's version in `language`, or of the release it is for."""
    if language == preview_pass.release.language:
        return preview_pass.link_path()
    return reverse("passes:pass-version", args=[preview_pass.token, language])


def test_every_html_route_is_checked(site, monkeypatch):
    pages = site_pages(site, monkeypatch)
    checked = {page.route for page in pages if page.route}
    # The release page holds every part a release can have, so the checks see them all.
    release = next(page.content.decode() for page in pages if page.label == "release")
    for part in ["hero", "quotes", "results", "release-photos", "corrections", "documents"]:
        assert f'class="{part}"' in release or f'id="{part}"' in release, part
    assert 'rel="tag"' in release and "next-event-heading" in release
    embargoed = next(page.content.decode() for page in pages if page.label == "pass")
    assert re.search(r'srcset="[^"]+ 400w, [^"]+ 1024w, [^"]+ 2048w"', embargoed)

    assert checked == set(public_routes()) - NOT_PAGES
    assert set(public_routes()) >= NOT_PAGES, "an exclusion names a route that is gone"


def test_every_page_has_a_language_title_description_and_absolute_canonical(
    site, monkeypatch, settings
):
    settings.SITE_URL = "https://news.example"  # not the host the requests name
    for page in site_pages(site, monkeypatch):
        document = lxml.html.fromstring(page.content)
        assert document.get("lang"), page.label
        assert document.findtext(".//title").strip(), page.label
        descriptions = document.xpath('//meta[@name="description"]/@content')
        assert len(descriptions) == 1 and descriptions[0].strip(), page.label
        canonicals = document.xpath('//link[@rel="canonical"]/@href')
        robots = " ".join(document.xpath('//meta[@name="robots"]/@content'))
        indexable = page.status == 200 and "noindex" not in robots + page.headers.get(
            "X-Robots-Tag", ""
        )
        if indexable:
            # Search engines are told the one address of each page, on the public site.
            assert canonicals == [f"https://news.example{page.path.partition('?')[0]}"], page.label
        else:
            assert canonicals == [], page.label


def test_every_page_is_valid_html(site, monkeypatch, vnu, tmp_path):
    pages = site_pages(site, monkeypatch)
    folder = tmp_path / "pages"  # beside the test's uploads, which vnu must not read
    folder.mkdir()
    files = {}
    for number, page in enumerate(pages):
        file = folder / f"page-{number:02d}.html"
        file.write_bytes(page.content)
        files[file.name] = page

    checked = subprocess.run(
        [*vnu, "--format", "json", "--exit-zero-always", *sorted(map(str, folder.iterdir()))],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )

    errors = {}
    for message in json.loads(checked.stderr)["messages"]:
        if message["type"] in ("error", "non-document-error"):
            page = files.get(message.get("url", "").rpartition("/")[2])
            where = f"{page.label} ({page.path})" if page else message.get("url")
            errors.setdefault(where, []).append(
                f"line {message.get('lastLine')}: {message['message']} "
                f"[{message.get('extract', '').strip()}]"
            )
    assert errors == {}, "\n".join(
        f"{where}:\n  " + "\n  ".join(lines) for where, lines in errors.items()
    )


def answer_with(page):
    def answer(route):
        route.fulfill(status=page.status, headers=page.headers, body=page.content)

    return answer


def test_every_page_passes_axe_in_chromium(site, monkeypatch, axe, browser, live_server):
    pages = site_pages(site, monkeypatch)
    context = browser.new_context(viewport={"width": 412, "height": 823})
    violations = {}
    try:
        for page in pages:
            tab = context.new_page()
            url = live_server.url + page.path
            # The document as the site answered it (forms' answers and error pages too);
            # style sheets, scripts and images come from the live server.
            tab.route(lambda address, url=url: address == url, answer_with(page))
            tab.goto(url, wait_until="load")
            results = axe.run(tab).response
            found = [
                f"{violation['id']} ({violation['impact']}): {violation['help']}: "
                + ", ".join(" ".join(node["target"]) for node in violation["nodes"])
                for violation in results["violations"]
            ]
            if found:
                violations[f"{page.label} ({page.path})"] = found
            tab.close()
    finally:
        context.close()
    assert violations == {}, "\n".join(
        f"{where}:\n  " + "\n  ".join(lines) for where, lines in violations.items()
    )


# Every page type in every language we ship -------------------------------------------------

# Literal text of a message between its placeholders: "About %(name)s" → "About ".
PLACEHOLDERS = re.compile(r"%\(\w+\)[sd]|%[sd]")
SHORTEST_CHECKED = 4  # "Web", "TCR": too short to tell a leftover from a coincidence


def english_left_over(language):
    """Our English messages whose translation in `language` reads differently, as the
    literal pieces a page would show: each one found on a page is chrome left in English."""
    catalog = polib.pofile(
        str(settings.BASE_DIR / "locale" / language / "LC_MESSAGES" / "django.po")
    )
    pieces = set()
    for entry in catalog:
        translations = [entry.msgstr, *entry.msgstr_plural.values()]
        for english in filter(None, [entry.msgid, entry.msgid_plural]):
            if english in translations:
                continue  # "PDF", "ZIP", "STCC": the same in both
            pieces.update(
                piece.strip()
                for piece in PLACEHOLDERS.split(english)
                if len(piece.strip()) >= SHORTEST_CHECKED and re.search(r"[A-Za-z]{3}", piece)
            )
    # "Filter", "Online", "Session": English words the translations use too are theirs.
    translated = " ".join(
        text for entry in catalog for text in [entry.msgstr, *entry.msgstr_plural.values()]
    )
    return {
        piece for piece in pieces if not re.search(rf"(?<!\w){re.escape(piece)}(?!\w)", translated)
    }


def content_texts():
    """What editors wrote (names, titles, captions, bodies): text in whatever language
    they wrote it, which a page shows as it is."""
    texts = set()
    for model in apps.get_models():
        if model._meta.app_label not in ("press", "media", "newsroom", "alerts", "passes"):
            continue
        fields = [
            field.name
            for field in model._meta.concrete_fields
            if field.get_internal_type() in ("CharField", "TextField")
        ]
        for row in model.objects.values_list(*fields):
            for value in row:
                if value:
                    pieces = lxml.html.fromstring(f"<div>{value}</div>").itertext()
                    texts.update(piece.strip() for piece in pieces)
                    texts.add(value.strip())
                    texts.update(part.strip() for part in value.split("\n\n"))
                    texts.update(line.strip() for line in value.splitlines())
    return sorted(filter(None, texts), key=len, reverse=True)


def chrome_text(content, language, written):
    """A page's text as a reader meets it (text, alt and label attributes), without what
    editors wrote and without parts marked as another language (the switcher's names)."""
    document = lxml.html.fromstring(content)
    for element in document.xpath("//script | //style | //*[@lang][not(self::html)]"):
        if element.tag in ("script", "style") or element.get("lang") != language:
            element.drop_tree()
    attributes = document.xpath("//@alt | //@title | //@aria-label | //@placeholder")
    text = " ".join([document.text_content(), *attributes])
    for value in written:
        text = text.replace(value, " ")
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("language", ["sv", "de"])
def test_every_page_type_speaks_its_language_only(site_in_languages, monkeypatch, language):
    pages = site_pages(site_in_languages, monkeypatch, language)
    leftovers = english_left_over(language)
    written = content_texts()

    found = {}
    for page in pages:
        spoken = language_to_speak(page, site_in_languages)
        assert lxml.html.fromstring(page.content).get("lang") == spoken, page.label
        if spoken != language:
            continue
        text = chrome_text(page.content, language, written)
        english = [
            piece for piece in leftovers if re.search(rf"(?<!\w){re.escape(piece)}(?!\w)", text)
        ]
        if english:
            found[f"{page.label} ({page.path})"] = sorted(english)
    assert found == {}, "\n".join(f"{where}: {pieces}" for where, pieces in found.items())
