"""Making a video's files: a poster, a web version and the cleaned original.

Everything is made from the upload as it came, in a working directory on
local disk (FFmpeg reads files, not storage objects), and then stored
through the storage API, so object storage works as the file system does.
"""

import secrets
import shutil
import tempfile
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from media import sizes
from media.models import Video, VideoFile, file_digests
from media.video_files import poster_frame, probe, write_clean_original, write_web_version

POSTER_QUALITY = 85
# The progress an editor sees: the web version is nearly all of the work.
POSTER_DONE, WEB_DONE = 2, 95


def render_video(video):
    """Make this version's files, replace the ones of earlier versions, and say it is done."""
    with tempfile.TemporaryDirectory(prefix="video-") as work, local_copy(video.file) as source:
        work = Path(work)
        made = [make_poster(video, source, work)]
        report_progress(video, POSTER_DONE)
        made.append(make_web_version(video, source, work))
        report_progress(video, WEB_DONE)
        made.append(make_clean_original(video, source, work))
    with transaction.atomic():
        old = list(video.files.all())
        video.files.all().delete()
        VideoFile.objects.bulk_create(made)
        Video.objects.filter(pk=video.pk, version=video.version).update(
            rendered_version=video.version, rendering_claim="", rendering_progress=100
        )
        for kept in old:
            transaction.on_commit(partial(kept.file.storage.delete, kept.file.name))


def make_poster(video, source, work):
    image = poster_frame(source, video.poster_at)
    path = work / "poster.jpg"
    image.save(path, "JPEG", quality=POSTER_QUALITY, optimize=True, progressive=True)
    return store(video, sizes.POSTER, path, width=image.width, height=image.height)


def make_web_version(video, source, work):
    path = work / "web.mp4"

    def progress(fraction):
        report_progress(video, POSTER_DONE + round(fraction * (WEB_DONE - POSTER_DONE)))

    facts = write_web_version(source, path, progress=progress, rights=video.rights)
    return store(video, sizes.WEB_VIDEO, path, facts=facts)


def make_clean_original(video, source, work):
    extension = Path(video.file.name).suffix.lower() or ".mp4"
    path = work / f"original{extension}"
    write_clean_original(source, path, video.rights)
    return store(video, sizes.CLEAN_ORIGINAL, path, facts=probe(path))


def store(video, kind, path, *, facts=None, width=0, height=0):
    """Keep a made file under a new name; its row is saved once all of them are made, so
    the files of the version before are served until then."""
    with open(path, "rb") as handle:
        _digest, crc = file_digests(handle)
        name = video.file.storage.save(
            f"videos/files/{secrets.token_hex(16)}{path.suffix}", File(handle)
        )
    return VideoFile(
        video=video,
        kind=kind,
        file=name,
        version=video.version,
        width=facts.width if facts else width,
        height=facts.height if facts else height,
        bytes=path.stat().st_size,
        video_codec=facts.video_codec if facts else "",
        audio_codec=facts.audio_codec if facts else "",
        crc32=crc,
        created_at=timezone.now(),
    )


def report_progress(video, percent):
    Video.objects.filter(pk=video.pk, version=video.version).update(rendering_progress=percent)


@contextmanager
def local_copy(field_file):
    """The stored upload as a path FFmpeg can open: the file itself on a local disk, else a
    copy read from the storage a chunk at a time."""
    try:
        path = field_file.storage.path(field_file.name)
    except NotImplementedError:
        path = None
    if path is not None:
        yield path
        return
    suffix = Path(field_file.name).suffix
    with tempfile.NamedTemporaryFile(suffix=suffix) as copy:
        with field_file.storage.open(field_file.name, "rb") as handle:
            shutil.copyfileobj(handle, copy, 1024 * 1024)
        copy.flush()
        yield copy.name
