from datetime import date, timedelta

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import BaseConstraint
from django.utils import timezone

from media.models import PhotoSet, Visibility
from newsroom.ground.models import License, Person
from press.models import Event, Outcome, PressRelease, Quote, Result, State, Status
from tests.factories import (
    make_event,
    make_newsroom,
    make_person,
    make_photo,
    make_photo_set,
    make_release,
)


def violates_database_rule(save):
    with pytest.raises(IntegrityError), transaction.atomic():
        save()


def test_release_slugs_are_unique_per_newsroom(newsroom):
    make_release(newsroom, slug="podium")
    make_release(make_newsroom(), slug="podium")  # another newsroom may reuse it

    violates_database_rule(lambda: make_release(newsroom, slug="podium"))
    duplicate = PressRelease(newsroom=newsroom, slug="podium", title="Again")
    with pytest.raises(ValidationError, match="already has a release with this slug"):
        duplicate.full_clean()


def test_positions_start_at_one_and_only_classified_results_have_one(newsroom):
    release, event = make_release(newsroom), make_event(newsroom)

    violates_database_rule(
        lambda: Result.objects.create(release=release, event=event, session="Race", position=0)
    )
    violates_database_rule(
        lambda: Result.objects.create(release=release, event=event, session="Race", position=None)
    )
    violates_database_rule(
        lambda: Result.objects.create(
            release=release, event=event, session="Race", outcome=Outcome.DNF, position=4
        )
    )
    Result.objects.create(release=release, event=event, session="Race", outcome=Outcome.DNS)


def test_result_form_errors_point_at_the_position(newsroom):
    result = Result(
        release=make_release(newsroom), event=make_event(newsroom), session="Race", position=None
    )
    with pytest.raises(ValidationError) as error:
        result.full_clean()
    assert "Give the position" in error.value.message_dict["position"][0]


def test_events_cannot_end_before_they_start(newsroom):
    violates_database_rule(
        lambda: make_event(newsroom, starts_on=date(2022, 5, 15), ends_on=date(2022, 5, 13))
    )
    event = Event(
        newsroom=newsroom,
        name="Backwards",
        slug="b",
        starts_on=date(2022, 5, 15),
        ends_on=date(2022, 5, 13),
    )
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert error.value.message_dict["ends_on"] == ["An event cannot end before it starts."]


def test_press_contacts_must_be_reachable(newsroom):
    violates_database_rule(lambda: make_person(newsroom, is_press_contact=True))
    with pytest.raises(ValidationError, match="needs an e-mail address or a phone number"):
        Person(newsroom=newsroom, name="Nobody", is_press_contact=True).full_clean()
    make_person(newsroom, is_press_contact=True, phone="+46 70 123 45 67")


def test_custom_licenses_need_their_terms(newsroom):
    photo_set = make_photo_set(newsroom)
    violates_database_rule(lambda: make_photo(photo_set, license=License.CUSTOM, renditions=False))
    photo = make_photo(photo_set, license=License.CUSTOM, license_text="Editorial use only")
    assert photo.usage_terms == "Editorial use only"


def test_photos_take_the_newsroom_defaults(newsroom):
    newsroom.default_credit = "Lestrup Racing Team"
    newsroom.default_license = License.CC_BY
    newsroom.save()

    photo = make_photo(make_photo_set(newsroom))

    assert photo.credit == "Lestrup Racing Team"
    assert photo.usage_terms == "CC BY 4.0"


def test_published_releases_need_a_time_and_get_one_when_published(newsroom):
    release = make_release(newsroom, status=Status.DRAFT)
    assert release.publish_at is None and release.first_published_at is None
    violates_database_rule(
        lambda: PressRelease.objects.filter(pk=release.pk).update(status=Status.PUBLISHED)
    )

    release.status = Status.PUBLISHED
    release.save()

    assert release.publish_at is not None
    assert release.first_published_at == release.publish_at
    assert release.is_live()


def test_first_publication_follows_the_embargo_until_the_release_is_out(newsroom):
    later = timezone.now() + timedelta(days=2)
    release = make_release(newsroom, publish_at=later)
    assert release.first_published_at == later

    release.publish_at = later + timedelta(hours=1)
    release.save()
    assert release.first_published_at == later + timedelta(hours=1)

    out = make_release(newsroom)
    first = out.first_published_at
    out.publish_at = timezone.now()
    out.save()
    assert out.first_published_at == first


def test_live_means_published_and_past_the_embargo(newsroom):
    now = timezone.now()
    live = make_release(newsroom, publish_at=now - timedelta(seconds=1))
    make_release(newsroom, publish_at=now + timedelta(minutes=5))
    make_release(newsroom, status=Status.DRAFT)
    make_release(newsroom, status=Status.DRAFT, publish_at=now - timedelta(days=1))

    assert list(PressRelease.objects.live()) == [live]


def test_every_status_is_a_state_and_published_is_two(newsroom):
    """State is derived from Status: the same value and label, published split by the clock."""
    for status in Status:
        if status != Status.PUBLISHED:
            assert (State(status.value).value, State(status.value).label) == (
                status.value,
                status.label,
            )
    assert set(State.values) - set(Status.values) == {State.SCHEDULED, State.LIVE}

    for status in Status:
        release = make_release(newsroom, status=status, publish_at=timezone.now())
        assert release.state == (State.LIVE if status == Status.PUBLISHED else State(status))


def test_scheduled_and_live_split_the_published_releases_by_the_clock(newsroom, time_machine):
    noon = timezone.now() + timedelta(hours=1)
    release = make_release(newsroom, publish_at=noon)
    make_release(newsroom, status=Status.DRAFT)

    assert list(PressRelease.objects.scheduled()) == [release] and release.is_scheduled()
    assert not PressRelease.objects.live().filter(pk=release.pk).exists()
    time_machine.move_to(noon)
    assert not PressRelease.objects.scheduled().exists() and not release.is_scheduled()
    assert PressRelease.objects.live().filter(pk=release.pk).exists() and release.is_live()


def test_body_html_is_sanitised_on_every_save(newsroom):
    release = make_release(
        newsroom,
        body=(
            '<p onclick="steal()">Hi <script>alert(1)</script><a href="javascript:alert(1)">x</a>'
            '<img src=x onerror=alert(1)><strong>bold</strong></p><iframe src="//evil"></iframe>'
        ),
    )
    release.refresh_from_db()

    assert "<script" not in release.body
    assert "onclick" not in release.body and "onerror" not in release.body
    assert "javascript:" not in release.body
    assert "<iframe" not in release.body and "<img" not in release.body
    assert "<strong>bold</strong>" in release.body


def test_photo_sets_with_their_release_follow_its_embargo(newsroom):
    photo_set = make_photo_set(newsroom, visibility=Visibility.WITH_RELEASE)
    assert not photo_set.is_public()
    later = timezone.now() + timedelta(hours=1)
    release = make_release(newsroom, publish_at=later)

    release.photo_sets.add(photo_set)
    photo_set.refresh_from_db()
    assert photo_set.released_at == later
    assert photo_set not in PhotoSet.objects.public()

    release.publish_at = timezone.now() - timedelta(seconds=1)
    release.save()
    photo_set.refresh_from_db()
    assert photo_set.is_public()
    assert photo_set in PhotoSet.objects.public()

    release.status = Status.DRAFT  # withdrawn
    release.save()
    photo_set.refresh_from_db()
    assert photo_set.released_at is None
    assert photo_set not in PhotoSet.objects.public()


def test_a_hero_photo_makes_its_set_follow_the_release(newsroom):
    photo_set = make_photo_set(newsroom, visibility=Visibility.WITH_RELEASE)
    photo = make_photo(photo_set)

    make_release(newsroom, hero_photo=photo)

    assert PhotoSet.objects.public().filter(pk=photo_set.pk).exists()


def test_private_sets_stay_private_whatever_the_release(newsroom):
    photo_set = make_photo_set(newsroom, visibility=Visibility.PRIVATE)
    release = make_release(newsroom)
    release.photo_sets.add(photo_set)

    assert not PhotoSet.objects.public().filter(pk=photo_set.pk).exists()
    release.hero_photo = make_photo(photo_set)
    with pytest.raises(ValidationError, match="private set"):
        release.full_clean()


def test_quote_speakers_and_result_events_come_from_the_same_newsroom(newsroom):
    other = make_newsroom()
    release = make_release(newsroom)
    with pytest.raises(ValidationError, match="speaker from this newsroom"):
        Quote(release=release, speaker=make_person(other), text="Hi").full_clean()
    with pytest.raises(ValidationError, match="event from this newsroom"):
        Result(release=release, event=make_event(other), session="Race", position=1).full_clean()


def test_uploaded_photos_get_a_generated_name_and_keep_the_original_one(newsroom):
    photo = make_photo(make_photo_set(newsroom), name="IMG_1234 podium.jpg")

    assert photo.original_filename == "IMG_1234 podium.jpg"
    assert "IMG_1234" not in photo.image.name
    assert photo.image.name.startswith("photos/") and len(photo.image.name) == len("photos/") + 36
    assert (photo.width, photo.height) == (600, 400)
    assert photo.bytes == photo.image.size
    assert len(photo.sha256) == 64


def test_every_database_rule_has_a_message_written_for_editors():
    default = BaseConstraint.default_violation_error_message
    for app_label in ("newsroom", "press", "media"):
        for model in apps.get_app_config(app_label).get_models():
            for constraint in model._meta.constraints:
                assert constraint.violation_error_message not in (None, default), constraint.name
                assert constraint.name.startswith(f"{app_label}_{model._meta.model_name}_")
