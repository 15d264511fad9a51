from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from newsroom.ground.members import MEMBERS_GROUP
from newsroom.ground.models import Membership, Role
from press.models import PressRelease, Status
from tests.factories import (
    make_event,
    make_newsroom,
    make_person,
    make_photo,
    make_photo_set,
    make_release,
)


def release_form(newsroom, overrides=None, **more):
    """What the release add form posts, with one quote and one result row."""
    speaker = make_person(newsroom, name="Andreas Bäckman", title="racing driver")
    event = make_event(newsroom, name="Hankook 12h Hockenheimring", starts_on=date(2022, 5, 13))
    data = {
        "newsroom": newsroom.pk,
        "kind": "release",
        "language": "en",
        "title": "Third at Hockenheim",
        "slug": "third-at-hockenheim",
        "lead": "A podium on debut.",
        "body": "<p>Good <strong>weekend</strong>.</p>",
        "status": Status.PUBLISHED,
        "publish_at_0": "2022-05-16",
        "publish_at_1": "09:00:00",
        "quotes-TOTAL_FORMS": "1",
        "quotes-INITIAL_FORMS": "0",
        "quotes-0-speaker": speaker.pk,
        "quotes-0-position": "0",
        "quotes-0-text": "Fun to start the season with a podium.",
        "results-TOTAL_FORMS": "1",
        "results-INITIAL_FORMS": "0",
        "results-0-event": event.pk,
        "results-0-session": "Race 1 (12 hours)",
        "results-0-category": "TCR",
        "results-0-outcome": "classified",
        "results-0-position": "3",
        "results-0-order": "0",
    }
    data.update(overrides or {}, **more)
    return data


def test_editor_writes_and_publishes_a_release_with_a_quote_and_a_result(
    editor_client, newsroom, client
):
    response = editor_client.post(reverse("admin:press_pressrelease_add"), release_form(newsroom))

    assert response.status_code == 302, response.content.decode()[:3000]
    release = PressRelease.objects.get(slug="third-at-hockenheim")
    assert release.author.username == "editor"
    assert release.quotes.get().text == "Fun to start the season with a podium."
    page = client.get(release.get_absolute_url()).content.decode()
    assert "Fun to start the season with a podium." in page
    assert "3rd place" in page


def test_script_in_the_body_is_stripped_when_saved_from_the_admin(editor_client, newsroom):
    body = '<p>Hi<script>alert("x")</script><a href="javascript:alert(1)" onclick="x()">l</a></p>'
    editor_client.post(reverse("admin:press_pressrelease_add"), release_form(newsroom, body=body))

    stored = PressRelease.objects.get(slug="third-at-hockenheim").body
    assert "<script" not in stored and "javascript:" not in stored and "onclick" not in stored
    assert stored.startswith("<p>Hi")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"results-0-position": ""}, "Give the position (1 for a win)"),
        ({"results-0-outcome": "dnf"}, "Leave the position empty for DNF"),
        ({"results-0-position": "0"}, "Ensure this value is greater than or equal to 1"),
        ({"quotes-0-text": ""}, "This field is required"),
        ({"slug": "not a slug!"}, "Enter a valid “slug”"),
        ({"publish_at_0": "2022-13-45"}, "Enter a valid date"),
    ],
)
def test_invalid_release_forms_explain_what_is_wrong(editor_client, newsroom, overrides, message):
    response = editor_client.post(
        reverse("admin:press_pressrelease_add"), release_form(newsroom, overrides)
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PressRelease.objects.exists()


def test_duplicate_slug_is_explained(editor_client, newsroom):
    make_release(newsroom, slug="third-at-hockenheim")

    response = editor_client.post(reverse("admin:press_pressrelease_add"), release_form(newsroom))

    assert response.status_code == 200
    assert "already has a release with this slug" in response.content.decode()


def test_event_dates_are_checked_in_the_form(editor_client, newsroom):
    response = editor_client.post(
        reverse("admin:press_event_add"),
        {
            "newsroom": newsroom.pk,
            "name": "Backwards",
            "slug": "backwards",
            "starts_on": "2022-06-04",
            "ends_on": "2022-06-03",
        },
    )

    assert response.status_code == 200
    assert "An event cannot end before it starts." in response.content.decode()


def test_admin_lists_show_photo_thumbnails_and_filter(editor_client, newsroom):
    photo = make_photo(make_photo_set(newsroom))
    make_release(newsroom, title="With hero", hero_photo=photo)

    for url in [
        reverse("admin:press_pressrelease_changelist") + "?status__exact=published&q=hero",
        reverse("admin:media_photo_changelist"),
    ]:
        page = editor_client.get(url).content.decode()
        assert photo.thumbnail_url in page, url
    assert (
        "With hero"
        in editor_client.get(
            reverse("admin:press_pressrelease_changelist") + f"?newsroom__id__exact={newsroom.pk}"
        ).content.decode()
    )


def test_change_form_links_to_the_page_and_offers_the_editor(editor_client, newsroom):
    release = make_release(newsroom, status=Status.DRAFT)

    page = editor_client.get(reverse("admin:press_pressrelease_change", args=[release.pk]))

    assert page.status_code == 200
    content = page.content.decode()
    assert "View on site" in content
    assert "prose-editor" in content


def test_members_see_and_pick_only_their_own_newsrooms(editor_client, newsroom):
    other = make_newsroom(name="Someone Else")
    theirs = make_release(other, title="Their release")

    listing = editor_client.get(reverse("admin:press_pressrelease_changelist")).content.decode()
    change = editor_client.get(reverse("admin:press_pressrelease_change", args=[theirs.pk]))
    forged = editor_client.post(
        reverse("admin:press_pressrelease_add"), release_form(newsroom, {"newsroom": other.pk})
    )

    assert "Their release" not in listing
    assert change.status_code == 404
    assert forged.status_code == 200
    assert "Select a valid choice" in forged.content.decode()
    assert not PressRelease.objects.filter(newsroom=other).exclude(pk=theirs.pk).exists()


def test_anonymous_visitors_are_sent_to_the_login(client):
    response = client.get(reverse("admin:press_pressrelease_changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_crafted_speaker_or_event_of_another_newsroom_is_refused_unnamed(editor_client, newsroom):
    """The form refuses them, and shows it again without naming anything of theirs."""
    other = make_newsroom()
    form = release_form(
        newsroom,
        {
            "quotes-0-speaker": make_person(other, name="Their Secret Signing").pk,
            "results-0-event": make_event(other, name="Their Unannounced Race").pk,
        },
    )

    response = editor_client.post(reverse("admin:press_pressrelease_add"), form)

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("Select a valid choice") == 2
    assert "Their Secret Signing" not in page and "Their Unannounced Race" not in page
    assert not PressRelease.objects.exists()


def test_crafted_photo_sets_tags_and_contacts_of_another_newsroom_are_refused(
    editor_client, newsroom
):
    other = make_newsroom()
    their_set = make_photo_set(other, title="Their set")
    their_photo = make_photo(their_set)
    form = release_form(
        newsroom,
        {
            "photo_sets": [their_set.pk],
            "contacts": [make_person(other, name="Their contact").pk],
            "hero_photo": their_photo.pk,
        },
    )

    response = editor_client.post(reverse("admin:press_pressrelease_add"), form)

    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("Select a valid choice") >= 3
    assert not PressRelease.objects.exists()


def test_superusers_linking_another_newsrooms_items_are_told(client, newsroom):

    client.force_login(get_user_model().objects.create_superuser("root", "r@example.com", "pw"))
    other = make_newsroom()
    form = release_form(newsroom, {"photo_sets": [make_photo_set(other, title="Their set").pk]})

    response = client.post(reverse("admin:press_pressrelease_add"), form)

    assert response.status_code == 200
    assert "“Their set” belongs to another newsroom." in response.content.decode()


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/admin/press/previewpass/", "/admin/passes/previewpass/"),
        ("/admin/press/previewpass/3/change/?a=1", "/admin/passes/previewpass/3/change/?a=1"),
        ("/admin/press/follower/", "/admin/alerts/follower/"),
        ("/admin/press/alertdelivery/7/change/", "/admin/alerts/alertdelivery/7/change/"),
    ],
)
def test_admin_pages_of_passes_and_alerts_keep_their_old_addresses(editor_client, old, new):
    response = editor_client.get(old)
    assert response.status_code == 302
    assert response["Location"] == new


def test_migrate_gives_a_members_group_that_lets_a_member_write_and_upload(client, newsroom):
    group = Group.objects.get(name=MEMBERS_GROUP)
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"add_pressrelease", "add_photo", "add_previewpass"} <= codenames
    assert {"change_newsroom", "add_person"} <= codenames
    assert not {"add_newsroom", "delete_newsroom", "add_membership", "add_user"} & codenames
    member = get_user_model().objects.create_user("member", password="pw", is_staff=True)
    member.groups.add(group)
    Membership.objects.create(newsroom=newsroom, user=member, role=Role.EDITOR)
    client.force_login(member)

    assert client.get(reverse("admin:media_photoset_add")).status_code == 200
    assert client.get(reverse("admin:press_pressrelease_add")).status_code == 200
    assert client.get(reverse("admin:newsroom_newsroom_add")).status_code == 403
