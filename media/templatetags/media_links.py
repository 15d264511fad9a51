"""Links to the media kit's pages and files, as the page being rendered should give them.

Public pages link to the public views. A page shown through a preview pass
puts its own `links` in the context, so every photo, ZIP and document on it
leads to the pass's views instead.
"""

from django import template

from media.downloads import PUBLIC_LINKS

register = template.Library()


def links(context):
    return context.get("links") or PUBLIC_LINKS


@register.simple_tag(takes_context=True)
def photo_url(context, photo, size):
    return links(context).photo_file(photo, size)


@register.simple_tag(takes_context=True)
def download_url(context, photo, size):
    return links(context).photo_download(photo, size)


@register.simple_tag(takes_context=True)
def photo_page_url(context, photo):
    return links(context).photo_page(photo)


@register.simple_tag(takes_context=True)
def photo_set_url(context, photo_set):
    return links(context).photo_set(photo_set)


@register.simple_tag(takes_context=True)
def zip_url(context, photo_set, size):
    return links(context).set_zip(photo_set, size)


@register.simple_tag(takes_context=True)
def document_url(context, document):
    return links(context).document(document)
