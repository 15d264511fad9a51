"""What journalists' tools read: feeds, the sitemap, robots.txt, link previews, calendars, text."""

import html
import io
import json
import re
from datetime import date, timedelta
from urllib.robotparser import RobotFileParser

import feedparser
import icalendar
import lxml.html
import pytest
import time_machine
import vobject
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from markdown_it import MarkdownIt
from PIL import Image

from newsroom.ground.models import Subject
from press.models import Status
from tests.factories import (
    body,
    jpeg_bytes,
    make_event,
    make_newsroom,
    make_person,
    make_photo,
    make_photo_set,
    make_quote,
    make_release,
    make_result,
    sitemap_files,
)


@pytest.fixture
def hidden(newsroom):
    """A draft, a scheduled and a withdrawn release: none may appear anywhere."""
    draft = make_release(newsroom, title="Hidden draft", status=Status.DRAFT)
    scheduled = make_release(
        newsroom, title="Hidden scheduled", publish_at=timezone.now() + timedelta(hours=2)
    )
    withdrawn = make_release(newsroom, title="Hidden withdrawn")
    withdrawn.status = Status.WITHDRAWN
    withdrawn.save()
    return [draft, scheduled, withdrawn]


def feed_urls(newsroom, tag="stcc", kind="release"):
    return [
        reverse("press:site-rss"),
        reverse("press:site-atom"),
        reverse("press:rss", args=[newsroom.slug]),
        reverse("press:atom", args=[newsroom.slug]),
        reverse("press:tag-rss", args=[newsroom.slug, tag]),
        reverse("press:tag-atom", args=[newsroom.slug, tag]),
        reverse("press:kind-rss", args=[newsroom.slug, kind]),
        reverse("press:kind-atom", args=[newsroom.slug, kind]),
    ]


def test_feeds_parse_cleanly_and_carry_only_live_releases(client, seed_release, hidden):
    tag = seed_release.newsroom.tags.create(name="STCC", slug="stcc")
    seed_release.tags.add(tag)
    for release in hidden:
        release.tags.add(tag)

    for url in feed_urls(seed_release.newsroom):
        response = client.get(url)
        parsed = feedparser.parse(response.content)
        assert response.status_code == 200, url
        assert not parsed.bozo, (url, parsed.get("bozo_exception"))
        titles = [entry.title for entry in parsed.entries]
        assert titles == [seed_release.title], (url, titles)


def test_feed_items_have_stable_ids_dates_and_the_hero_photo_with_credit(client, seed_release):
    rss = feedparser.parse(
        client.get(reverse("press:rss", args=[seed_release.newsroom.slug])).content
    )
    atom = feedparser.parse(
        client.get(reverse("press:atom", args=[seed_release.newsroom.slug])).content
    )
    item, entry = rss.entries[0], atom.entries[0]

    assert item.id == entry.id == f"urn:uuid:{seed_release.uid}"
    assert item.published_parsed[:5] == seed_release.first_published_at.utctimetuple()[:5]
    web = seed_release.hero_photo.renditions.get(size="web")
    assert item.enclosures[0].href.endswith(seed_release.hero_photo.web_url)
    assert int(item.enclosures[0].length) == web.bytes
    assert item.media_content[0]["url"].endswith(seed_release.hero_photo.web_url)
    assert item.media_credit[0]["content"] == "24H SERIES"
    assert "Free to use with credit" in item.media_copyright
    assert item.link.endswith(seed_release.get_absolute_url())

    seed_release.slug = "renamed"
    seed_release.save()
    again = feedparser.parse(
        client.get(reverse("press:rss", args=[seed_release.newsroom.slug])).content
    )
    assert again.entries[0].id == item.id  # a new address, the same item


def shown(detail):
    """What a reader shows of a feedparser text construct: HTML rendered, text as it is."""
    if detail.type == "text/plain":
        return detail.value
    assert detail.type == "text/html", detail.type
    return html.unescape(re.sub(r"<[^>]*>", "", detail.value))


def test_feed_readers_show_a_lead_as_the_text_it_is(client, newsroom):
    lead = "Times < 1:30 & <b>fast</b> laps, “dry” — 0 < 1 &amp; <script>x</script>"
    make_release(newsroom, lead=lead)
    make_release(newsroom, body="<p>Third &amp; fast: 1 &lt; 2.</p>", lead="")

    for name in ("press:rss", "press:atom"):
        parsed = feedparser.parse(client.get(reverse(name, args=[newsroom.slug])).content)
        summaries = [shown(entry.summary_detail) for entry in parsed.entries]
        assert sorted(summaries) == sorted([lead, "Third & fast: 1 < 2."]), name
    atom = client.get(reverse("press:atom", args=[newsroom.slug])).content.decode()
    assert '<summary type="html">Times &amp;lt; 1:30 &amp;amp; &amp;lt;b&amp;gt;' in atom


def test_feeds_answer_conditional_requests_with_304(client, seed_release):
    url = reverse("press:rss", args=[seed_release.newsroom.slug])
    first = client.get(url)

    by_etag = client.get(url, headers={"If-None-Match": first["ETag"]})
    by_date = client.get(url, headers={"If-Modified-Since": first["Last-Modified"]})

    assert by_etag.status_code == by_date.status_code == 304
    assert "public" in first["Cache-Control"]


def test_caches_never_outlive_the_next_go_live(client, seed_release):
    url = reverse("press:rss", args=[seed_release.newsroom.slug])
    make_release(seed_release.newsroom, publish_at=timezone.now() + timedelta(seconds=20))

    max_age = int(re.search(r"max-age=(\d+)", client.get(url)["Cache-Control"])[1])

    assert 0 <= max_age <= 20


def test_every_page_advertises_its_feeds_and_newsroom_pages_the_calendar(client, seed_release):
    newsroom = seed_release.newsroom
    page = client.get(seed_release.get_absolute_url()).content.decode()
    root = client.get("/en/").content.decode()
    make_newsroom(slug="second")
    listing = client.get("/en/").content.decode()

    for content in (page, root):
        feed = f"/en/{newsroom.slug}/releases/feed.rss"
        rss = f'title="{newsroom.name}: releases (RSS)" href="{feed}"'
        assert f'type="application/rss+xml" {rss}' in content
        assert f'href="/en/{newsroom.slug}/releases/feed.atom"' in content
        ics = f'title="{newsroom.name}: events" href="/en/{newsroom.slug}/events.ics"'
        assert f'type="text/calendar" {ics}' in content
    assert 'href="/en/feed.rss"' in listing and 'href="/en/feed.atom"' in listing


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_out_of_private_places(client, db):
    text = client.get("/robots.txt").content.decode()

    assert "Sitemap: http://testserver/sitemap.xml" in text
    for path in ("/admin/", "/preview/", "/api/"):
        assert f"Disallow: {path}" in text


def test_link_preview_crawlers_may_fetch_the_photos_and_logos_pages_embed(client, seed_release):
    robots = RobotFileParser()
    robots.parse(client.get("/robots.txt").content.decode().splitlines())
    photo = seed_release.hero_photo
    newsroom = seed_release.newsroom

    def allowed(path):
        return robots.can_fetch("facebookexternalhit", f"http://testserver{path}")

    assert allowed(photo.social_url) and allowed(photo.web_url)
    assert allowed(reverse("newsroom:logo", args=[newsroom.slug]))
    assert allowed(reverse("newsroom:portrait", args=[1]))
    assert allowed(seed_release.get_absolute_url())
    assert not allowed(reverse("media:photoset-zip", args=[photo.photo_set_id, "web"]))
    assert not allowed(reverse("admin:index"))
    assert not allowed(reverse("api:index"))
    assert not allowed(reverse("passes:pass", args=["some-token"]))


def test_release_pages_have_link_previews_and_news_article_data(client, seed_release):
    page = client.get(seed_release.get_absolute_url()).content.decode()
    meta = dict(re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)"', page))
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)[1]
    )

    assert meta["og:type"] == "article"
    assert meta["og:title"] == seed_release.title
    assert meta["og:url"] == f"http://testserver{seed_release.get_absolute_url()}"
    assert meta["og:image"] == f"http://testserver{seed_release.hero_photo.social_url}"
    assert (meta["og:image:width"], meta["og:image:height"]) == ("1200", "630")
    assert meta["twitter:card"] == "summary_large_image"
    assert client.get(seed_release.hero_photo.social_url).status_code == 200
    # What search engines need of a NewsArticle.
    assert data["@context"] == "https://schema.org" and data["@type"] == "NewsArticle"
    assert data["headline"] == seed_release.title and len(data["headline"]) <= 110
    assert len(data["image"]) == 3
    assert data["datePublished"] == seed_release.first_published_at.isoformat()
    assert data["author"]["@type"] == "Organization" and data["author"]["name"]
    assert data["publisher"]["name"] == seed_release.newsroom.name


def article_data(client, release):
    page = client.get(release.get_absolute_url()).content.decode()
    return json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)[1]
    )


def test_article_data_names_a_teams_newsroom_an_organization_with_its_ratios(client, newsroom):
    photo_set = make_photo_set(newsroom)
    hero = make_photo(photo_set, data=jpeg_bytes(3000, 2000), focal_x=0.2)
    small = make_photo(photo_set, data=jpeg_bytes(800, 600))
    newsroom.website = "https://backman.example"
    newsroom.save()
    release = make_release(newsroom, hero_photo=hero, lead="A podium.")
    other = make_release(newsroom, hero_photo=small)

    data = article_data(client, release)

    for role in ("author", "publisher"):
        assert data[role] == {
            "@type": "Organization",
            "name": newsroom.name,
            "url": "https://backman.example",
        }
    sizes = []
    for url in data["image"]:
        assert url.startswith("http://testserver/files/photos/")
        image = Image.open(io.BytesIO(body(client.get(url.removeprefix("http://testserver")))))
        sizes.append(image.size)
    assert sizes == [(1200, 675), (1200, 900), (1200, 1200)]  # 16:9, 4:3, 1:1
    small_sizes = [
        Image.open(io.BytesIO(body(client.get(url.removeprefix("http://testserver"))))).size
        for url in article_data(client, other)["image"]
    ]
    assert small_sizes == [(800, 450), (800, 600), (600, 600)]  # its own pixels, no upscaling
    # Crops are for search engines: not offered for download, not in the API.
    page = client.get(hero.photo_set.get_absolute_url()).content.decode()
    assert hero.file_url("16x9") not in page


def test_a_drivers_own_newsroom_is_a_person_in_article_data(client, newsroom):
    newsroom.subject = Subject.PERSON
    newsroom.save()
    release = make_release(newsroom)

    data = article_data(client, release)

    assert data["@type"] == "NewsArticle"
    for role in ("author", "publisher"):
        assert data[role] == {
            "@type": "Person",
            "name": "Andreas Bäckman",
            "url": f"http://testserver{newsroom.get_absolute_url()}",
        }
    for key in ("headline", "datePublished", "dateModified", "url", "mainEntityOfPage"):
        assert data[key], key


def test_previews_carry_no_link_preview_data(editor_client, newsroom):
    draft = make_release(newsroom, status=Status.DRAFT)

    page = editor_client.get(draft.get_absolute_url()).content.decode()

    assert "og:title" not in page and "application/ld+json" not in page


def test_the_events_calendar_parses_and_lists_the_newsrooms_events(client, newsroom):
    opener = make_event(
        newsroom,
        name="STCC Ljungbyhed",
        city="Ljungbyhed",
        country="Sweden",
        starts_on=date(2030, 6, 3),
        ends_on=date(2030, 6, 4),
    )
    make_event(make_newsroom(), name="Someone else's race", starts_on=date(2030, 6, 3))

    response = client.get(reverse("press:event-calendar", args=[newsroom.slug]))
    calendar = icalendar.Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")

    assert response["Content-Type"].startswith("text/calendar")
    assert [str(event["summary"]) for event in events] == ["STCC Ljungbyhed"]
    event = events[0]
    assert event.decoded("dtstart") == date(2030, 6, 3)
    assert event.decoded("dtend") == date(2030, 6, 5)  # all-day: the day after the last
    assert str(event["location"]) == "Ljungbyhed, Sweden"
    assert str(event["url"]).endswith(opener.get_absolute_url())
    assert str(event["uid"]) == f"event-{opener.pk}@testserver"
    assert event.decoded("dtstamp") == opener.updated_at.replace(microsecond=0)


def test_an_unchanged_events_calendar_is_the_same_bytes_hours_later(client, newsroom):
    make_event(newsroom, name="STCC Ljungbyhed", starts_on=date(2030, 6, 3))
    make_event(newsroom, name="STCC Mantorp", starts_on=date(2030, 8, 3))
    url = reverse("press:event-calendar", args=[newsroom.slug])

    first = client.get(url).content
    cache.clear()  # a fresh rendering, not the page cache's copy
    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        later = client.get(url).content

    assert first == later
    calendar = vobject.readOne(first.decode())  # an independent reader agrees
    assert [event.summary.value for event in calendar.vevent_list] == [
        "STCC Ljungbyhed",
        "STCC Mantorp",
    ]


def test_event_pages_list_results_once_their_release_is_live(client, newsroom):
    event = make_event(newsroom, name="Hankook 12h Hockenheimring")
    live = make_release(newsroom, title="Podium")
    make_result(live, event, session="Race 1 (12 hours)", position=3)
    embargoed = make_release(newsroom, publish_at=timezone.now() + timedelta(hours=1))
    make_result(embargoed, event, session="Secret session", position=1)

    page = client.get(event.get_absolute_url()).content.decode()

    assert "Race 1 (12 hours)" in page and "3rd place" in page
    assert "Secret session" not in page
    assert "Podium" in page
    assert (
        "Hankook 12h Hockenheimring"
        in client.get(reverse("press:event-list", args=[newsroom.slug])).content.decode()
    )


def test_every_release_has_a_plain_text_and_a_markdown_version(client, seed_release):
    newsroom = seed_release.newsroom
    text = client.get(reverse("press:release-text", args=[newsroom.slug, seed_release.slug]))
    markdown = client.get(
        reverse("press:release-markdown", args=[newsroom.slug, seed_release.slug])
    )
    plain, marked = body(text).decode(), body(markdown).decode()
    # Plain text is wrapped for e-mail: compare with the line breaks taken out.
    plain_words = " ".join(plain.split())

    assert text["Content-Type"] == "text/plain; charset=utf-8"
    assert markdown["Content-Type"] == "text/markdown; charset=utf-8; variant=GFM"
    for content in (plain_words, marked):
        assert seed_release.title in content
        assert "A podium in the first race with the team." in content
        assert "“Fun to start the season with a podium.”" in content
        assert "Qualifying" in content and "1st place" in content and "DNF" in content
        assert "Photo: 24H SERIES (Free to use with credit)" in content
        assert "press@backman.example" in content
        assert f"http://testserver{seed_release.get_absolute_url()}" in content
    assert "The team fought back to third." in plain and "<strong>" not in plain
    assert "The team fought back to **third**." in marked
    assert f"# {seed_release.title}" in marked
    assert "| Qualifying | TCR | 1st place |  |" in marked


def test_text_versions_of_hidden_releases_are_404(client, hidden, newsroom):
    for release in hidden:
        for name in ("press:release-text", "press:release-markdown"):
            assert client.get(reverse(name, args=[newsroom.slug, release.slug])).status_code == 404


def test_release_pages_offer_copying_and_printing(client, seed_release):
    page = client.get(seed_release.get_absolute_url()).content.decode()

    assert 'data-copy-url="/en/andreas-backman/releases/backman-third-at-hockenheim.txt"' in page
    assert 'class="print" hidden' in page
    assert '<link rel="alternate" type="text/markdown"' in page


def test_hidden_releases_reach_no_feed_sitemap_or_calendar(hidden, newsroom):
    client = Client()
    urls = [*feed_urls(newsroom, kind="release"), *sitemap_files(Client())]
    for url in urls:
        response = client.get(url)
        if response.status_code == 404:
            continue  # a tag that only hidden releases use does not exist publicly
        content = response.content.decode()
        for release in hidden:
            assert release.title not in content and str(release.uid) not in content, url


def test_the_plain_text_never_breaks_a_link_or_an_address(client, newsroom):
    long_slug = "a-release-with-a-very-long-address-that-will-not-fit-on-one-line-of-text"
    release = make_release(
        newsroom,
        slug=long_slug,
        lead="Write to press-office@a-very-long-domain-name-of-the-racing-team.example today.",
    )

    text = client.get(reverse("press:release-text", args=[newsroom.slug, release.slug]))
    words = body(text).decode().split()

    assert f"http://testserver/en/{newsroom.slug}/releases/{long_slug}/" in words
    assert "press-office@a-very-long-domain-name-of-the-racing-team.example" in words


def test_list_items_and_quotes_keep_their_marks_in_text_and_markdown(client, newsroom):
    # The body editor wraps each list item and quote in a paragraph of its own.
    release = make_release(
        newsroom,
        body="<ul><li><p>Pole</p></li><li><p>Podium</p></li></ul>"
        "<ol><li><p>Hockenheim</p></li></ol><blockquote><p>Fast car.</p></blockquote>",
    )
    args = [newsroom.slug, release.slug]

    text = body(client.get(reverse("press:release-text", args=args))).decode()
    markdown = body(client.get(reverse("press:release-markdown", args=args))).decode()

    assert "• Pole\n\n• Podium\n\n1. Hockenheim" in text
    assert "- Pole\n\n- Podium\n\n1. Hockenheim\n\n> Fast car." in markdown


def test_saving_a_draft_changes_no_feed_anyone_can_read(client, newsroom, seed_release):
    """Feeds follow live content only: their times and ETags say nothing of editors' work."""
    seed_release.tags.add(newsroom.tags.create(name="24H Series", slug="24h-series"))
    newsroom.tags.create(name="Quiet", slug="quiet")
    feeds = [
        reverse("press:site-rss"),
        reverse("press:site-atom"),
        reverse("press:rss", args=[newsroom.slug]),
        reverse("press:atom", args=[newsroom.slug]),
        reverse("press:kind-rss", args=[newsroom.slug, "news"]),
        reverse("press:kind-atom", args=[newsroom.slug, "news"]),
        reverse("press:tag-atom", args=[newsroom.slug, "24h-series"]),
    ]
    before = {url: client.get(url) for url in feeds}

    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        draft = make_release(newsroom, status=Status.DRAFT, title="Draft news", kind="news")
        draft.tags.add(newsroom.tags.get(slug="quiet"))
        after = {url: client.get(url) for url in feeds}

    for url in feeds:
        assert after[url].status_code == before[url].status_code, url
        assert after[url].content == before[url].content, url
        assert after[url].get("ETag") == before[url].get("ETag"), url
        assert after[url].get("Last-Modified") == before[url].get("Last-Modified"), url


def test_a_tag_only_unpublished_releases_use_has_no_feed(client, newsroom, seed_release):
    """Its name could give an embargoed story away: it is as unknown as a made-up tag."""
    draft = make_release(newsroom, status=Status.DRAFT, title="Draft")
    draft.tags.add(newsroom.tags.create(name="New signing Q7", slug="new-signing"))
    seed_release.tags.add(newsroom.tags.create(name="Racing", slug="racing"))

    for name in ("tag-rss", "tag-atom"):
        hidden = client.get(reverse(f"press:{name}", args=[newsroom.slug, "new-signing"]))
        made_up = client.get(reverse(f"press:{name}", args=[newsroom.slug, "made-up"]))
        shown = client.get(reverse(f"press:{name}", args=[newsroom.slug, "racing"]))

        assert hidden.status_code == made_up.status_code == 404
        assert "New signing Q7" not in hidden.content.decode()
        assert shown.status_code == 200


# Markup-like text in every place a release has words: each must read back as itself.
HOSTILE = "1986. # *Bäckman* _won_ `code` [a](http://x.example) <b>b</b> & &amp; | ~~s~~ \\ > q"


def rendered(markdown):
    """The Markdown as a CommonMark reader with GitHub's tables shows it."""
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    return lxml.html.fragment_fromstring(html, create_parent="div")


def test_the_markdown_version_shows_hostile_text_as_exactly_that_text(client, newsroom):
    newsroom.name = f"- {HOSTILE}"
    newsroom.about = f"+ {HOSTILE}\n    1. indented\n\n= {HOSTILE}"
    newsroom.save()
    speaker = make_person(newsroom, name=f"{HOSTILE} Speaker")
    event = make_event(newsroom, name=f"1) {HOSTILE}")
    release = make_release(
        newsroom,
        title=HOSTILE,
        lead=f"2. {HOSTILE}",
        body=f"<p>{escape(HOSTILE)}</p><ul><li><p>- {escape(HOSTILE)}</p></li></ul>"
        f'<p><a href="http://x.example/a b)(c">{escape(HOSTILE)}</a></p>',
    )
    make_quote(release, speaker, f"{HOSTILE}\n# second line")
    make_result(release, event, session=f"Race | {HOSTILE}", category="T|C", note=HOSTILE)
    photo_set = make_photo_set(newsroom, title=f"[{HOSTILE}]")
    release.photo_sets.add(photo_set)

    response = client.get(reverse("press:release-markdown", args=[newsroom.slug, release.slug]))
    page = rendered(body(response).decode())

    def texts(path):
        return [element.text_content() for element in page.xpath(path)]

    # Only the structure we wrote: no list, heading, code, HTML or strikethrough from the text.
    tags = {element.tag for element in page.iter()} - {"div"}
    table = {"table", "thead", "tbody", "tr", "th", "td"}
    assert tags <= {"h1", "h2", "p", "em", "strong", "blockquote", "br", "a", "ul", "li", *table}
    assert tags >= {"table"}
    assert texts("h1") == [HOSTILE]
    assert texts("p[1]/em")[0].endswith(f" · - {HOSTILE}")
    assert texts("p/strong")[0] == f"2. {HOSTILE}"
    assert f"{HOSTILE}" in texts("p")
    assert texts("ul/li")[0] == f"- {HOSTILE}"
    [link] = page.xpath("p/a[starts-with(@href, 'http://x.example/a')]")
    assert link.text_content() == HOSTILE
    assert link.get("href") == "http://x.example/a%20b%29%28c"
    assert texts("blockquote/p") == [f"“{HOSTILE}\n# second line”\n— {HOSTILE} Speaker"]
    cells = page.xpath("//table/tbody/tr/td")
    assert [cell.text_content() for cell in cells] == [
        f"Race | {HOSTILE}",
        "T|C",
        "1st place",
        HOSTILE,
    ]
    assert texts("h2") == ["Quotes", "Results", "Photos and documents", f"About - {HOSTILE}"]
    assert f"[{HOSTILE}]" in texts("ul/li/a")
    assert f"+ {HOSTILE}\n1. indented" in texts("p")
    assert f"= {HOSTILE}" in texts("p")


def test_every_channel_signs_a_quote_and_credits_the_hero_the_same_way(client, seed_release):
    newsroom, quote = seed_release.newsroom, seed_release.quotes.last()
    signed = "Fredrik Lestrup, co-founder, Lestrup Racing Team"
    credited = "Photo: 24H SERIES (Free to use with credit)"
    assert (quote.attribution, seed_release.hero_photo.credit_line) == (signed, credited)

    page = lxml.html.fromstring(body(client.get(seed_release.get_absolute_url())))
    copies = page.xpath("//button[@data-copy]/@data-copy")
    text = body(client.get(reverse("press:release-text", args=[newsroom.slug, seed_release.slug])))
    api = json.loads(
        body(client.get(reverse("api:release-detail", args=[newsroom.slug, seed_release.slug])))
    )
    feed = body(client.get(reverse("press:rss", args=[newsroom.slug]))).decode()

    assert any(copy.endswith(f"” — {signed}") for copy in copies), copies
    assert signed in " ".join(text.decode().split())
    assert signed in [item.get("by") for item in api["associations"]]
    assert credited in " ".join(text.decode().split()) and credited in html.unescape(feed)


def test_the_text_versions_end_their_last_line_and_leave_out_what_is_empty(client, newsroom):
    """No empty body between blank lines, no space before a credit without a caption, an
    underline no longer than a line, and a line break at the end, like any text file."""
    newsroom.name = "A newsroom whose name is long enough to run well past the end of one line"
    newsroom.save()
    hero = make_photo(make_photo_set(newsroom), caption="", credit="Team Photo")
    release = make_release(newsroom, title="No body yet", body="", hero_photo=hero)
    args = [newsroom.slug, release.slug]

    text = body(client.get(reverse("press:release-text", args=args))).decode()
    markdown = body(client.get(reverse("press:release-markdown", args=args))).decode()

    assert text.endswith(f"{release.get_absolute_url()}\n")
    assert markdown.endswith(f"{release.get_absolute_url()}>\n")
    assert "\n\n\n" not in text and "\n\n\n" not in markdown
    assert f"\n[{hero.credit_line}]" in text
    assert "\n" + "-" * 78 + "\n" in text and "-" * 79 not in text
