"""Small, valid documents for the demo: a one-page PDF fact sheet and an SVG logo.

Written by hand so the demo needs no PDF library: a PDF is a few text
objects and a table of their byte offsets.
"""

from xml.sax.saxutils import escape


def pdf_escape(text):
    # Latin-1 covers the names in the demo; PDF strings escape these three.
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("latin-1")


def make_fact_sheet(title, lines):
    """A one-page A4 PDF with a title and lines of text in Helvetica."""
    text = [b"BT /F1 20 Tf 56 780 Td (" + pdf_escape(title) + b") Tj ET"]
    for number, line in enumerate(lines):
        y = 740 - number * 18
        text.append(b"BT /F1 11 Tf 56 %d Td (" % y + pdf_escape(line) + b") Tj ET")
    stream = b"\n".join(text)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    output = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(output))
        output += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    table = len(output)
    output += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    output += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    output += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        table,
    )
    return bytes(output)


def make_logo_svg(text, colour):
    """A wordmark as SVG: a square mark and the name."""
    red, green, blue = colour
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="300" viewBox="0 0 1200 300">'
        f'<rect x="20" y="40" width="220" height="220" rx="36" fill="rgb({red},{green},{blue})"/>'
        '<path d="M80 90 L170 150 L80 210" fill="none" stroke="#fff" stroke-width="34"/>'
        f'<text x="280" y="190" font-family="Helvetica, Arial, sans-serif" font-size="110" '
        f'font-weight="700" fill="rgb({red},{green},{blue})">{escape(text)}</text>'
        "</svg>\n"
    ).encode()
