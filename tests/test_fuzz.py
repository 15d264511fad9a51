"""The fuzz test: every URL pattern of the site, with hostile paths, queries, headers and methods.

The patterns come from the URL conf itself (the admin's and the API's too),
so a new view is covered without anyone adding it here. Each parameter is
filled with hostile values (numbers too long for any integer, NUL bytes,
broken UTF-8, 10,000 characters, `..`) and with the real values of existing
objects; queries carry the same values for every parameter any view reads,
headers are odd, methods are all of them, as a visitor and as an editor.
No answer may be a 5xx, and no page kept in the cache may name a host but
the site's own.

A deterministic pass tries every pattern with a fixed list of values, so
every pattern is always covered; hypothesis then mixes them, derandomised,
so a run is the same on every machine.
"""

import re
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings as django_settings
from django.contrib import admin
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils import timezone
from django.utils.regex_helper import normalize
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from media import selection
from media.models import Document, Visibility
from media.sizes import SIZES
from newsroom.ground.languages import LanguagePrefix
from press import sitemaps
from press.alerts.models import Follower
from press.passes.models import PreviewPass
from press.passes.views import PassLinks
from tests.factories import jpeg_bytes, make_photo, make_photo_set, make_release, make_video
from tests.files import make_fact_sheet

# Path values, written as they travel in a URL (percent-escaped).
HOSTILE = [
    "9" * 5000,  # 10**5000 - 1: more digits than int() takes
    "1" + "0" * 30,  # beyond any database integer
    "-1",
    "0",
    "%00",
    "a%00b",
    "%ff%fe",  # invalid UTF-8
    "%c0%af",  # an overlong encoding of "/"
    "%ed%a0%80",  # a surrogate, encoded
    "x" * 10_000,
    quote("Bäckman-☃-🏁-العربية"),
    "..",
    "%2e%2e",
    "..%2f..%2fetc%2fpasswd",
    "%27%22%3Cscript%3E",
    "%20",
]
# The few that tell most, where trying all of them would cost too much time.
SAMPLE = ["9" * 5000, "%00", "x" * 10_000, "%ff%fe", "1" + "0" * 30]
# Every query parameter a view of ours or the admin's reads, and one none does.
QUERY_NAMES = [
    "page",
    "q",
    "tag",
    "kind",
    "year",
    "newsroom",
    "updated_since",
    "upcoming",
    "download",
    "p",
    "asked",
    "o",
    "e",
    "all",
    "_popup",
    "_to_field",
    "_changelist_filters",
    "term",
    "app_label",
    "model_name",
    "field_name",
    "status__exact",
    "publish_at__year",
    "publish_at__month",
    "publish_at__day",
    "newsroom__id__exact",
    "utm_source",
]
HOSTS = ["testserver:99999", "localhost:8080", "127.0.0.1:6666", "testserver:0", "evil.example"]
HEADERS = [{"HTTP_HOST": host} for host in HOSTS] + [
    {
        "HTTP_X_FORWARDED_FOR": "203.0.113.9, not-an-address",
        "HTTP_X_FORWARDED_HOST": "evil.example:6666",
        "HTTP_X_FORWARDED_PROTO": "https",
        "HTTP_X_FORWARDED_PORT": "6666",
    },
    {"HTTP_RANGE": "bytes=" + "9" * 5000 + "-"},
    {"HTTP_RANGE": "bytes=-" + "9" * 5000},
    {"HTTP_RANGE": "bytes=0-" + "9" * 5000},
    {"HTTP_RANGE": "bytes=5-1, 0-, -0, x-y"},
    {
        "HTTP_IF_NONE_MATCH": '"' + "x" * 5000 + '", W/, *junk',
        "HTTP_IF_MODIFIED_SINCE": "Sun, 99 Foo 99999 99:99:99 GMT",
        "HTTP_IF_RANGE": "W/" + "9" * 5000,
    },
    {"HTTP_IF_MODIFIED_SINCE": "9" * 5000, "HTTP_IF_RANGE": "9" * 5000, "HTTP_RANGE": "bytes=0-0"},
    {"HTTP_ACCEPT": "*/*;q=" + "9" * 500, "HTTP_ACCEPT_LANGUAGE": "xx-" + "y" * 500},
    {"HTTP_COOKIE": "sessionid=" + "a" * 5000 + "; csrftoken=" + "b" * 5000 + "; =; x"},
]
METHODS = ["HEAD", "OPTIONS", "POST", "PUT", "DELETE", "PATCH", "TRACE"]
# Hosts our pages name on purpose: XML namespaces, schema.org, the video sites the content
# security policy lets a reader's click load, and nothing a client sent.
KNOWN_HOSTS = {"www.w3.org", "search.yahoo.com", "www.sitemaps.org", "schema.org", "purl.org"} | {
    urlsplit(source).hostname
    for source in django_settings.SECURE_CSP["frame-src"]
    if source.startswith("https://")
}
PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")


# The URL conf, walked ------------------------------------------------------------------


@dataclass(frozen=True)
class Leaf:
    """One URL pattern: its full route, a template to fill, and the names of its parameters."""

    route: str
    template: str
    parameters: tuple
    name: str

    def path(self, values):
        return "/" + self.template.format(**{name: values[name] for name in self.parameters})


def part_template(pattern):
    """A pattern's part of the address, with {name} for each parameter."""
    if isinstance(pattern, RoutePattern):
        route = str(pattern).replace("{", "{{").replace("}", "}}")
        return PARAMETER.sub(lambda m: "{" + m["parameter"] + "}", route)
    if isinstance(pattern, RegexPattern):
        # What reverse() writes for a regex: its first spelling, with %(name)s holes.
        text, names = normalize(pattern.regex.pattern)[0]
        text = text.replace("{", "{{").replace("}", "}}")
        return text % {name: "{" + name + "}" for name in names}
    if isinstance(pattern, LanguagePrefix):
        return pattern.prefix  # the active language's, as reverse() writes it
    raise AssertionError(f"A kind of URL pattern the fuzz test does not know: {pattern!r}")


def join_route(first, second):
    # As Django's URLResolver joins the routes of nested patterns (ResolverMatch.route).
    return second if not first else first + second.removeprefix("^")


def walk(patterns, route="", template="", namespace=""):
    for entry in patterns:
        entry_route = join_route(route, str(entry.pattern))
        entry_template = template + part_template(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, entry_route, entry_template, inner)
        else:
            names = tuple(dict.fromkeys(re.findall(r"(?<!\{)\{(\w+)\}", entry_template)))
            yield Leaf(entry_route, entry_template, names, f"{namespace}{entry.name or ''}")


LEAVES = sorted(set(walk(get_resolver().url_patterns)), key=lambda leaf: leaf.route)


def test_the_walk_finds_every_kind_of_pattern():
    routes = {leaf.route for leaf in LEAVES}
    assert "<language>/<slug:newsroom>/releases/<slug:slug>/" in routes  # the site's
    assert "api/releases/<slug:newsroom>/<slug:slug>/" in routes  # the API's
    assert any(route.startswith("admin/press/pressrelease/") for route in routes)  # the admin's
    assert len(LEAVES) > 100


# The data, and the real values of its addresses ----------------------------------------


@pytest.fixture
def site(seed_release, newsroom, editor, database_cache, capsys):
    """One of everything, and for every pattern the values of an existing object."""
    tag = newsroom.tags.create(name="24H Series", slug="24h-series")
    seed_release.tags.add(tag)
    newsroom.logo = ContentFile(jpeg_bytes(200, 100), name="logo.jpg")
    newsroom.save()
    speaker = seed_release.quotes.first().speaker
    speaker.portrait = ContentFile(jpeg_bytes(100, 100), name="portrait.jpg")
    speaker.save()
    document = Document.objects.create(
        newsroom=newsroom,
        title="Fact sheet",
        file=ContentFile(make_fact_sheet("Fact sheet", ["Line"]), name="sheet.pdf"),
        visibility=Visibility.PUBLIC,
    )
    seed_release.documents.add(document)
    embargoed_set = make_photo_set(newsroom, slug="embargoed", visibility=Visibility.WITH_RELEASE)
    embargoed = make_release(
        newsroom, slug="embargoed", publish_at=timezone.now() + timedelta(days=2)
    )
    embargoed.photo_sets.add(embargoed_set)
    make_photo(embargoed_set, title="Under embargo")
    embargoed_video = make_video(
        embargoed_set, title="Embargoed clip", subtitles=[("en", [(0.1, 0.5, "Words")])]
    )
    video = make_video(photo_set_of(seed_release), subtitles=[("sv", [(0.1, 0.5, "Ord")])])
    embargoed.documents.add(document)
    preview_pass = PreviewPass.objects.create(
        release=embargoed, name="Kim", email="kim@news.example", created_by=editor
    )
    follower = Follower.objects.create(newsroom=newsroom, email="reader@example.com")
    photo = seed_release.hero_photo
    photo_set = photo.photo_set
    links = PassLinks(preview_pass)
    urls = [
        seed_release.get_absolute_url(),
        photo_set.get_absolute_url(),
        photo.get_absolute_url(),
        document.get_absolute_url(),
        tag.get_absolute_url(),
        seed_release.events.first().get_absolute_url(),
        *(photo.file_url(size) for size in SIZES),
        f"/files/sets/{photo_set.pk}/web.zip",
        video.get_absolute_url(),
        video.file_url("web"),
        video.subtitles.get().file_url("vtt"),
        links.video_page(embargoed_video),
        links.video_file(embargoed_video, "web"),
        links.subtitle_file(embargoed_video.subtitles.get(), "vtt"),
        f"/en/selection/{selection.token([selection.Item('p', photo.pk)])}/",
        f"/files/selection/{selection.token([selection.Item('p', photo.pk)])}/web.zip",
        "/en/selection/",
        *(
            f"/en/{newsroom.slug}/{page}"
            for page in (
                "",
                "alerts/",
                "contacts/",
                "documents/",
                "events.ics",
                "events/",
                "photos/",
                "releases/",
                "releases/feed.rss",
                "releases/feed.atom",
                f"tags/{tag.slug}/feed.rss",
            )
        ),
        f"/en/{newsroom.slug}/releases/{seed_release.slug}.txt",
        f"/en/{newsroom.slug}/releases/{seed_release.slug}.md",
        f"/en/{newsroom.slug}/tags/{tag.slug}/feed.atom",
        f"/en/{newsroom.slug}/kinds/release/feed.rss",
        f"/en/{newsroom.slug}/kinds/release/feed.atom",
        sitemaps.file_path(newsroom, "releases", seed_release.publish_at),
        f"/files/newsrooms/{newsroom.slug}/logo/",
        f"/files/people/{speaker.pk}/portrait/",
        preview_pass.link_path(),
        preview_pass.link_path() + "embargo.ics",
        links.photo_set(embargoed_set),
        links.photo_page(embargoed_set.photos.first()),
        links.photo_file(embargoed_set.photos.first(), "web"),
        links.set_zip(embargoed_set, "web"),
        links.document(document),
        links.selection_start(),
        links.selection_page(selection.token([selection.Item("p", photo.pk)])),
        links.selection_zip(selection.token([selection.Item("p", photo.pk)]), "web"),
        links.release_page(embargoed),
        follower.get_confirm_url(),
        follower.get_unsubscribe_url(),
        f"/api/releases/{newsroom.slug}/{seed_release.slug}/",
        f"/api/photo-sets/{photo_set.pk}/",
        f"/api/events/{seed_release.events.first().pk}/",
        *admin_urls(),
    ]
    site = {"real": real_values(urls), "editor": editor, "cache_keys": database_cache}
    yield site
    if "asker" in site:  # hypothesis's examples share one asker: its figures come at the end
        with capsys.disabled():
            print(f"\nfuzz, hypothesis: {site['asker'].count} requests")
        check_cache(site)


def admin_urls():
    """The admin's pages of every registered model, for an existing row where there is one."""
    urls = ["/admin/", "/admin/login/", "/admin/logout/", "/admin/password_change/"]
    for model, _model_admin in admin.site._registry.items():
        opts = model._meta
        base = f"/admin/{opts.app_label}/{opts.model_name}/"
        urls += [f"/admin/{opts.app_label}/", base, f"{base}add/"]
        row = model._default_manager.order_by("pk").first()
        if row is not None:
            urls += [
                f"{base}{row.pk}/change/",
                f"{base}{row.pk}/history/",
                f"{base}{row.pk}/delete/",
            ]
            urls += [f"{base}{row.pk}/upload/"]  # a custom view where the model has one
    return urls


def real_values(urls):
    """{route: {parameter: value}}: an existing object's values for each pattern they match."""
    found = {}
    for url in urls:
        try:
            match = resolve(urlsplit(url).path)
        except Resolver404:
            continue
        leaf = next((leaf for leaf in LEAVES if leaf.route == match.route), None)
        if leaf is None or leaf.route in found:
            continue
        values = url_values(leaf, urlsplit(url).path)
        if values is not None:
            found[leaf.route] = values
    return found


def url_values(leaf, path):
    """The parameter values as they stand in the path, read back by the leaf's template."""
    regex = re.escape("/" + leaf.template)
    for name in leaf.parameters:
        regex = regex.replace(re.escape("{" + name + "}"), f"(?P<{name}>.+?)", 1)
    match = re.fullmatch(regex.replace(r"\{\{", r"\{").replace(r"\}\}", r"\}"), path)
    return match.groupdict() if match else None


def fallback_values(leaf, real):
    """For a pattern no existing object's address matched: plausible values by name."""
    values = {}
    for name in leaf.parameters:
        known = [v[name] for v in real.values() if name in v]
        values[name] = known[0] if known else "1"
    return values


# Asking ------------------------------------------------------------------------------------


class Asker:
    """Sends requests, counts them, and keeps every 5xx with the pattern and input that made it."""

    def __init__(self, editor):
        self.visitor = Client(enforce_csrf_checks=True)
        self.editor = Client(enforce_csrf_checks=True)
        self.editor.force_login(editor)
        self.count = 0
        self.failures = []

    def ask(self, leaf, path, *, query="", method="GET", headers=None, as_editor=False):
        client = self.editor if as_editor else self.visitor
        url = f"{path}?{query}" if query else path
        headers = headers or {}
        self.count += 1
        problem = None

        try:
            # A savepoint: a database error in one request cannot spoil the next ones.
            with transaction.atomic():
                data = {"email": query[:50] or "a@example.com", "username": "x", "password": "y"}
                if method == "POST":
                    response = client.post(url, data, **headers)
                else:
                    response = client.generic(method, url, **headers)
                if response.status_code >= 500:
                    problem = f"status {response.status_code}"
                elif response.streaming:
                    b"".join(response.streaming_content)  # a stream can fail late, too
        except Exception as error:
            problem = f"{type(error).__name__}: {str(error)[:200]}"
        if problem:
            self.failures.append(
                f"{leaf.route} [{leaf.name}] {method} {'editor' if as_editor else 'visitor'} "
                f"{shorten(url)} {shorten(str(headers))}: {problem}"
            )

    def report(self):
        return f"{len(self.failures)} of {self.count} requests failed:\n" + "\n".join(
            self.failures[:60]
        )


def shorten(text, limit=160):
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


def hostile_query(value):
    return "&".join(f"{name}={value}" for name in QUERY_NAMES) + f"&page=1&page={value}&q=a"


def hosts_in_cached_pages(site):
    """Every host named in a page the cache keeps (header values included)."""
    from django.core.cache import cache

    hosts = set()
    for key in site["cache_keys"]():
        entry = cache.get(key.split(":", 2)[2])  # ":version:key", the default key function
        if not isinstance(entry, dict) or "content" not in entry:
            continue  # a generation, not a page
        text = entry["content"].decode("utf-8", "replace") + " ".join(entry["headers"].values())
        hosts |= set(re.findall(r"https?://([^/\s\"'<>?#;,\\]+)", text))
        hosts |= set(re.findall(r"(?:href|src|action|content)=[\"']//([^/\"']+)", text))
    return hosts


def check_cache(site):
    hosts = hosts_in_cached_pages(site) - KNOWN_HOSTS
    assert hosts <= {"testserver"}, f"cached pages name other hosts: {sorted(hosts)}"


# The deterministic pass: every pattern, every value ------------------------------------------


def test_every_pattern_with_every_hostile_value(site, capsys):
    asker = Asker(site["editor"])
    real = site["real"]
    for leaf in LEAVES:
        values = real.get(leaf.route) or fallback_values(leaf, real)
        path = leaf.path(values)
        # The admin sends visitors to its login before it reads the address: the
        # hostile addresses go to the editor there, to the visitor everywhere else.
        admin_only = leaf.route.startswith("admin/")
        asker.ask(leaf, path)
        asker.ask(leaf, path, as_editor=True)
        if leaf.parameters:
            for hostile in SAMPLE if admin_only else HOSTILE:
                asker.ask(leaf, leaf.path(dict.fromkeys(values, hostile)), as_editor=admin_only)
            for hostile in SAMPLE:
                if not admin_only:
                    asker.ask(leaf, leaf.path(dict.fromkeys(values, hostile)), as_editor=True)
                for name in leaf.parameters[1:]:  # one bad value among good ones
                    asker.ask(leaf, leaf.path({**values, name: hostile}), as_editor=admin_only)
        for hostile in SAMPLE[:2] if admin_only else HOSTILE[::2]:
            asker.ask(leaf, path, query=hostile_query(hostile), as_editor=admin_only)
        for hostile in [] if admin_only else SAMPLE[:2]:
            asker.ask(leaf, path, query=hostile_query(hostile), as_editor=True)
        for headers in HEADERS[:3] if admin_only else HEADERS:
            asker.ask(leaf, path, headers=headers)
    check_cache(site)
    # Methods last: a POST may unsubscribe the follower the other requests use.
    for leaf in LEAVES:
        path = leaf.path(real.get(leaf.route) or fallback_values(leaf, real))
        for method in METHODS:
            asker.ask(leaf, path, method=method)
            asker.ask(leaf, path, query="q=%00&page=" + "9" * 5000, method=method, as_editor=True)
    with capsys.disabled():
        print(f"\nfuzz, every pattern: {asker.count} requests over {len(LEAVES)} patterns")
    assert not asker.failures, asker.report()
    check_cache(site)


# Hypothesis: the values mixed ---------------------------------------------------------------


VALUES = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40).map(lambda text: quote(text, safe="")),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.from_regex(r"[a-z0-9-]{1,30}", fullmatch=True),
)


@settings(
    max_examples=300,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_hypothesis_mixes_hostile_input_on_every_pattern(site, data):
    asker = site.setdefault("asker", Asker(site["editor"]))
    real = site["real"]
    leaf = data.draw(st.sampled_from(LEAVES), label="pattern")
    values = dict(real.get(leaf.route) or fallback_values(leaf, real))
    for name in leaf.parameters:
        if data.draw(st.booleans(), label=f"hostile {name}"):
            values[name] = data.draw(VALUES, label=name)
    pairs = data.draw(
        st.lists(st.tuples(st.sampled_from(QUERY_NAMES), VALUES), max_size=4), label="query"
    )
    query = "&".join(f"{name}={value}" for name, value in pairs)
    headers = data.draw(st.one_of(st.just({}), st.sampled_from(HEADERS)), label="headers")
    method = data.draw(st.sampled_from(["GET", "GET", "HEAD", *METHODS]), label="method")
    as_editor = data.draw(st.booleans(), label="as editor")

    asker.ask(
        leaf, leaf.path(values), query=query, method=method, headers=headers, as_editor=as_editor
    )

    assert not asker.failures, asker.report()


# What the fuzz found, kept as plain examples ------------------------------------------------


def test_a_range_of_5000_digits_is_ignored(client, seed_release):
    photo = seed_release.hero_photo
    for header in ("bytes=" + "9" * 5000 + "-", "bytes=-" + "9" * 5000, "bytes=0-" + "9" * 5000):
        response = client.get(photo.file_url("web"), headers={"Range": header})

        assert response.status_code == 200  # the whole file, as RFC 9110 allows
        assert len(b"".join(response.streaming_content)) == int(response["Content-Length"])


def photo_set_of(release):
    return release.hero_photo.photo_set


def test_existing_objects_fill_every_pattern_of_the_site(site):
    """Besides hostile values, each pattern is tried with an existing object's real ones."""
    missing = [
        leaf.route
        for leaf in LEAVES
        if leaf.parameters
        and leaf.route not in site["real"]
        and not leaf.route.lstrip("^").startswith("admin/")
    ]
    assert missing == [], missing
