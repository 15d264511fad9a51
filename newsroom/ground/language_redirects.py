"""Old links and typed addresses without a language, sent to the page with one."""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import Resolver404, resolve
from django.utils import translation

from newsroom.ground.languages import address_language
from newsroom.ground.models import Newsroom


def find_the_language(get_response):
    """An address without a language that would be a page with one ("/team/releases/"),
    as old links and people typing have it, is sent to the page in its newsroom's
    first language (site pages: in the site's). Only once nothing else answered it,
    and only to a page of a newsroom that exists: a 404 stays a 404 otherwise."""

    def middleware(request):
        response = get_response(request)
        path = request.path_info
        if (
            response.status_code != 404
            or request.method not in ("GET", "HEAD")
            or address_language(path)
        ):
            return response
        first = path.strip("/").partition("/")[0]
        newsrooms = Newsroom.objects.only("language")
        candidates = list(newsrooms.filter(slug=first)[:1] if first else newsrooms[:2])
        # With a single newsroom the site is that newsroom, in its language.
        language = candidates[0].language if len(candidates) == 1 else settings.LANGUAGE_CODE
        for candidate in (f"/{language}{path}", f"/{language}{path.rstrip('/')}/"):
            with translation.override(language):
                match = page_at(candidate)
            if match is not None and (candidates or "newsroom" not in match.kwargs):
                query = request.META.get("QUERY_STRING")
                script = request.META.get("SCRIPT_NAME", "")
                return HttpResponseRedirect(
                    f"{script}{candidate}" + (f"?{query}" if query else "")
                )
        return response

    return middleware


def page_at(path):
    try:
        return resolve(path)
    except Resolver404:
        return None
