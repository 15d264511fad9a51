from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from media.models import ZIP_SIZES, PhotoSet, attach_covers
from newsroom.http import mark_preview
from newsroom.models import Newsroom, Person
from press.forms import ReleaseFilterForm
from press.models import Event, PressRelease, Tag

RELEASES_PER_PAGE = 12


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


def release_detail(request, newsroom, slug):
    releases = PressRelease.objects.select_related("newsroom", "hero_photo__photo_set__newsroom")
    release = releases.live().filter(newsroom__slug=newsroom, slug=slug).first()
    preview = release is None
    if preview:
        # Editors see their drafts and embargoed releases here, marked as such.
        release = get_object_or_404(
            releases.editable_by(request.user), newsroom__slug=newsroom, slug=slug
        )
    newsroom = release.newsroom
    photo_sets = PhotoSet.objects.filter(releases=release).with_cover()
    if not preview:
        photo_sets = photo_sets.public()
    contacts = list(release.contacts.all()) or list(
        Person.objects.press_contacts().filter(newsroom=newsroom)
    )
    context = {
        "newsroom": newsroom,
        "section": "releases",
        "release": release,
        "preview": preview,
        "hero": release.hero_photo if preview else release.public_hero(),
        "quotes": release.quotes.select_related("speaker"),
        "results": release.results.select_related("event"),
        "photo_sets": attach_covers(photo_sets),
        "zip_sizes": ZIP_SIZES,
        "tags": release.tags.select_related("newsroom"),
        "documents": release.documents.all() if preview else release.documents.public(),
        "contacts": contacts,
        "next_event": Event.objects.filter(newsroom=newsroom).upcoming().first(),
    }
    response = render(request, "press/pressrelease_detail.html", context)
    return mark_preview(response) if preview else response
