"""What a preview pass opens: the release and its media before the embargo lifts."""

import functools
from datetime import timedelta

import icalendar
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from media.downloads import Links
from media.models import Photo, PhotoSet, Subtitle, Video
from media.views import (
    render_photo,
    render_photo_set,
    render_selection,
    render_video,
    send_document,
    send_photo_file,
    send_selection_zip,
    send_set_zip,
    send_subtitles,
    send_video_file,
    start_selection,
)
from newsroom.ground.http import absolute_url, content_disposition, mark_preview, site_host
from newsroom.ground.models import Person
from press.models import PressRelease, State, Status
from press.parts import PASS_HOLDER
from press.passes.models import PassEvent, PreviewPass, pass_key_from_token
from press.passes.tasks import embargo_time
from press.views import render_release


class PassLinks(Links):
    """A pass holder's links: to views that check the pass instead of publication."""

    def __init__(self, preview_pass):
        self.token = preview_pass.token

    def photo_file(self, photo, size):
        return reverse("passes:pass-photo-file", args=[self.token, photo.pk, photo.version, size])

    def photo_page(self, photo):
        return reverse("passes:pass-photo", args=[self.token, photo.photo_set.slug, photo.pk])

    def photo_set(self, photo_set):
        return reverse("passes:pass-photoset", args=[self.token, photo_set.slug])

    def release_page(self, release):
        return reverse("passes:pass-version", args=[self.token, release.language])

    def set_zip(self, photo_set, size):
        return reverse("passes:pass-photoset-zip", args=[self.token, photo_set.pk, size])

    def document(self, document):
        return reverse(
            "passes:pass-document", args=[self.token, document.pk, document.sha256[:12]]
        )

    def video_page(self, video):
        return reverse("passes:pass-video", args=[self.token, video.photo_set.slug, video.pk])

    def video_file(self, video, kind):
        return reverse("passes:pass-video-file", args=[self.token, video.pk, video.version, kind])

    def subtitle_file(self, subtitle, form):
        return reverse(
            "passes:pass-subtitle-file",
            args=[self.token, subtitle.pk, subtitle.version, subtitle.language, form],
        )

    def selection_start(self):
        return reverse("passes:pass-selection-start", args=[self.token])

    def selection_page(self, items):
        return reverse("passes:pass-selection", args=[self.token, items])

    def selection_zip(self, items, size):
        return reverse("passes:pass-selection-zip", args=[self.token, items, size])


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
        with translation.override(release.language):  # pass links carry no language
            return checked(request, preview_pass, **kwargs)

    def checked(request, preview_pass, **kwargs):
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
    return release.story.photo_sets.for_pass_holders().select_related("newsroom")


def pass_photos(release):
    """The photos of the story's sets and its hero, unless their set is private."""
    release = release.story
    return Photo.objects.select_related("photo_set__newsroom").filter(
        Q(photo_set__in=release.photo_sets.all()) | Q(pk=release.hero_photo_id),
        photo_set__in=PhotoSet.objects.for_pass_holders(),
    )


@pass_view(live_redirect=True)
def pass_release(request, preview_pass):
    log(preview_pass, PassEvent.Kind.OPENED)
    return render_pass_release(request, preview_pass, preview_pass.release)


@pass_view()
def pass_version(request, preview_pass, language):
    """Another version of the pass's story, if it is published or scheduled."""
    story = preview_pass.release.story
    versions = PressRelease.objects.filter(Q(pk=story.pk) | Q(original=story.pk))
    version = get_object_or_404(
        versions.filter(status=Status.PUBLISHED).select_related(
            "newsroom", "original", "hero_photo__photo_set__newsroom"
        ),
        language=language,
    )
    return render_pass_release(request, preview_pass, version)


def render_pass_release(request, preview_pass, release):
    # Pass links carry no language: the page speaks the version's.
    with translation.override(release.language):
        return render_release(
            request,
            release,
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
    documents = pass_documents(preview_pass.release)
    document = get_object_or_404(documents.select_related("newsroom"), pk=pk)
    return send_document(
        request,
        document,
        version,
        public=False,
        links=PassLinks(preview_pass),
        logged=functools.partial(log, preview_pass, PassEvent.Kind.DOWNLOADED),
    )


def pass_videos(release):
    """The videos of the story's sets, unless their set is private."""
    return Video.objects.select_related("photo_set__newsroom").filter(
        photo_set__in=release.story.photo_sets.for_pass_holders()
    )


@pass_view()
def pass_video(request, preview_pass, slug, pk):
    videos = pass_videos(preview_pass.release).prefetch_related("files", "subtitles")
    video = get_object_or_404(videos, pk=pk, photo_set__slug=slug)
    return render_video(
        request,
        video,
        preview=True,
        links=PassLinks(preview_pass),
        embargo_pass=preview_pass,
        release=preview_pass.release,
    )


@pass_view()
@require_safe
def pass_video_file(request, preview_pass, pk, version, kind):
    video = get_object_or_404(pass_videos(preview_pass.release).prefetch_related("files"), pk=pk)
    return send_video_file(
        request,
        video,
        version,
        kind,
        public=False,
        links=PassLinks(preview_pass),
        logged=functools.partial(log, preview_pass, PassEvent.Kind.DOWNLOADED),
    )


@pass_view()
@require_safe
def pass_subtitle_file(request, preview_pass, pk, version, language, form):
    subtitles = Subtitle.objects.select_related("video__photo_set__newsroom").filter(
        video__in=pass_videos(preview_pass.release)
    )
    subtitle = get_object_or_404(subtitles, pk=pk, language=language)
    return send_subtitles(
        request, subtitle, version, form, public=False, links=PassLinks(preview_pass)
    )


def pass_documents(release):
    return release.documents.for_pass_holders()


# A pass holder's selection: the pass's photos and documents, under the pass's rules (a
# revoked or expired pass opens no selection any more), at the pass's own addresses.


@pass_view()
@require_safe
def pass_selection_start(request, preview_pass):
    return start_selection(
        request, PassLinks(preview_pass), preview=True, embargo_pass=preview_pass
    )


@pass_view()
@require_safe
def pass_selection(request, preview_pass, items):
    release = preview_pass.release
    return mark_preview(
        render_selection(
            request,
            items,
            links=PassLinks(preview_pass),
            photos=pass_photos(release),
            documents=pass_documents(release),
            videos=pass_videos(release),
            preview=True,
            embargo_pass=preview_pass,
            release=release,
        )
    )


@pass_view()
@require_safe
def pass_selection_zip(request, preview_pass, items, size):
    release = preview_pass.release
    return send_selection_zip(
        request,
        items,
        size,
        public=False,
        links=PassLinks(preview_pass),
        photos=pass_photos(release),
        documents=pass_documents(release),
        videos=pass_videos(release),
        logged=functools.partial(log, preview_pass, PassEvent.Kind.DOWNLOADED),
    )


@pass_view()
@require_safe
def pass_calendar(request, preview_pass):
    """The embargo as a calendar event, with a reminder, for the journalist's calendar."""
    release = preview_pass.release
    log(preview_pass, PassEvent.Kind.CALENDAR)
    public_url = absolute_url(release.get_absolute_url())
    event = icalendar.Event()
    event.add("uid", f"embargo-{preview_pass.pk}-{release.pk}@{site_host()}")
    # The stamp says when the information last changed, not when it was asked for:
    # the same pass gives the same file (the embargo can move after the pass is issued).
    event.add("dtstamp", max(preview_pass.created_at, release.updated_at))
    event.add("dtstart", release.publish_at)
    event.add("dtend", release.publish_at + timedelta(minutes=15))
    event.add("summary", _("Embargo lifts: %(title)s") % {"title": release.title})
    embargo = _("%(newsroom)s: not for publication before %(embargo)s.") % {
        "newsroom": release.newsroom,
        "embargo": embargo_time(release),
    }
    event.add("description", f"{embargo} {public_url}")
    event.add("url", public_url)
    reminder = icalendar.Alarm()
    reminder.add("action", "DISPLAY")
    reminder.add(
        "description", _("Embargo lifts in 15 minutes: %(title)s") % {"title": release.title}
    )
    reminder.add("trigger", timedelta(minutes=-15))
    event.add_component(reminder)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Newsroom//Embargo reminder//EN")
    calendar.add("version", "2.0")
    calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = content_disposition("embargo.ics")
    return mark_preview(response)
