import logging

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import F, Prefetch, prefetch_related_objects
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from media import downloads, selection, subtitles
from media.downloads import PUBLIC_LINKS
from media.models import (
    Document,
    DownloadCount,
    Photo,
    PhotoSet,
    Rendition,
    Subtitle,
    Video,
    VideoDownloadCount,
    ZipDownloadCount,
    attach_covers,
    texts_in,
)
from media.sizes import SIZES, VIDEO_FILES, selection_sizes
from newsroom.ground.http import (
    cache_for,
    content_disposition,
    mark_preview,
    not_modified,
    release_database,
    requested_range,
    serve_download,
    streamed,
)
from newsroom.ground.models import Newsroom
from newsroom.ground.pagecache import do_not_store, public_page

logger = logging.getLogger(__name__)


PHOTO_SETS_PER_PAGE = 24
# The media kit shows a newsroom's first documents; all of them have a list of their own.
DOCUMENTS_IN_KIT = 10
DOCUMENTS_PER_PAGE = 50


@public_page(query=["page"])
def photoset_list(request, newsroom):
    """The media kit: a newsroom's public photo sets, newest first, a page at a time, and its
    documents on the first page."""
    newsroom = get_object_or_404(Newsroom, slug=newsroom).in_language(get_language())
    photo_sets = (
        PhotoSet.objects.public()
        .filter(newsroom=newsroom)
        .defer("description")  # cards show the title, cover and count
        .with_cover()
        .order_by("-created_at", "-pk")
    )
    page = Paginator(photo_sets, PHOTO_SETS_PER_PAGE).get_page(request.GET.get("page"))
    if request.GET.get("page", str(page.number)) != str(page.number):
        do_not_store(request)  # another page than asked
    context = {
        "newsroom": newsroom,
        "section": "photos",
        "page": page,
        "photo_sets": attach_covers(page.object_list),
        "documents": [],
    }
    if page.number == 1:
        # One more than shown says whether the list of all documents is worth a link.
        documents = list(public_documents(newsroom)[: DOCUMENTS_IN_KIT + 1])
        context["documents"] = documents[:DOCUMENTS_IN_KIT]
        context["more_documents"] = len(documents) > DOCUMENTS_IN_KIT
    return render(request, "media/photoset_list.html", context)


@public_page(query=["page"])
def document_list(request, newsroom):
    """Every public document of a newsroom, in the editors' order, a page at a time."""
    newsroom = get_object_or_404(Newsroom, slug=newsroom).in_language(get_language())
    paginator = Paginator(public_documents(newsroom), DOCUMENTS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    if request.GET.get("page", str(page.number)) != str(page.number):
        do_not_store(request)  # another page than asked
    context = {"newsroom": newsroom, "section": "photos", "page": page}
    return render(request, "media/document_list.html", context)


def public_documents(newsroom):
    return Document.objects.public().filter(newsroom=newsroom).order_by("position", "title", "pk")


@public_page
def photoset_detail(request, newsroom, slug):
    photo_sets = PhotoSet.objects.select_related("newsroom")
    photo_set = photo_sets.public().filter(newsroom__slug=newsroom, slug=slug).first()
    preview = photo_set is None
    if preview:
        photo_set = get_object_or_404(
            photo_sets.editable_by(request.user), newsroom__slug=newsroom, slug=slug
        )
    return render_photo_set(request, photo_set, preview=preview)


def render_photo_set(request, photo_set, *, preview, links=PUBLIC_LINKS, **extra):
    photos = photo_set.photos.prefetch_related(
        Prefetch("renditions", queryset=Rendition.objects.order_by())
    )
    photos = in_page_language(list(photos), photo_set.newsroom)
    videos = photo_set.videos.prefetch_related("files", "subtitles")
    context = {
        "newsroom": photo_set.newsroom.in_language(get_language()),
        "section": "photos",
        "photo_set": photo_set,
        "photos": [downloads.PhotoDownloads(photo, links) for photo in photos],
        "videos": [downloads.VideoDownloads(video, links) for video in videos],
        "preview": preview,
        "links": links,
        **extra,
    }
    response = render(request, "media/photoset_detail.html", context)
    return mark_preview(response) if preview else response


@public_page
def photo_detail(request, newsroom, slug, pk):
    """One photo, large, with its caption, credit, license and every download size."""
    photos = Photo.objects.select_related("photo_set__newsroom").prefetch_related(
        Prefetch("renditions", queryset=Rendition.objects.order_by())
    )
    photo = get_object_or_404(
        photos, pk=pk, photo_set__slug=slug, photo_set__newsroom__slug=newsroom
    )
    preview = not public_or_preview(request, photo.photo_set)
    return render_photo(request, photo, preview=preview)


def render_photo(request, photo, *, preview, links=PUBLIC_LINKS, **extra):
    in_page_language([photo], photo.photo_set.newsroom)
    context = {
        "newsroom": photo.photo_set.newsroom.in_language(get_language()),
        "section": "photos",
        "photo_set": photo.photo_set,
        "photo": downloads.PhotoDownloads(photo, links),
        "preview": preview,
        "links": links,
        **extra,
    }
    response = render(request, "media/photo_detail.html", context)
    return mark_preview(response) if preview else response


def in_page_language(photos, newsroom):
    """Photos of the newsroom with their texts in the page's language, where written, in one
    query; none on a page in the newsroom's own language, which is the photos' own."""
    language = get_language()
    if language != newsroom.language:
        prefetch_related_objects(photos, texts_in(language))
    return photos


def videos_with_files():
    return Video.objects.select_related("photo_set__newsroom").prefetch_related(
        "files", "subtitles"
    )


@public_page
def video_detail(request, newsroom, slug, pk):
    """One video: the player, its caption, credit, license and both files to download."""
    video = get_object_or_404(
        videos_with_files(), pk=pk, photo_set__slug=slug, photo_set__newsroom__slug=newsroom
    )
    preview = not public_or_preview(request, video.photo_set)
    return render_video(request, video, preview=preview)


def render_video(request, video, *, preview, links=PUBLIC_LINKS, **extra):
    context = {
        "newsroom": video.photo_set.newsroom.in_language(get_language()),
        "section": "photos",
        "photo_set": video.photo_set,
        "video": downloads.VideoDownloads(video, links),
        "preview": preview,
        "links": links,
        **extra,
    }
    response = render(request, "media/video_detail.html", context)
    return mark_preview(response) if preview else response


@require_safe
def video_file(request, pk, version, kind):
    """One file of a video (poster, web version, cleaned original), for whoever may see it."""
    video = videos_with_files().filter(pk=pk).first()
    if video is None:
        raise Http404
    public = public_or_preview(request, video.photo_set)
    return send_video_file(request, video, version, kind, public=public)


def send_video_file(request, video, version, kind, *, public, links=PUBLIC_LINKS, logged=None):
    """Answer a request for a video's file, once the caller has decided it may be seen.

    The player asks for byte ranges of the web version as it plays; only a
    download from the first byte is counted.
    """
    entry = VIDEO_FILES.get(kind)
    if entry is None:
        raise Http404
    download = "download" in request.GET
    if version != video.version:
        url = links.video_download(video, kind) if download else links.video_file(video, kind)
        return redirect(url)
    kept = video.served_file(kind)
    if kept is None:
        response = HttpResponse(
            render_to_string("media/not_ready.html", {"photo": video, "video": True}),
            status=503,
        )
        response["Retry-After"] = "30"
        return mark_preview(response)
    if download and counts_as_download(request):
        if public:
            VideoDownloadCount.objects.record(video=video, kind=kind)
        if logged:
            logged(f"{video} ({entry.label})")
    return serve_download(
        request,
        kept.file,
        size=kept.bytes,
        etag=kept.etag,
        last_modified=kept.created_at,
        filename=downloads.video_file_name(video, kind, kept.file.name),
        content_type=kept.content_type,
        inline=not download,
        public=public,
        max_age=settings.NEWSROOM_MEDIA_MAX_AGE,
    )


SUBTITLE_FORMS = {"vtt": "text/vtt; charset=utf-8", "srt": "application/x-subrip; charset=utf-8"}


@require_safe
def subtitle_file(request, pk, version, language, form):
    """A video's subtitles in one language: WebVTT for the player, WebVTT or SRT to save."""
    subtitle = (
        Subtitle.objects.select_related("video__photo_set__newsroom")
        .filter(pk=pk, language=language)
        .first()
    )
    if subtitle is None:
        raise Http404
    public = public_or_preview(request, subtitle.video.photo_set)
    return send_subtitles(request, subtitle, version, form, public=public)


def send_subtitles(request, subtitle, version, form, *, public, links=PUBLIC_LINKS):
    if form not in SUBTITLE_FORMS:
        raise Http404
    if version != subtitle.version:
        return redirect(links.subtitle_file(subtitle, form))
    with subtitle.file.open("rb") as handle:
        text = handle.read().decode()
    if form == "srt":
        text = subtitles.to_srt(subtitles.parse_subtitles(text.encode(), "subtitles.vtt"))
    response = HttpResponse(text, content_type=SUBTITLE_FORMS[form])
    response["ETag"] = f'"{subtitle.version}-{form}"'
    if "download" in request.GET or form == "srt":
        response["Content-Disposition"] = content_disposition(
            downloads.subtitle_file_name(subtitle, form)
        )
    return cache_for(response, public=public, max_age=settings.NEWSROOM_MEDIA_MAX_AGE)


def public_or_preview(request, item):
    """True if the public may see a set or document, False for its editors' preview; else 404."""
    if item.is_public():
        return True
    if item.newsroom.is_editable_by(request.user):
        return False
    raise Http404


@require_safe
def photo_file(request, pk, version, size):
    """One file of a photo, for whoever may see the photo."""
    photo = Photo.objects.select_related("photo_set__newsroom").filter(pk=pk).first()
    if photo is None:
        raise Http404
    public = public_or_preview(request, photo.photo_set)
    return send_photo_file(request, photo, version, size, public=public)


def send_photo_file(request, photo, version, size, *, public, links=PUBLIC_LINKS, logged=None):
    """Answer a request for a photo's file, once the caller has decided it may be seen.

    `public` files are counted and cached; others (an editor's preview, a
    preview pass) are neither. `logged` is told about each download.
    """
    entry = SIZES.get(size)
    if entry is None:
        raise Http404
    download = "download" in request.GET or entry.attachment
    if version != photo.version:
        # The photo changed since the link was made: send it to the current file.
        url = links.photo_download(photo, size) if download else links.photo_file(photo, size)
        return redirect(url)
    rendition = photo.renditions.filter(size=photo.stored_size(size)).first()
    if rendition is None and entry.until_made and photo.rendered_version == photo.version:
        # Made before this size existed: another file stands in (never cached, so this
        # one is served as soon as `render_photos --missing` has made it).
        stand_in = entry.until_made
        url = (
            links.photo_download(photo, stand_in)
            if download
            else links.photo_file(photo, stand_in)
        )
        return mark_preview(redirect(url))
    if rendition is None:
        return not_ready(photo, entry)
    if download and counts_as_download(request):
        if public:
            DownloadCount.objects.record(photo=photo, size=size)
        if logged:
            logged(f"{photo} ({entry.label})")
    return serve_download(
        request,
        rendition.file,
        size=rendition.bytes,
        etag=rendition.etag,
        last_modified=rendition.created_at,
        filename=downloads.file_name(photo, size, rendition.file.name),
        content_type=rendition.content_type,
        inline=not download,
        public=public,
        max_age=settings.NEWSROOM_MEDIA_MAX_AGE,
    )


def counts_as_download(request):
    # A resumed download (a later byte range) is the same download.
    byte_range = request.headers.get("Range", "")
    return request.method == "GET" and (not byte_range or byte_range.startswith("bytes=0-"))


def not_ready(photo, size):
    """Shown while the files are being made; never cached, so the real one follows."""
    if size.placeholder:
        width, height = photo.rendition_size(size.name)
        svg = render_to_string("media/placeholder.svg", {"width": width, "height": height})
        response = HttpResponse(svg, content_type="image/svg+xml")
    else:
        response = HttpResponse(
            render_to_string("media/not_ready.html", {"photo": photo}), status=503
        )
        response["Retry-After"] = "30"
    return mark_preview(response)


@require_safe
def photoset_zip(request, pk, size):
    """The whole set in one ZIP, streamed: the browser knows its size before the first byte."""
    photo_set = PhotoSet.objects.select_related("newsroom").filter(pk=pk).first()
    if photo_set is None:
        raise Http404
    public = public_or_preview(request, photo_set)
    return send_set_zip(request, photo_set, size, public=public)


def send_set_zip(request, photo_set, size, *, public, logged=None):
    """The set's ZIP, counted once per download (a resumed one is the same download)."""
    entry = SIZES.get(size)
    if entry is None or not entry.zip:
        raise Http404

    def started():
        if public:
            ZipDownloadCount.objects.record(photo_set=photo_set, size=size)
        if logged:
            logged(f"{photo_set} as ZIP ({entry.label})")

    archive = downloads.SetArchive(photo_set, size)
    return send_archive(request, archive, public=public, started=started)


def send_archive(request, archive, *, public, started=None):
    """A ZIP, or any one byte range of it: a dropped download resumes (RFC 9110).

    `started` is called when a download starts from its first byte."""
    etag, length = archive.etag, archive.length
    byte_range = requested_range(request, etag, None, length)
    if not_modified(request, etag, None):
        response = HttpResponse(status=304)
    elif byte_range == "unsatisfiable":
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{length}"
    elif request.method == "HEAD":
        response = HttpResponse(content_type="application/zip")
        response["Content-Length"] = str(length)
    else:
        start, end = byte_range or (0, length - 1)
        if start == 0 and started:  # a resumed download is the same download
            started()
        release_database()  # the archive's rows are read: the bytes need no database
        response = StreamingHttpResponse(
            streamed(request, archive.stream(start, end)),
            status=206 if byte_range else 200,
            content_type="application/zip",
        )
        if byte_range:
            response["Content-Range"] = f"bytes {start}-{end}/{length}"
        response["Content-Length"] = str(end - start + 1)
    response["ETag"] = etag
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = archive.content_disposition
    return cache_for(response, public=public, max_age=settings.NEWSROOM_MEDIA_MAX_AGE)


@require_safe
def document_file(request, pk, version):
    """A document, always as a download: vector logos are never rendered by our site."""
    document = Document.objects.select_related("newsroom").filter(pk=pk).first()
    if document is None:
        raise Http404
    public = public_or_preview(request, document)
    return send_document(request, document, version, public=public)


def send_document(request, document, version, *, public, links=PUBLIC_LINKS, logged=None):
    if version != document.sha256[:12]:
        return redirect(links.document(document))
    if counts_as_download(request):
        if public:
            Document.objects.filter(pk=document.pk).update(download_count=F("download_count") + 1)
        if logged:
            logged(str(document))
    response = serve_download(
        request,
        document.file,
        size=document.bytes,
        etag=document.etag,
        last_modified=document.updated_at,
        filename=downloads.document_file_name(document),
        content_type=document.content_type,
        public=public,
        max_age=settings.NEWSROOM_MEDIA_MAX_AGE,
    )
    # Even if a browser ignored "attachment", an SVG could run nothing here.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# A journalist's selection ---------------------------------------------------------------
#
# The public's views here; a preview pass has its own, which call the same functions with
# the pass's links and the photos and documents it opens.


@require_safe
def selection_start(request):
    return start_selection(request, PUBLIC_LINKS)


@public_page
def selection_page(request, items):
    do_not_store(request)  # one page per list anyone makes: not worth a place in the cache
    return render_selection(request, items)


@require_safe
def selection_zip(request, items, size):
    return send_selection_zip(request, items, size, public=True)


def start_selection(request, links, **extra):
    """A selection made by a form or the tray (`?item=p12&item=d3`), sent to its own signed
    address; with `size`, straight to its ZIP in that size (a set page without JavaScript)."""
    context = {"section": "selection", "links": links, **extra}
    try:
        items = selection.items_from(request.GET.getlist("item"))
    except selection.TooMany as too_many:
        context.update(too_many=too_many.args[0], limit=settings.NEWSROOM_SELECTION_MAX_ITEMS)
        return render(request, "media/selection.html", context, status=400)
    if not items:
        return render(request, "media/selection.html", context)
    token = selection.token(items)
    size = SIZES.get(request.GET.get("size", ""))
    if size is not None and size.selection:
        return redirect(links.selection_zip(token, size.name))
    return redirect(links.selection_page(token))


def render_selection(
    request, token, *, links=PUBLIC_LINKS, photos=None, documents=None, videos=None, **extra
):
    """What a selection holds for this visitor, its size in each download size, its link."""
    items = selection.from_token(token)
    if items is None:
        raise Http404
    found = selection.find(items, photos, documents, videos)
    language = get_language()
    found_photos = [thing for _number, thing in found.items if isinstance(thing, Photo)]
    # Those of newsrooms in other languages, whatever their newsroom: one query.
    others = [p for p in found_photos if p.photo_set.newsroom.language != language]
    prefetch_related_objects(others, texts_in(language))
    limit = settings.NEWSROOM_SELECTION_MAX_BYTES
    downloads_on_offer = []
    for size in selection_sizes():
        total = selection.total_bytes(found, size.name)
        downloads_on_offer.append({"size": size, "bytes": total, "too_large": total > limit})
    context = {
        "section": "selection",
        "token": token,
        "found": found,
        "items": [selection_card(number, thing, links) for number, thing in found.items],
        "downloads": downloads_on_offer,
        "limit": limit,
        "links": links,
        **extra,
    }
    return render(request, "media/selection.html", context)


def selection_card(number, thing, links):
    """(number, kind, item) for the page: a photo with its download sizes, a video with its
    files, or a document."""
    if isinstance(thing, Photo):
        return number, "photo", downloads.PhotoDownloads(thing, links)
    if isinstance(thing, Video):
        return number, "video", downloads.VideoDownloads(thing, links)
    return number, "document", thing


def send_selection_zip(
    request,
    token,
    size,
    *,
    public,
    links=PUBLIC_LINKS,
    photos=None,
    documents=None,
    videos=None,
    logged=None,
):
    """The selection as one ZIP, with what this visitor may see at this moment."""
    entry = SIZES.get(size)
    items = selection.from_token(token)
    if entry is None or not entry.selection or items is None:
        raise Http404
    found = selection.find(items, photos, documents, videos)
    archive = selection.SelectionArchive(found, size)
    if archive.length > settings.NEWSROOM_SELECTION_MAX_BYTES:
        context = {"archive": archive, "limit": settings.NEWSROOM_SELECTION_MAX_BYTES}
        context["page"] = links.selection_page(token)
        return render(request, "media/selection_too_large.html", context, status=403)

    def started():
        if public:
            archive.count_download()
        if logged:
            logged(f"a selection of {len(found.items)} item(s) as ZIP ({entry.label})")

    return send_archive(request, archive, public=public, started=started)
