"""Requests that can never be valid are refused here, once, before any view sees them."""

import re

from django.http import JsonResponse
from django.urls import get_resolver, reverse

# A NUL byte is legal in a URL (%00), a query string, a form and a header, but in
# no text we keep or look up: PostgreSQL refuses it in any string, and every
# view would answer with a 500. Lone surrogates cannot be encoded at all.
# (Django already turns invalid UTF-8 in query strings and forms into U+FFFD,
# and re-escapes it in paths.)
IMPOSSIBLE = re.compile("[\x00\ud800-\udfff]")


def impossible_input(request):
    """What part of the request holds a character no valid request has, or None."""
    if IMPOSSIBLE.search(request.path_info) or IMPOSSIBLE.search(request.path):
        return "the address"
    for name, value in request.META.items():
        if name.startswith("HTTP_") and IMPOSSIBLE.search(value):
            return f"the {name.removeprefix('HTTP_').replace('_', '-').title()} header"
    for name, value in request.COOKIES.items():  # quoted cookies can spell one as \\000
        if IMPOSSIBLE.search(name) or IMPOSSIBLE.search(value):
            return "a cookie"
    for where, data in (("query string", request.GET), ("form", request.POST)):
        for key, values in data.lists():
            if IMPOSSIBLE.search(key) or any(IMPOSSIBLE.search(value) for value in values):
                return f"the {where}"
    if request.method == "POST":
        for upload in request.FILES.values():  # the names; contents may hold anything
            if IMPOSSIBLE.search(upload.name or ""):
                return "the name of an uploaded file"
    return None


def refuse_impossible_input(get_response):
    """Answer 400 to a request with a NUL byte (or a lone surrogate) anywhere but in a file.

    Placed after the middleware that only adds headers and before any that
    reads input, so the refusal carries the security headers and no view,
    session or login code ever sees the request.
    """

    def middleware(request):
        where = impossible_input(request)
        if where is None:
            return get_response(request)
        message = (
            f"The request cannot be understood: {where} contains a NUL byte "
            "(or another character no text can hold)."
        )
        if request.path.startswith(reverse("api:index")):
            return JsonResponse({"error": message}, status=400)
        # The site's own 400 page, as for any other bad request.
        return get_resolver().resolve_error_handler(400)(request, exception=None)

    return middleware
