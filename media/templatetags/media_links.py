"""Links to the media kit's pages and files, as the page being rendered should give them.

Public pages link to the public views. A page shown through a preview pass
puts its own `links` in the context, so every photo, ZIP and document on it
leads to the pass's views instead.
"""

from django import template
from django.conf import settings

from media import selection, sizes
from media.downloads import PUBLIC_LINKS, VideoDownloads, photo_title, video_title
from media.models import Document, Video
from newsroom.ground.http import json_for_script

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
    Editors' previews offer none; a pass's pages add to the pass's own selection.
    """
    return {"item": selection_item(thing) if selection_offered(context) else None}


def selection_item(thing):
    shown = thing  # a photo with its downloads has its title in the page's language
    thing = getattr(thing, "photo", thing)  # a photo, or one with its downloads
    thing = getattr(thing, "video", thing)
    if isinstance(thing, Document):
        item, title, known = selection.Item("d", thing.pk), thing.title, True
    elif isinstance(thing, Video):
        item, title = selection.Item("v", thing.pk), video_title(thing)
        known = "files" in getattr(thing, "_prefetched_objects_cache", {})
    else:
        item, title = selection.Item("p", thing.pk), photo_title(shown)
        known = "renditions" in getattr(thing, "_prefetched_objects_cache", {})
    offered = sizes.selection_sizes() if known else []
    found = [(size.name, selection.entry_bytes(thing, size.name)) for size in offered]
    return {"id": str(item), "title": title, "bytes": found}


@register.simple_tag(takes_context=True)
def selection_offered(context):
    """Whether the page offers the selection: public pages and a pass holder's (whose
    selection holds the pass's items), not editors' previews."""
    return bool(context.get("embargo_pass")) or (
        not context.get("preview") and links(context) is PUBLIC_LINKS
    )


@register.simple_tag(takes_context=True)
def selection_start_url(context):
    return links(context).selection_start()


@register.simple_tag(takes_context=True)
def selection_url(context, items):
    return links(context).selection_page(items)


@register.simple_tag(takes_context=True)
def selection_zip_url(context, items, size):
    return links(context).selection_zip(items, size)


@register.simple_tag(takes_context=True)
def video_data(context, video):
    """The video's schema.org data, for a `<script type="application/ld+json">`."""
    request = context["request"]
    return json_for_script(video.structured_data(request.build_absolute_uri))


@register.simple_tag(takes_context=True)
def video_downloads(context, video):
    """`{% video_downloads video as video %}`: the video with this page's links."""
    return VideoDownloads(video, links(context))
