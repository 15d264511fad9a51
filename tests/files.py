"""Files the tests upload: a one-page PDF, an SVG logo, a JPEG as a camera writes it."""

import io
from xml.sax.saxutils import escape

from PIL import ExifTags, Image, ImageChops, ImageOps
from PIL.TiffImagePlugin import IFDRational


def make_fact_sheet(title, lines):
    """A valid one-page PDF with a title and lines of text (Latin-1) in Helvetica."""

    def string(text):
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("latin-1")

    stream = b"\n".join(
        b"BT /F1 %d Tf 56 %d Td (%s) Tj ET" % (size, y, string(text))
        for size, y, text in [(20, 780, title)]
        + [(11, 740 - 18 * number, line) for number, line in enumerate(lines)]
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    pdf, offsets = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    table = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        table,
    )
    return bytes(pdf)


def make_logo_svg(text, colour):
    """A wordmark as a designer's SVG: a rounded tile with a chevron, and the name."""
    fill = "rgb({},{},{})".format(*colour)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="300" viewBox="0 0 1200 300">'
        f'<rect x="20" y="40" width="220" height="220" rx="36" fill="{fill}"/>'
        '<path d="M80 90 L170 150 L80 210" fill="none" stroke="#fff" stroke-width="34"/>'
        '<text x="280" y="190" font-family="Helvetica, Arial, sans-serif" font-size="110" '
        f'font-weight="700" fill="{fill}">{escape(text)}</text></svg>\n'
    ).encode()


def camera_jpeg(
    size=(1200, 800), *, artist="", copyright="", description="", taken="2022:05:15 21:30:00"
):
    """A JPEG with what a camera puts in it: a gradient under sensor grain, and EXIF
    with make, model, exposure, the time it was taken and the photographer's rights."""
    sky = ImageOps.colorize(Image.linear_gradient("L"), (70, 110, 170), (90, 80, 60))
    grain = Image.effect_noise(size, 12).convert("RGB")
    photo = ImageChops.add(sky.resize(size), grain, offset=-128)
    exif = Image.Exif()
    base = ExifTags.Base
    exif.update({base.Make: "Demo Camera Co.", base.Model: "DC-1", base.Orientation: 1})
    exif.update({base.DateTime: taken})
    for tag, text in [
        (base.Artist, artist),
        (base.Copyright, copyright),
        (base.ImageDescription, description),
    ]:
        if text:
            exif[tag] = text.encode()
    exif.get_ifd(ExifTags.IFD.Exif).update(
        {
            base.DateTimeOriginal: taken,
            base.ExposureTime: IFDRational(1, 500),
            base.FNumber: IFDRational(56, 10),
            base.ISOSpeedRatings: 400,
        }
    )
    output = io.BytesIO()
    photo.save(output, "JPEG", quality=90, exif=exif)
    return output.getvalue()
