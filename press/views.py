import functools
import json
from datetime import timedelta

import icalendar
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from media import sizes
from media.downloads import PUBLIC_LINKS, Links
from media.models import Photo, PhotoSet
from media.views import (
    public_or_preview,
    render_photo,
    render_photo_set,
    send_document,
    send_photo_file,
    send_set_zip,
)
from newsroom.http import absolute_url, content_disposition, mark_preview, site_host
from newsroom.models import Newsroom, Person
from newsroom.pagecache import do_not_store, public_page
from press import search
from press.forms import ReleaseFilterForm, SearchForm
from press.models import (
    Event,
    PassEvent,
    PressRelease,
    PreviewPass,
    State,
    Tag,
    pass_key_from_token,
)
from press.parts import EDITORS, PASS_HOLDER, PUBLIC, release_parts
from press.text import release_text

RELEASES_PER_PAGE = 12


@public_page(query=["kind", "tag", "year", "page"])
def release_list(request, newsroom):
    newsroom = get_object_or_404(Newsroom, slug=newsroom)
    live = PressRelease.objects.live().filter(newsroom=newsroom)
    form = ReleaseFilterForm(
        request.GET,
        tags=Tag.objects.filter(releases__in=live).distinct(),
        years=[moment.year for moment in live.datetimes("publish_at", "year", order="DESC")],
    )
    releases = form.filter(live).select_related("newsroom", "hero_photo__photo_set")
    page = Paginator(releases, RELEASES_PER_PAGE).get_page(request.GET.get("page"))
    if form.errors or request.GET.get("page", str(page.number)) != str(page.number):
        do_not_store(request)  # shown with the filter ignored, or another page than asked
    return render(
        request,
        "press/pressrelease_list.html",
        {
            "newsroom": newsroom,
            "section": "releases",
            "form": form,
            "page": page,
            "releases": page.object_list,
        },
    )


@public_page
def release_detail(request, newsroom, slug):
    releases = PressRelease.objects.select_related("newsroom", "hero_photo__photo_set__newsroom")
    release = releases.live().filter(newsroom__slug=newsroom, slug=slug).first()
    if release is not None:
        return render_release(request, release, audience=PUBLIC)
    # Editors see their drafts and embargoed releases here, marked as such.
    release = get_object_or_404(
        releases.editable_by(request.user), newsroom__slug=newsroom, slug=slug
    )
    return render_release(request, release, audience=EDITORS)


# Who is looking decides which photo sets and documents a release page shows.
def render_release(request, release, *, audience, links=PUBLIC_LINKS, **extra):
    newsroom = release.newsroom
    parts = release_parts(release, audience)
    context = {
        "newsroom": newsroom,
        "section": "releases",
        "release": release,
        "preview": audience != PUBLIC,
        "links": links,
        **parts,
        "tags": release.tags.select_related("newsroom"),
        "corrections": release.corrections.all() if release.corrected_at else [],
        "next_event": Event.objects.public().filter(newsroom=newsroom).upcoming().first(),
        **extra,
    }
    if audience == PUBLIC:
        # Link previews and search engines: only ever for what is public.
        context["share"] = sharing_metadata(request, release, parts["hero"])
    response = render(request, "press/pressrelease_detail.html", context)
    return response if audience == PUBLIC else mark_preview(response)


@public_page
def release_as_text(request, newsroom, slug, markdown=False):
    """The release as plain text or Markdown, at a stable address next to its page."""
    release = get_object_or_404(
        PressRelease.objects.live().select_related("newsroom", "hero_photo__photo_set"),
        newsroom__slug=newsroom,
        slug=slug,
    )
    parts = release_parts(release, PUBLIC)
    text = release_text(release, parts, absolute_url, markdown=markdown)
    # The results table is GitHub's extension of CommonMark: say so (RFC 7763).
    content_type = (
        "text/markdown; charset=utf-8; variant=GFM" if markdown else "text/plain; charset=utf-8"
    )
    response = HttpResponse(text, content_type=content_type)
    response["Last-Modified"] = http_date(
        (release.corrected_at or release.first_published_at).timestamp()
    )
    return response


def sharing_metadata(request, release, hero):
    """Open Graph and Twitter card values and schema.org NewsArticle data for a live release."""
    url = absolute_url(release.get_absolute_url())
    newsroom = release.newsroom
    image = None
    if hero is not None:
        width, height = hero.rendition_size(sizes.SOCIAL)
        image = {
            "url": absolute_url(hero.file_url(sizes.SOCIAL)),
            "width": width,
            "height": height,
            "alt": hero.alt,
        }
    # Who speaks: a driver's own newsroom is a Person, a team's an Organization.
    # Google asks for the author's type and url; a person publishing their own
    # news is its publisher too (schema.org allows a Person; a logo is an
    # Organization's only).
    who = {
        "@type": newsroom.schema_org_type,
        "name": newsroom.name,
        "url": newsroom.website or absolute_url(newsroom.get_absolute_url()),
    }
    article = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": url,
        "url": url,
        "headline": release.title[:110],
        "description": release.lead,
        "inLanguage": release.language,
        "datePublished": release.first_published_at.isoformat(),
        "dateModified": (release.corrected_at or release.first_published_at).isoformat(),
        "author": who,
        "publisher": dict(who),
    }
    if image:
        # The 16:9, 4:3 and 1:1 crops search engines ask for, around the focal point.
        article["image"] = [absolute_url(hero.file_url(s.name)) for s in sizes.article_images()]
    if newsroom.logo and newsroom.schema_org_type == "Organization":
        article["publisher"]["logo"] = {
            "@type": "ImageObject",
            "url": absolute_url(reverse("newsroom:logo", args=[newsroom.slug])),
        }
    return {"url": url, "image": image, "json_ld": json_for_script(article)}


def json_for_script(data):
    """JSON that is safe inside a <script> element: no way to close it early."""
    text = json.dumps(data, ensure_ascii=False)
    return mark_safe(  # noqa: S308 (escaped below)
        text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    )


# Preview passes -------------------------------------------------------------


class PassLinks(Links):
    """A pass holder's links: to views that check the pass instead of publication."""

    def __init__(self, preview_pass):
        self.token = preview_pass.token

    def photo_file(self, photo, size):
        return reverse("press:pass-photo-file", args=[self.token, photo.pk, photo.version, size])

    def photo_page(self, photo):
        return reverse("press:pass-photo", args=[self.token, photo.photo_set.slug, photo.pk])

    def photo_set(self, photo_set):
        return reverse("press:pass-photoset", args=[self.token, photo_set.slug])

    def set_zip(self, photo_set, size):
        return reverse("press:pass-photoset-zip", args=[self.token, photo_set.pk, size])

    def document(self, document):
        return reverse("press:pass-document", args=[self.token, document.pk, document.sha256[:12]])


def pass_view(live_redirect=False):
    """Resolve the pass in the link; answer 404, 410 or the view.

    With `live_redirect`, once the embargo has lifted the link leads to the
    public page, whatever the pass's own state.
    """
    return functools.partial(resolve_pass, live_redirect=live_redirect)


def resolve_pass(view, live_redirect):
    @functools.wraps(view)
    def wrapper(request, token, **kwargs):
        key = pass_key_from_token(token)
        preview_pass = (
            PreviewPass.objects.select_related(
                "release__newsroom", "release__hero_photo__photo_set__newsroom"
            )
            .filter(key=key)
            .first()
            if key
            else None
        )
        if preview_pass is None:
            raise Http404
        release = preview_pass.release
        if live_redirect and release.is_live():
            return redirect(release.get_absolute_url())  # public now: the real page
        if preview_pass.revoked_at is not None:
            return pass_unavailable(request, preview_pass, "revoked")
        if not preview_pass.is_valid():
            return pass_unavailable(request, preview_pass, "expired")
        if release.state not in (State.SCHEDULED, State.LIVE):
            return pass_unavailable(request, preview_pass, "withdrawn")
        return view(request, preview_pass, **kwargs)

    return wrapper


def pass_unavailable(request, preview_pass, reason):
    """A link that worked once: say why it no longer does, never show the release."""
    context = {
        "newsroom": preview_pass.release.newsroom,
        "preview_pass": preview_pass,
        "reason": reason,
        "contacts": Person.objects.press_contacts().filter(newsroom=preview_pass.release.newsroom),
    }
    response = render(request, "press/pass_unavailable.html", context, status=410)
    return mark_preview(response)


def log(preview_pass, kind, detail=""):
    PassEvent.objects.create(preview_pass=preview_pass, kind=kind, detail=detail[:300])


def pass_photo_sets(release):
    # Sets that go public with the release; private ones stay with the editors.
    return release.photo_sets.for_pass_holders().select_related("newsroom")


def pass_photos(release):
    """The photos of the release's sets and its hero, unless their set is private."""
    return Photo.objects.select_related("photo_set__newsroom").filter(
        Q(photo_set__in=release.photo_sets.all()) | Q(pk=release.hero_photo_id),
        photo_set__in=PhotoSet.objects.for_pass_holders(),
    )


@pass_view(live_redirect=True)
def pass_release(request, preview_pass):
    log(preview_pass, PassEvent.Kind.OPENED)
    return render_release(
        request,
        preview_pass.release,
        audience=PASS_HOLDER,
        links=PassLinks(preview_pass),
        embargo_pass=preview_pass,
    )


@pass_view()
def pass_photoset(request, preview_pass, slug):
    photo_set = get_object_or_404(pass_photo_sets(preview_pass.release), slug=slug)
    return render_photo_set(
        request,
        photo_set,
        preview=True,
        links=PassLinks(preview_pass),
        embargo_pass=preview_pass,
        release=preview_pass.release,
    )


@pass_view()
def pass_photo(request, preview_pass, slug, pk):
    photo = get_object_or_404(pass_photos(preview_pass.release), pk=pk, photo_set__slug=slug)
    return render_photo(
        request,
        photo,
        preview=True,
        links=PassLinks(preview_pass),
        embargo_pass=preview_pass,
        release=preview_pass.release,
    )


@pass_view()
@require_safe
def pass_photo_file(request, preview_pass, pk, version, size):
    photo = get_object_or_404(pass_photos(preview_pass.release), pk=pk)
    return send_photo_file(
        request,
        photo,
        version,
        size,
        public=False,
        links=PassLinks(preview_pass),
        logged=functools.partial(log, preview_pass, PassEvent.Kind.DOWNLOADED),
    )


@pass_view()
@require_safe
def pass_photoset_zip(request, preview_pass, pk, size):
    photo_set = get_object_or_404(pass_photo_sets(preview_pass.release), pk=pk)
    return send_set_zip(
        request,
        photo_set,
        size,
        public=False,
        logged=functools.partial(log, preview_pass, PassEvent.Kind.DOWNLOADED),
    )


@pass_view()
@require_safe
def pass_document(request, preview_pass, pk, version):
    documents = preview_pass.release.documents.for_pass_holders()
    document = get_object_or_404(documents.select_related("newsroom"), pk=pk)
    return send_document(
        request,
        document,
        version,
        public=False,
        links=PassLinks(preview_pass),
        logged=functools.partial(log, preview_pass, PassEvent.Kind.DOWNLOADED),
    )


@pass_view()
@require_safe
def pass_calendar(request, preview_pass):
    """The embargo as a calendar event, with a reminder, for the journalist's calendar."""
    release = preview_pass.release
    log(preview_pass, PassEvent.Kind.CALENDAR)
    public_url = absolute_url(release.get_absolute_url())
    local_time = timezone.localtime(release.publish_at, release.newsroom.zone)
    event = icalendar.Event()
    event.add("uid", f"embargo-{preview_pass.pk}-{release.pk}@{site_host()}")
    # The stamp says when the information last changed, not when it was asked for:
    # the same pass gives the same file (the embargo can move after the pass is issued).
    event.add("dtstamp", max(preview_pass.created_at, release.updated_at))
    event.add("dtstart", release.publish_at)
    event.add("dtend", release.publish_at + timedelta(minutes=15))
    event.add("summary", f"Embargo lifts: {release.title}")
    event.add(
        "description",
        f"{release.newsroom}: not for publication before "
        f"{local_time:%d %B %Y, %H:%M} {local_time.tzname()}. {public_url}",
    )
    event.add("url", public_url)
    reminder = icalendar.Alarm()
    reminder.add("action", "DISPLAY")
    reminder.add("description", f"Embargo lifts in 15 minutes: {release.title}")
    reminder.add("trigger", timedelta(minutes=-15))
    event.add_component(reminder)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Newsroom//Embargo reminder//EN")
    calendar.add("version", "2.0")
    calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = content_disposition("embargo.ics")
    return mark_preview(response)


# Events ---------------------------------------------------------------------


def event_results(event):
    """An event's results, from live releases only: an embargoed result stays hidden."""
    return event.results.public()


@public_page
def event_list(request, newsroom):
    newsroom = get_object_or_404(Newsroom, slug=newsroom)
    events = Event.objects.public().filter(newsroom=newsroom)
    context = {
        "newsroom": newsroom,
        "section": "events",
        "upcoming": events.upcoming(),
        "past": events.filter(ends_on__lt=timezone.localdate()).order_by("-starts_on")[:50],
    }
    return render(request, "press/event_list.html", context)


@public_page
def event_detail(request, newsroom, slug):
    event = get_object_or_404(
        Event.objects.select_related("newsroom"), newsroom__slug=newsroom, slug=slug
    )
    # Editors preview an event that is not public yet; everyone else gets a 404.
    public = public_or_preview(request, event)
    context = {
        "newsroom": event.newsroom,
        "section": "events",
        "event": event,
        "results": event_results(event),
        "releases": PressRelease.objects.live()
        .filter(Q(events=event) | Q(results__event=event))
        .distinct()
        .select_related("newsroom", "hero_photo__photo_set"),
        "preview": not public,
    }
    response = render(request, "press/event_detail.html", context)
    return response if public else mark_preview(response)


@public_page
def event_calendar(request, newsroom):
    """A newsroom's events as an iCalendar feed, for calendar apps to subscribe to."""
    newsroom = get_object_or_404(Newsroom, slug=newsroom)
    since = timezone.localdate() - timedelta(days=365)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Newsroom//Events//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{newsroom.name}: events")
    calendar.add("x-wr-timezone", newsroom.time_zone)
    events = Event.objects.public().filter(newsroom=newsroom, ends_on__gte=since)
    for event in events.order_by("starts_on"):
        entry = icalendar.Event()
        entry.add("uid", f"event-{event.pk}@{site_host()}")
        # When the event last changed: an unchanged calendar is the same bytes.
        entry.add("dtstamp", event.updated_at)
        entry.add("summary", event.name)
        entry.add("dtstart", event.starts_on)
        # All-day events end the day after their last day (RFC 5545).
        entry.add("dtend", event.ends_on + timedelta(days=1))
        if event.place:
            entry.add("location", event.place)
        if event.series:
            entry.add("description", event.series)
        entry.add("url", absolute_url(event.get_absolute_url()))
        calendar.add_component(entry)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = content_disposition(
        f"{newsroom.slug}-events.ics", inline=True
    )
    return response


# Search ----------------------------------------------------------------------


@public_page(query=["q", "newsroom", "kind", "tag", "year", "page"])
def search_view(request):
    """Releases, photos and documents that match, from live content only."""
    if request.GET:
        # Searches are the client's own words: only the empty form is worth keeping.
        do_not_store(request)
    live = PressRelease.objects.live()
    newsrooms = Newsroom.objects.order_by("position", "name")
    years = [moment.year for moment in live.datetimes("publish_at", "year", order="DESC")]
    form = SearchForm(request.GET, newsrooms=newsrooms, years=years)
    query, note = search.clean_query(request.GET.get("q", ""))
    context = {"form": form, "query": query, "note": note, "section": "search"}
    newsroom = newsrooms.filter(slug=request.GET.get("newsroom") or "").first()
    if newsroom is not None:
        context["newsroom"] = newsroom
    if query and not search.words(query):
        context["note"] = "Type at least one word or number to search for."
    elif query:
        found = search.releases(query, form.filter(live).select_related("newsroom"))
        page = Paginator(found, RELEASES_PER_PAGE).get_page(request.GET.get("page"))
        photos = search.photos(query)
        documents = search.documents(query)
        if newsroom is not None:
            photos = photos.filter(photo_set__newsroom=newsroom)
            documents = documents.filter(newsroom=newsroom)
        context |= {
            "searched": True,
            "page": page,
            "results": [(release, search.snippet(release, query)) for release in page.object_list],
            "photos": photos[:24],
            "documents": documents[:10],
        }
    template = "press/search.html"
    return render(request, template, context)
