"""The API's lists, a page at a time by cursor (keyset pagination).

A page ends with a `next` link whose cursor is the sort key of its last item:
the next page is the items that sort after it, read from the index in order,
so the thousandth page costs what the first does, and a release published
meanwhile joins the first page without shifting the pages after it. `previous`
works the same way backwards from the page's first item.

A cursor is the direction and the key, as JSON in URL-safe base64. It is not
a secret and needs no signature: any key is only a place in a public list.
One that does not read as a key of the list it is given to is a 400.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import BadRequest, ValidationError
from django.db.models import Q

from newsroom.ground.http import absolute_url

PAGE_SIZE = 20
FORWARD, BACKWARD = "after", "before"
BAD_CURSOR = (
    "“cursor” is not one this list gave: follow the `next` or `previous` link as it is, "
    "or leave the cursor out for the first page."
)
BAD_PAGE = (
    "Pages follow each other by their `next` link (a `cursor`); “page” only takes 1, "
    "the first page."
)


@dataclass(frozen=True)
class Order:
    """A list's sort: field names, `-` for descending, ending with the pk so no two items tie."""

    fields: tuple

    def __init__(self, *fields):
        object.__setattr__(self, "fields", fields)

    def columns(self):
        """(name, descending) for each field."""
        return [(field.lstrip("-"), field.startswith("-")) for field in self.fields]

    def ordering(self, forward=True):
        if forward:
            return list(self.fields)
        return [name if descending else f"-{name}" for name, descending in self.columns()]

    def key(self, item):
        return [getattr(item, name) for name, _ in self.columns()]

    def beyond(self, key, forward=True):
        """The items that sort after the key (before it, going backward)."""
        columns = self.columns()
        (first, descending), *_ = columns
        # A plain bound on the first field lets the database start the index scan there.
        condition = Q(**{f"{first}__{'lte' if descending == forward else 'gte'}": key[0]})
        later = Q()
        for position, (name, descending) in enumerate(columns):
            equal = {columns[earlier][0]: key[earlier] for earlier in range(position)}
            lookup = "lt" if descending == forward else "gt"
            later |= Q(**equal, **{f"{name}__{lookup}": key[position]})
        return condition & later


def plain(value):
    # Times to the microsecond: a key rounded to milliseconds would skip or repeat items.
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(value)


def encode(direction, key):
    text = json.dumps([direction, *key], default=plain, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode(cursor, items, order):
    """(forward, key) from a cursor of this list; a 400 when it is not one."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        direction, *values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        columns = order.columns()
        if direction not in (FORWARD, BACKWARD) or len(values) != len(columns):
            raise ValueError
        meta = items.model._meta
        fields = [meta.pk if name == "pk" else meta.get_field(name) for name, _ in columns]
        key = [field.to_python(value) for field, value in zip(fields, values, strict=True)]
        if any(value is None for value in key):
            raise ValueError
    except (ValueError, TypeError, ValidationError, binascii.Error, UnicodeDecodeError):
        raise BadRequest(BAD_CURSOR) from None
    return direction == FORWARD, key


def page_of(request, items, page_data, order):
    """One page of items as {count, next, previous, results}, with absolute links.

    `page_data(request, objects)` turns the page's objects into the results.
    `count` is the number of items in the whole list, given on the first page
    only: the pages after it need not count the archive again.
    """
    if request.GET.get("page", "1") not in ("1", ""):
        raise BadRequest(BAD_PAGE)
    cursor = request.GET.get("cursor")
    forward, key = decode(cursor, items, order) if cursor else (True, None)
    rows = items.order_by(*order.ordering(forward))
    if key is not None:
        rows = rows.filter(order.beyond(key, forward))
    rows = list(rows[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    if not forward:
        rows.reverse()
    has_next = more if forward else True
    has_previous = key is not None and (more if not forward else True)
    first_key = order.key(rows[0]) if rows else key
    last_key = order.key(rows[-1]) if rows else key
    return {
        "count": items.count() if key is None else None,
        "next": link(request, FORWARD, last_key) if has_next and last_key else None,
        "previous": link(request, BACKWARD, first_key) if has_previous else None,
        "results": page_data(request, rows),
    }


def link(request, direction, key):
    query = request.GET.copy()
    query.pop("page", None)
    query["cursor"] = encode(direction, key)
    return absolute_url(f"{request.path}?{query.urlencode()}")
