"""Headers for every e-mail we send, built safely from whatever editors and readers typed.

Headlines, newsroom names and journalists' names end up in subjects and
address headers. A line break there would start a header of the reader's
choosing (a Bcc, say) and the mail library refuses it, so the e-mail would
fail; names are therefore folded onto one line, and addresses are built as
`Address` objects, which quote a name's commas, quotes and angle brackets.
"""

import re
from email.headerregistry import Address
from email.utils import parseaddr

from django.conf import settings

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
