"""Response helpers shared by the public views of every app."""

import mimetypes
from pathlib import PurePath

from django.http import FileResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control


def mark_preview(response):
    """An editor's view of unpublished work: never stored by any cache, never indexed."""
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def file_response(file, *, public, max_age, filename=None, as_attachment=False):
    """Stream a stored file through Django, with cache headers for its visibility.

    `file` is any storage file (local disk or object storage): nothing here
    assumes a path on this machine.
    """
    content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    response = FileResponse(
        file.storage.open(file.name, "rb"),
        content_type=content_type,
        as_attachment=as_attachment,
        filename=filename or PurePath(file.name).name,
    )
    if public:
        patch_cache_control(response, public=True, max_age=max_age)
    else:
        mark_preview(response)
    return response
