"""A multi-gigabyte video sent through the admin's resumable upload, cut off twice on the way.

    .venv/bin/python bench/video_upload.py [--gigabytes 4] [--keep DIR]

What a TV crew's upload from a press room is like: a 4 GB camera file, and a
connection that drops twice. The real code path end to end, over HTTP:

1. A real video of the size is made once and kept (in --keep): H.264, lossless,
   4K frames of noise, with PyAV (so the probe on arrival reads a real file).
2. The app runs under gunicorn, one sync worker (the production stack's worker
   kind), on a fresh SQLite database in a temporary folder; an editor's session
   is made for the client.
3. The client speaks tus to the admin's upload address in 64 MiB pieces, from
   the file on disk. Twice, a third and two thirds of the way, it closes the
   connection halfway through a piece; it then asks the server how much arrived
   (HEAD) and goes on from there.
4. The worker's resident memory is read from /proc every 50 ms throughout, and the
   peak of the process the worker starts to probe the finished file.

The reference is the worker's own memory when the upload began; the goal is
growth below 50 MB whatever the file's size. At the end the stored video's
SHA-256 is compared with the file's: no byte lost, none twice. The last line
is the headline.
"""

import argparse
import hashlib
import http.client
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GOAL_MB = 50
PIECE = 64 * 1024 * 1024
WIDTH, HEIGHT = 3840, 2160


def make_video(path, gigabytes):
    """Lossless H.264 of noise: about as many bytes as raw pixels, so size is cheap to reach."""
    import av

    # Noise does not compress: lossless H.264 of it takes about 1.6 times its raw pixels.
    frame_bytes = WIDTH * HEIGHT * 3 // 2 * 1.6
    frames = int(gigabytes * 1e9 / frame_bytes) + 1
    print(f"making {path.name}: {frames} frames of {WIDTH}×{HEIGHT} noise, lossless H.264")
    with av.open(str(path), "w") as container:
        stream = container.add_stream(
            "libx264", rate=25, options={"qp": "0", "preset": "ultrafast"}
        )
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        for number in range(frames):
            frame = av.VideoFrame(WIDTH, HEIGHT, "yuv420p")
            for plane in frame.planes:
                plane.update(os.urandom(plane.buffer_size))
            frame.pts = number
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(8 * 1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def manage(env, *args, **kwargs):
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, text=True, **kwargs
    )


SETUP = """
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from media.models import PhotoSet
from newsroom.ground.models import Newsroom
user = get_user_model().objects.create_superuser("bench", "bench@example.com", "bench-password-1")
newsroom = Newsroom.objects.create(name="Bench", slug="bench")
photo_set = PhotoSet.objects.create(newsroom=newsroom, title="Uploads", slug="uploads")
session = SessionStore()
session["_auth_user_id"] = str(user.pk)
session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
session["_auth_user_hash"] = user.get_session_auth_hash()
session.create()
print(session.session_key, photo_set.pk)
"""

STORED = """
from media.models import Video
video = Video.objects.get()
print(video.file.path)
"""


class Memory(threading.Thread):
    """The worker's resident memory, read from /proc every 50 ms, and the peak of each
    process the worker starts (the probe of the finished upload runs in one)."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.samples, self.running = pid, [], True
        self.children = {}  # pid: highest resident MB seen

    def rss(self, pid=None, field="VmRSS:"):
        try:
            with open(f"/proc/{pid or self.pid}/status") as handle:
                for line in handle:
                    if line.startswith(field):
                        return int(line.split()[1]) / 1024
        except OSError:
            pass  # a child that has just ended
        return 0.0

    def run(self):
        while self.running:
            self.samples.append(self.rss())
            for child in Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split():
                peak = self.rss(child, field="VmHWM:")
                self.children[child] = max(self.children.get(child, 0.0), peak)
            time.sleep(0.05)


def worker_pid(master):
    for _ in range(100):
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("gunicorn started no worker")


class Client:
    def __init__(self, port, session):
        self.port, self.memory, self.last_piece_at = port, None, None
        self.csrf = secrets.token_hex(16)  # a 32-character secret, as the cookie holds it
        self.headers = {
            "Cookie": f"sessionid={session}; csrftoken={self.csrf}",
            "X-CSRFToken": self.csrf,
            "Tus-Resumable": "1.0.0",
        }

    def request(self, method, path, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        connection.request(method, path, headers={**self.headers, **(headers or {})})
        response = connection.getresponse()
        response.read()
        connection.close()
        return response

    def offset(self, location):
        return int(self.request("HEAD", location).getheader("Upload-Offset"))

    def patch(self, location, handle, offset, length, cut_after=None):
        """Send `length` bytes from `offset`; with `cut_after`, drop the connection after that
        many, as a press room's Wi-Fi does. Returns the answer, or None when cut off."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        connection.putrequest("PATCH", location)
        headers = {
            **self.headers,
            "Content-Type": "application/offset+octet-stream",
            "Content-Length": str(length),
            "Upload-Offset": str(offset),
            "Upload-Complete-Response": "json",
        }
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        handle.seek(offset)
        sent = 0
        limit = length if cut_after is None else cut_after
        while sent < limit:
            chunk = handle.read(min(1024 * 1024, limit - sent))
            connection.send(chunk)
            sent += len(chunk)
        if cut_after is not None:
            connection.sock.close()
            time.sleep(0.5)  # the server notices the connection is gone
            return None
        response = connection.getresponse()
        data = response.read()
        connection.close()
        return response.status, data


def upload(client, path, photo_set):
    size = path.stat().st_size
    created = client.request(
        "POST",
        f"/admin/media/photoset/{photo_set}/videos/uploads/",
        {"Upload-Length": str(size), "Upload-Metadata": "filename Y2FtZXJhLm1wNA=="},
    )
    assert created.status == 201, created.status
    location = created.getheader("Location")
    cuts = [size // 3, size * 2 // 3]
    cut_offs, answer = 0, None
    with open(path, "rb") as handle:
        offset = 0
        while offset < size:
            length = min(PIECE, size - offset)
            cut_here = cuts and offset <= cuts[0] < offset + length
            if cut_here:
                cuts.pop(0)
                client.patch(location, handle, offset, length, cut_after=length // 2)
                cut_offs += 1
                offset = client.offset(location)  # what arrived is kept: go on from there
                continue
            if offset + length == size:
                client.last_piece_at = len(client.memory.samples)  # the handover begins
            answer = client.patch(location, handle, offset, length)
            assert answer[0] in (200, 204), answer
            offset += length
    return cut_offs, json.loads(answer[1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gigabytes", type=float, default=4)
    parser.add_argument("--keep", type=Path, default=Path(tempfile.gettempdir()) / "bench-video")
    parser.add_argument("--port", type=int, default=8765)
    options = parser.parse_args()
    options.keep.mkdir(parents=True, exist_ok=True)
    source = options.keep / f"camera-{options.gigabytes:g}gb.mp4"
    if not source.exists():
        make_video(source, options.gigabytes)
    print(f"{source.name}: {source.stat().st_size / 1e9:.2f} GB; hashing it")
    expected = sha256(source)

    with tempfile.TemporaryDirectory(prefix="bench-upload-") as work:
        env = {
            **os.environ,
            "DEBUG": "1",
            "VAR_DIR": work,
            "DATABASE_URL": f"sqlite:///{work}/bench.sqlite3",
            "TASKS_BACKEND": "django.tasks.backends.dummy.DummyBackend",
        }
        manage(env, "migrate", "-v", "0")
        made = manage(env, "shell", "-c", SETUP, capture_output=True).stdout
        session, photo_set = made.strip().splitlines()[-1].split()
        server = subprocess.Popen(
            [
                str(Path(PYTHON).with_name("gunicorn")),
                "newsroom.wsgi",
                "--workers=1",
                f"--bind=127.0.0.1:{options.port}",
                "--timeout=600",
            ],
            cwd=ROOT,
            env=env,
            stderr=subprocess.DEVNULL,
        )
        try:
            client = Client(options.port, session)
            for _ in range(100):
                try:
                    client.request("GET", "/admin/login/")
                    break
                except OSError:
                    time.sleep(0.2)
            memory = Memory(worker_pid(server.pid))
            baseline = memory.rss()
            client.memory = memory
            memory.start()
            started = time.monotonic()
            cut_offs, answer = upload(client, source, photo_set)
            seconds = time.monotonic() - started
            memory.running = False
            memory.join()
            stored = manage(env, "shell", "-c", STORED, capture_output=True).stdout
            stored = stored.strip().splitlines()[-1]
            same = sha256(stored) == expected
        finally:
            server.terminate()
            server.wait()

    sending = memory.samples[: client.last_piece_at] or [baseline]
    growth = max(sending) - baseline
    handover = max(memory.samples) - baseline
    gigabytes = source.stat().st_size / 1e9
    print(f"the server's answer: {answer}")
    print()
    print("| | measured |")
    print("| --- | --- |")
    print(f"| file | {gigabytes:.2f} GB, lossless H.264 {WIDTH}×{HEIGHT} |")
    print(f"| connection dropped mid-piece | {cut_offs} times, resumed from the server's offset |")
    print(f"| time | {seconds:.0f} s ({gigabytes * 1000 / seconds:.0f} MB/s over loopback) |")
    print(f"| worker memory at the start | {baseline:.1f} MB |")
    print(f"| worker memory, highest while the bytes arrive | {max(sending):.1f} MB |")
    print(
        f"| worker memory, highest at the handover (probe, checksum, move) | "
        f"{max(memory.samples):.1f} MB |"
    )
    probe_peak = max(memory.children.values(), default=0.0)
    print(f"| the probe's own process, highest (ends with the probe) | {probe_peak:.1f} MB |")
    print(f"| stored file's SHA-256 equals the source's | {'yes' if same else 'NO'} |")
    print()
    verdict = "no byte lost" if same and answer.get("saved") else "BYTES LOST OR REFUSED"
    print(
        f"{gigabytes:.1f} GB upload cut off {cut_offs}×: worker memory growth {growth:.1f} MB "
        f"while it arrives (goal < {GOAL_MB} MB), {handover:.1f} MB with the handover "
        f"(the probe's own process {probe_peak:.0f} MB), {verdict}"
    )


if __name__ == "__main__":
    main()
