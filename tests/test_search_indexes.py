"""On PostgreSQL every search reads an index: the plans say so.

The archive here holds a few thousand releases, photos and documents (made in
SQL, in a second), analysed, with sequential scans made expensive (and plain
index scans, which would walk a B-tree from end to end as a scan would): a
query that cannot use its index still shows a sequential scan and fails; one
that can names its index. The word searched for is in a handful of rows, as most
searched words are.
"""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext

from media.models import Document, Photo, PhotoSet, Video
from press import search
from press.models import PressRelease

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's indexes"),
]


ROWS = 3000

# Filler words, and "podium" in one row of a thousand.
TEXT = (
    "'lap ' || i || ' pit tyre grid ' || md5(i::text)"
    " || case when i %% 1000 = 7 then ' podium' else '' end"
)


@pytest.fixture
def archive(newsroom):
    photo_set = PhotoSet.objects.create(newsroom=newsroom, title="Grid", slug="grid")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO press_pressrelease (uid, kind, title, slug, lead, body, hero_caption,"  # noqa: S608 (constants)
            " video_link, language, status, publish_at, search_text, search_vector, created_at,"
            " updated_at, newsroom_id) SELECT gen_random_uuid(), 'release', 'Release ' || i,"
            " 'r-' || i, '', '', '', '', 'en', 'published', now() - i * interval '1 hour',"
            f" {TEXT},"
            f" to_tsvector('english', {TEXT}), now(), now(), %s"
            f" FROM generate_series(1, {ROWS}) i",
            [newsroom.pk],
        )
        cursor.execute(
            "INSERT INTO media_photo (image, original_filename, image_format, title, caption,"  # noqa: S608 (constants)
            " alt_text, credit, copyright, license, license_text, focal_x, focal_y, width,"
            " height, bytes, sha256, version, rendered_version, rendering_claim,"
            " rendering_error, position, created_at, updated_at, photo_set_id)"
            f" SELECT 'photos/' || i, 'IMG_' || i || '.jpg', 'JPEG', 'Photo ' || i, {TEXT}, '',"
            " 'Team', '', 'cc-by', '', 0.5, 0.5, 1, 1, 1, md5(i::text), '', '', '', '', i,"
            f" now(), now(), %s FROM generate_series(1, {ROWS}) i",
            [photo_set.pk],
        )
        cursor.execute(
            "INSERT INTO media_document (visibility, title, description, kind, file,"  # noqa: S608 (constants)
            " original_filename, file_type, content_type, bytes, sha256, download_count,"
            f" position, created_at, updated_at, newsroom_id) SELECT 'public', 'Sheet ' || i,"
            f" {TEXT}, 'other', 'documents/' || i, 'sheet-' || i || '.pdf', 'pdf',"
            " 'application/pdf', 1, md5(i::text), 0, i, now(), now(), %s"
            f" FROM generate_series(1, {ROWS}) i",
            [newsroom.pk],
        )
        cursor.execute(
            "INSERT INTO media_video (file, original_filename, container, video_codec,"  # noqa: S608 (constants)
            " audio_codec, duration, width, height, frame_rate, bytes, sha256, title, caption,"
            " credit, copyright, license, license_text, version, rendered_version,"
            " rendering_claim, rendering_progress, rendering_error, position, created_at,"
            " updated_at, photo_set_id)"
            f" SELECT 'videos/' || i, 'CLIP_' || i || '.mp4', 'mp4', 'h264', 'aac', 10, 1, 1, 25,"
            f" 1, md5(i::text), 'Clip ' || i, {TEXT}, 'Team', '', 'cc-by', '', '', '', '', 0, '',"
            f" i, now(), now(), %s FROM generate_series(1, {ROWS}) i",
            [photo_set.pk],
        )
        cursor.execute("ANALYZE")


@pytest.fixture
def plan(archive):
    with connection.cursor() as cursor:
        # GIN indexes are read by bitmap scans only: with plain scans of tables
        # and of B-tree indexes off, a plan either uses them or scans.
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_indexscan = off")
    yield lambda queryset: queryset.explain()
    with connection.cursor() as cursor:
        cursor.execute("RESET enable_seqscan")
        cursor.execute("RESET enable_indexscan")


@pytest.mark.parametrize(
    ("found", "index"),
    [
        (
            lambda: PressRelease.objects.filter(search_vector=search.websearch("podium")),
            "press_release_search_idx",
        ),
        (lambda: search.photos("podium"), "media_photo_words_idx"),
        (lambda: search.videos("podium"), "media_video_words_idx"),
        (lambda: search.documents("podium"), "media_document_words_idx"),
    ],
    ids=["releases", "photos", "videos", "documents"],
)
def test_the_public_search_reads_each_part_from_its_index(plan, found, index):
    assert index in plan(found())


def test_quotes_are_searched_only_through_their_releases_vectors(plan):
    assert "press_quote" not in plan(search.releases("podium", PressRelease.objects.live()))


ADMINS = [
    model_admin
    for model_admin in admin.site._registry.values()
    if getattr(model_admin, "substring_fields", ())
]


@pytest.mark.parametrize("model_admin", ADMINS, ids=lambda model_admin: model_admin.opts.label)
def test_each_substring_searched_in_the_admin_has_a_trigram_index(plan, model_admin):
    table = model_admin.model._meta.db_table
    for name in model_admin.substring_fields:
        rows = model_admin.model._default_manager.filter(**{f"{name}__icontains": "ockenh"})
        assert f"{table}_{name}_trgm_idx" in plan(rows), name


@pytest.mark.parametrize("model_admin", ADMINS, ids=lambda model_admin: model_admin.opts.label)
def test_the_admin_search_scans_no_table(plan, model_admin, rf, admin_user):
    request = rf.get("/")
    request.user = admin_user
    rows = model_admin.get_queryset(request)
    with CaptureQueriesContext(connection) as queries:
        found, may_have_duplicates = model_admin.get_search_results(request, rows, "grid podium")
    assert not may_have_duplicates
    assert found.exists()
    for sql in [query["sql"] for query in queries]:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {sql}")
            steps = "\n".join(row[0] for row in cursor.fetchall())
        assert "Seq Scan" not in steps, f"{sql}\n{steps}"


def test_photo_and_document_words_are_indexed_as_the_searches_compute_them(plan):
    assert "media_photo_words_idx" in plan(Photo.objects.with_words("fog"))
    assert "media_document_words_idx" in plan(Document.objects.with_words("fog"))
    assert "media_video_words_idx" in plan(Video.objects.with_words("fog"))
    assert "media_photoset_title_trgm_idx" in plan(PhotoSet.objects.filter(title__icontains="fo"))
