"""A release as plain text or Markdown: to paste into an editing system or an e-mail.

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

from django.utils import timezone

from press.results import label as result_label
from press.templatetags.press_tags import date_range

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


def release_text(release, parts, absolute, markdown=False):
    """The whole release: headline, date, lead, photo, body, quotes, results, links, contacts."""
    local = timezone.localtime(release.first_published_at, release.newsroom.zone)
    published = f"{local.day} {local:%B %Y, %H:%M} {local.tzname()}"
    lines = []
    if markdown:
        byline = f"{release.get_kind_display()} · {published} · {release.newsroom}"
        lines += [f"# {markdown_text(release.title)}", "", f"_{markdown_text(byline)}_"]
    else:
        lines += [
            release.title,
            "=" * min(len(release.title), 78),
            "",
            f"{release.get_kind_display()} · {published} · {release.newsroom}",
        ]
    if release.corrected_at:
        corrected = timezone.localtime(release.corrected_at, release.newsroom.zone)
        lines.append(f"Updated {corrected.day} {corrected:%B %Y, %H:%M} {corrected.tzname()}")
    if release.lead:
        lines += ["", f"**{markdown_text(release.lead)}**" if markdown else release.lead]
    hero = parts["hero"]
    if hero is not None:
        credit = hero.credit_line
        url = absolute(hero.file_url("web"))
        lines += [
            "",
            f"![{markdown_text(hero.alt)}]({markdown_url(url)})  \n"
            f"_{markdown_text(f'{release.caption} {credit}'.strip())}_"
            if markdown
            else f"[{release.caption} {credit}] {url}",
        ]
    lines += ["", body_text(release.body, markdown)]
    quotes = parts["quotes"]
    if quotes:
        lines += ["", "## Quotes" if markdown else "Quotes\n------"]
        for quote in quotes:
            speaker = quote.attribution
            if markdown:
                words = "  \n> ".join(
                    markdown_text(line.strip()) for line in quote.text.splitlines()
                )
                lines += ["", f"> “{words}”  \n> — {markdown_text(speaker)}"]
            else:
                lines += ["", f"“{quote.text}”\n— {speaker}"]
    if parts["results"]:
        lines += ["", "## Results" if markdown else "Results\n-------"]
        for event, results in group_by_event(parts["results"]):
            heading = f"{event.name}, {date_range(event)}"
            lines += ["", f"**{markdown_text(heading)}**" if markdown else heading]
            if markdown:
                lines += ["", "| Session | Class | Result | Note |", "| --- | --- | --- | --- |"]
            for result in results:
                label = result_label(result, release.language)
                if markdown:
                    cells = [result.session, result.category, label, result.note]
                    lines.append("| " + " | ".join(markdown_cell(cell) for cell in cells) + " |")
                else:
                    lines.append(
                        " · ".join(
                            filter(None, [result.session, result.category, label, result.note])
                        )
                    )
    if parts["photo_sets"] or parts["documents"]:
        lines += [
            "",
            "## Photos and documents"
            if markdown
            else "Photos and documents\n--------------------",
        ]
        for photo_set in parts["photo_sets"]:
            url = absolute(photo_set.get_absolute_url())
            lines.append(
                markdown_link_item(photo_set.title, url)
                if markdown
                else f"{photo_set.title}: {url}"
            )
        for document in parts["documents"]:
            url = absolute(document.get_absolute_url())
            lines.append(
                markdown_link_item(document.title, url) if markdown else f"{document.title}: {url}"
            )
    if parts["contacts"]:
        lines += ["", "## Press contacts" if markdown else "Press contacts\n--------------"]
        for person in parts["contacts"]:
            details = ", ".join(
                filter(None, [person.name, person.role_line, person.email, person.phone])
            )
            lines.append(f"- {markdown_text(details)}" if markdown else details)
    about = release.newsroom.about_paragraphs()
    if about:
        lines += [
            "",
            f"## About {markdown_text(str(release.newsroom))}"
            if markdown
            else f"About {release.newsroom}\n" + "-" * (6 + len(str(release.newsroom))),
        ]
        for paragraph in about:
            lines += ["", markdown_paragraph(paragraph) if markdown else paragraph]
    address = absolute(release.get_absolute_url())
    lines += ["", f"<{markdown_url(address)}>" if markdown else address, ""]
    text = "\n".join(lines)
    return text if markdown else wrap(text)


def markdown_link_item(title, url):
    return f"- [{markdown_text(title)}]({markdown_url(url)})"


def markdown_paragraph(text):
    """A paragraph of several lines; no line may start with indentation (code)."""
    return "\n".join(markdown_text(line.strip()) for line in text.splitlines())


def group_by_event(results):
    groups = []
    for result in results:
        if groups and groups[-1][0] == result.event:
            groups[-1][1].append(result)
        else:
            groups.append((result.event, [result]))
    return groups
