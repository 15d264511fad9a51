"""Resumable uploads: multi-gigabyte videos sent in pieces, each going on where the last stopped.

This is the server side of the tus protocol, version 1.0.0 (https://tus.io/protocols/
resumable-upload), with its `creation`, `creation-with-upload` and `termination`
extensions, so any tus client can send to it as well as our own `resumable.js`.

A client creates an upload (POST, saying how long the file is), then sends the bytes
(PATCH, each piece saying the offset it starts at). When a connection drops, it asks
how much arrived (HEAD) and sends the rest. The project wires `tus_endpoint` into its
own admin views, which check who may upload where and take over the finished file.

Each upload is staged as two files in the staging directory:

- `<id>.part` only ever grows by appending. Its size *is* the offset, so whatever was
  written before a crash is kept, and nothing else needs to agree with it.
- `<id>.json`, written once at creation: the declared length, the client's metadata
  (file name and type), who uploads it and where to ("target"), and when it began.

A third, `<id>.done`, exists from the moment the last byte arrived and the upload was
handed over, so the handover happens once however many requests race to the end.
"""

import base64
import fcntl
import json
import logging
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,creation-with-upload,termination"
PIECE_TYPE = "application/offset+octet-stream"
# A client that wants on_complete's answer in the body of the last PATCH says so:
# the protocol's PATCH answer is an empty 204, which every tus client expects.
JSON_ANSWER_HEADER = "Upload-Complete-Response"

DEFAULT_MAX_BYTES = 20 * 1024 * 1024 * 1024
# Bytes read from the request at a time: memory stays flat however large the file.
READ_SIZE = 1 << 20
# secrets.token_urlsafe(24): 24 random bytes, 32 characters of URL-safe base64.
ID_BYTES = 24
UPLOAD_ID = re.compile(r"[A-Za-z0-9_-]{32}")
DIGITS = re.compile(r"[0-9]+")
STAGED_SUFFIXES = (".part", ".json", ".json.tmp", ".done")


def staging_directory() -> Path:
    # With several app servers this must be a volume they all share: each piece of an
    # upload may reach another server, and each needs the same .part file and lock.
    default = Path(settings.BASE_DIR) / "var" / "staging"
    return Path(getattr(settings, "NEWSROOM_UPLOAD_STAGING_DIR", default))


def max_upload_bytes() -> int:
    """The largest file one upload may declare (NEWSROOM_UPLOAD_MAX_BYTES)."""
    return int(getattr(settings, "NEWSROOM_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


class UploadNotFound(LookupError):
    """No staged upload by that id (never created, discarded, or cleaned away)."""


class OffsetMismatch(Exception):
    """A piece did not start where the staged file ends."""

    def __init__(self, current):
        super().__init__(f"the upload is at offset {current}")
        self.current = current


class UploadBusy(Exception):
    """Another request is appending to the same upload right now."""


class UploadTooLong(Exception):
    """A piece carried more bytes than the upload declared."""


class NotEnoughSpace(Exception):
    """The staging volume has no room for the declared length."""


@dataclass(frozen=True)
class StagedUpload:
    id: str
    length: int
    offset: int
    metadata: dict[str, str]
    owner_id: int | str | None
    target: str
    path: Path
    created_at: datetime

    @property
    def is_complete(self) -> bool:
        return self.offset >= self.length


class Staging:
    """The staging directory: uploads on their way in, one `.part` file each."""

    def __init__(self, directory=None):
        self.directory = Path(directory) if directory is not None else staging_directory()

    def create(self, *, length: int, metadata: dict, owner_id, target: str) -> str:
        """Start an empty upload of `length` bytes and return its unguessable id."""
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        if shutil.disk_usage(self.directory).free < length:
            raise NotEnoughSpace
        upload_id = secrets.token_urlsafe(ID_BYTES)
        # O_EXCL: the id is ours alone, even if two servers drew the same one.
        os.close(
            os.open(self._file(upload_id, ".part"), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        )
        facts = {
            "length": length,
            "metadata": metadata,
            "owner_id": owner_id,
            "target": target,
            "created_at": datetime.now(UTC).isoformat(),
        }
        # Written aside and renamed, so a reader never sees half a sidecar.
        draft = self._file(upload_id, ".json.tmp")
        with open(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as handle:
            json.dump(facts, handle)
        os.replace(draft, self._file(upload_id, ".json"))
        return upload_id

    def info(self, upload_id: str) -> StagedUpload | None:
        """What is staged under `upload_id`, or None if nothing (or the id is not one of ours)."""
        if not UPLOAD_ID.fullmatch(upload_id or ""):
            return None
        part = self._file(upload_id, ".part")
        try:
            facts = json.loads(self._file(upload_id, ".json").read_text(encoding="utf-8"))
            offset = part.stat().st_size
        except (FileNotFoundError, ValueError):
            return None
        return StagedUpload(
            id=upload_id,
            length=facts["length"],
            offset=offset,
            metadata=facts["metadata"],
            owner_id=facts["owner_id"],
            target=facts["target"],
            path=part,
            created_at=datetime.fromisoformat(facts["created_at"]),
        )

    def append(self, upload_id: str, offset: int, stream) -> int:
        """Append what `stream.read()` gives, from `offset`, and return the new offset.

        Never more than the declared length is kept: a stream holding more is refused
        (UploadTooLong) and this piece is taken back. A stream that ends early, or
        breaks because the client went away, is not an error: what arrived is kept,
        and the new offset says where the client must go on.
        """
        upload = self.info(upload_id)
        if upload is None:
            raise UploadNotFound(upload_id)
        with self._locked(upload.path) as fd:
            start = os.fstat(fd).st_size
            if offset != start:
                raise OffsetMismatch(start)
            try:
                copy_at_most(stream, fd, upload.length - start)
            except UploadTooLong:
                os.ftruncate(fd, start)
                raise
            finally:
                # The bytes are on disk before we say they arrived.
                os.fsync(fd)
            return os.fstat(fd).st_size

    def discard(self, upload_id: str) -> None:
        """Remove everything staged for `upload_id`; nothing happens if it is gone already."""
        if not UPLOAD_ID.fullmatch(upload_id or ""):
            return
        # The sidecar first: from then on the upload no longer exists for info().
        for suffix in (".json", ".part", ".done", ".json.tmp"):
            self._file(upload_id, suffix).unlink(missing_ok=True)

    def remove_stale(self, older_than: timedelta) -> int:
        """Discard uploads nobody has added to for `older_than`; return how many."""
        if not self.directory.is_dir():
            return 0
        cutoff = time.time() - older_than.total_seconds()
        last_touched = {}
        for path in self.directory.iterdir():
            upload_id = path.name.split(".", 1)[0]
            if not UPLOAD_ID.fullmatch(upload_id) or not path.name.endswith(STAGED_SUFFIXES):
                continue
            try:
                touched = path.stat().st_mtime
            except FileNotFoundError:
                continue  # removed while we looked
            last_touched[upload_id] = max(touched, last_touched.get(upload_id, 0))
        stale = [upload_id for upload_id, touched in last_touched.items() if touched < cutoff]
        for upload_id in stale:
            self.discard(upload_id)
        return len(stale)

    def claim_handover(self, upload_id: str) -> bool:
        """True for exactly one caller: the one that hands the finished upload over."""
        try:
            os.close(
                os.open(
                    self._file(upload_id, ".done"), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600
                )
            )
        except FileExistsError:
            return False
        except FileNotFoundError:
            return False  # discarded meanwhile, directory and all
        return True

    def release_handover(self, upload_id: str) -> None:
        """The handover failed: let a later request try it again."""
        self._file(upload_id, ".done").unlink(missing_ok=True)

    def _file(self, upload_id, suffix):
        return self.directory / f"{upload_id}{suffix}"

    @contextmanager
    def _locked(self, part):
        # No O_CREAT: a piece arriving after a DELETE must not bring the upload back.
        try:
            fd = os.open(part, os.O_WRONLY | os.O_APPEND)
        except FileNotFoundError:
            raise UploadNotFound(part.stem) from None
        try:
            try:
                # Not waiting: the other request may be a dead connection still being read.
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise UploadBusy from None
            yield fd
        finally:
            os.close(fd)  # closing releases the lock


def copy_at_most(stream, fd, limit):
    """Write what `stream` holds to `fd`, piece by piece; UploadTooLong past `limit` bytes."""
    written = 0
    while written < limit:
        piece = read_or_nothing(stream, min(READ_SIZE, limit - written))
        if not piece:
            return
        write_all(fd, piece)
        written += len(piece)
    if read_or_nothing(stream, 1):
        raise UploadTooLong


def read_or_nothing(stream, size):
    try:
        return stream.read(size)
    except OSError:
        # The client went away mid-piece (Django's UnreadablePostError is an OSError):
        # what arrived so far is good, the client asks for the offset and goes on.
        logger.info("An upload's connection dropped; the bytes that arrived are kept.")
        return b""


def write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def parse_metadata(header: str) -> dict[str, str]:
    """Upload-Metadata: comma-separated pairs of a key and its value in base64."""
    metadata = {}
    for pair in header.split(","):
        pair = pair.strip()
        if not pair:
            continue
        key, _space, value = pair.partition(" ")
        if key in metadata:
            raise ValueError(f"{key} is given twice")
        # binascii.Error and UnicodeDecodeError are ValueErrors too.
        metadata[key] = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    return metadata


def format_metadata(metadata: dict[str, str]) -> str:
    return ",".join(
        f"{key} {base64.b64encode(value.encode('utf-8')).decode('ascii')}"
        for key, value in metadata.items()
    )


def tus_endpoint(
    request,
    upload_id: str | None = None,
    *,
    staging: Staging,
    owner_id,
    target: str,
    location_for: Callable[[str], str],
    on_complete: Callable,
):
    """Answer one tus request: the collection without `upload_id`, one upload with it.

    The caller authenticates (`owner_id` is the signed-in user's id) and decides
    where uploads go (`target`, kept with each upload: one is only reachable from the
    owner and target that created it, anything else is a 404). `location_for(id)` is
    an upload's URL. When the last byte is in, `on_complete(request, staged_upload)`
    runs once, takes the file over (moves or discards it), and returns a dict sent as
    JSON to clients that ask with `Upload-Complete-Response: json`. If it raises, the
    staged file stays, the client gets a JSON error, and a later PATCH at the end
    (an empty one will do) tries the handover again.

    Not CSRF-exempt: the admin page sends its token in a header.
    """
    method = request.method
    if method == "POST" and "X-HTTP-Method-Override" in request.headers:
        # The protocol's way through proxies that only pass GET and POST.
        method = request.headers["X-HTTP-Method-Override"].strip().upper()
    if method == "OPTIONS":
        return capabilities()
    if request.headers.get("Tus-Resumable") != TUS_VERSION:
        response = refusal(
            412, _("The uploading program speaks a version of the upload protocol we do not.")
        )
        response["Tus-Version"] = TUS_VERSION
        return response
    if upload_id is None:
        if method == "POST":
            return create(request, staging, owner_id, target, location_for, on_complete)
        return not_allowed("OPTIONS, POST")
    upload = staging.info(upload_id)
    if upload is None or upload.owner_id != owner_id or upload.target != target:
        return not_found()
    if method == "HEAD":
        return progress(upload)
    if method == "PATCH":
        return receive(request, staging, upload, on_complete)
    if method == "DELETE":
        staging.discard(upload.id)
        return tus_response(204)
    return not_allowed("OPTIONS, HEAD, PATCH, DELETE")


def create(request, staging, owner_id, target, location_for, on_complete):
    length = header_number(request.headers.get("Upload-Length"))
    if length is None:
        return refusal(400, _("The upload did not say how large the file is."))
    try:
        metadata = parse_metadata(request.headers.get("Upload-Metadata", ""))
    except ValueError:
        return refusal(400, _("The name or type of the file could not be read."))
    limit = max_upload_bytes()
    if length > limit:
        response = refusal(413, _("This file is larger than this site accepts."))
        response["Tus-Max-Size"] = str(limit)
        return response
    with_piece = content_type(request) == PIECE_TYPE
    if with_piece and body_length(request) > length:
        return too_much()
    try:
        upload_id = staging.create(
            length=length, metadata=metadata, owner_id=owner_id, target=target
        )
    except NotEnoughSpace:
        return refusal(507, _("The server has no room for this file right now."))
    response = tus_response(201)
    response["Location"] = location_for(upload_id)
    if with_piece:  # creation-with-upload: the first piece rides along
        response["Upload-Offset"] = str(staging.append(upload_id, 0, request))
    return hand_over_if_complete(request, response, staging, upload_id, on_complete)


def receive(request, staging, upload, on_complete):
    if content_type(request) != PIECE_TYPE:
        return refusal(
            415, _("Pieces of an upload must be sent as %(type)s.") % {"type": PIECE_TYPE}
        )
    offset = header_number(request.headers.get("Upload-Offset"))
    if offset is None:
        return refusal(400, _("The piece did not say where in the file it starts."))
    if offset != upload.offset:
        return conflict(upload.offset)
    if body_length(request) > upload.length - offset:
        return too_much()
    try:
        new_offset = staging.append(upload.id, offset, request)
    except OffsetMismatch as mismatch:
        return conflict(mismatch.current)
    except UploadBusy:
        # Locked is what tus clients retry after a pause; the other request finishes first.
        return refusal(
            423, _("Another piece of this file is still arriving; try again in a moment.")
        )
    except UploadTooLong:
        return too_much()
    except UploadNotFound:
        return not_found()
    response = tus_response(204)
    response["Upload-Offset"] = str(new_offset)
    return hand_over_if_complete(request, response, staging, upload.id, on_complete)


def hand_over_if_complete(request, response, staging, upload_id, on_complete):
    """`response`, or, when this request brought the upload to its end, on_complete's answer."""
    upload = staging.info(upload_id)
    if upload is None or not upload.is_complete or not staging.claim_handover(upload_id):
        return response
    try:
        result = on_complete(request, upload) or {}
    except Exception:
        logger.exception("The finished upload %s could not be handed over", upload_id)
        staging.release_handover(upload_id)
        # Whether the staged file is still there is on_complete's choice: not promised here.
        message = _(
            "The file arrived whole but could not be added because of a fault on the server. "
            "Try again later."
        )
        failed = tus_json(
            500, {"saved": False, "name": upload.metadata.get("filename", ""), "message": message}
        )
        failed["Upload-Offset"] = str(upload.offset)
        return failed
    if request.headers.get(JSON_ANSWER_HEADER, "").strip().lower() != "json":
        return response
    answer = tus_json(200 if response.status_code == 204 else response.status_code, result)
    for header in ("Upload-Offset", "Location"):
        if response.has_header(header):
            answer[header] = response[header]
    return answer


def capabilities():
    response = tus_response(204)
    response["Tus-Version"] = TUS_VERSION
    response["Tus-Extension"] = TUS_EXTENSIONS
    response["Tus-Max-Size"] = str(max_upload_bytes())
    return response


def progress(upload):
    response = tus_response(200)
    response["Upload-Offset"] = str(upload.offset)
    response["Upload-Length"] = str(upload.length)
    if upload.metadata:
        response["Upload-Metadata"] = format_metadata(upload.metadata)
    return response


def conflict(current):
    response = refusal(409, _("This piece does not start where the file on the server ends."))
    response["Upload-Offset"] = str(current)
    return response


def too_much():
    return refusal(413, _("More was sent than the declared size of the file."))


def not_found():
    return refusal(404, _("This upload does not exist, or is no longer on the server."))


def not_allowed(methods):
    response = tus_response(405)
    response["Allow"] = methods
    return response


def refusal(status, message):
    return tus_json(status, {"message": message})


def tus_json(status, data):
    return with_tus_headers(JsonResponse(data, status=status))


def tus_response(status):
    return with_tus_headers(HttpResponse(status=status))


def with_tus_headers(response):
    response["Tus-Resumable"] = TUS_VERSION
    # An offset is true only for the moment it is read: never from a cache.
    response["Cache-Control"] = "no-store"
    return response


def header_number(value):
    """A header's non-negative integer, or None if it is missing or anything else."""
    if value is None or not DIGITS.fullmatch(value.strip()):
        return None
    return int(value)


def content_type(request):
    return request.META.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower()


def body_length(request):
    return header_number(request.META.get("CONTENT_LENGTH")) or 0
