from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.text import slugify

from media.models import Photo, PhotoSet, attach_covers
from newsroom.http import file_response, mark_preview
from newsroom.models import Newsroom

SIZES = ("thumbnail", "web", "original")


def photoset_list(request, newsroom):
    newsroom = get_object_or_404(Newsroom, slug=newsroom)
    photo_sets = PhotoSet.objects.public().filter(newsroom=newsroom).with_cover()
    return render(
        request,
        "media/photoset_list.html",
        {"newsroom": newsroom, "section": "photos", "photo_sets": attach_covers(photo_sets)},
    )


def photoset_detail(request, newsroom, slug):
    photo_sets = PhotoSet.objects.select_related("newsroom")
    photo_set = photo_sets.public().filter(newsroom__slug=newsroom, slug=slug).first()
    preview = photo_set is None
    if preview:
        photo_set = get_object_or_404(
            photo_sets.editable_by(request.user), newsroom__slug=newsroom, slug=slug
        )
    context = {
        "newsroom": photo_set.newsroom,
        "section": "photos",
        "photo_set": photo_set,
        "photos": photo_set.photos.all(),
        "preview": preview,
    }
    response = render(request, "media/photoset_detail.html", context)
    return mark_preview(response) if preview else response


def photo_file(request, pk, version, size):
    """One photo file, original or rendition, for whoever may see the photo."""
    if size not in SIZES:
        raise Http404
    photo = Photo.objects.select_related("photo_set__newsroom").filter(pk=pk).first()
    if photo is None:
        raise Http404
    public = photo.is_public()
    if not public and not photo.photo_set.newsroom.is_editable_by(request.user):
        raise Http404
    if version != photo.sha256[:12]:
        # The photo was replaced: send old links to the current file.
        return redirect(photo.file_url(size))
    download = size == "original" or "download" in request.GET
    if size == "original":
        file = photo.image
    else:
        file = getattr(photo, size)
        if not file.storage.exists(file.name):
            return placeholder(photo, size)
    return file_response(
        file,
        public=public,
        max_age=settings.NEWSROOM_MEDIA_MAX_AGE,
        filename=download_name(photo, size, file.name),
        as_attachment=download,
    )


def download_name(photo, size, stored_name):
    extension = stored_name.rsplit(".", 1)[-1].lower()
    stem = slugify(photo.title or photo.photo_set.title)[:60] or "photo"
    suffix = "" if size == "original" else f"-{size}"
    return f"{stem}-{photo.pk}{suffix}.{extension}"


def placeholder(photo, size):
    """Shown while a rendition is being made; never cached, so the real one follows."""
    width, height = photo.rendition_size(size)
    svg = render_to_string("media/placeholder.svg", {"width": width, "height": height})
    response = HttpResponse(svg, content_type="image/svg+xml")
    return mark_preview(response)
