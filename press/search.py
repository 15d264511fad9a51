"""Search over live releases (text, quotes, results), public photos, videos and documents.

On PostgreSQL it is real full-text search: each release keeps a weighted
vector (headline A, lead B, body and quotes C, results D) built with its own
language's dictionary, queries use the `websearch` syntax journalists know
from search engines ("exact phrase", -without, or), results are ranked and
come with highlighted snippets. On SQLite every word must simply occur.

Every part is read through an index on PostgreSQL: releases (quotes and
results included) through the GIN index of their stored vector; photos and
videos and documents through GIN indexes of the vector expression itself
(`media.models.words()`), so their words are never stale and never computed
row by row. Nothing searches the quotes' own table.

Ranking is bounded. A common word can match most of the archive, and ranking
every match reads every match's vector. So only the newest `RANKED` matches
are ranked (found through the index, newest first) and paginated: the best of
recent coverage comes first, and an older release that only a common word
finds is reached by adding a word, a year or a newsroom. A rare word has fewer
matches than that and loses nothing. Photos are taken from the newest
`PHOTOS_CONSIDERED` matching ones for the same reason.
"""

import functools
import html
import re
import threading

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection, transaction
from django.db.models import F, Q, Value
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from media.models import Document, Photo, Video
from press.models import PressRelease
from press.parts import PUBLIC, release_parts
from press.text import body_text

# The text search configuration for each release language (PostgreSQL's names).
DICTIONARIES = {"en": "english", "sv": "swedish", "de": "german", "fi": "finnish", "fr": "french"}
MAX_QUERY = 200
RANKED = 500
PHOTOS_CONSIDERED = 200
WORD = re.compile(r"\w+", re.UNICODE)


def full_text():
    return connection.vendor == "postgresql"


def index_release(release_pk):
    """Refresh a release's searchable text (and its vector, on PostgreSQL) from its parts.

    Called after commit by `refresh_later()`, never by hand in the middle of a change.
    """
    release = PressRelease.objects.filter(pk=release_pk).select_related("newsroom").first()
    if release is None:
        return
    parts = release_parts(release, PUBLIC)
    weighed = {"A": [], "B": [], "C": [], "D": []}
    for words, text in parts.words:
        weighed[words.weight].append(body_text(text) if words.html else text)
    # Quotes are found by their words and the speaker's name, results by all they say.
    weighed["C"] += [f"{quote.text} {quote.speaker.name}" for quote in parts.quotes]
    weighed["D"] += [
        f"{result.event.name} {result.session} {result.category} {result.entry} {result.note}"
        for result in parts.results
    ]
    texts = {weight: " ".join(texts) for weight, texts in weighed.items()}
    changes = {"search_text": "\n".join(text for text in texts.values() if text)}
    if full_text():
        config = DICTIONARIES.get(release.language, "simple")
        vector = None
        for weight, text in texts.items():
            part = SearchVector(Value(text), weight=weight, config=config)
            vector = part if vector is None else vector + part
        changes["search_vector"] = vector
    PressRelease.objects.filter(pk=release_pk).update(**changes)


class Refresh(threading.local):
    """The releases whose refresh is waiting for the commit, per thread (as connections are).

    Each change registers its own callback, so one in a savepoint that is rolled
    back takes only its own with it; the first to run after the commit indexes
    the release, and the others find it done.
    """

    def __init__(self):
        self.waiting = set()


refreshes = Refresh()


def refresh_later(release_pk):
    """Index the release once, after the transaction that changes it commits.

    Every path that changes what a release is searched by calls this: its own
    save, its quotes and results (saved, deleted, or put back by a restore),
    a rename of a person it quotes or of an event it gives results of. In
    autocommit (no transaction) the release is indexed at once.
    """
    refreshes.waiting.add(release_pk)
    transaction.on_commit(functools.partial(refresh_waiting, release_pk))


def refresh_waiting(release_pk):
    if release_pk in refreshes.waiting:
        refreshes.waiting.discard(release_pk)
        index_release(release_pk)


def clean_query(query):
    """The query as searched, and a note for the reader when it had to be changed."""
    query = " ".join((query or "").split())
    if len(query) > MAX_QUERY:
        note = _("Only the first %(count)s characters were searched.") % {"count": MAX_QUERY}
        return query[:MAX_QUERY], note
    return query, ""


def words(query):
    return [word.lower() for word in WORD.findall(query)]


def websearch(query):
    """The query in every release language: a release matches in its own language's terms."""
    combined = None
    for config in [*DICTIONARIES.values(), "simple"]:
        part = SearchQuery(query, search_type="websearch", config=config)
        combined = part if combined is None else combined | part
    return combined


def releases(query, live):
    """Matching live releases, best first, each with a `snippet` of marked-up text.

    On PostgreSQL, the best of the newest `RANKED` matches (see above).
    """
    if full_text():
        search = websearch(query)
        newest = live.filter(search_vector=search).order_by("-publish_at", "-pk")
        return (
            live.filter(pk__in=newest.values("pk")[:RANKED])
            .annotate(
                rank=SearchRank(F("search_vector"), search),
                snippet=SearchHeadline(
                    "search_text",
                    SearchQuery(query, search_type="websearch", config="simple"),
                    config="simple",
                    start_sel="\x02",
                    stop_sel="\x03",
                    max_words=35,
                    min_words=15,
                ),
            )
            .order_by("-rank", "-publish_at", "-pk")
        )
    matches = live
    for word in words(query):
        matches = matches.filter(search_text__icontains=word)
    return matches.order_by("-publish_at")


def photos(query, newsroom=None):
    public = Photo.objects.public().select_related("photo_set__newsroom")
    if newsroom is not None:
        public = public.filter(photo_set__newsroom=newsroom)
    if full_text():
        newest = public.with_words(query).order_by("-pk").values("pk")[:PHOTOS_CONSIDERED]
        return public.filter(pk__in=newest)
    matches = public
    for word in words(query):
        matches = matches.filter(
            Q(title__icontains=word) | Q(caption__icontains=word) | Q(credit__icontains=word)
        )
    return matches


def videos(query, newsroom=None):
    public = Video.objects.public().select_related("photo_set__newsroom")
    if newsroom is not None:
        public = public.filter(photo_set__newsroom=newsroom)
    if full_text():
        newest = public.with_words(query).order_by("-pk").values("pk")[:PHOTOS_CONSIDERED]
        return public.filter(pk__in=newest).prefetch_related("files", "subtitles")
    matches = public
    for word in words(query):
        matches = matches.filter(
            Q(title__icontains=word) | Q(caption__icontains=word) | Q(credit__icontains=word)
        )
    return matches.prefetch_related("files", "subtitles")


def documents(query, newsroom=None):
    public = Document.objects.public().select_related("newsroom")
    if newsroom is not None:
        public = public.filter(newsroom=newsroom)
    if full_text():
        return public.with_words(query)
    matches = public
    for word in words(query):
        matches = matches.filter(Q(title__icontains=word) | Q(description__icontains=word))
    return matches


def snippet(release, query):
    """A short passage around the first match, the matched words marked (<mark>)."""
    found = getattr(release, "snippet", None)
    if found:
        marked = escape(found).replace("\x02", "<mark>").replace("\x03", "</mark>")
        return mark_safe(marked)  # noqa: S308 (escaped, then our own marks)
    text = release.search_text or release.lead
    terms = words(query)
    lowered = text.lower()
    positions = [lowered.find(term) for term in terms if lowered.find(term) >= 0]
    start = max(0, min(positions) - 80) if positions else 0
    passage = text[start : start + 240]
    marked = escape(passage)
    for term in sorted(set(terms), key=len, reverse=True):
        marked = re.sub(
            f"({re.escape(html.escape(term))})", r"<mark>\1</mark>", marked, flags=re.IGNORECASE
        )
    prefix = "…" if start else ""
    suffix = "…" if start + 240 < len(text) else ""
    return mark_safe(f"{prefix}{marked}{suffix}")  # noqa: S308 (escaped above)
