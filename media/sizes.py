"""Every size a photo is served in, each declared once.

An entry says how the size is made (an imagekit spec from
`media.imagegenerators`, or the original itself, cleaned), what a journalist
is told about it, where it is offered and for which originals it is made.
Models, the rendition task, views, templates, the API and the tests read it
here. To add a size, add its entry (and a test):

    RenditionSize(
        "square", pgettext_lazy("photo size", "Square"), Square.sized(1080, 1080), download=True
    ),

then run `manage.py render_photos --missing`, which makes it for the photos
already uploaded and leaves their other files and addresses as they are. No
migration: the size fields take their choices from `choices()`.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from imagekit import register

from media.imagegenerators import (
    Medium,
    PhotoSpec,
    Print,
    Social,
    Square,
    Standard,
    Thumbnail,
    Web,
    Wide,
)


@dataclass(frozen=True)
class RenditionSize:
    # In addresses, file names, the API and the database: at most 10 characters.
    name: str
    label: str
    # How it is made; None for the original file, cleaned and stamped.
    spec: type[PhotoSpec] | None
    # What it is for, next to the download; %(width)s and %(height)s are the spec's box.
    about: str = ""
    # Shown on our pages: one of the candidates in every photo's srcset.
    inline: bool = False
    # Offered for download on photo pages.
    download: bool = False
    # A whole set can be downloaded in this size as one ZIP.
    zip: bool = False
    # A journalist's selection can be downloaded in this size as one ZIP.
    selection: bool = False
    # Always sent as a file to save, never shown in the browser.
    attachment: bool = False
    # In search engines' article data (JSON-LD) only: neither offered nor in the API.
    article_image: bool = False
    # Original formats it is not made for, and the size whose file serves it for them.
    not_for: frozenset[str] = frozenset()
    stand_in: str | None = None
    # For photos whose files were made before this size existed, until it is made:
    # the size shown instead (else the file is "being prepared").
    until_made: str | None = None

    def __post_init__(self):
        if len(self.name) > 10:
            raise ValueError(f"A size's name has at most 10 characters: {self.name!r}")
        if self.not_for and self.stand_in is None:
            raise ValueError(f"Size {self.name!r} needs a stand-in for {set(self.not_for)}")

    def __str__(self):
        return self.name

    @property
    def hint(self):
        box = self.spec.box if self.spec else (0, 0)
        return self.about % {"width": box[0], "height": box[1]} if self.about else ""

    @property
    def is_original(self):
        return self.spec is None

    @property
    def scaled(self):
        """Made from a working copy reduced to just above what every such size needs."""
        return self.spec is not None and self.spec.scaled

    @property
    def listed(self):
        """In the API: what pages show and what journalists download."""
        return self.inline or self.download

    @property
    def placeholder(self):
        """While its file is being made, a page or link preview gets a placeholder image of its
        pixels (never cached); a file to save, or article data, gets "come back soon" (503)."""
        return self.listed and not self.attachment

    def made_for(self, image_format):
        return image_format not in self.not_for

    def pixels(self, width, height):
        """The file's pixels for an upright `width`×`height` photo, without opening any file."""
        return self.spec.pixels(width, height) if self.spec else (width, height)


SIZES = {
    size.name: size
    for size in [
        RenditionSize(
            "thumbnail", pgettext_lazy("photo size", "Thumbnail"), Thumbnail, inline=True
        ),
        # For our own pages on phones and narrow windows (srcset): between the two. Not a
        # download: web is already the size for websites, and one fewer choice is clearer.
        RenditionSize(
            "medium", pgettext_lazy("photo size", "Medium"), Medium, inline=True, until_made="web"
        ),
        RenditionSize(
            "web",
            pgettext_lazy("photo size", "Web"),
            Web,
            _("for websites"),
            inline=True,
            download=True,
            zip=True,
            selection=True,
        ),
        RenditionSize(
            "social",
            pgettext_lazy("photo size", "Social media"),
            Social,
            _("%(width)s × %(height)s for link previews"),
            download=True,
        ),
        RenditionSize(
            "print",
            pgettext_lazy("photo size", "Print"),
            Print,
            _("every pixel, JPEG"),
            download=True,
            zip=True,
            selection=True,
            attachment=True,
            # A JPEG's original is already the best print file: no recompressed copy of it.
            not_for=frozenset({"JPEG"}),
            stand_in="original",
        ),
        RenditionSize(
            "original",
            pgettext_lazy("photo size", "Original"),
            None,
            _("as uploaded, every pixel"),
            download=True,
            selection=True,
            attachment=True,
        ),
        # Crops around the focal point in the ratios search engines ask for.
        RenditionSize("16x9", pgettext_lazy("photo size", "16:9 crop"), Wide, article_image=True),
        RenditionSize(
            "4x3", pgettext_lazy("photo size", "4:3 crop"), Standard, article_image=True
        ),
        RenditionSize("1x1", pgettext_lazy("photo size", "1:1 crop"), Square, article_image=True),
    ]
}

# The sizes the rest of the code names: the page's image, link previews, feeds, the hero.
THUMBNAIL, MEDIUM, WEB, SOCIAL, ORIGINAL = "thumbnail", "medium", "web", "social", "original"


# Read at each call, never kept: a size added to SIZES (a test's, too) is everywhere at once.


def choices():
    """For the size fields: a callable, so the migration state holds no list of sizes."""
    return [(size.name, size.label) for size in SIZES.values()]


def inline_sizes():
    return [size for size in SIZES.values() if size.inline]


def download_sizes():
    """What journalists download, in the order offered."""
    return [size for size in SIZES.values() if size.download]


def zip_sizes():
    return [size for size in SIZES.values() if size.zip]


def selection_sizes():
    return [size for size in SIZES.values() if size.selection]


def listed_sizes():
    """The sizes the API lists, in its order."""
    return [size for size in SIZES.values() if size.listed]


def article_images():
    return [size for size in SIZES.values() if size.article_image]


def sizes_for(image_format):
    """The sizes that get a file of their own for an original of this format."""
    return [size for size in SIZES.values() if size.made_for(image_format)]


for _size in SIZES.values():
    if _size.spec is not None:
        register.generator(f"media:photo:{_size.name}", _size.spec)


@dataclass(frozen=True)
class VideoFileKind:
    """A file we serve for a video, made by the video task from the upload."""

    # In addresses, file names, the API and the database: at most 10 characters.
    name: str
    label: str
    about: str
    extension: str
    # Offered for download on video pages (a poster is shown, not offered).
    download: bool
    # Put in a ZIP of photos made in these photo sizes: a journalist who asks for
    # prints wants the broadcast file, one who asks for the web wants the web one.
    for_sizes: frozenset[str] = frozenset()


VIDEO_FILES = {
    kind.name: kind
    for kind in [
        VideoFileKind("poster", pgettext_lazy("video file", "Poster"), "", ".jpg", False),
        VideoFileKind(
            "web",
            pgettext_lazy("video file", "Web"),
            _("H.264 MP4, plays in every browser"),
            ".mp4",
            True,
            frozenset({"web"}),
        ),
        VideoFileKind(
            "original",
            pgettext_lazy("video file", "Broadcast"),
            _("the original streams, for broadcast and editing"),
            "",  # the upload's own container
            True,
            frozenset({"print", "original"}),
        ),
    ]
}
POSTER, WEB_VIDEO, CLEAN_ORIGINAL = "poster", "web", "original"


def video_file_choices():
    return [(kind.name, kind.label) for kind in VIDEO_FILES.values()]


def video_downloads():
    return [kind for kind in VIDEO_FILES.values() if kind.download]


def video_file_for(size):
    """The video file that goes with photos of `size` (a name) in a ZIP, or None."""
    return next((kind for kind in VIDEO_FILES.values() if size in kind.for_sizes), None)
