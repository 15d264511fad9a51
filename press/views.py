from datetime import timedelta

import icalendar
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from media import sizes
from media.downloads import PUBLIC_LINKS
from media.views import (
    public_or_preview,
)
from newsroom.ground.http import (
    absolute_url,
    content_disposition,
    json_for_script,
    mark_preview,
    site_host,
)
from newsroom.ground.languages import reverse_in
from newsroom.ground.models import Newsroom
from newsroom.ground.pagecache import do_not_store, public_page
from newsroom.ground.paging import capped_page
from press import search
from press.forms import ReleaseFilterForm, SearchForm
from press.models import Event, PressRelease
from press.parts import EDITORS, PUBLIC, release_parts
from press.text import release_text
from press.versions import in_language

RELEASES_PER_PAGE = 12
# How deep a list of releases goes by page number: older ones are a year or a tag away.
RELEASE_PAGES = 25


@public_page(query=["kind", "tag", "year", "page"])
def release_list(request, newsroom):
    newsroom = get_object_or_404(Newsroom, slug=newsroom).in_language(get_language())
    live = PressRelease.objects.live().originals().filter(newsroom=newsroom)  # stories once
    years = live.years()
    form = ReleaseFilterForm(request.GET, tags=newsroom.tags.used_by(live), years=years)
    releases = form.filter(live).listed().select_related("newsroom", "hero_photo__photo_set")
    page = capped_page(
        releases, RELEASES_PER_PAGE, request.GET.get("page"), max_pages=RELEASE_PAGES
    )
    if form.errors or page.past_end:
        do_not_store(request)  # shown with the filter ignored, or another page than asked
    return render(
        request,
        "press/pressrelease_list.html",
        {
            "newsroom": newsroom,
            "section": "releases",
            "form": form,
            "page": page,
            "releases": in_language(page.object_list, get_language()),
            "archive_years": archive_years(form, years),
        },
    )


def archive_years(form, years):
    """The year lists that reach what a capped list leaves out: every year, or the one filtered."""
    chosen = form.cleaned_data.get("year") if form.is_valid() else None
    return [chosen] if chosen else years


@public_page
def release_detail(request, newsroom, slug):
    releases = PressRelease.objects.select_related("newsroom", "hero_photo__photo_set__newsroom")
    release = releases.live().filter(newsroom__slug=newsroom, slug=slug).first()
    if release is not None and release.language != get_language():
        return redirect(release, permanent=True)  # a version's page is in its language
    if release is not None:
        return render_release(request, release, audience=PUBLIC)
    # Editors see their drafts and embargoed releases here, marked as such.
    release = get_object_or_404(
        releases.editable_by(request.user), newsroom__slug=newsroom, slug=slug
    )
    return render_release(request, release, audience=EDITORS)


# Who is looking decides which photo sets and documents a release page shows.
def render_release(request, release, *, audience, links=PUBLIC_LINKS, **extra):
    parts = release_parts(release, audience)
    context = {
        "newsroom": parts.newsroom,  # its tagline and boilerplate in the release's language
        "section": "releases",
        "release": release,
        "parts": parts,
        "preview": audience != PUBLIC,
        "links": links,
        **extra,
    }
    if audience == PUBLIC:
        # Link previews and search engines: only ever for what is public.
        context["share"] = sharing_metadata(request, parts)
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
    if release.language != get_language():
        url = reverse_in(
            release.language, request.resolver_match.view_name, **request.resolver_match.kwargs
        )
        return redirect(url, permanent=True)
    text = release_text(release_parts(release, PUBLIC), markdown=markdown)
    # The results table is GitHub's extension of CommonMark: say so (RFC 7763).
    content_type = (
        "text/markdown; charset=utf-8; variant=GFM" if markdown else "text/plain; charset=utf-8"
    )
    response = HttpResponse(text, content_type=content_type)
    response["Last-Modified"] = http_date(
        (release.corrected_at or release.first_published_at).timestamp()
    )
    return response


def sharing_metadata(request, parts):
    """Open Graph and Twitter card values and schema.org NewsArticle data for a live release."""
    release, hero = parts.release, parts.hero
    url = absolute_url(release.get_absolute_url())
    newsroom = release.newsroom
    image = None
    if hero is not None:
        width, height = hero.rendition_size(sizes.SOCIAL)
        image = {
            "url": absolute_url(hero.file_url(sizes.SOCIAL)),
            "width": width,
            "height": height,
            "alt": parts.hero_alt,
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
        "headline": parts.headline[:110],
        "description": parts.lead,
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


# Preview passes -------------------------------------------------------------


# Events ---------------------------------------------------------------------


def event_results(event):
    """An event's results, from live releases only: an embargoed result stays hidden."""
    return event.results.public()


PAST_EVENTS_PER_PAGE = 50


@public_page(query=["page"])
def event_list(request, newsroom):
    """Upcoming events (on the first page), then past ones, latest first, a page at a time."""
    newsroom = get_object_or_404(Newsroom, slug=newsroom).in_language(get_language())
    events = Event.objects.public().filter(newsroom=newsroom)
    past = events.filter(ends_on__lt=timezone.localdate()).order_by("-starts_on", "-pk")
    page = Paginator(past, PAST_EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    if request.GET.get("page", str(page.number)) != str(page.number):
        do_not_store(request)  # another page than asked
    context = {
        "newsroom": newsroom,
        "section": "events",
        "upcoming": events.upcoming() if page.number == 1 else [],
        "past": page,
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
        "newsroom": event.newsroom.in_language(get_language()),
        "section": "events",
        "event": event,
        "results": event_results(event),
        # Each story once, in the reader's language where a live version is.
        "releases": in_language(
            PressRelease.objects.live()
            .originals()
            .about(event)
            .listed()
            .select_related("newsroom", "hero_photo__photo_set"),
            get_language(),
        ),
        "preview": not public,
    }
    response = render(request, "press/event_detail.html", context)
    return response if public else mark_preview(response)


@public_page
def event_calendar(request, newsroom):
    """A newsroom's events as an iCalendar feed, for calendar apps to subscribe to."""
    newsroom = get_object_or_404(Newsroom, slug=newsroom).in_language(get_language())
    since = timezone.localdate() - timedelta(days=365)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Newsroom//Events//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("%(name)s: events") % {"name": newsroom.name})
    calendar.add("x-wr-timezone", newsroom.time_zone)
    events = Event.objects.public().filter(newsroom=newsroom, ends_on__gte=since)
    for event in events.order_by("starts_on"):
        event.newsroom = newsroom  # its address, without a query per event
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
    live = PressRelease.objects.live().originals()  # one hit per story
    newsrooms = Newsroom.objects.order_by("position", "name")
    form = SearchForm(request.GET, newsrooms=newsrooms, years=live.years())
    query, note = search.clean_query(request.GET.get("q", ""))
    context = {"form": form, "query": query, "note": note, "section": "search"}
    newsroom = newsrooms.filter(slug=request.GET.get("newsroom") or "").first()
    if newsroom is not None:
        context["newsroom"] = newsroom
    if query and not search.words(query):
        context["note"] = _("Type at least one word or number to search for.")
    elif query:
        # The snippet comes from the search text; the body is never shown here.
        listed = form.filter(live).listed("search_text").select_related("newsroom")
        page = capped_page(
            search.releases(query, listed),
            RELEASES_PER_PAGE,
            request.GET.get("page"),
            max_pages=RELEASE_PAGES,
        )
        photos = search.photos(query, newsroom)
        videos = search.videos(query, newsroom)
        documents = search.documents(query, newsroom)
        context |= {
            "searched": True,
            "page": page,
            "results": [
                (release, search.snippet(release, query))
                for release in in_language(page.object_list, get_language(), "search_text")
            ],
            "photos": photos[:24],
            "videos": videos[:12],
            "documents": documents[:10],
        }
    template = "press/search.html"
    return render(request, template, context)
