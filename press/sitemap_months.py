"""How many live releases each newsroom has per month, for the sitemap index.

The index lists a file per month in which a newsroom has live releases (see
`press.sitemaps`). Counting them reads every live release, which grows with
the archive; but a month that is over holds releases whose public time is past,
so only saving or deleting one of them (or its story's original) changes it.
Those months are kept in `SitemapMonth`: filled once up to the last month that
is over, again as each month ends, and, after commit, for the months a saved or
deleted release touches. This month and later ones are counted from the rows,
which are few.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from newsroom.ground import pagecache
from newsroom.ground.models import Newsroom
from press.models import PressRelease, SitemapMonth


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month in UTC: the span one sitemap file covers."""

    year: int
    month: int

    @classmethod
    def parse(cls, text):
        """`2026-11` as a Month; None for anything else."""
        year, _dash, month = text.partition("-")
        if len(year) != 4 or len(month) != 2 or not (year + month).isdigit():
            return None
        return cls(int(year), int(month)) if 1 <= int(month) <= 12 and int(year) else None

    @classmethod
    def of(cls, moment):
        """The month a moment (in UTC) or a date falls in."""
        if isinstance(moment, datetime):
            moment = moment.astimezone(UTC)
        return cls(moment.year, moment.month)

    def __str__(self):
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self):
        return date(self.year, self.month, 1)

    def following(self):
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self):
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def span(self, dated=False):
        """[start, end) of the month: dates for rows listed by a date, else UTC moments."""
        following = self.following()
        start = datetime(self.year, self.month, 1, tzinfo=UTC)
        end = datetime(following.year, following.month, 1, tzinfo=UTC)
        return (start.date(), end.date()) if dated else (start, end)


def release_rows():
    """Live releases with `room` (their newsroom's id), `listed_at` (the time that places
    them in a month: when they went public) and `lastmod` (their last public change)."""
    return (
        PressRelease.objects.live()
        .annotate(room=F("newsroom_id"), listed_at=F("publish_at"))
        .annotate(lastmod=Coalesce("corrected_at", "first_published_at"))
    )


def count_months(rows, dated=False):
    """{(room, month): (count, latest lastmod)} of rows annotated as `release_rows()` are
    (by `listed_at`, a date when `dated`), in one grouped query."""
    truncated = TruncMonth("listed_at", tzinfo=None if dated else UTC)
    grouped = (
        rows.order_by()
        .annotate(month=truncated)
        .values_list("room", "month")
        .annotate(count=Count("pk"), latest=Max("lastmod"))
    )
    return {(room, Month.of(moment)): (count, latest) for room, moment, count, latest in grouped}


def this_month():
    return Month.of(timezone.now())


def release_months():
    """{(room, month): (count, lastmod)} of every newsroom's months with live releases."""
    current = this_month()
    summary = summarized()
    catch_up(summary, current)
    recent = release_rows().filter(listed_at__gte=current.span()[0])
    months = {key: value for key, value in summary.items() if value[0]}
    months.update(count_months(recent))
    return months


def summarized():
    rows = SitemapMonth.objects.values_list("newsroom_id", "month", "count", "lastmod")
    return {(room, Month.of(day)): (count, lastmod) for room, day, count, lastmod in rows}


def catch_up(summary, current):
    """Count the months that are over and not summarized yet (all of a newsroom's months
    the first time, the month just ended after that), add them to `summary` and keep them."""
    ends = {}
    for room, month in summary:
        ends[room] = max(ends.get(room, month), month)
    up_to_date = [room for room, end in ends.items() if end.following() == current]
    behind = list(Newsroom.objects.exclude(pk__in=up_to_date).values_list("pk", flat=True))
    if not behind:
        return
    start = current.span()[0]
    since = Q()
    for room in behind:
        since |= Q(room=room) & (
            Q(listed_at__gte=ends[room].following().span()[0]) if room in ends else Q()
        )
    counted = count_months(release_rows().filter(since, listed_at__lt=start))
    new = []
    for room in behind:
        first = ends[room].following() if room in ends else None
        found = sorted(month for counted_room, month in counted if counted_room == room)
        month = first or (found[0] if found else current.previous())
        while month < current:
            count, lastmod = counted.get((room, month), (0, None))
            summary[room, month] = (count, lastmod)
            new.append(
                SitemapMonth(newsroom_id=room, month=month.first_day, count=count, lastmod=lastmod)
            )
            month = month.following()
    SitemapMonth.objects.bulk_create(new, ignore_conflicts=True)


def refresh_later(room, moments):
    """After the commit, count again the months over in which these times fall (a release's
    public time before and after a change, its versions'), in the newsroom's summary."""
    current = this_month()
    months = {Month.of(moment) for moment in moments if moment}
    months = {month for month in months if month < current}
    if room and months:
        transaction.on_commit(lambda: refresh(room, months))


def refresh(room, months):
    """Count these months of the newsroom again and keep them, if its summary reaches them
    (months after its end are counted when it catches up). Renews the site's pages: an
    index made between the change and this refresh would be kept with the old count."""
    stored = SitemapMonth.objects.filter(newsroom_id=room)
    end = stored.order_by("-month").values_list("month", flat=True).first()
    months = [month for month in months if end and month.first_day <= end]
    if not months:
        return
    spans = Q()
    for month in months:
        start, stop = month.span()
        spans |= Q(listed_at__gte=start, listed_at__lt=stop)
    with transaction.atomic():
        list(stored.select_for_update().filter(month__in=[m.first_day for m in months]))
        counted = count_months(release_rows().filter(spans, room=room))
        rows = [
            SitemapMonth(newsroom_id=room, month=month.first_day, count=count, lastmod=lastmod)
            for month in months
            for count, lastmod in [counted.get((room, month), (0, None))]
        ]
        SitemapMonth.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["newsroom", "month"],
            update_fields=["count", "lastmod"],
        )
    pagecache.renew(pagecache.SITE)  # the index's scope: no newsroom's own pages
