"""Public pages kept rendered on the server, per newsroom, and cache headers for everyone else.

A public page (a newsroom's home, its release pages, feeds, the media kit…)
is rendered once and then served from the cache to every visitor without a
session. It is kept with the newsroom's *generation* it was rendered in:
saving or deleting anything a newsroom owns starts a new generation, and a
page kept in another generation than the current one is rendered again, so
no visitor ever gets a page older than the last change. Site-wide pages (the
list of newsrooms, site feeds, the sitemap, search) use the site's
generation, which every change renews.

The generations live in the shared cache beside the pages, so a change made
through one app server is seen by all of them on their next request. Serving
a page costs one cache lookup: each process keeps copies of the pages it
served lately (`NEWSROOM_PAGE_MEMORY_BYTES` of them) and then reads only the
generations, a few bytes, from the shared cache; a page it has no copy of is
read with them, in the same `get_many`. A copy is served only while its
generation is the current one and its time is not up, like the shared entry.
A kept page is answered by a middleware (`serve_kept_pages`) early in the
stack, with the headers the whole stack gave it when it was rendered: the
CSRF, login, messages, framing and content-policy middleware and the view
never run for it.

Time changes what is public too: a page is never kept past the next
scheduled go-live of its newsroom (or of any newsroom, for site-wide pages),
so the cache and browsers see the release the second its embargo lifts.
Editors (anyone with a session) always get a freshly rendered page.

What the query string may add is bounded: each view declares the parameters
it reads, the page is kept under those alone, and a value the view rejects
(a tag that does not exist, a page past the end) is answered but not kept.
Otherwise every `?utm_source=N` would store one more copy of a page and push
real pages out of the cache.
"""

import functools
import hashlib
import math
import secrets
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse, QueryDict
from django.urls import Resolver404, get_resolver
from django.utils import timezone
from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.http import parse_http_date_safe, urlencode

from newsroom.ground.middleware import impossible_input
from newsroom.ground.models import Newsroom

SITE = "*"
NEWSROOMS = "newsrooms"  # renewed when a newsroom itself changes (its name is on every page)
PREFIX = "page"


# What the pages show, registered by each app in its ready() ---------------------------

# Model → the path from one of its rows to the newsroom whose pages show it
# ("" for a newsroom itself, whose name is on every page of the site).
WATCHED = {}
# Models whose rows no page shows: counters, logs, sessions, mailing state.
NOT_SHOWN = set()
# Functions newsroom slug (or None for any) → when something is next due to go public.
GO_LIVE_TIMES = []


def watch(model, newsroom="newsroom"):
    """Pages show this model's rows: a change renews the pages of the row's newsroom."""
    WATCHED[model] = newsroom


def not_shown(*models):
    """No page shows these rows: their changes keep every cached page."""
    NOT_SHOWN.update(models)


def next_go_live(function):
    """Register a function slug → the next time something scheduled goes public there."""
    GO_LIVE_TIMES.append(function)
    return function


def seconds_to_next_release(newsroom_slug=None):
    """Seconds until the next scheduled item goes live (in a newsroom, or anywhere)."""
    times = [when for function in GO_LIVE_TIMES if (when := function(newsroom_slug))]
    if not times:
        return None
    return max(0, math.ceil((min(times) - timezone.now()).total_seconds()))


def newsroom_slug_of(instance):
    """The slug of the newsroom whose pages show the row, or None if it could be any.

    The first step of the path is read from the row's own foreign key, which a
    deleted row still holds.
    """
    path = WATCHED[type(instance)]
    if not path:
        return None
    first, _, rest = path.partition("__")
    pk = getattr(instance, f"{first}_id", None)
    if pk is None:
        return None
    parent = type(instance)._meta.get_field(first).related_model
    slug = f"{rest}__slug" if rest else "slug"
    return parent._base_manager.filter(pk=pk).values_list(slug, flat=True).first()


# Generations ----------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)
def scope_id(scope):
    # A newsroom's slug comes from the address: hashed, any length makes a short key.
    return hashlib.sha256(scope.encode()).hexdigest()[:16]


def generation_key(scope):
    return f"{PREFIX}:generation:{scope_id(scope)}"


def generations(*scopes, found=None):
    """The scopes' current generations as one string, started where there is none yet.

    `found`: what a `get_many` that asked for the scopes' keys (among others)
    already read; without it they are read here. None for a newsroom that
    does not exist: an address with any slug in it must not add a generation
    to the cache.
    """
    keys = [generation_key(scope) for scope in scopes]
    found = cache.get_many(keys) if found is None else found
    for scope, key in zip(scopes, keys, strict=True):
        if key not in found:
            if not scope_exists(scope):
                return None
            cache.add(key, secrets.token_hex(6), timeout=None)
            found[key] = cache.get(key)
    return ":".join(str(found[key]) for key in keys)


def scope_exists(scope):
    return scope in (SITE, NEWSROOMS) or Newsroom.objects.filter(slug=scope).exists()


def renew(*scopes):
    cache.set_many({generation_key(scope): secrets.token_hex(6) for scope in scopes}, timeout=None)


def changed(newsroom_slug=None):
    """Something public may have changed: in one newsroom, or (slug None) anywhere.

    Renewed now and again after the commit, so a page rendered from the old
    rows while the transaction was open is not kept under the new generation.
    """
    scopes = [SITE, newsroom_slug] if newsroom_slug else [SITE, NEWSROOMS]
    renew(*scopes)
    transaction.on_commit(lambda: renew(*scopes))


# What may be kept, and where -----------------------------------------------------------


def cacheable_request(request):
    return request.method in ("GET", "HEAD") and (
        settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def cacheable_response(response):
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not response.has_header("Cache-Control")  # previews and private answers say so
    )


def declared_query(request, names):
    """The query string with only these parameters, in one order, each with the value views
    read (the last one given): the same page for every spelling of the same request."""
    pairs = [(name, request.GET[name]) for name in sorted(names) if name in request.GET]
    return QueryDict(urlencode(pairs), encoding=request.encoding)


def page_scopes(scope):
    """The generations a page of this scope is kept in: the site's for site-wide pages; for a
    newsroom's, its own and that of the newsrooms' names (on every page)."""
    return [SITE] if scope == SITE else [NEWSROOMS, scope]


def page_key(request, scope):
    """Where the page of this address is kept, whatever the generation."""
    address = hashlib.sha256(f"{request.path}?{request.GET.urlencode()}".encode()).hexdigest()
    return f"{PREFIX}:{scope_id(scope)}:{address[:32]}"


class Copies:
    """This process's copies of pages from the shared cache, the most recently used ones up to
    a number of bytes of content. Checked against the generations on every request."""

    def __init__(self):
        self.pages = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            entry = self.pages.get(key)
            if entry is not None:
                self.pages.move_to_end(key)
            return entry

    def put(self, key, entry):
        with self.lock:
            self.discard(key)
            self.pages[key] = entry
            self.size += len(entry["content"])
            while self.size > settings.NEWSROOM_PAGE_MEMORY_BYTES and self.pages:
                self.discard(next(iter(self.pages)))

    def discard(self, key):
        entry = self.pages.pop(key, None)
        if entry is not None:
            self.size -= len(entry["content"])


copies = Copies()


def current(entry, generation):
    """Whether a kept page may be served: kept in this generation, and its time not up."""
    return (
        entry is not None
        and entry.get("generation") == generation
        and entry["expires"] > time.time()
    )


def look_up(request, scope):
    """(key, generation, entry): the page's key and the current generation of its scope,
    and the page if it was kept in that generation, read in one cache lookup. Key and
    generation are None for a newsroom that does not exist."""
    scopes = page_scopes(scope)
    key = page_key(request, scope)
    keys = [generation_key(s) for s in scopes]
    copy = copies.get(key)
    found = cache.get_many(keys if copy is not None else [*keys, key])
    generation = generations(*scopes, found=found)
    if generation is None:
        return None, None, None
    if current(copy, generation):
        return key, generation, copy
    # No copy here, or one from before a change: the shared cache may have the new page.
    entry = found.get(key) if copy is None else cache.get(key)
    if not current(entry, generation):
        return key, generation, None  # rendered again, and replaced
    copies.put(key, entry)
    return key, generation, entry


def do_not_store(request):
    """Answer this request but keep no copy: it asked for something the view rejected
    (an unknown tag, a page past the end), or for text of the client's choosing (a
    search), which would give every client as many cache entries as it likes."""
    request.page_not_stored = True


def stored(response, generation, expires):
    return {
        "content": response.content,
        "headers": dict(response.items()),
        "generation": generation,
        "expires": expires,
    }


def restored(entry):
    return HttpResponse(entry["content"], headers=entry["headers"])


def keep(key, entry):
    cache.set(key, entry, timeout=max(1, math.ceil(entry["expires"] - time.time())))
    copies.put(key, entry)


def say_how_long(response, expires):
    """Browsers and CDNs may keep the page as long as the server does, up to the site's
    max-age: never past the next go-live."""
    left = max(0, math.floor(expires - time.time()))
    response["Cache-Control"] = f"public, max-age={min(settings.NEWSROOM_PAGE_MAX_AGE, left)}"


# Serving and keeping: a middleware ------------------------------------------------------


def serve_kept_pages(get_response):
    """Middleware: answer a request for a kept page before the rest of the stack runs, and
    keep a page its view allowed to be kept, with the headers the whole stack gave it.

    Listed after the language of the address is active (the URL patterns of pages
    depend on it) and before the middleware that reads the request for a view
    (CSRF, logins, messages): a kept page needs none of them, and what they add to
    a page (its framing and content policies) was kept with it. A page is looked up,
    and kept, under the scope its view names (the newsroom in its address, or the
    site) and the query parameters its view reads.
    """

    def middleware(request):
        slot = page_slot(request)
        if slot is not None:
            key, generation, entry = look_up(request, slot)
            if entry is not None:
                response = restored(entry)
                say_how_long(response, entry["expires"])
                return conditional_answer(request, response)
            request.page_slot = (key, generation)
        response = get_response(request)
        to_keep = getattr(request, "page_to_keep", None)
        if to_keep is not None and response.status_code == 200 and not response.cookies:
            generation, expires = to_keep
            keep(request.page_slot[0], stored(response, generation, expires))
        return response

    return middleware


def page_slot(request):
    """The scope of the public page the request asks for, if it may come from the cache:
    a GET or HEAD without a session, for a valid host, with nothing a refusal is due for,
    at an address whose view is a public page. Its query is narrowed to what the view
    reads. None for any other request."""
    if not cacheable_request(request) or impossible_input(request) is not None:
        return None
    request.get_host()  # a host not allowed is refused (400) before any page is served
    try:
        match = get_resolver(getattr(request, "urlconf", None)).resolve(request.path_info)
    except Resolver404:
        return None
    query = getattr(match.func, "page_query", None)
    if query is None:
        return None
    request.GET = declared_query(request, query)
    return match.kwargs.get("newsroom") or SITE


# The decorator -----------------------------------------------------------------------


def public_page(view=None, *, query=()):
    """A public page: served from the cache, with ETag, Last-Modified and max-age.

    A view with a `newsroom` URL argument shows that newsroom; one without
    (the site root, site feeds, the sitemap, search) depends on all of them.
    `query` names the query parameters the view reads: it gets a request whose
    GET holds those alone, so the page it makes is the one the key stands for.
    The view runs when the page is not kept; its answer is kept (by
    `serve_kept_pages`) when it is a plain 200 for a visitor without a session,
    until the newsroom's next go-live or the cache's time, whichever comes first.
    """
    if view is None:
        return functools.partial(public_page, query=query)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        request.GET = declared_query(request, query)
        response = view(request, *args, **kwargs)
        if not getattr(response, "is_rendered", True):
            response.render()  # a TemplateResponse (the sitemap): keep the bytes
        if not cacheable_response(response):
            return response
        keep_seconds = settings.NEWSROOM_PAGE_CACHE_SECONDS
        until = seconds_to_next_release(kwargs.get("newsroom"))
        if until is not None:
            keep_seconds = min(keep_seconds, until)
        expires = time.time() + keep_seconds
        slot = getattr(request, "page_slot", None) if cacheable_request(request) else None
        if slot and slot[0] and keep_seconds > 0 and not getattr(request, "page_not_stored", 0):
            if not response.has_header("ETag"):
                set_response_etag(response)  # kept with the page: not hashed again per visit
            request.page_to_keep = (slot[1], expires)
        say_how_long(response, expires)
        return response

    wrapper.page_query = tuple(query)
    return conditional(wrapper)


def conditional(view):
    """ETag from the content, and 304s, for GET and HEAD alike.

    Django's `conditional_page` leaves HEAD alone, so a client checking a
    page or feed with HEAD got neither the ETag nor a 304.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        return conditional_answer(request, view(request, *args, **kwargs))

    return wrapper


def conditional_answer(request, response):
    if (
        request.method not in ("GET", "HEAD")
        or response.status_code != 200
        or response.streaming
        or "no-store" in response.get("Cache-Control", "")
    ):
        return response
    if not response.has_header("ETag"):
        set_response_etag(response)
    return get_conditional_response(
        request,
        etag=response["ETag"],
        last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
        response=response,
    )
