"""Links to the media kit's pages and files, as the page being rendered should give them.

Public pages link to the public views. A page shown through a preview pass
puts its own `links` in the context, so every photo, ZIP and document on it
leads to the pass's views instead.
"""

from django import template
from django.conf import settings

from media import sizes
from media.downloads import PUBLIC_LINKS, photo_title, stored_rendition

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
def selection_limit():
    return settings.NEWSROOM_SELECTION_MAX_ITEMS


@register.simple_tag
def selection_sizes():
    """The sizes a selection is downloaded in: `{% selection_sizes as sizes %}`."""
    return sizes.selection_sizes()


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


@register.inclusion_tag("media/_select_button.html", takes_context=True)
def add_to_selection(context, thing):
    """The "Add to selection" button of a photo or document, for the selection tray.

    It carries what the tray shows: the item, its title, and its bytes in each
    size a selection is downloaded in (a photo's from its prefetched renditions;
    left out where they were not fetched, so no page makes a query per photo).
    Previews and pass pages offer none: a selection holds what is public.
    """
    return {"item": selection_item(thing) if selection_offered(context) else None}


def selection_item(thing):
    from media.models import Document

    if isinstance(thing, Document):
        offered = sizes.selection_sizes()
        return {
            "id": f"d{thing.pk}",
            "title": thing.title,
            "bytes": [(s.name, thing.bytes) for s in offered],
        }
    photo = getattr(thing, "photo", thing)  # a photo, or one with its downloads
    found = []
    if "renditions" in getattr(photo, "_prefetched_objects_cache", {}):
        for size in sizes.selection_sizes():
            rendition = stored_rendition(photo, size.name)
            if rendition is not None:
                found.append((size.name, rendition.bytes))
    return {"id": f"p{photo.pk}", "title": photo_title(photo), "bytes": found}


@register.simple_tag(takes_context=True)
def selection_offered(context):
    """Whether the page offers the selection: public pages, not previews or passes."""
    return not context.get("preview") and links(context) is PUBLIC_LINKS
