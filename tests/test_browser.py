"""In a real Chromium: an editor writes and publishes a release; the public reads it."""

import re
import zipfile
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from media.models import PhotoText, Visibility
from newsroom.ground.models import Membership, NewsroomLanguage, Role
from press.models import PressRelease, Status
from press.versions import translate
from tests.factories import (
    exiftool,
    jpeg_bytes,
    make_event,
    make_newsroom,
    make_person,
    make_photo,
    make_photo_set,
    make_quote,
    make_release,
    make_video,
    our_permissions,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    assert not errors, errors  # scripts blocked by the CSP, or broken
    context.close()


def make_editor(newsroom):
    """A publisher of `newsroom` who logs in with a password, as people do."""
    user = get_user_model().objects.create_user(
        "editor", password="a-long-test-password", is_staff=True
    )
    user.user_permissions.set(our_permissions())
    Membership.objects.create(newsroom=newsroom, user=user, role=Role.PUBLISHER)
    return user


def log_in(page, live_server):
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Log in").click()


def choose_autocomplete(page, container, text):
    """Pick `text` in one of the admin's autocomplete (select2) widgets."""
    container.locator(".select2-selection").click()
    page.locator(".select2-search__field").last.fill(text)
    page.locator(".select2-results__option", has_text=text).first.click()


def test_editor_writes_a_release_and_the_public_reads_it(
    live_server, page, browser, transactional_db
):
    newsroom = make_newsroom(name="Andreas Bäckman", slug="andreas-backman")
    make_person(newsroom, name="Andreas Bäckman", title="racing driver")
    make_event(newsroom, name="Hankook 12h Hockenheimring")
    make_editor(newsroom)

    log_in(page, live_server)
    page.goto(f"{live_server.url}/admin/press/pressrelease/add/")

    page.get_by_label("Headline").press_sequentially("Podium at Hockenheim")
    assert page.get_by_label("Slug").input_value() == "podium-at-hockenheim"
    page.get_by_label("Lead").fill("Third in the 12 hours.")
    page.locator(".ProseMirror[contenteditable=true]").click()
    page.keyboard.type("The team fought back to third place.")
    page.locator("a.addlink", has_text="Add another Quote").click()
    choose_autocomplete(page, page.locator("#quotes-0"), "Andreas Bäckman")
    page.locator("#id_quotes-0-text").fill("Fun to start the season with a podium.")
    page.locator("a.addlink", has_text="Add another Result").click()
    choose_autocomplete(page, page.locator("#results-0"), "Hankook 12h Hockenheimring")
    page.locator("#id_results-0-session").fill("Race 1 (12 hours)")
    page.locator("#id_results-0-category").fill("TCR")
    page.locator("#id_results-0-position").fill("3")
    page.get_by_label("Status").select_option("published")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")

    public = browser.new_context().new_page()
    response = public.goto(f"{live_server.url}/andreas-backman/releases/podium-at-hockenheim/")
    assert response.status == 200
    assert public.get_by_role("heading", name="Podium at Hockenheim").is_visible()
    assert public.locator(".body").inner_text() == "The team fought back to third place."
    quote = public.locator(".quote")
    assert "Fun to start the season with a podium." in quote.inner_text()
    assert "Andreas Bäckman, racing driver" in quote.inner_text()
    assert quote.get_by_role("button", name="Copy quote").is_visible()  # enabled by the script
    row = public.get_by_role("row", name=re.compile("Race 1"))
    assert "3rd place" in row.inner_text()
    public.context.close()


def test_a_journalist_reads_prints_and_copies_with_the_keyboard(
    live_server, page, transactional_db
):
    newsroom = make_newsroom(name="Andreas Bäckman", slug="andreas-backman")
    speaker = make_person(newsroom, name="Fredrik Lestrup", title="co-founder")
    release = make_release(newsroom, title="Podium at Hockenheim", slug="podium")
    make_quote(release, speaker, "A valuable start to the season.")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)

    page.goto(f"{live_server.url}{release.get_absolute_url()}")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    copy = page.locator(".quote button.copy")
    expect(copy).to_have_text("Copy quote")
    copy.focus()
    page.keyboard.press("Enter")
    expect(copy).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == "“A valuable start to the season.” — Fredrik Lestrup, co-founder"

    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Newsroom")).to_be_hidden()
    expect(copy).to_be_hidden()
    expect(page.get_by_role("heading", name="Podium at Hockenheim")).to_be_visible()


def test_an_editor_drops_photos_onto_a_set_and_reorders_them(live_server, page, transactional_db):
    newsroom = make_newsroom(name="Andreas Bäckman", slug="andreas-backman")
    photo_set = make_photo_set(newsroom, title="Hockenheim")
    make_editor(newsroom)
    log_in(page, live_server)
    page.goto(f"{live_server.url}/admin/media/photoset/{photo_set.pk}/change/")

    files = [
        {
            "name": "first.jpg",
            "type": "image/jpeg",
            "bytes": list(jpeg_bytes(900, 600, (200, 0, 0))),
        },
        {"name": "broken.jpg", "type": "image/jpeg", "bytes": list(b"not a photo at all")},
        {
            "name": "second.jpg",
            "type": "image/jpeg",
            "bytes": list(jpeg_bytes(900, 600, (0, 0, 200))),
        },
    ]
    # Hold the uploads on their way, to see what leaving the page would do meanwhile.
    held, released = [], []

    def hold(route):
        if released:
            route.continue_()
        else:
            held.append(route)

    page.route("**/upload/", hold)
    transfer = page.evaluate_handle(
        """files => {
            const transfer = new DataTransfer();
            for (const file of files) {
                const bytes = new Uint8Array(file.bytes);
                transfer.items.add(new File([bytes], file.name, {type: file.type}));
            }
            return transfer;
        }""",
        files,
    )
    page.dispatch_event("[data-drop-zone]", "drop", {"dataTransfer": transfer})

    rows = page.locator("[data-upload-list] li")
    expect(rows).to_have_count(3)
    while len(held) < 2:  # both parallel uploads on their way
        page.wait_for_timeout(50)
    assert leaving_is_questioned(page)
    released.append(True)
    for route in held:
        route.continue_()
    expect(page.locator(".upload-saved")).to_have_count(2)
    expect(page.locator(".upload-summary")).to_have_text(
        "2 photos were saved, 1 file was refused. Show the new photos in the grid"
    )
    assert not leaving_is_questioned(page)
    expect(page.locator(".upload-refused")).to_contain_text("“broken.jpg” is not a JPEG")
    expect(rows.locator("progress").first).to_have_attribute("value", "100")

    page.get_by_role("link", name="Show the new photos in the grid").click()
    cards = page.locator("[data-photo-card]")
    expect(cards).to_have_count(2)
    # Dropped on the left part of the first card: the dragged one goes before it.
    cards.nth(1).drag_to(cards.nth(0), target_position={"x": 10, "y": 10})
    expect(cards.first).to_contain_text("second.jpg")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    assert list(photo_set.photos.values_list("original_filename", flat=True)) == [
        "second.jpg",
        "first.jpg",
    ]


def leaving_is_questioned(page):
    """Whether the page's beforeunload handler asks the browser to warn before leaving."""
    return page.evaluate(
        """() => {
            const event = new Event("beforeunload", {cancelable: true});
            window.dispatchEvent(event);
            return event.defaultPrevented;
        }"""
    )


def test_a_publisher_embargoes_a_release_and_shares_it_with_one_journalist(
    live_server, page, browser, transactional_db, settings
):
    settings.SITE_URL = live_server.url  # the e-mailed link leads to this server
    newsroom = make_newsroom(name="Andreas Bäckman", slug="andreas-backman")
    newsroom.time_zone = "Europe/Stockholm"
    newsroom.save()
    photo_set = make_photo_set(
        newsroom, title="Signing photos", visibility=Visibility.WITH_RELEASE
    )
    photo = make_photo(photo_set, title="Handshake", data=jpeg_bytes(1200, 800))
    make_editor(newsroom)
    log_in(page, live_server)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    page.goto(f"{live_server.url}/admin/press/pressrelease/add/")
    page.get_by_label("Headline").press_sequentially("A new signing")
    page.get_by_label("Lead").fill("Big news, under embargo until tomorrow.")
    choose_autocomplete(page, page.locator(".field-photo_sets"), "Signing photos")
    choose_autocomplete(page, page.locator(".field-hero_photo"), "Handshake")
    page.get_by_label("Status").select_option("published")
    page.locator("#id_publish_at_0").fill(tomorrow)
    page.locator("#id_publish_at_1").fill("09:00:00")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
    expect(page.locator("#result_list")).to_contain_text("Scheduled")

    page.goto(f"{live_server.url}/admin/passes/previewpass/add/")
    choose_autocomplete(page, page.locator(".field-release"), "A new signing")
    page.locator("#id_name").fill("Kim Reporter")
    page.locator("#id_outlet").fill("Motorsport Daily")
    page.locator("#id_email").fill("kim@news.example")
    page.get_by_role("button", name="Save and continue editing").click()
    link = page.locator(".field-link a").inner_text()
    assert "/preview/" in link

    journalist = browser.new_context(accept_downloads=True).new_page()
    journalist.goto(f"{live_server.url}{link}" if link.startswith("/") else link)
    day = timezone.localdate() + timedelta(days=1)
    expect(journalist.locator(".preview-banner")).to_contain_text(
        f"EMBARGOED — not for publication until {day.day} {day:%B %Y}, 09:00 CE"
    )
    hero = journalist.locator("figure.hero img")
    expect(hero).to_be_visible()
    # A real photo loaded through the pass (not the placeholder, not a public URL).
    loaded = journalist.evaluate(
        "img => [img.complete && img.naturalWidth > 400, img.currentSrc]", hero.element_handle()
    )
    assert loaded[0] and "/preview/" in loaded[1]
    with journalist.expect_download() as download_info:
        journalist.get_by_role("link", name="Download full size").click()
    download = download_info.value
    assert download.suggested_filename.endswith("(original).jpg")
    with open(download.path(), "rb") as downloaded:
        assert downloaded.read(2) == b"\xff\xd8"
    journalist.context.close()

    public = browser.new_context().new_page()
    release = PressRelease.objects.get(title="A new signing")
    assert public.goto(f"{live_server.url}{release.get_absolute_url()}").status == 404
    assert public.goto(f"{live_server.url}{photo.web_url}").status == 404
    public.context.close()


def test_a_journalist_switches_to_swedish_and_downloads_a_photo_captioned_in_both(
    live_server, browser, transactional_db
):
    newsroom = make_newsroom(name="Andreas Bäckman", slug="andreas-backman")
    NewsroomLanguage.objects.create(newsroom=newsroom, language="sv")
    photos = make_photo_set(newsroom, title="Hockenheim", visibility=Visibility.PUBLIC)
    hero = make_photo(photos, title="Podium", caption="Third on the podium at Hockenheim.")
    PhotoText.objects.create(photo=hero, language="sv", caption="Trea på pallen på Hockenheim.")
    release = make_release(newsroom, title="Podium at Hockenheim", hero_photo=hero)
    make_quote(release, make_person(newsroom, name="Fredrik Lestrup"), "A valuable start.")
    swedish = translate(release, "sv")
    swedish.title, swedish.status = "Pallplats på Hockenheim", Status.PUBLISHED
    swedish.save()
    with translation.override("sv"):
        quotes_in_swedish = gettext("Quotes")
    assert quotes_in_swedish != "Quotes"

    journalist = browser.new_context(accept_downloads=True).new_page()
    journalist.goto(f"{live_server.url}{release.get_absolute_url()}")
    journalist.get_by_role("navigation", name="Languages").get_by_role(
        "link", name="Svenska"
    ).click()

    expect(journalist).to_have_url(f"{live_server.url}{swedish.get_absolute_url()}")
    expect(journalist.locator("html")).to_have_attribute("lang", "sv")
    expect(journalist.get_by_role("heading", name="Pallplats på Hockenheim")).to_be_visible()
    expect(journalist.locator("#quotes-heading")).to_have_text(quotes_in_swedish)
    with journalist.expect_download() as download_info:
        journalist.locator("figure.hero a.download[download]").click()
    with open(download_info.value.path(), "rb") as downloaded:
        tags = exiftool(downloaded.read())
    assert tags["XMP-dc:Description-sv"] == "Trea på pallen på Hockenheim."
    assert tags["XMP-dc:Description-en"] == "Third on the podium at Hockenheim."
    journalist.context.close()


def test_a_picture_editor_builds_a_selection_across_two_sets_and_downloads_it(
    live_server, browser, transactional_db
):
    newsroom = make_newsroom(name="Andreas Bäckman", slug="andreas-backman")
    race = make_photo_set(newsroom, title="Race", slug="race", visibility=Visibility.PUBLIC)
    paddock = make_photo_set(newsroom, title="Paddock", slug="paddock", visibility="public")
    for position, title in enumerate(["Podium", "Start"]):
        make_photo(race, title=title, credit="24H SERIES", position=position)
    for position, title in enumerate(["Pit stop", "Garage"]):
        make_photo(paddock, title=title, credit="Team photo", position=position)
    clip = make_video(paddock, title="Pit lane clip", credit="Team video")

    journalist = browser.new_context(accept_downloads=True).new_page()
    journalist.goto(f"{live_server.url}{race.get_absolute_url()}")
    tray = journalist.get_by_role("complementary", name="Your selection")
    expect(tray).to_be_hidden()
    journalist.get_by_role("button", name="Add all to selection").click()
    expect(tray.locator(".tray-count")).to_have_text("2 items")
    # Across sets: the tray keeps what was picked on the last page.
    journalist.goto(f"{live_server.url}{paddock.get_absolute_url()}")
    journalist.locator("#photo-" + str(paddock.photos.get(title="Garage").pk)).get_by_role(
        "button", name="Add to selection"
    ).click()
    expect(tray.locator(".tray-count")).to_have_text("3 items")
    # A video plays only when asked (nothing but its poster loads) and joins the selection.
    player = journalist.locator(f"#video-{clip.pk} video")
    expect(player).to_have_attribute("preload", "none")
    player.focus()
    expect(player).to_be_focused()  # reachable from the keyboard
    journalist.locator(f"li:has(#video-{clip.pk})").get_by_role(
        "button", name="Add to selection"
    ).click()
    expect(tray.locator(".tray-count")).to_have_text("4 items")
    tray.get_by_text("What is in it").click()
    tray.get_by_role("button", name="Remove: Start").click()
    expect(tray.locator(".tray-count")).to_have_text("3 items")
    tray.get_by_label("Size").select_option("print")
    expect(tray.locator(".tray-bytes")).to_contain_text("KB")

    with journalist.expect_download() as download_info:
        tray.get_by_role("link", name="Download as one ZIP").click()
    download = download_info.value
    assert download.suggested_filename == "Selection (print).zip"
    with zipfile.ZipFile(download.path()) as archive:
        assert archive.namelist() == [
            "01 Podium.jpg",
            "02 Garage.jpg",
            "03 Pit lane clip.mp4",
            "CREDITS.txt",
            "credits.csv",
        ]
        credits = archive.read("CREDITS.txt").decode()
        clip_bytes = archive.read("03 Pit lane clip.mp4")
    assert "01 Podium.jpg\r\n  Title: Podium\r\n  Credit: 24H SERIES" in credits
    assert "02 Garage.jpg\r\n  Title: Garage\r\n  Credit: Team photo" in credits
    assert "03 Pit lane clip.mp4\r\n  Title: Pit lane clip\r\n  Credit: Team video" in credits
    # In print size a video is its broadcast file: the original's streams, cleaned.
    with clip.files.get(kind="original").file.open("rb") as handle:
        assert clip_bytes == handle.read()

    # The tray's other link: the selection's own page, to check and share.
    tray.get_by_role("link", name="Open, check and share").click()
    expect(journalist.get_by_role("heading", name="Your selection", exact=True)).to_be_visible()
    shared = journalist.get_by_label("Link to this selection").input_value()
    assert urlsplit(shared).path == urlsplit(journalist.url).path  # at the site's own address
    journalist.context.close()
