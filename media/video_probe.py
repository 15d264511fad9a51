"""Probe an uploaded video in a Python process of its own.

Knowing an upload is a real video means decoding its first frames with
FFmpeg, on bytes a stranger may have crafted. In a child process, the decoder's
memory (some hundred megabytes for a few 4K or 8K frames and their reference
frames) goes back to the system when the child ends instead of staying with
the app server's worker, whatever the file; a decoder that crashes or hangs
costs the editor a refusal naming the file, not the worker and the requests it
was serving. The child is given what it needs and nothing else: the path, the
name to show, the limits and the language of the messages; it touches no
database and reads no project settings.

    facts = probe_apart(path, name)   # VideoFacts, or ValidationError saying why not
"""

import json
import logging
import os
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from media.video_files import VideoFacts, damaged, max_seconds, max_side

logger = logging.getLogger(__name__)

# Long enough for a probe of the largest file we take (reading its index and a
# few frames takes seconds); a hostile file that keeps the decoder busy ends here.
# The setting NEWSROOM_VIDEO_PROBE_SECONDS overrides it.
DEFAULT_PROBE_SECONDS = 120

# The child: this module run as a program, with the app server's own Python.
CHILD = [sys.executable, "-m", "media.video_probe"]


def probe_apart(path, name) -> VideoFacts:
    """`video_files.probe(path, name)`, run in a child process: its facts, or its refusal."""
    request = {
        "path": os.path.abspath(path),  # the child runs in the project's folder
        "name": name,
        "language": translation.get_language() or settings.LANGUAGE_CODE,
        "locale_paths": [str(folder) for folder in settings.LOCALE_PATHS],
        "max_side": max_side(),
        "max_seconds": max_seconds(),
    }
    seconds = getattr(settings, "NEWSROOM_VIDEO_PROBE_SECONDS", DEFAULT_PROBE_SECONDS)
    try:
        child = subprocess.run(  # noqa: S603 (our own program, no shell; the request on stdin)
            CHILD,
            input=json.dumps(request),
            capture_output=True,
            text=True,
            timeout=seconds,
            cwd=Path(__file__).resolve().parent.parent,
            check=False,
        )
    except subprocess.TimeoutExpired:
        logger.warning("Probing %s took longer than %s s; refused", path, seconds)
        raise ValidationError(
            _("“%(name)s” could not be read in time; it may be damaged."),
            code="probe_timeout",
            params={"name": name},
        ) from None
    answer = _answer(child)
    if answer is None:
        logger.warning("Probing %s failed (exit %s): %s", path, child.returncode, child.stderr)
        raise damaged(name)
    if "refused" in answer:
        raise ValidationError(answer["refused"], code=answer["code"])  # already in words
    return VideoFacts(**answer["facts"])


def _answer(child):
    """The child's answer, or None when it ended without one (a crash, a signal)."""
    if child.returncode != 0:
        return None
    try:
        return json.loads(child.stdout)
    except ValueError:
        return None


def main():
    """The child: read the request from stdin, probe, write the answer to stdout."""
    request = json.loads(sys.stdin.read())
    settings.configure(
        USE_I18N=True,
        LANGUAGE_CODE=request["language"],
        LOCALE_PATHS=request["locale_paths"],
        INSTALLED_APPS=[],
        NEWSROOM_VIDEO_MAX_SIDE=request["max_side"],
        NEWSROOM_VIDEO_MAX_SECONDS=request["max_seconds"],
    )
    import django

    django.setup()
    from media.video_files import probe

    translation.activate(request["language"])
    try:
        facts = probe(request["path"], request["name"])
    except ValidationError as error:
        answer = {"refused": " ".join(error.messages), "code": error.code}
    else:
        answer = {"facts": asdict(facts)}
    sys.stdout.write(json.dumps(answer))


if __name__ == "__main__":
    main()
