"""The read-only JSON API: live releases as IPTC ninjs 2.x items, public photo sets, events.

Every view reads what the public site reads (`PressRelease.objects.live()`,
`PhotoSet.objects.public()`), so the API can show nothing the site would not.
Views return plain data; `api_view` turns it into the response every API
address gives: JSON, a strong ETag, a minute of public caching, readable from
any web site (CORS), GET and HEAD only.
"""

import functools
import hashlib
import re
from datetime import UTC

from django.conf import settings
from django.core.exceptions import BadRequest
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from media import sizes
from media.downloads import codec_label
from media.models import Photo, PhotoSet, Rendition, Video
from media.sizes import POSTER, VIDEO_FILES
from newsroom.ground.http import absolute_url, not_modified
from press.api import openapi
from press.api.pages import Order, page_of
from press.models import Event, Kind, PressRelease, Quote, Result, Tag
from press.parts import PUBLIC, VERSION_FIELDS, release_parts
from press.text import body_text

MAX_AGE = 60  # seconds: a withdrawn release leaves shared caches within a minute
ALLOWED_METHODS = "GET, HEAD, OPTIONS"
NOT_FOUND = "Nothing public at this address. The API's addresses are listed at /api/."

# ninjs `profile`: what kind of text the item is, in words other systems know.
PROFILES = {
    Kind.PRESS_RELEASE: "press-release",
    Kind.NEWS: "news",
    Kind.RESULTS: "results",
    Kind.MEDIA_ADVISORY: "media-advisory",
}
# The ninjs version every release item declares (its `standard`) and is checked against.
NINJS_VERSION = "2.2"
NINJS_SCHEMA = f"http://www.iptc.org/std/ninjs/ninjs-schema_{NINJS_VERSION}.json"


# The response every API address gives ---------------------------------------


def api_view(view):
    """Answer with the view's data as JSON, or with a JSON error; GET, HEAD and OPTIONS only."""

    # Nothing here changes state; without the exemption a POST would get the
    # CSRF failure page instead of the API's own 405.
    @csrf_exempt
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "OPTIONS":
            return preflight()
        if request.method not in ("GET", "HEAD"):
            response = error(405, "The API only reads: use GET or HEAD.")
            response["Allow"] = ALLOWED_METHODS
        else:
            try:
                answer = view(request, *args, **kwargs)
                is_response = isinstance(answer, HttpResponse)
                response = answer if is_response else json_response(answer)
            except Http404:
                response = error(404, NOT_FOUND)
            except BadRequest as problem:
                response = error(400, str(problem))
        return finish(request, response)

    return wrapper


def json_response(data, status=200):
    # Readable names (“Bäckman”) instead of \u escapes; JSON is UTF-8 anyway.
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def error(status, message):
    return json_response({"error": message}, status=status)


def finish(request, response):
    """Add the caching and CORS headers, and answer conditional and HEAD requests."""
    etag = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
    if response.status_code == 200 and not_modified(request, etag, None):
        response = HttpResponseNotModified()
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    response["Access-Control-Allow-Origin"] = "*"
    # Scripts on other sites may read the ETag to make conditional requests themselves.
    response["Access-Control-Expose-Headers"] = "ETag"
    if request.method == "HEAD" and response.status_code != 304:
        response["Content-Length"] = str(len(response.content))
        response.content = b""
    return response


def preflight():
    """A browser asking, before a cross-site request with If-None-Match, whether it may."""
    response = HttpResponse(status=204)
    del response["Content-Type"]  # there is no body
    response["Allow"] = ALLOWED_METHODS
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = ALLOWED_METHODS
    response["Access-Control-Allow-Headers"] = "If-None-Match"
    response["Access-Control-Max-Age"] = "86400"
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response


# Reading the query string ------------------------------------------------------


def parse_since(value):
    """An ISO 8601 date and time; without an offset it is read as UTC."""
    # An unescaped “+” in a query string arrives as a space: “…T10:00:00 02:00”.
    value = re.sub(r"(\d{2}:\d{2}(?::[\d.]+)?) (\d{2}(?::?\d{2})?)$", r"\1+\2", value.strip())
    try:
        moment = parse_datetime(value)
        if moment is not None:
            aware = moment if timezone.is_aware(moment) else moment.replace(tzinfo=UTC)
            # The database compares in UTC: year 9999 minus an offset is beyond it.
            return aware.astimezone(UTC)
    except (ValueError, OverflowError):
        pass
    raise BadRequest(
        "“updated_since” must be an ISO 8601 date and time, e.g. "
        "2026-05-13T09:30:00+02:00 or 2026-05-13T07:30:00Z (write “+” as %2B in a URL)."
    )


SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def slug_param(request, name):
    """A slug from the query string, or None when absent or empty (no filter).

    Anything else (a NUL byte, say) is a 400.
    """
    value = request.GET.get(name)
    if value and not SLUG.fullmatch(value):
        raise BadRequest(f"“{name}” is a slug: letters, digits, - and _.")
    return value or None


def flag(request, name):
    value = request.GET.get(name) or "0"  # empty: the default, like every filter
    if value not in ("0", "1"):
        raise BadRequest(f"“{name}” is 1 (yes) or 0 (no).")
    return value == "1"


# Index and OpenAPI -------------------------------------------------------------


@api_view
def index(request):
    def link(name):
        return absolute_url(reverse(name))

    return {
        "releases": link("api:release-list"),
        "photo_sets": link("api:photoset-list"),
        "events": link("api:event-list"),
        "openapi": link("api:openapi"),
    }


@api_view
def openapi_document(request):
    return openapi.document(absolute_url(reverse("api:index")).rstrip("/"))


@api_view
def not_found(request):
    """Any other address under /api/: a JSON 404, with a hint for a missing slash."""
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.url_name != "not-found":
            return error(404, f"{NOT_FOUND} Did you mean {request.path}/ (with a slash)?")
    raise Http404


# Releases as ninjs -------------------------------------------------------------

# Each list's order, the pk last: the cursor of a page is its last item's key.
NEWEST_RELEASES = Order("-publish_at", "-pk")


def live_releases(translations=True):
    """Live releases with everything their ninjs items show, in a fixed number of queries.

    A translation's photos, tags, events and results are its story's: with
    `translations` its original's are read as well.
    """
    public_sets = (
        PhotoSet.objects.public()
        .select_related("newsroom")
        .prefetch_related(
            Prefetch("photos", queryset=Photo.objects.prefetch_related(renditions())),
            Prefetch("videos", queryset=Video.objects.prefetch_related("files")),
        )
    )
    live_versions = PressRelease.objects.live().only(*VERSION_FIELDS).order_by("language")
    stories = ("", "original__") if translations else ("",)
    shared = [
        lookup
        for story in stories
        for lookup in (
            renditions(f"{story}hero_photo__renditions"),
            Prefetch(f"{story}photo_sets", queryset=public_sets),
            Prefetch(f"{story}tags", queryset=Tag.objects.select_related("newsroom")),
            f"{story}events",
            Prefetch(f"{story}results", queryset=Result.objects.select_related("event")),
            Prefetch(f"{story}translations", queryset=live_versions),
        )
    ]
    heroes = [f"{story}hero_photo__photo_set__newsroom" for story in stories]
    return (
        PressRelease.objects.live()
        .select_related("newsroom", *heroes)
        .prefetch_related(
            *shared, Prefetch("quotes", queryset=Quote.objects.select_related("speaker"))
        )
    )


def renditions(lookup="renditions"):
    # Sorted in Python (in the sizes' order); no ORDER BY needed.
    return Prefetch(lookup, queryset=Rendition.objects.order_by())


@api_view
def release_list(request):
    # Items carry the body (ninjs `bodies`), never the search index's columns.
    language = language_param(request)
    # Each story once, as its original; in one language, its live versions in it.
    releases = live_releases(translations=bool(language)).listed("body")
    releases = releases.filter(language=language) if language else releases.originals()
    if newsroom := slug_param(request, "newsroom"):
        releases = releases.filter(newsroom__slug=newsroom)
    if tag := slug_param(request, "tag"):
        releases = releases.filter(tags__slug=tag).distinct()
    if kind := request.GET.get("kind"):
        if kind not in Kind.values:
            raise BadRequest(f"“kind” is one of: {', '.join(Kind.values)}.")
        releases = releases.filter(kind=kind)
    # An empty filter is no filter, as the OpenAPI description says.
    if request.GET.get("updated_since"):
        since = parse_since(request.GET["updated_since"])
        # publish_at too: a scheduled release goes live without being saved, and a
        # client that synchronises must still hear about it.
        releases = releases.filter(
            Q(updated_at__gt=since) | Q(corrected_at__gt=since) | Q(publish_at__gt=since)
        )
    return page_of(request, releases, release_items, NEWEST_RELEASES)


@api_view
def release_detail(request, newsroom, slug):
    release = get_object_or_404(live_releases(), newsroom__slug=newsroom, slug=slug)
    return release_item(request, release)


def language_param(request):
    language = request.GET.get("language")
    if language and language not in dict(settings.LANGUAGES):
        raise BadRequest(f"“language” is one of: {', '.join(dict(settings.LANGUAGES))}.")
    return language


def release_items(request, releases):
    return [release_item(request, release) for release in releases]


def release_item(request, release):
    """A live release as a ninjs 2.x text item.

    No `embargoed`: only live releases get here, and the time a release was
    held for is none of the public's business. Quotes travel as associated
    text items; results are on the events (`events[].uri`), since ninjs 2.x
    allows no properties of our own.
    """
    zone = release.newsroom.zone
    first_published = release.first_published_at or release.publish_at
    events = release_events(release)
    parts = release_parts(release, PUBLIC)
    return without_empty(
        {
            # The one identifier that never changes, the same as the feeds' GUIDs;
            # the page's address changes with its slug and is an altid.
            "uri": release.urn,
            "standard": {"name": "ninjs", "version": NINJS_VERSION, "schema": NINJS_SCHEMA},
            "type": "text",
            "profile": PROFILES.get(release.kind, release.kind),
            # Changes with every save; sortable.
            "version": release.updated_at.astimezone(UTC).strftime("%Y%m%d%H%M%S%f"),
            "versioncreated": iso(release.corrected_at or first_published, zone),
            "firstcreated": iso(first_published, zone),
            "contentcreated": iso(release.created_at, zone),
            "pubstatus": "usable",
            "language": release.language,
            "altids": [
                {"role": "web", "value": absolute_url(release.get_absolute_url())},
                {
                    "role": "api",
                    "value": absolute_url(
                        reverse("api:release-detail", args=[release.newsroom.slug, release.slug])
                    ),
                },
            ],
            **texts(parts),
            "by": release.newsroom.name,
            "subjects": [
                {
                    "name": tag.name,
                    "uri": absolute_url(tag.get_absolute_url()),
                    "literal": tag.slug,
                }
                for tag in release.story.tags.all()
            ],
            "people": quoted_people(parts),
            "events": [
                {
                    "name": event.name,
                    "uri": absolute_url(reverse("api:event-detail", args=[event.pk])),
                    "literal": event.slug,
                }
                for event in events
            ],
            "places": [{"name": place} for place in unique(event.place for event in events)],
            "associations": associations(request, release, parts),
        }
    )


def release_events(release):
    """The release's events and those its results were entered for, once each."""
    by_pk = {event.pk: event for event in release.story.events.all()}
    for result in release.story.results.all():
        by_pk.setdefault(result.event_id, result.event)
    return list(by_pk.values())


def texts(parts):
    """The release's own words (`WORDS` of its parts) as ninjs headlines, descriptions and
    bodies; an HTML text goes as HTML and as plain text."""
    carried = {"headlines": [], "descriptions": [], "bodies": []}
    for words, value in parts.words:
        if words.html:
            carried[words.ninjs] += [
                {"role": words.role, "contenttype": "text/html", "value": value},
                {"role": words.role, "contenttype": "text/plain", "value": body_text(value)},
            ]
        else:
            carried[words.ninjs].append({"role": words.role, "value": value})
    return carried


def quoted_people(parts):
    # ninjs 2.x people have no role; the speaker's title is in the quote's `by`.
    speakers = unique(quote.speaker.name for quote in parts.quotes)
    return [{"name": name, "rel": "quoted"} for name in speakers]


def associations(request, release, parts):
    """The hero, the photos of the release's public sets, and the quotes, each named.

    The sets' photos come from the list's prefetch (`live_releases()`), which
    keeps public sets only, as the parts do for the public.
    """
    items = []
    hero = parts.hero
    if hero is not None:
        items.append(picture(request, hero, name="hero", caption=parts.caption))
    photos = [
        photo
        for photo_set in release.story.photo_sets.all()
        for photo in photo_set.photos.all()
        if hero is None or photo.pk != hero.pk
    ]
    for number, photo in enumerate(photos, start=1):
        items.append(picture(request, photo, name=f"photo-{number}"))
    videos = [
        video for photo_set in release.story.photo_sets.all() for video in photo_set.videos.all()
    ]
    for number, video in enumerate(videos, start=1):
        items.append(video_item(request, video, name=f"video-{number}"))
    for number, quote in enumerate(parts.quotes, start=1):
        items.append(quote_item(request, quote, name=f"quote-{number}"))
    story = release.story
    versions = [story, *story.translations.all()]  # the live ones, prefetched
    for version in versions:
        version.newsroom = release.newsroom  # a story never leaves its newsroom
    items += [version_item(version) for version in versions if version.pk != release.pk]
    return items


def version_item(version):
    """Another live language version of the story, as ninjs links it: an associated text
    item in its language, with its page and its API item."""
    api = reverse("api:release-detail", args=[version.newsroom.slug, version.slug])
    return {
        "name": f"version-{version.language}",
        "uri": version.urn,
        "type": "text",
        "language": version.language,
        "headlines": [{"role": "main", "value": version.title}],
        "altids": [
            {"role": "web", "value": absolute_url(version.get_absolute_url())},
            {"role": "api", "value": absolute_url(api)},
        ],
    }


def picture(request, photo, *, name=None, caption=None):
    """A photo as a ninjs 2.x picture: its words, its rights and the files that exist."""
    caption = photo.caption if caption is None else caption
    descriptions = [{"role": "caption", "value": caption}] if caption else []
    listed = {size.name: size for size in sizes.listed_sizes()}
    order = list(listed)
    if photo.alt_text:
        descriptions.append({"role": "alt", "value": photo.alt_text})
    return without_empty(
        {
            "name": name,
            "uri": absolute_url(photo.get_absolute_url()),
            "type": "picture",
            "version": photo.version,
            "contentcreated": iso(photo.taken_at, photo.photo_set.newsroom.zone),
            "headlines": [{"role": "main", "value": photo.title}] if photo.title else [],
            "descriptions": descriptions,
            # ninjs 2.x keeps these three at the top of any item; its `rightsinfo`
            # is for machine-readable rights expressions, which we do not have.
            "copyrightholder": photo.credit,
            "copyrightnotice": photo.copyright,
            "usageterms": str(photo.usage_terms),
            "renditions": [
                {
                    "name": rendition.size,
                    "title": str(listed[rendition.size].label),
                    "href": absolute_url(photo.file_url(rendition.size)),
                    "contenttype": rendition.content_type,
                    "width": rendition.width,
                    "height": rendition.height,
                    "sizeinbytes": rendition.bytes,
                }
                for rendition in sorted(
                    (r for r in photo.renditions.all() if r.size in listed),
                    key=lambda r: order.index(r.size),
                )
            ],
        }
    )


def video_item(request, video, *, name=None):
    """A video as a ninjs 2.x video item: its words, its rights and the files that exist
    (the poster, the web version, the cleaned original), each with its codecs in `format`."""
    files = video.served_files()
    renditions_made = []
    for kind in VIDEO_FILES.values():
        kept = files.get(kind.name)
        if kept is None:
            continue
        rendition = {
            "name": kind.name,
            "title": str(kind.label),
            "href": absolute_url(video.file_url(kind.name)),
            "contenttype": kept.content_type,
            "width": kept.width,
            "height": kept.height,
            "sizeinbytes": kept.bytes,
        }
        if kind.name != POSTER:
            rendition["duration"] = round(video.duration, 3)
            rendition["format"] = codec_label(kept)
        renditions_made.append(rendition)
    return without_empty(
        {
            "name": name,
            "uri": absolute_url(video.get_absolute_url()),
            "type": "video",
            "version": video.version,
            "headlines": [{"role": "main", "value": video.title}] if video.title else [],
            "descriptions": [{"role": "caption", "value": video.caption}] if video.caption else [],
            "copyrightholder": video.credit,
            "copyrightnotice": video.copyright,
            "usageterms": str(video.usage_terms),
            "renditions": renditions_made,
        }
    )


def quote_item(request, quote, *, name):
    return {
        "name": name,
        "uri": absolute_url(quote.get_absolute_url()),
        "type": "text",
        "profile": "quote",
        "by": quote.attribution,
        "bodies": [{"role": "quote", "contenttype": "text/plain", "value": quote.text}],
    }


def iso(moment, zone):
    """ISO 8601 with the newsroom's offset, as a journalist there would read it."""
    if moment is None:
        return None
    return timezone.localtime(moment, zone).isoformat(timespec="seconds")


def without_empty(data):
    # ninjs leaves out what is unknown, rather than sending empty strings and lists.
    return {key: value for key, value in data.items() if value not in (None, "", [])}


def unique(values):
    return list(dict.fromkeys(value for value in values if value))


# Photo sets --------------------------------------------------------------------

NEWEST_SETS = Order("-created_at", "-pk")


@api_view
def photo_set_list(request):
    # with_cover() groups by set, which drops the model's ordering: state it again.
    photo_sets = PhotoSet.objects.public().with_cover()
    if newsroom := slug_param(request, "newsroom"):
        photo_sets = photo_sets.filter(newsroom__slug=newsroom)
    return page_of(request, photo_sets, photo_set_summaries, NEWEST_SETS)


def photo_set_summaries(request, photo_sets):
    """Sets from `with_cover()`, each with its cover as a picture: one query for all covers."""
    photo_sets = list(photo_sets)
    covers = (
        Photo.objects.select_related("photo_set__newsroom")
        .prefetch_related(renditions())
        .in_bulk([s.cover_photo_id for s in photo_sets if s.cover_photo_id])
    )
    summaries = []
    for photo_set in photo_sets:
        cover = covers.get(photo_set.cover_photo_id)
        # A cover picked from another set would carry that set's visibility: never show it.
        if cover is not None and cover.photo_set_id != photo_set.pk:
            cover = None
        summaries.append(
            {
                **photo_set_fields(request, photo_set),
                "photo_count": photo_set.photo_count,
                "cover": picture(request, cover) if cover else None,
            }
        )
    return summaries


@api_view
def photo_set_detail(request, pk):
    photo_set = get_object_or_404(PhotoSet.objects.public().select_related("newsroom"), pk=pk)
    photos = photo_set.photos.prefetch_related(renditions())
    videos = photo_set.videos.prefetch_related("files")
    return {
        **photo_set_fields(request, photo_set),
        "photo_count": len(photos),
        "photos": [picture(request, photo) for photo in photos],
        "videos": [video_item(request, video) for video in videos],
    }


def photo_set_fields(request, photo_set):
    return {
        "id": photo_set.pk,
        "href": absolute_url(reverse("api:photoset-detail", args=[photo_set.pk])),
        "uri": absolute_url(photo_set.get_absolute_url()),
        "title": photo_set.title,
        "slug": photo_set.slug,
        "description": photo_set.description,
        "newsroom": newsroom_data(request, photo_set.newsroom),
        "updated": iso(photo_set.updated_at, photo_set.newsroom.zone),
    }


def newsroom_data(request, newsroom):
    return {
        "slug": newsroom.slug,
        "name": newsroom.name,
        "uri": absolute_url(newsroom.get_absolute_url()),
    }


# Events and their results ------------------------------------------------------

LATEST_EVENTS = Order("-starts_on", "name", "pk")
SOONEST_EVENTS = Order("starts_on", "name", "pk")


def events_with_results():
    """Events with the results of live releases only: a draft's results stay unseen."""
    live_results = Result.objects.public()
    return (
        Event.objects.public()
        .select_related("newsroom")
        .prefetch_related(Prefetch("results", queryset=live_results))
    )


@api_view
def event_list(request):
    events = events_with_results()
    if newsroom := slug_param(request, "newsroom"):
        events = events.filter(newsroom__slug=newsroom)
    order = LATEST_EVENTS
    if flag(request, "upcoming"):
        events, order = events.upcoming(), SOONEST_EVENTS
    return page_of(request, events, event_items, order)


@api_view
def event_detail(request, pk):
    return event_data(request, get_object_or_404(events_with_results(), pk=pk))


def event_items(request, events):
    return [event_data(request, event) for event in events]


def event_data(request, event):
    return {
        "id": event.pk,
        "href": absolute_url(reverse("api:event-detail", args=[event.pk])),
        "name": event.name,
        "slug": event.slug,
        "series": event.series,
        "venue": event.venue,
        "city": event.city,
        "country": event.country,
        "place": event.place,
        "starts_on": event.starts_on.isoformat(),
        "ends_on": event.ends_on.isoformat(),
        "website": event.website,
        "newsroom": newsroom_data(request, event.newsroom),
        "results": [result_data(request, result) for result in event.results.all()],
    }


def result_data(request, result):
    release = result.release
    return {
        "session": result.session,
        "class": result.category,
        "entry": result.entry,
        "position": result.position,
        "outcome": result.outcome,
        "note": result.note,
        "release": {
            "headline": release.title,
            "uri": absolute_url(release.get_absolute_url()),
            "href": absolute_url(
                reverse("api:release-detail", args=[release.newsroom.slug, release.slug])
            ),
        },
    }
