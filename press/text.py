"""Text and Markdown forms of what a release says: to paste into an editing system or an e-mail.

The release's text and Markdown versions are templates (`press/release.txt`
and `press/release.md`) rendered from its parts; these are the filters they
use (registered in `press_tags`), and the body's conversion, which the API,
the feeds and the search index share.

The body is the sanitised HTML of the editor, so only a handful of elements
can occur (paragraphs, headings, emphasis, links, lists, quotes, rules); each
gets its plain or Markdown form.

The Markdown is CommonMark with one GitHub (GFM) extension, the results
table. Every piece of our text in it is escaped (`markdown_text`), so a
headline such as “1986. The # of *wins*” reads back as exactly those words,
not as a list, a heading or emphasis.
"""

import re
import textwrap
from html.parser import HTMLParser

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format

BLOCKS = {"p", "h2", "h3", "li", "blockquote", "hr"}

# Characters that start markup anywhere in a line (links, emphasis, code, HTML,
# headings' closing #s, table cells, GFM strikethrough), and an & that would
# start a character reference.
INLINE_MARKUP = re.compile(r"([\\`*_\[\]<>#|~])|&(?=#?\w+;)")
# What starts a block at the beginning of a line: a list item (“-”, “+”, “1986.”),
# a setext underline (“=”).
LINE_START_MARKUP = re.compile(r"^([ \t]*)(?:([-+=])|(\d{1,9})([.)]))", re.MULTILINE)
# In a link destination: what would end it or be read as an escape.
URL_BREAKERS = re.compile(r"[\s()<>\\]")


def markdown_text(text, line_start=True):
    """Text as CommonMark that shows exactly that text (backslash escapes).

    `line_start`: the text may begin a line, where “1986.” or “- ” would
    start a list.
    """
    text = INLINE_MARKUP.sub(lambda match: "\\" + (match[1] or "&"), text)
    if line_start:
        text = LINE_START_MARKUP.sub(escape_line_start, text)
    return text


def escape_line_start(match):
    indent, sign, number, delimiter = match.groups()
    return indent + ("\\" + sign if sign else number + "\\" + delimiter)


def markdown_url(url):
    """A link destination that stays one: spaces, parentheses and the like percent-encoded."""
    return URL_BREAKERS.sub(lambda match: f"%{ord(match[0]):02X}", url)


def markdown_cell(text):
    """A GFM table cell: one line, its pipes escaped."""
    return markdown_text(" ".join(str(text).split()), line_start=False)


class BodyText(HTMLParser):
    """The release body as text; Markdown marks its structure when `markdown` is set."""

    def __init__(self, markdown):
        super().__init__(convert_charrefs=True)
        self.markdown = markdown
        self.blocks, self.current = [], []
        self.lists, self.links = [], []
        # A bullet or quote mark waiting for its words: the editor wraps them in
        # a <p> of their own (<li><p>…</p></li>), which must not part them.
        self.marked = False
        # No words yet on this line: what comes could start a Markdown block.
        self.line_start = True

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in BLOCKS and not self.marked:
            self.flush()
        if tag in ("ul", "ol"):
            self.lists.append([tag, 0])
        elif tag == "li" and self.lists:
            self.lists[-1][1] += 1
            kind, number = self.lists[-1]
            self.current.append(
                f"{number}. " if kind == "ol" else ("- " if self.markdown else "• ")
            )
            self.marked = True
        elif tag == "h2":
            self.current.append("## " if self.markdown else "")
        elif tag == "h3":
            self.current.append("### " if self.markdown else "")
        elif tag == "blockquote" and self.markdown:
            self.current.append("> ")
            self.marked = True
        elif tag == "hr":
            self.blocks.append("---" if self.markdown else "* * *")
        elif tag == "br":
            self.current.append("  \n" if self.markdown else "\n")
            self.line_start = True
        elif tag in ("strong", "b") and self.markdown:
            self.current.append("**")
        elif tag in ("em", "i") and self.markdown:
            self.current.append("_")
        elif tag == "a":
            self.links.append(attrs.get("href", ""))
            if self.markdown:
                self.current.append("[")

    def handle_endtag(self, tag):
        if tag in ("strong", "b") and self.markdown:
            self.current.append("**")
        elif tag in ("em", "i") and self.markdown:
            self.current.append("_")
        elif tag == "a" and self.links:
            href = self.links.pop()
            self.current.append(
                f"]({markdown_url(href)})" if self.markdown else (f" ({href})" if href else "")
            )
        elif tag in ("ul", "ol") and self.lists:
            self.flush()
            self.lists.pop()
        elif tag in BLOCKS:
            self.flush()

    def handle_data(self, data):
        data = re.sub(r"\s+", " ", data)
        if self.markdown and data.strip():
            if self.line_start:
                data = data.lstrip()
            data = markdown_text(data, line_start=self.line_start)
        self.current.append(data)
        if data.strip():
            self.marked = False
            self.line_start = False

    def flush(self):
        self.marked = False
        self.line_start = True
        text = "".join(self.current).strip()
        if text:
            self.blocks.append(text)
        self.current = []

    def text(self):
        self.flush()
        return "\n\n".join(self.blocks)


def body_text(body, markdown=False):
    parser = BodyText(markdown)
    parser.feed(body or "")
    parser.close()
    return parser.text()


def wrap(text, width=78):
    """Wrap each paragraph for e-mail and terminals; keep line breaks the author made."""
    return "\n\n".join(
        "\n".join(
            textwrap.fill(line, width, break_long_words=False, break_on_hyphens=False)
            if len(line) > width
            else line
            for line in block.splitlines()
        )
        for block in text.split("\n\n")
    )


def markdown_paragraph(text):
    """A paragraph of several lines; no line may start with indentation (code)."""
    return "\n".join(markdown_text(line.strip()) for line in text.splitlines())


def markdown_quote(text):
    """A quote's words inside a Markdown block quote: each of its lines a line of the quote."""
    return "  \n> ".join(markdown_text(line.strip()) for line in text.splitlines())


def heading(text, underline):
    """A plain-text heading: the text, underlined as far as a line goes (78 characters)."""
    return f"{text}\n{underline * min(len(text), 78)}"


def newsroom_time(moment, newsroom):
    """“13 May 2022, 21:30 CEST”: a time as the newsroom's own clock shows it, written
    as the active language writes dates (“13. Mai 2022, 21:30 CEST”)."""
    return date_format(timezone.localtime(moment, newsroom.zone), "DATETIME_FORMAT")


def contact_line(person):
    """“Name, role, e-mail, phone”: a press contact on one line."""
    return ", ".join(filter(None, [person.name, person.role_line, person.email, person.phone]))


def release_text(parts, markdown=False):
    """The release as plain text or Markdown, from its parts: what its .txt and .md addresses
    serve, and the alert e-mail's text."""
    template = "press/release.md" if markdown else "press/release.txt"
    return render_to_string(template, {"parts": parts, "release": parts.release})
