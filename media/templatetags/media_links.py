"""Links to the media kit's pages and files, as the page being rendered should give them.

Public pages link to the public views. A page shown through a preview pass
puts its own `links` in the context, so every photo, ZIP and document on it
leads to the pass's views instead.
"""

from django import template

from media import sizes
from media.downloads import PUBLIC_LINKS

register = template.Library()


def links(context):
    return context.get("links") or PUBLIC_LINKS


@register.simple_tag(takes_context=True)
def photo_url(context, photo, size):
    return links(context).photo_file(photo, size)


@register.simple_tag(takes_context=True)
def photo_srcset(context, photo):
    """Every size shown on pages as a `srcset` candidate ("… 400w, … 1024w, … 2048w"), so
    the browser fetches what its screen needs: a phone the medium size, not the web one.

    A photo smaller than a box has the same width in several sizes; a width is given
    once (HTML allows no two candidates of one width), by the smallest size.
    """
    candidates = {}
    for size in sizes.inline_sizes():
        width = photo.rendition_size(size.name)[0]
        candidates.setdefault(width, links(context).photo_file(photo, size.name))
    return ", ".join(f"{url} {width}w" for width, url in candidates.items())


@register.simple_tag(takes_context=True)
def download_url(context, photo, size):
    return links(context).photo_download(photo, size)


@register.simple_tag(takes_context=True)
def photo_page_url(context, photo):
    return links(context).photo_page(photo)


@register.simple_tag(takes_context=True)
def photo_set_url(context, photo_set):
    return links(context).photo_set(photo_set)


@register.simple_tag
def zip_sizes():
    """The sizes a whole set is offered in as one ZIP: `{% zip_sizes as sizes %}`."""
    return sizes.zip_sizes()


@register.simple_tag(takes_context=True)
def release_url(context, release):
    """A release's page, or a version's, as this reader reaches it (a pass has its own)."""
    return links(context).release_page(release)


@register.simple_tag(takes_context=True)
def zip_url(context, photo_set, size):
    return links(context).set_zip(photo_set, size)


@register.simple_tag(takes_context=True)
def document_url(context, document):
    return links(context).document(document)
