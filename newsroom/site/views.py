import re

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import http_date
from django.utils.translation import get_language

from media.models import PhotoSet, attach_covers
from newsroom.ground.http import absolute_url, file_response
from newsroom.ground.models import Newsroom, Person
from newsroom.ground.pagecache import public_page
from press import sitemaps
from press.models import Event, PressRelease
from press.versions import in_language

LATEST_RELEASES = 6


def favicon(request):
    # Browsers ask for /favicon.ico on every page, the admin's included.
    return redirect(static("newsroom/favicon.svg"), permanent=True)


@public_page
def site_root(request):
    """With one newsroom the site is that newsroom; with several, a list of them."""
    newsrooms = list(Newsroom.objects.all()[:2])
    if len(newsrooms) == 1:
        return home(request, newsrooms[0].slug)
    return render(request, "newsroom/newsroom_list.html", {"newsrooms": Newsroom.objects.all()})


@public_page
def home(request, newsroom):
    newsroom = get_object_or_404(Newsroom, slug=newsroom).in_language(get_language())
    releases = (
        PressRelease.objects.live()
        .originals()
        .filter(newsroom=newsroom)
        .listed()
        .select_related("newsroom", "hero_photo__photo_set")[:LATEST_RELEASES]
    )
    photo_sets = PhotoSet.objects.public().filter(newsroom=newsroom, is_featured=True).with_cover()
    context = {
        "newsroom": newsroom,
        "releases": in_language(releases, get_language()),
        "photo_sets": attach_covers(photo_sets[:6]),
        "events": Event.objects.public().filter(newsroom=newsroom).upcoming()[:5],
        "contacts": Person.objects.press_contacts().filter(newsroom=newsroom),
    }
    return render(request, "newsroom/newsroom_detail.html", context)


@public_page
def contacts(request, newsroom):
    newsroom = get_object_or_404(Newsroom, slug=newsroom).in_language(get_language())
    context = {
        "newsroom": newsroom,
        "section": "contacts",
        "contacts": Person.objects.press_contacts().filter(newsroom=newsroom),
    }
    return render(request, "newsroom/contacts.html", context)


def logo(request, newsroom):
    newsroom = get_object_or_404(Newsroom, slug=newsroom)
    if not newsroom.logo:
        raise Http404
    return serve_small_image(newsroom.logo_small, public=True)


def portrait(request, pk):
    person = get_object_or_404(Person.objects.select_related("newsroom"), pk=pk)
    public = person.is_public()
    if not person.portrait or not (public or person.newsroom.is_editable_by(request.user)):
        raise Http404
    return serve_small_image(person.portrait_small, public=public)


def serve_small_image(rendition, public):
    # Logos and portraits are small and few: made on their first request,
    # unlike photo renditions, which a task makes when the photo is saved.
    rendition.generate()
    return file_response(rendition, public=public, max_age=settings.NEWSROOM_MEDIA_MAX_AGE)


@public_page
def sitemap_index(request):
    """The index of the sitemap files: the site's, and each newsroom's by kind and month."""
    files = list(sitemaps.files())
    return xml_response(sitemaps.sitemapindex(files), [lastmod for _, lastmod in files])


@public_page
def sitemap_site(request):
    return xml_response(sitemaps.urlset(sitemaps.site_entries(), "daily", 1.0), [])


@public_page(query=["p"])
def sitemap_section(request, newsroom, kind, month):
    """One month's file of a newsroom's releases, photo sets, videos or events (?p=2 and on
    for a month of more than one file)."""
    newsroom = get_object_or_404(Newsroom, slug=newsroom)
    section, month = sitemaps.SECTIONS.get(kind), sitemaps.Month.parse(month)
    number = request.GET.get("p", "1")
    if section is None or month is None or not re.fullmatch(r"[1-9][0-9]{0,5}", number):
        raise Http404
    # The file's own rows say when it last changed: no query over the section for it.
    entries = sitemaps.Latest(section.entries(newsroom, month, int(number)))
    document = "".join(sitemaps.urlset(entries, section.changefreq, section.priority))
    if not entries.count:
        raise Http404  # past the last file; an empty urlset is not a valid sitemap
    return xml_response(document, [entries.latest])


def xml_response(document, lastmods):
    response = HttpResponse(document, content_type="application/xml; charset=utf-8")
    known = [moment for moment in lastmods if moment]
    if known:
        response["Last-Modified"] = http_date(max(known).timestamp())
    return response


def robots(request):
    """What crawlers may read: the public site and what its pages embed, not the rest.

    Link previews (social networks, chat apps) fetch a page's photo and logo
    through robots.txt too, so the files public pages show are allowed; ZIPs,
    documents, previews, the admin and the API are not for crawling. Allow
    lines come first: crawlers that take the first matching rule (Python's
    robotparser) then agree with those that take the longest (RFC 9309).
    """
    sitemap = absolute_url(reverse("sitemap"))
    lines = [
        "User-agent: *",
        "Allow: /files/photos/",
        "Allow: /files/newsrooms/",
        "Allow: /files/people/",
        "Disallow: /files/",
        "Disallow: /admin/",
        "Disallow: /preview/",
        "Disallow: /api/",
        f"Sitemap: {sitemap}",
        "",
    ]
    response = HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
    patch_cache_control(response, public=True, max_age=3600)
    return response
