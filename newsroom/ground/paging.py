"""Pages of a public list that cost the same however long the list grows.

A list page is numbered (`?page=3`), but only so deep: past `max_pages` the
rows are reached through narrower lists (a year, a tag), never by an OFFSET
that makes the database read and drop everything newer first. The count is
bounded as well: it counts at most one row past the deepest page.
"""

from functools import cached_property

from django.core.paginator import Paginator


class CappedPaginator(Paginator):
    """A paginator of at most `max_pages` pages; `is_capped` says whether rows are left out."""

    def __init__(self, object_list, per_page, *, max_pages):
        self.limit = per_page * max_pages
        # One row more than the pages hold tells whether anything is left out.
        super().__init__(object_list[: self.limit + 1], per_page)

    @cached_property
    def reachable(self):
        """The rows counted, at most one past the deepest page: COUNT over a LIMIT."""
        return self.object_list.count()

    @cached_property
    def count(self):
        return min(self.reachable, self.limit)

    @cached_property
    def is_capped(self):
        return self.reachable > self.limit


def capped_page(object_list, per_page, number, *, max_pages):
    """The page asked for (the last one if it is past the end) and whether it was past it.

    A number beyond the deepest page is not an error: the page says where
    the older rows are instead.
    """
    paginator = CappedPaginator(object_list, per_page, max_pages=max_pages)
    page = paginator.get_page(number)
    page.past_end = str(number or 1) != str(page.number)
    page.is_deepest = paginator.is_capped and page.number == paginator.num_pages
    return page
