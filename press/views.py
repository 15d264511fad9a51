import functools
from datetime import timedelta

import icalendar
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from media.downloads import PUBLIC_LINKS, Links
from media.models import ZIP_SIZES, Photo, PhotoSet, Visibility, attach_covers
from media.views import (
    render_photo,
    render_photo_set,
    send_document,
    send_photo_file,
    send_set_zip,
)
from newsroom.http import mark_preview
from newsroom.models import Newsroom, Person
from press.forms import ReleaseFilterForm
from press.models import (
    Event,
    PassEvent,
    PressRelease,
    PreviewPass,
    State,
    Tag,
    pass_key_from_token,
)

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
    if release is not None:
        return render_release(request, release, audience=PUBLIC)
    # Editors see their drafts and embargoed releases here, marked as such.
    release = get_object_or_404(
        releases.editable_by(request.user), newsroom__slug=newsroom, slug=slug
    )
    return render_release(request, release, audience=EDITORS)


# Who is looking decides which photo sets and documents a release page shows.
PUBLIC, EDITORS, PASS_HOLDER = "public", "editors", "pass holder"


def render_release(request, release, *, audience, links=PUBLIC_LINKS, **extra):
    newsroom = release.newsroom
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
        photo_sets = photo_sets.exclude(visibility=Visibility.PRIVATE)
        documents = documents.exclude(visibility=Visibility.PRIVATE)
    contacts = list(release.contacts.all()) or list(
        Person.objects.press_contacts().filter(newsroom=newsroom)
    )
    context = {
        "newsroom": newsroom,
        "section": "releases",
        "release": release,
        "preview": audience != PUBLIC,
        "links": links,
        "hero": hero,
        "quotes": release.quotes.select_related("speaker"),
        "results": release.results.select_related("event"),
        "photo_sets": attach_covers(photo_sets),
        "zip_sizes": ZIP_SIZES,
        "tags": release.tags.select_related("newsroom"),
        "documents": documents,
        "corrections": release.corrections.all() if release.corrected_at else [],
        "contacts": contacts,
        "next_event": Event.objects.filter(newsroom=newsroom).upcoming().first(),
        **extra,
    }
    response = render(request, "press/pressrelease_detail.html", context)
    return response if audience == PUBLIC else mark_preview(response)


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
    return release.photo_sets.exclude(visibility=Visibility.PRIVATE).select_related("newsroom")


def pass_photos(release):
    return Photo.objects.select_related("photo_set__newsroom").filter(
        Q(photo_set__in=pass_photo_sets(release)) | Q(pk=release.hero_photo_id)
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
    documents = preview_pass.release.documents.exclude(visibility=Visibility.PRIVATE)
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
    public_url = request.build_absolute_uri(release.get_absolute_url())
    local_time = timezone.localtime(release.publish_at, release.newsroom.zone)
    event = icalendar.Event()
    event.add("uid", f"embargo-{preview_pass.pk}-{release.pk}@{request.get_host()}")
    event.add("dtstamp", timezone.now())
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
    response["Content-Disposition"] = content_disposition_header(True, "embargo.ics")
    return mark_preview(response)
