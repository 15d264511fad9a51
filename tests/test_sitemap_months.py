"""The sitemap index's count of releases per month: kept for months that are over, always
what counting every live release would give."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from press import sitemap_months
from press.models import PressRelease, SitemapMonth, Status
from press.sitemap_months import Month, count_months, release_rows
from press.versions import translate
from tests.factories import committed, make_newsroom, make_release, months_ago, sitemap_files


def from_every_row():
    return count_months(release_rows())


def saved(release, **fields):
    for name, value in fields.items():
        setattr(release, name, value)
    with committed():
        release.save()
    return release


def test_the_summary_is_filled_once_and_then_read_instead_of_the_releases(client, db):
    newsroom = make_newsroom()
    for months in (14, 3, 3, 1, 0):
        make_release(newsroom, publish_at=months_ago(months))

    assert sitemap_months.release_months() == from_every_row()
    stored = SitemapMonth.objects.filter(newsroom=newsroom)
    assert stored.count() == 14  # every month that is over from the first, empty ones too
    assert stored.get(month=Month.of(months_ago(3)).first_day).count == 2
    with CaptureQueriesContext(connection) as queries:
        again = sitemap_months.release_months()
    assert again == from_every_row()
    counting = [q["sql"] for q in queries if "press_pressrelease" in q["sql"]]
    assert len(counting) == 1 and "publish_at" in counting[0]  # this month's rows only


CHANGES = {
    "a release published in a month that is over": lambda r, n: make_release(
        n, publish_at=months_ago(5)
    ),
    "moved to another month": lambda r, n: saved(r, publish_at=months_ago(7)),
    "withdrawn": lambda r, n: saved(r, status=Status.WITHDRAWN),
    "made a draft and published again": lambda r, n: saved(
        saved(r, status=Status.DRAFT), status=Status.PUBLISHED
    ),
    "corrected": lambda r, n: saved(r, corrected_at=timezone.now()),
    "deleted": lambda r, n: committed_delete(r),
    "its translation published": lambda r, n: saved(
        translate(r, "de"), status=Status.PUBLISHED, publish_at=months_ago(1)
    ),
    "its original withdrawn": lambda r, n: saved(r.original or r, status=Status.WITHDRAWN),
    "its original moved later, taking its translation along": lambda r, n: saved(
        r.original or r, publish_at=months_ago(1, day=20)
    ),
}


def committed_delete(release):
    with committed():
        release.delete()


@pytest.mark.parametrize("change", CHANGES)
def test_every_change_to_a_release_counts_its_months_again(client, db, change):
    newsroom = make_newsroom()
    release = make_release(newsroom, publish_at=months_ago(3))
    translation = saved(
        translate(release, "sv"), status=Status.PUBLISHED, publish_at=months_ago(2)
    )
    make_release(newsroom, publish_at=months_ago(4))
    sitemap_months.release_months()  # the summary is filled

    changed = translation if change.startswith("its original") else release
    CHANGES[change](changed, newsroom)

    assert sitemap_months.release_months() == from_every_row(), change
    index = client.get("/sitemap.xml").content.decode()
    for _room, month in from_every_row():
        assert f"/sitemap-releases-{month}.xml" in index


def test_a_month_that_ends_is_counted_once_it_is_over(client, db):
    newsroom = make_newsroom()
    first = datetime(2026, 10, 30, 12, tzinfo=UTC)
    with time_machine.travel(first, tick=False):
        make_release(newsroom, publish_at=first - timedelta(days=40))
        make_release(newsroom, publish_at=first - timedelta(hours=1))
        before = sitemap_months.release_months()
    with time_machine.travel(datetime(2026, 11, 2, 12, tzinfo=UTC), tick=False):
        make_release(newsroom, publish_at=timezone.now() - timedelta(hours=1))
        after = sitemap_months.release_months()
        assert after == from_every_row()

    room = newsroom.pk
    assert set(before) == {(room, Month(2026, 9)), (room, Month(2026, 10))}
    assert set(after) == {(room, Month(2026, 9)), (room, Month(2026, 10)), (room, Month(2026, 11))}
    assert SitemapMonth.objects.get(month=datetime(2026, 10, 1).date()).count == 1


def test_a_release_only_scheduled_is_counted_when_its_time_comes(client, db):
    newsroom = make_newsroom()
    make_release(newsroom, publish_at=months_ago(2))
    later = timezone.now() + timedelta(minutes=5)
    make_release(newsroom, slug="later", publish_at=later)
    sitemap_months.release_months()

    with time_machine.travel(later + timedelta(seconds=1), tick=False):
        assert sitemap_months.release_months() == from_every_row()
        paths = sitemap_files(Client())
    assert any(f"sitemap-releases-{Month.of(later)}.xml" in path for path in paths)


def test_a_text_edit_counts_nothing_again(client, db):
    newsroom = make_newsroom()
    release = make_release(newsroom, publish_at=months_ago(2))
    sitemap_months.release_months()

    with CaptureQueriesContext(connection) as queries:
        saved(release, title="A better headline")

    assert not [q for q in queries if "press_sitemapmonth" in q["sql"]]
    assert PressRelease.objects.get(pk=release.pk).title == "A better headline"


def test_the_index_takes_the_same_queries_for_one_month_as_for_forty(client, db):
    newsroom = make_newsroom()
    make_release(newsroom, publish_at=months_ago(1))
    Client().get("/sitemap.xml")

    def count():
        with CaptureQueriesContext(connection) as queries:
            Client(HTTP_COOKIE="sessionid=x").get("/sitemap.xml")  # past the page cache
        return len(queries)

    one = count()
    for months in range(2, 41):
        make_release(newsroom, publish_at=months_ago(months))
    SitemapMonth.objects.all().delete()
    Client().get("/sitemap.xml")  # filled again, as after a load from elsewhere
    assert count() == one
