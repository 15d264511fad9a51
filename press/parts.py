"""What a release shows, and to whom: the one contract every channel reads a release from.

The page, the text and Markdown versions, the alert e-mail, the API's ninjs
item, the feed items and the search index all take a release's words, hero,
quotes, results, photo sets, documents, contacts and next event from
`ReleaseParts`, so what an audience may see, and how each part reads (a
quote's attribution, the hero's credit line, a result's label in the
release's language), is decided once. Editors see everything; pass holders
what will go public with the release; the public only what is public now.

A text of the release's own (a field of `PressRelease`) is declared once in
`WORDS`: the API item and the search index carry every entry there, and the
templates (the page, `press/release.txt` and `.md`, the alert e-mail, the
feed item) show it as `parts.<name>`.
"""

from dataclasses import dataclass
from functools import cached_property

from django.db.models import F, Prefetch, Q, prefetch_related_objects
from django.utils.text import Truncator

from media.models import PhotoSet, Video, attach_covers
from newsroom.ground.models import Person
from press import results
from press.models import Event, PressRelease, Quote, Result, Status
from press.text import body_text

PUBLIC, EDITORS, PASS_HOLDER = "public", "editors", "pass holder"


@dataclass(frozen=True)
class Words:
    """A text of the release's own: its name in the parts, the field that keeps it, where a
    ninjs item carries it (property and role), and what a match in it weighs in search
    (A most, D least). `html`: the text is the editor's HTML, not plain text. `optional`:
    left out where it is empty (a release always has its headline and body)."""

    name: str
    field: str
    ninjs: str
    role: str
    weight: str
    html: bool = False
    optional: bool = True


WORDS = (
    Words("headline", "title", ninjs="headlines", role="main", weight="A", optional=False),
    Words("lead", "lead", ninjs="descriptions", role="summary", weight="B"),
    Words("body", "body", ninjs="bodies", role="main", weight="C", html=True, optional=False),
)

# Every part a release shows, by its name in `ReleaseParts`: the channels' templates
# read these, and tests/test_parts.py checks each channel shows the ones it should.
PARTS = (
    *(words.name for words in WORDS),
    "hero",
    "caption",
    "credit_line",
    "quotes",
    "results",
    "embedded_video",
    "photo_sets",
    "videos",
    "documents",
    "contacts",
    "next_event",
    "tags",
    "corrections",
)

# What a link to another version of the story needs.
VERSION_FIELDS = [
    "newsroom",
    "original",
    "uid",
    "language",
    "slug",
    "title",
    "status",
    "publish_at",
]

# How many words of the body stand in for a missing lead in lists and feeds.
SUMMARY_WORDS = 60


class ReleaseParts:
    """What one audience sees of a release, each part read as a channel first asks for it.

    Reading on demand lets a feed item, which shows the words and the hero,
    cost no query for contacts; a channel that shows everything (the page)
    still runs one query per part. Rows a list view prefetched for many
    releases (the API's quotes) are used as they are.
    """

    def __init__(self, release, audience):
        self.release = release
        # A translation's photos, documents, results, contacts and tags are its original's.
        self.story = release.story
        self.audience = audience
        self.language = release.language
        for words in WORDS:
            setattr(self, words.name, getattr(release, words.field))

    def __repr__(self):
        return f"<ReleaseParts of {self.release.pk} for {self.audience}>"

    @cached_property
    def newsroom(self):
        """The release's newsroom as the release's readers see it: its tagline, boilerplate
        and photo defaults as written in the release's language, where they are."""
        return self.release.newsroom.in_language(self.language)

    def of_its_newsroom(self, rows):
        """Rows the release links to belong to its newsroom (the admin links no other): each
        gets the newsroom as the release's readers see it, for its links and its photos'
        default credit, not a copy joined in per row."""
        newsroom = self.newsroom
        for row in rows:
            if row.newsroom_id == newsroom.pk:
                row.newsroom = newsroom
        return rows

    @property
    def words(self):
        """(Words, text) for each of the release's own texts, in order; an optional one only
        when it is written."""
        texts = [(words, getattr(self, words.name)) for words in WORDS]
        return [(words, text) for words, text in texts if text or not words.optional]

    @cached_property
    def summary(self):
        """The lead, or the body's first words without one: what feed items say."""
        return self.lead or Truncator(body_text(self.body)).words(SUMMARY_WORDS, truncate=" …")

    @cached_property
    def hero(self):
        """The hero photo, if this audience may see it (its set could have been made private)."""
        release = self.story
        if self.audience == PUBLIC:
            return release.public_hero()
        hero = release.hero_photo
        if self.audience == PASS_HOLDER and hero and not hero.is_for_pass_holders():
            return None  # what will go public with the release; private material stays private
        return hero

    @property
    def caption(self):
        """The release's own hero caption, else the photo's in the release's language, else
        the original's caption for it, else the photo's own."""
        if not self.hero:
            return ""
        own = self.release.hero_caption
        if own or self.language == self.release.newsroom.language:
            return own or self.story.caption  # the photo's own texts are in this language
        in_language = self.hero.text_in(self.language)
        return (in_language and in_language.caption) or self.story.caption

    @property
    def hero_alt(self):
        """The hero's alt text in the release's language, else the photo's own."""
        if not self.hero:
            return ""
        if self.language != self.release.newsroom.language:
            in_language = self.hero.text_in(self.language)
            if in_language and in_language.alt:
                return in_language.alt
        return self.hero.alt

    @property
    def credit_line(self):
        """“Photo: CREDIT (usage terms)” of the hero."""
        return self.hero.credit_line if self.hero else ""

    @property
    def hero_text(self):
        """The hero's caption and credit line, as text versions print them under the photo."""
        return " ".join(part for part in (self.caption, self.credit_line) if part)

    @cached_property
    def quotes(self):
        """The quotes, each signed with its `attribution`."""
        # In the release's own order: the default one starts with the release, which would
        # join the releases (in their order) to sort the quotes of just one.
        quotes = Quote.objects.select_related("speaker").order_by("position", "pk")
        speakers = Prefetch("quotes", queryset=quotes)
        prefetch_related_objects([self.release], speakers)
        return list(self.release.quotes.all())

    @cached_property
    def results(self):
        """The results, each with its `label` in the release's language (“3rd place”, “3:e
        plats”, “DNF”) and its `outcome_name` (“Did not finish”, empty for a placed one)."""
        rows = Result.objects.select_related("event").order_by("order", "pk")  # as the quotes
        events = Prefetch("results", queryset=rows)
        prefetch_related_objects([self.story], events)
        rows = list(self.story.results.all())
        for result in rows:
            result.label = results.label(result, self.language)
            result.outcome_name = results.outcome_name(result)
        return rows

    @cached_property
    def result_groups(self):
        """[(event, [results])]: the results one event after another, in the release's order."""
        groups = []
        for result in self.results:
            if groups and groups[-1][0] == result.event:
                groups[-1][1].append(result)
            else:
                groups.append((result.event, [result]))
        return groups

    @cached_property
    def photo_sets(self):
        """The release's photo sets as cards (each with its `cover_photo`)."""
        photo_sets = PhotoSet.objects.filter(releases=self.story).with_cover()
        photo_sets = photo_sets.select_related(None)  # their newsroom is the release's
        if self.audience == PUBLIC:
            photo_sets = photo_sets.public()
        elif self.audience == PASS_HOLDER:
            photo_sets = photo_sets.for_pass_holders()
        return self.of_its_newsroom(attach_covers(photo_sets))

    @property
    def embedded_video(self):
        return self.story.embedded_video

    @cached_property
    def videos(self):
        """The videos of the release's sets shown here, in the sets' order, then their own."""
        with_videos = [photo_set for photo_set in self.photo_sets if photo_set.has_videos]
        if not with_videos:
            return []  # known from the sets' own query: none for most releases
        order = {photo_set.pk: place for place, photo_set in enumerate(with_videos)}
        videos = Video.objects.filter(photo_set__in=list(order)).order_by()
        videos = videos.prefetch_related("files", "subtitles")
        sets = {photo_set.pk: photo_set for photo_set in with_videos}
        videos = sorted(videos, key=lambda v: (order[v.photo_set_id], v.position, v.pk))
        for video in videos:
            video.photo_set = sets[video.photo_set_id]  # already read, with its newsroom
        return videos

    @cached_property
    def documents(self):
        # The default order starts with the newsroom, which is the release's for them all.
        documents = self.story.documents.order_by("position", "title")
        if self.audience == PUBLIC:
            return list(documents.public())
        if self.audience == PASS_HOLDER:
            return list(documents.for_pass_holders())
        return list(documents)

    @cached_property
    def contacts(self):
        """The release's own press contacts, else the newsroom's."""
        release = self.story
        order = ("position", "name")  # in one newsroom: the default order less the join
        return list(release.contacts.order_by(*order)) or list(
            Person.objects.press_contacts().filter(newsroom=release.newsroom_id).order_by(*order)
        )

    @cached_property
    def tags(self):
        return self.of_its_newsroom(list(self.story.tags.all()))

    @cached_property
    def versions(self):
        """The story's versions this audience may see, the original first, then by language:
        the page's language switcher and hreflang alternates. One query, however many."""
        story = self.story
        versions = PressRelease.objects.filter(Q(pk=story.pk) | Q(original=story.pk))
        if self.audience == PUBLIC:
            versions = versions.live()
        elif self.audience == PASS_HOLDER:
            versions = versions.filter(status=Status.PUBLISHED)  # never a draft
        rows = versions.order_by(F("original").asc(nulls_first=True), "language")
        return self.of_its_newsroom(list(rows.only(*VERSION_FIELDS)))

    @cached_property
    def corrections(self):
        return list(self.release.corrections.all()) if self.release.corrected_at else []

    @cached_property
    def next_event(self):
        """The newsroom's next public event: where journalists can meet the team next."""
        upcoming = Event.objects.public().filter(newsroom=self.release.newsroom_id).upcoming()
        return upcoming.first()


def release_parts(release, audience):
    """What a release shows to this audience (PUBLIC, EDITORS or PASS_HOLDER)."""
    return ReleaseParts(release, audience)
