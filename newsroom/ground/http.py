"""Response helpers shared by the public views of every app."""

import ipaddress
import json
import mimetypes
import re
import unicodedata
from pathlib import PurePath
from urllib.parse import quote, urlsplit

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.handlers.asgi import ASGIRequest
from django.db import connections
from django.http import (
    FileResponse,
    HttpResponse,
    HttpResponseNotModified,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.http import http_date, parse_http_date_safe
from django.utils.safestring import mark_safe

CHUNK_SIZE = 1024 * 1024
# Typographic marks our file names use, as close as ASCII gets.
ASCII_MARKS = str.maketrans(
    {
        "\u2013": "-",
        "\u2014": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": "'",
        "\u201d": "'",
        "×": "x",
    }
)
SINGLE_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def absolute_url(path):
    """The full address of a path on this site, as journalists reach it (SITE_URL).

    Never built from the request: a client can send any Host or X-Forwarded-*
    header, and a page kept in the cache with its links must be right for
    everyone who gets it.
    """
    return settings.SITE_URL + path


def client_ip(request):
    """The address of the client that sent the request, as far as we can trust it.

    Each proxy in front appends the address it was reached from to
    X-Forwarded-For, so with TRUSTED_PROXY_COUNT proxies the client is the entry
    that many places from the right; whatever stands further left, the client
    wrote itself. With no trusted proxy, or a header that is not what our
    proxies write, it is the address the connection came from.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if len(forwarded) < count:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-count].strip()))
    except ValueError:
        return remote


def site_host():
    """The site's host name, for identifiers that must not change with the request."""
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def content_disposition(filename, *, inline=False):
    """`attachment; filename="…"; filename*=UTF-8''…`, as RFC 6266 recommends.

    `filename*` (RFC 8187) carries the real name; the plain `filename` first is
    an ASCII stand-in for the clients that read nothing else (“Bäckman på
    pallen – podium.jpg” becomes “Backman pa pallen - podium.jpg”).
    """
    fallback = "".join(
        character
        for character in unicodedata.normalize("NFKD", filename.translate(ASCII_MARKS))
        if " " <= character <= "~" and character not in '"\\%'
    )
    fallback = re.sub(r"\s+", " ", fallback).strip() or "download"
    disposition = "inline" if inline else "attachment"
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def mark_preview(response):
    """An editor's view of unpublished work: never stored by any cache, never indexed."""
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def no_length_without_content(get_response):
    """Middleware: no Content-Length on a 204 or a 304 (RFC 9110 §8.6, §15.4.5).

    Django's CommonMiddleware gives every response a length, "0" for these
    too; a 304 has no content, and caches would take the 0 as the length of
    the stored page. Listed before CommonMiddleware, so it sees its answer.
    """

    def middleware(request):
        response = get_response(request)
        if response.status_code in (204, 304) and response.has_header("Content-Length"):
            del response["Content-Length"]
        return response

    return middleware


def file_response(file, *, public, max_age, filename=None, as_attachment=False):
    """Stream a small stored file (a logo, a portrait) with cache headers for its visibility."""
    content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    response = FileResponse(file.storage.open(file.name, "rb"), content_type=content_type)
    response["Content-Disposition"] = content_disposition(
        filename or PurePath(file.name).name, inline=not as_attachment
    )
    return cache_for(response, public=public, max_age=max_age)


def cache_for(response, *, public, max_age):
    if public:
        patch_cache_control(response, public=True, max_age=max_age)
    else:
        mark_preview(response)
    return response


def release_database():
    """A download streams for minutes and needs no database: give the connection back
    (to the pool, or closed) before the bytes flow, so slow clients hold none. Inside a
    transaction nothing is given back; a later query simply opens one again."""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close()


def bucket_url(file, filename, content_type, inline):
    """A short-lived address of the file in object storage, carrying our download name and
    type, when downloads are handed to the bucket (settings); else None."""
    storage = file.storage
    if not settings.NEWSROOM_BUCKET_DOWNLOADS or not hasattr(storage, "bucket_name"):
        return None
    parameters = {
        "ResponseContentDisposition": content_disposition(filename, inline=inline),
        "ResponseContentType": content_type,
    }
    return storage.url(
        file.name, parameters=parameters, expire=settings.NEWSROOM_BUCKET_URL_SECONDS
    )


def serve_download(
    request,
    file,
    *,
    size,
    etag,
    last_modified,
    filename,
    public,
    max_age,
    content_type=None,
    inline=False,
):
    """Serve a stored file the way download managers and browsers expect (RFC 9110).

    ETag and Last-Modified answer conditional requests with 304; one byte
    range is answered with 206 so an interrupted download can resume; HEAD
    gets the headers alone. Works with any Django storage: the file is opened
    and read through the storage API, a chunk at a time.
    """
    content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    timestamp = int(last_modified.timestamp())
    if not_modified(request, etag, timestamp):
        response = HttpResponseNotModified()
        response["ETag"] = etag
        return cache_for(response, public=public, max_age=max_age)

    byte_range = requested_range(request, etag, timestamp, size)
    if byte_range == "unsatisfiable":
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
    elif request.method == "HEAD":
        response = HttpResponse(content_type=content_type)
        response["Content-Length"] = str(size)
    elif public and (url := bucket_url(file, filename, content_type, inline)):
        # Object storage sends the bytes (and answers ranges itself), named as ours would.
        response = HttpResponseRedirect(url)
        add_never_cache_headers(response)  # the address expires: nobody may keep it
        return response
    elif accel_redirect_path(file):
        # The web server in front sends the bytes (and answers ranges itself).
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = accel_redirect_path(file)
    elif byte_range is None and not isinstance(request, ASGIRequest):
        # WSGI servers can hand a file to the kernel (sendfile): no copies here.
        response = FileResponse(file.storage.open(file.name, "rb"), content_type=content_type)
        response.block_size = CHUNK_SIZE
        response["Content-Length"] = str(size)
    else:
        start, end = byte_range or (0, size - 1)
        response = StreamingHttpResponse(
            streamed(request, read_range(file, start, end)),
            status=206 if byte_range else 200,
            content_type=content_type,
        )
        if byte_range:
            response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    if isinstance(response, (FileResponse, StreamingHttpResponse)):
        release_database()
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    response["Last-Modified"] = http_date(timestamp)
    response["Content-Disposition"] = content_disposition(filename, inline=inline)
    response["X-Content-Type-Options"] = "nosniff"
    return cache_for(response, public=public, max_age=max_age)


def not_modified(request, etag, timestamp):
    """Whether If-None-Match (weak comparison, `*` for anything) or If-Modified-Since hold.

    `timestamp` None: the resource has no modification time to compare.
    """
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
        return "*" in tags or etag.removeprefix("W/") in tags
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return since is not None and timestamp is not None and timestamp <= since


def requested_range(request, etag, timestamp, size):
    """(start, end) of one satisfiable range, "unsatisfiable", or None for the whole file.

    Several ranges, a malformed header or an If-Range that no longer matches
    all mean "send everything", which RFC 9110 allows.
    """
    header = request.headers.get("Range")
    if request.method != "GET" or not header or not if_range_matches(request, etag, timestamp):
        return None
    match = SINGLE_RANGE.match(header.replace(" ", ""))
    if not match or match[1] == match[2] == "":
        return None
    first, last = match[1], match[2]
    if len(first) > 18 or len(last) > 18:
        return None  # past any file's size (and int()'s digit limit): ignore the header
    if first == "":  # the last N bytes
        length = int(last)
        if length == 0:
            return "unsatisfiable"
        return max(size - length, 0), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if last and int(last) < start:
        return None
    if start >= size:
        return "unsatisfiable"
    return start, end


def if_range_matches(request, etag, timestamp):
    if_range = request.headers.get("If-Range")
    if if_range is None:
        return True
    if if_range.startswith(('"', "W/")):
        return if_range == etag and not etag.startswith("W/")  # strong comparison only
    return timestamp is not None and parse_http_date_safe(if_range) == timestamp


def read_range(file, start, end):
    with file.storage.open(file.name, "rb") as handle:
        handle.seek(start)
        remaining = end - start + 1
        while remaining > 0:
            chunk = handle.read(min(CHUNK_SIZE, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk


def accel_redirect_path(file):
    """Where nginx finds a local file for X-Accel-Redirect, when that is configured."""
    prefix = settings.NEWSROOM_ACCEL_REDIRECT_PREFIX
    if not prefix or not isinstance(file.storage, FileSystemStorage):
        return None
    return prefix.rstrip("/") + "/" + quote(file.name)


def streamed(request, chunks):
    """A response body in the form the server streams without holding it in memory.

    WSGI servers iterate plain iterators. Django's ASGI handler would first
    read a plain iterator to the end, so under ASGI the chunks are pulled one
    at a time from a worker thread instead: a slow download then holds no
    thread, only the event loop's attention between chunks.
    """
    if isinstance(request, ASGIRequest):
        return pull_in_threads(chunks)
    return chunks


async def pull_in_threads(chunks):
    iterator = iter(chunks)
    next_chunk = sync_to_async(next, thread_sensitive=False)
    try:
        while (chunk := await next_chunk(iterator, None)) is not None:
            yield chunk
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            await sync_to_async(close, thread_sensitive=False)()


def json_for_script(data):
    """JSON that is safe inside a <script> element: no way to close it early."""
    text = json.dumps(data, ensure_ascii=False)
    return mark_safe(  # noqa: S308 (escaped below)
        text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    )
