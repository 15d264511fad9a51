"""Fact sheets, logos and PDFs: checked by content, downloaded with care, hidden like photos."""

from datetime import timedelta
from urllib.parse import unquote

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from media.models import Document, Visibility
from newsroom.ground.uploads import detect_document
from tests.factories import body, jpeg_bytes, make_release
from tests.files import make_fact_sheet, make_logo_svg

PDF = make_fact_sheet("Fact sheet", ["Touring cars."])
SVG = make_logo_svg("LESTRUP", (20, 60, 130))
EPS = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n%%EOF\n"


def make_document(newsroom, data=PDF, name="fact-sheet.pdf", **fields):
    fields.setdefault("title", "Fact sheet")
    fields.setdefault("visibility", Visibility.PUBLIC)
    return Document.objects.create(newsroom=newsroom, file=ContentFile(data, name=name), **fields)


@pytest.mark.parametrize(
    ("name", "data", "kind", "content_type"),
    [
        ("sheet.pdf", PDF, "PDF", "application/pdf"),
        ("logo.svg", SVG, "SVG", "image/svg+xml"),
        ("logo.eps", EPS, "EPS", "application/postscript"),
        ("photo.jpg", jpeg_bytes(), "JPEG", "image/jpeg"),
    ],
)
def test_documents_are_recognised_by_their_bytes(name, data, kind, content_type):
    assert detect_document(SimpleUploadedFile(name, data)) == (kind, content_type)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.pdf", b"", "“empty.pdf” is empty."),
        ("cut.pdf", PDF[:-200], "“cut.pdf” is an incomplete PDF."),
        (
            "notes.pdf",
            b"Just some notes.",
            "“notes.pdf” is not a PDF, SVG, EPS, PNG, JPEG or WebP file.",
        ),
        ("macro.docx", b"PK\x03\x04" + b"\x00" * 100, "is not a PDF, SVG, EPS"),
        ("page.pdf", b"<!doctype html><script>alert(1)</script>", "is not a PDF, SVG, EPS"),
        ("logo.pdf", SVG, "“logo.pdf” is named like a .pdf file but is a SVG file."),
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "“logo.svg” is an SVG with scripts",
        ),
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><rect onload="alert(1)"/></svg>',
            "is an SVG with scripts",
        ),
    ],
)
def test_bad_documents_are_refused_by_name(name, data, message):
    with pytest.raises(ValidationError) as error:
        detect_document(SimpleUploadedFile(name, data))
    assert message in error.value.messages[0]


def test_too_big_documents_are_refused(settings):
    settings.NEWSROOM_MAX_DOCUMENT_BYTES = 100

    with pytest.raises(ValidationError, match=r"files up to 100"):
        detect_document(SimpleUploadedFile("sheet.pdf", PDF))


def test_a_document_is_always_a_download(client, newsroom):
    logo = make_document(newsroom, SVG, "logo.svg", title="Team logo")

    response = client.get(logo.get_absolute_url())

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    disposition = unquote(response["Content-Disposition"])
    assert disposition == (
        'attachment; filename="Andreas Backman - Team logo.svg"; '
        "filename*=UTF-8''Andreas Bäckman – Team logo.svg"
    )
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert body(response) == SVG
    assert logo.file.name.startswith("documents/") and "logo" not in logo.file.name


def test_documents_answer_range_head_and_conditional_requests(client, newsroom):
    sheet = make_document(newsroom)
    url = sheet.get_absolute_url()

    part = client.get(url, headers={"Range": "bytes=0-7"})
    head = client.head(url)
    again = client.get(url, headers={"If-None-Match": head["ETag"]})

    assert part.status_code == 206 and body(part) == PDF[:8]
    assert head.content == b"" and int(head["Content-Length"]) == len(PDF)
    assert again.status_code == 304


def test_document_downloads_are_counted(client, newsroom):
    sheet = make_document(newsroom)

    body(client.get(sheet.get_absolute_url()))
    body(client.get(sheet.get_absolute_url()))
    client.head(sheet.get_absolute_url())

    sheet.refresh_from_db()
    assert sheet.download_count == 2


@pytest.mark.parametrize("state", ["private", "draft", "embargoed", "withdrawn"])
def test_hidden_documents_are_404_and_nowhere_listed(newsroom, editor_client, state):
    client = Client()
    visibility = Visibility.PRIVATE if state == "private" else Visibility.WITH_RELEASE
    secret = make_document(newsroom, title="Secret schedule", visibility=visibility)
    release = make_release(
        newsroom,
        status="draft" if state == "draft" else "published",
        publish_at=timezone.now() + timedelta(hours=1) if state == "embargoed" else None,
    )
    release.documents.add(secret)
    if state == "withdrawn":
        release.status = "draft"
        release.save()
    live = make_release(newsroom, title="Live release")
    if state == "private":
        live.documents.add(secret)  # a private document stays private, even on a live release

    assert client.get(secret.get_absolute_url()).status_code == 404
    media_kit = "/en/andreas-backman/photos/"
    for url in [media_kit, live.get_absolute_url(), release.get_absolute_url()]:
        assert "Secret schedule" not in client.get(url).content.decode()
    assert editor_client.get(secret.get_absolute_url()).status_code == 200


def test_documents_with_their_release_go_public_with_it(client, newsroom):
    sheet = make_document(newsroom, title="Media day", visibility=Visibility.WITH_RELEASE)
    release = make_release(newsroom)
    release.documents.add(sheet)

    assert client.get(sheet.get_absolute_url()).status_code == 200
    assert "Media day" in client.get(release.get_absolute_url()).content.decode()
    assert "Media day" in client.get("/en/andreas-backman/photos/").content.decode()


def test_deleting_a_document_removes_its_file(newsroom, django_capture_on_commit_callbacks):
    sheet = make_document(newsroom)
    storage, name = sheet.file.storage, sheet.file.name

    with django_capture_on_commit_callbacks(execute=True):
        sheet.delete()

    assert not storage.exists(name)


SVG_HEAD = b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><s:script xmlns:s="http://www.w3.org/2000/svg">'
            b"alert(1)</s:script></svg>",
            "is an SVG with scripts or code-running links (<script>)",
        ),
        (
            SVG_HEAD + b'<a href="&#106;avascript:alert(1)"><text>x</text></a></svg>',
            "is an SVG with scripts or code-running links (javascript:)",
        ),
        (
            SVG_HEAD + b'<a xlink:href="java&#x09;script:alert(1)"><text>x</text></a></svg>',
            "(javascript:)",
        ),
        (
            SVG_HEAD + b'<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">x</a>'
            b"</svg>",
            "(data:)",
        ),
        (
            SVG_HEAD + b'<animate attributeName="href" values="#a;javascript:alert(1)"/></svg>',
            "(javascript:)",
        ),
        (SVG_HEAD + b'<rect ONLOAD="alert(1)"/></svg>', "(onload=)"),
        (SVG_HEAD + b"<foreignObject><p>hi</p></foreignObject></svg>", "(<foreignObject>)"),
        (
            SVG_HEAD + b'<h:iframe xmlns:h="http://www.w3.org/1999/xhtml" src="//x"/></svg>',
            "(<iframe>)",
        ),
        (
            SVG_HEAD + b'<use xlink:href="http://tracker.example/logo.svg#a"/></svg>',
            "is an SVG that loads something from elsewhere (http://tracker.example/logo.svg#a)",
        ),
        (
            SVG_HEAD + b"<style>@import url(https://fonts.example/x.css);</style></svg>",
            "loads something from elsewhere (@import)",
        ),
        (
            SVG_HEAD + b'<rect style="fill: url(http://x.example/a.svg#p)"/></svg>',
            "loads something from elsewhere (http://x.example/a.svg#p)",
        ),
        (
            b'<?xml-stylesheet href="http://x.example/a.css"?>' + SVG_HEAD + b"</svg>",
            "loads something from elsewhere (xml-stylesheet)",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY logo "Lestrup">]>'
            + SVG_HEAD
            + b"<text>&logo;</text></svg>",
            "contains XML entity declarations, which we do not accept for security",
        ),
        (
            b'<!DOCTYPE svg [<!ATTLIST svg onload CDATA "alert(1)">]>' + SVG_HEAD + b"</svg>",
            "contains XML entity declarations",
        ),
        (SVG_HEAD + b"<rect></svg>", "is a damaged SVG: mismatched tag"),
    ],
)
def test_active_svgs_are_refused_with_what_makes_them_active(data, message):
    with pytest.raises(ValidationError) as error:
        detect_document(SimpleUploadedFile("logo.svg", data))
    assert message in error.value.messages[0]
    assert error.value.messages[0].startswith("“logo.svg” ")


@pytest.mark.parametrize(
    "data",
    [
        SVG,
        b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n' + SVG_HEAD + b"<rect/></svg>",
        SVG_HEAD + b'<image xlink:href="data:image/png;base64,iVBORw0KGgo="/></svg>',
        SVG_HEAD + b'<a href="https://lestrup.example/"><use href="#mark"/></a></svg>',
        SVG_HEAD
        + '<rect style="fill: url(#gradient)"/><text>Ångström &amp; co</text></svg>'.encode(),
    ],
    ids=["demo-logo", "doctype", "embedded-picture", "web-link", "local-references"],
)
def test_ordinary_svgs_are_accepted(data):
    assert detect_document(SimpleUploadedFile("logo.svg", data)) == ("SVG", "image/svg+xml")


def test_a_title_that_is_a_file_name_downloads_with_one_extension(client, newsroom):
    sheet = make_document(newsroom, title="Fact sheet 2022.PDF")

    disposition = unquote(client.get(sheet.get_absolute_url())["Content-Disposition"])

    assert disposition.endswith("filename*=UTF-8''Andreas Bäckman – Fact sheet 2022.pdf")
    assert ".pdf.pdf" not in disposition.lower()
