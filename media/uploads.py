"""Taking many photos or videos into a set at once: every good file is kept, every bad one is
named."""

import os
from dataclasses import dataclass
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from media.models import Photo, Video, file_sha256, safe_original_name
from media.video_probe import probe_apart
from newsroom.ground.uploads import decode_image, display_name


@dataclass
class UploadResult:
    name: str
    saved: bool
    message: str
    kept: "Photo | Video | None" = None  # the photo or video made of it, when saved

    def as_json(self):
        data = {"name": self.name, "saved": self.saved, "message": self.message}
        if isinstance(self.kept, Photo):
            data["photo"] = {"id": self.kept.pk, "thumbnail": self.kept.thumbnail_url}
        elif self.kept is not None:
            data["video"] = {"id": self.kept.pk}
        return data


def accept_photos(photo_set, uploads):
    """Validate and save each upload on its own, so one bad file costs only itself."""
    return [accept_photo(photo_set, upload) for upload in uploads]


def accept_photo(photo_set, upload):
    name = display_name(upload)
    try:
        decode_image(upload)
    except ValidationError as error:
        return UploadResult(name, False, " ".join(error.messages))
    digest = file_sha256(upload)
    same = Photo.objects.filter(photo_set__newsroom=photo_set.newsroom_id, sha256=digest)
    # This set's copy first: it is the one the editor must hear about.
    twin = same.filter(photo_set=photo_set).first() or same.select_related("photo_set").first()
    if twin is not None and twin.photo_set_id == photo_set.pk:
        return already_in_set(name, twin)
    photo = Photo(photo_set=photo_set, image=upload, position=next_position(photo_set))
    try:
        with transaction.atomic():
            photo.save()
    except IntegrityError:
        # The same file, dropped twice, raced past the check above; the
        # database's unique constraint kept the second one out.
        twin = Photo.objects.filter(photo_set=photo_set, sha256=digest).first()
        if twin is None:
            raise
        photo.image.delete(save=False)
        return already_in_set(name, twin)
    renamed = safe_original_name(upload.name) != upload.name
    message = _("“%(name)s” was added.") % {"name": name}
    if twin is not None:
        message += " " + _("The same file is also in the set “%(set)s”.") % {"set": twin.photo_set}
    if renamed:
        message += " " + _("Its name was shortened to “%(kept)s”.") % {
            "kept": photo.original_filename
        }
    return UploadResult(name, True, message, photo)


def already_in_set(name, twin):
    return UploadResult(
        name,
        False,
        _("“%(name)s” is already in this set as “%(photo)s”.") % {"name": name, "photo": twin},
    )


def next_position(photo_set):
    last = photo_set.photos.order_by("-position").values_list("position", flat=True).first()
    return 0 if last is None else last + 1


class StagedFile(File):
    """A finished upload on local disk, handed to the storage: a file system storage moves it
    into place (no copy of gigabytes), object storage uploads it in parts."""

    def __init__(self, path, name):
        super().__init__(open(path, "rb"), name=name)  # noqa: SIM115 (closed by accept_video)
        self.path = path

    def temporary_file_path(self):
        return self.path


def accept_video(photo_set, path, name):
    """Probe a finished upload and keep it as a video of the set, or say why not.

    Whatever happens the staged file is the caller's to remove; a kept one has
    been moved out of its way. The file is probed in a process of its own (see
    `media.video_probe`): the decoder's memory leaves with it.
    """
    shown = display_name(SimpleNamespace(name=name))
    try:
        facts = probe_apart(path, name)
    except ValidationError as error:
        return UploadResult(shown, False, " ".join(error.messages))
    with open(path, "rb") as handle:
        digest = file_sha256(handle)
    twin = Video.objects.filter(photo_set=photo_set, sha256=digest).first()
    if twin is not None:
        return UploadResult(
            shown,
            False,
            _("“%(name)s” is already in this set as “%(video)s”.")
            % {"name": shown, "video": twin},
        )
    video = Video(
        photo_set=photo_set,
        original_filename=safe_original_name(name),
        sha256=digest,
        bytes=os.path.getsize(path),
        position=next_video_position(photo_set),
    )
    video.take_facts(facts)
    staged = StagedFile(path, name)
    try:
        with transaction.atomic():
            video.file.save(name, staged, save=False)
            video.save()
    except IntegrityError:
        video.file.delete(save=False)
        return UploadResult(
            shown, False, _("“%(name)s” is already in this set.") % {"name": shown}
        )
    finally:
        staged.close()
    return UploadResult(
        shown, True, _("“%(name)s” was added; its files are being made.") % {"name": shown}, video
    )


def next_video_position(photo_set):
    last = photo_set.videos.order_by("-position").values_list("position", flat=True).first()
    return 0 if last is None else last + 1
