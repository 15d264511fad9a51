"""A YouTube or Vimeo video in a release, shown behind a click-to-load placeholder.

Until the reader asks for it, the page loads nothing from those sites: no
frame, no thumbnail, no script. The link is checked when it is saved and
reduced to the video's id, so what the page embeds is always one of the two
players' own addresses (YouTube's without cookies), never a page an editor
pasted.
"""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be"}
VIMEO_HOSTS = {"vimeo.com", "www.vimeo.com", "player.vimeo.com"}
YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
VIMEO_ID = re.compile(r"^[0-9]{1,12}$")


@dataclass(frozen=True)
class Embed:
    provider: str  # "YouTube" or "Vimeo"
    video_id: str

    @property
    def player_url(self):
        if self.provider == "YouTube":
            return f"https://www.youtube-nocookie.com/embed/{self.video_id}?autoplay=1"
        return f"https://player.vimeo.com/video/{self.video_id}?autoplay=1&dnt=1"

    @property
    def watch_url(self):
        if self.provider == "YouTube":
            return f"https://www.youtube.com/watch?v={self.video_id}"
        return f"https://vimeo.com/{self.video_id}"


def embed_for(url):
    """The video a YouTube or Vimeo link points to, or None."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if parts.scheme not in {"http", "https"}:
        return None
    if host in YOUTUBE_HOSTS:
        return youtube_embed(host, parts)
    if host in VIMEO_HOSTS:
        last = [piece for piece in parts.path.split("/") if piece]
        if last and VIMEO_ID.match(last[-1]):
            return Embed("Vimeo", last[-1])
    return None


def youtube_embed(host, parts):
    if host == "youtu.be":
        candidate = parts.path.strip("/")
    elif parts.path == "/watch":
        candidate = parse_qs(parts.query).get("v", [""])[0]
    else:
        pieces = [piece for piece in parts.path.split("/") if piece]
        known = len(pieces) == 2 and pieces[0] in {"embed", "shorts", "live", "v"}
        candidate = pieces[1] if known else ""
    return Embed("YouTube", candidate) if YOUTUBE_ID.match(candidate) else None


def validate_video_link(url):
    if url and embed_for(url) is None:
        raise ValidationError(
            _(
                "Paste the address of a YouTube or Vimeo video, e.g. "
                "https://www.youtube.com/watch?v=… or https://vimeo.com/…"
            )
        )
