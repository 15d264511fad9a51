"""Headers for every e-mail we send, built safely from whatever editors and readers typed.

Headlines, newsroom names and journalists' names end up in subjects and
address headers. A line break there would start a header of the reader's
choosing (a Bcc, say) and the mail library refuses it, so the e-mail would
fail; names are therefore folded onto one line, and addresses are built as
`Address` objects, which quote a name's commas, quotes and angle brackets.
Every message is an `Email`, whose subject reaches the reader with all its
spaces, in any language.
"""

import email.policy
import re
from email.header import Header
from email.headerregistry import Address
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

# Control characters, line breaks included; Unicode line separators are
# whitespace to str.split() and go too.
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def one_line(text):
    """The text with every run of line breaks, tabs and spaces as one space."""
    return " ".join(CONTROL.sub(" ", str(text)).split())


def mailbox(name, address):
    """An address with a display name, e.g. "Kim Reporter" <kim@news.example>."""
    return Address(display_name=one_line(name), addr_spec=address)


def sender(newsroom):
    """The site's address, under the newsroom's name: what the reader sees in the inbox."""
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return mailbox(newsroom.name, address)


class SpacesKeptPolicy(email.policy.EmailPolicy):
    """The mail library's policy, with a subject in other than ASCII folded so that every
    space survives.

    Python's own folding (before its fix for gh-144156) can break a long subject
    between two encoded words at a space and leave the space out of both, and a
    reader's mail program then joins the words: "Redo för STCC-premiären på
    Ljungbyhed" arrived as "…premiärenpå…". Such a subject is folded here the
    older way, whose encoded words carry their spaces inside them.
    """

    def fold(self, name, value):
        if not self.folds_itself(name, value):
            return super().fold(name, value)
        header = Header(str(value), "utf-8", self.max_line_length or 78, header_name=name)
        return f"{name}: {header.encode(linesep=self.linesep)}{self.linesep}"

    def fold_binary(self, name, value):
        if not self.folds_itself(name, value):
            return super().fold_binary(name, value)
        return self.fold(name, value).encode("ascii")

    @staticmethod
    def folds_itself(name, value):
        return name.lower() == "subject" and not str(value).isascii()


def keeping_spaces(policy):
    """The same policy (line endings, line length…), folding subjects as above."""
    return SpacesKeptPolicy(**vars(policy))


class Email(EmailMultiAlternatives):
    """Every e-mail we send: text, with an HTML version where there is one, and subjects
    whose words arrive as they were written, however the backend serialises them."""

    def message(self, *, policy=email.policy.default):
        return super().message(policy=keeping_spaces(policy))
