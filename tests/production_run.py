"""The production topology end to end, over HTTP only.

Every part runs as its own process, as in production: PostgreSQL (already
running, `DATABASE_URL` names a database this run may empty), two app servers
under the recommended ASGI server with production settings, `db_worker`, the
`announce_releases` timer, an SMTP server (aiosmtpd, writing a Maildir) and S3
(moto's server). The run then does what people do, through HTTP alone:

1. the site's admin makes a newsroom and its publisher; the publisher logs in on one app
   server and keeps working on the other (shared sessions);
2. creates a newsroom and a photo set, uploads photos; the worker makes their files;
3. a journalist follows the newsroom and confirms from the e-mail the SMTP server got;
4. the editor schedules a release a few seconds ahead; it goes live at its second,
   and the timer's alert reaches the journalist's inbox, once;
5. the journalist downloads a photo (from the bucket) and the set's ZIP;
6. a page cached by one app server is served by the other, and an edit made
   through one replaces it on both at once.

    DATABASE_URL=postgres://… .venv/bin/python tests/production_run.py

It exits non-zero with the processes' logs when any step fails.
"""

import html.parser
import io
import mailbox
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import requests
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ZONE = ZoneInfo("Europe/Stockholm")
BUCKET = "newsroom-production-run"
PASSWORD = secrets.token_urlsafe(16)
STEP_TIMEOUT = 60  # seconds any one wait may take


class Failed(Exception):
    pass


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(what, check, timeout=STEP_TIMEOUT, every=0.25):
    """Call `check` until it returns something true, and return that."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(every)
    raise Failed(f"timed out waiting for {what}")


# The processes ----------------------------------------------------------------


class Topology:
    """Starts each part as its own process group and stops them all at the end."""

    def __init__(self, database_url):
        self.work = Path(tempfile.mkdtemp(prefix="newsroom-production-"))
        self.maildir = self.work / "mail"
        self.processes = {}
        self.s3_port, self.smtp_port = free_port(), free_port()
        self.app_ports = [free_port(), free_port()]
        self.env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": f"http://127.0.0.1:{self.app_ports[0]}",
            "DATABASE_URL": database_url,
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "VAR_DIR": str(self.work / "var"),
            "STATIC_ROOT": str(self.work / "static"),
            "S3_BUCKET": BUCKET,
            "S3_ENDPOINT_URL": f"http://127.0.0.1:{self.s3_port}",
            "S3_REGION": "us-east-1",
            "S3_ACCESS_KEY_ID": "production-run",
            "S3_SECRET_ACCESS_KEY": "production-run",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(self.smtp_port),
            "SMTP_TLS": "0",
            "DEFAULT_FROM_EMAIL": "news@example.com",
            # Plain HTTP on loopback: the HTTPS settings would redirect every request.
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "SECURE_HSTS_SECONDS": "0",
            "PYTHONUNBUFFERED": "1",
        }

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def start(self, name, *command):
        log = open(self.work / f"{name}.log", "wb")  # noqa: SIM115 (closed in stop())
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes[name] = (process, log)
        return process

    def manage(self, *arguments):
        result = subprocess.run(
            [BIN / "python", "manage.py", *arguments],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            raise Failed(f"manage.py {' '.join(arguments)}:\n{result.stdout}{result.stderr}")
        return result.stdout

    def check_running(self):
        for name, (process, _log) in self.processes.items():
            if process.poll() is not None:
                raise Failed(f"{name} exited with {process.returncode}")

    def stop(self):
        for process, _log in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process, log in self.processes.values():
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
            log.close()

    def logs(self):
        return "\n".join(
            f"== {path.name}\n{path.read_text(errors='replace')[-4000:]}"
            for path in sorted(self.work.glob("*.log"))
        )

    def app(self, index):
        return f"http://127.0.0.1:{self.app_ports[index]}"

    def up(self):
        self.start("s3", BIN / "moto_server", "-H", "127.0.0.1", "-p", str(self.s3_port))
        self.start(
            "smtp",
            BIN / "python",
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{self.smtp_port}",
            "-c",
            "aiosmtpd.handlers.Mailbox",
            str(self.maildir),
        )
        wait_for("S3", lambda: answers(f"http://127.0.0.1:{self.s3_port}/"))
        make_bucket(self.env)
        self.manage("migrate", "--noinput")
        self.manage("collectstatic", "--noinput")
        self.env["DJANGO_SUPERUSER_PASSWORD"] = PASSWORD
        self.manage(
            "createsuperuser", "--noinput", "--username", "admin", "--email", "admin@example.com"
        )
        self.manage("check")
        for index, port in enumerate(self.app_ports):
            self.start(
                f"app-{index + 1}",
                BIN / "uvicorn",
                "newsroom.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "1",
            )
        self.start("worker", BIN / "python", "manage.py", "db_worker", "--interval", "0.5")
        self.start("timer", BIN / "python", "manage.py", "announce_releases", "--every", "1")
        for index in range(2):
            wait_for(f"app server {index + 1}", lambda i=index: answers(self.app(i) + "/"))

    def mail(self):
        """The messages the SMTP server has received, oldest first."""
        if not self.maildir.exists():
            return []
        box = mailbox.Maildir(self.maildir, create=False)
        messages = list(box)
        return sorted(messages, key=lambda message: message["Date"] or "")


def answers(url):
    try:
        return requests.get(url, timeout=2).status_code < 500
    except requests.ConnectionError:
        return False


def make_bucket(env):
    import boto3  # only this run needs it

    boto3.client(
        "s3",
        endpoint_url=env["S3_ENDPOINT_URL"],
        region_name=env["S3_REGION"],
        aws_access_key_id=env["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=env["S3_SECRET_ACCESS_KEY"],
    ).create_bucket(Bucket=BUCKET)


def empty_database(database_url):
    """This run owns its database: start from nothing, as a fresh install does."""
    with psycopg.connect(database_url, autocommit=True) as db:
        db.execute("DROP SCHEMA public CASCADE")
        db.execute("CREATE SCHEMA public")


# Forms, as a browser sends them -------------------------------------------------


class FormReader(html.parser.HTMLParser):
    """The fields of the page's forms, with the values a browser would send untouched."""

    def __init__(self):
        super().__init__()
        self.fields, self.select, self.textarea, self.errors = {}, None, None, []
        self.first_option = False
        self.options, self.option = {}, None
        self.in_error = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.fields[name] = attrs.get("value", "on")
            elif kind not in {"submit", "button", "file", "image", "reset"}:
                self.fields[name] = attrs.get("value", "")
        elif tag == "select" and name:
            # A list sends nothing unless chosen; a drop-down sends its first option.
            self.select, self.first_option = name, "multiple" not in attrs
        elif tag == "option" and self.select:
            self.option = [attrs.get("value", ""), ""]
            self.options.setdefault(self.select, []).append(self.option)
            if "selected" in attrs or self.first_option:
                self.fields[self.select] = attrs.get("value", "")
                self.first_option = False
        elif tag == "textarea" and name:
            self.textarea = name
            self.fields[name] = ""
        elif "errorlist" in attrs.get("class", "") or "errornote" in attrs.get("class", ""):
            self.in_error = True

    def handle_endtag(self, tag):
        if tag == "option":
            self.option = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag in {"ul", "p"}:
            self.in_error = False

    def handle_data(self, data):
        if self.option is not None:
            self.option[1] += data
        if self.textarea:
            self.fields[self.textarea] += data
        if self.in_error and data.strip():
            self.errors.append(data.strip())


def read_form(page):
    reader = FormReader()
    reader.feed(page.text)
    return reader


def submit(session, url, changes, *, expect_redirect=True):
    """Open the form at `url`, change what is given, send it back as the browser would."""
    page = session.get(url, timeout=10)
    page.raise_for_status()
    fields = read_form(page).fields
    fields.pop("_addanother", None)
    fields.pop("_continue", None)
    fields.update(changes)
    answer = session.post(url, data=fields, timeout=20, allow_redirects=False)
    if expect_redirect and answer.status_code != 302:
        problems = read_form(answer).errors or [answer.text[:2000]]
        raise Failed(f"POST {url} answered {answer.status_code}: {problems}")
    return answer


# The run ------------------------------------------------------------------------------


def camera_photo(number):
    image = Image.new("RGB", (2400, 1600), (40 * number, 90, 160))
    for x in range(0, 2400, 40):
        image.paste((200, 30 * number % 255, x % 255), (x, 0, x + 20, 1600))
    data = io.BytesIO()
    image.save(data, "JPEG", quality=90)
    return data.getvalue()


def log_in(session, base, username):
    page = session.get(f"{base}/admin/login/", timeout=10)
    token = read_form(page).fields["csrfmiddlewaretoken"]
    answer = session.post(
        f"{base}/admin/login/",
        data={
            "csrfmiddlewaretoken": token,
            "username": username,
            "password": PASSWORD,
            "next": "/admin/",
        },
        timeout=10,
        allow_redirects=False,
    )
    if answer.status_code != 302:
        raise Failed(f"login answered {answer.status_code}")


def new_id(session, base, changelist, title):
    """The primary key of the row just added, read from the admin's changelist."""
    page = session.get(f"{base}{changelist}?q={title}", timeout=10)
    match = re.search(rf'href="{re.escape(changelist)}(\d+)/change/', page.text)
    if not match:
        raise Failed(f"no {title!r} in {changelist}")
    return match.group(1)


def csrf(session, base, url):
    return read_form(session.get(f"{base}{url}", timeout=10)).fields["csrfmiddlewaretoken"]


def run(top):
    one, two = top.app(0), top.app(1)
    site_admin = requests.Session()
    log_in(site_admin, one, "admin")
    answer = submit(
        site_admin,
        f"{one}/admin/auth/user/add/",
        {
            "username": "editor",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    user = re.search(r"/admin/auth/user/(\d+)/change/", answer.headers["Location"]).group(1)
    # What members may do at all is a group `migrate` made; their role decides the rest.
    user_url = f"{one}/admin/auth/user/{user}/change/"
    choices = read_form(site_admin.get(user_url, timeout=10)).options["groups"]
    group = next(value for value, label in choices if label == "Newsroom members")
    submit(site_admin, user_url, {"is_staff": "on", "groups": group})
    submit(
        site_admin,
        f"{one}/admin/newsroom/newsroom/add/",
        {
            "name": "Production Run Racing",
            "slug": "production-run",
            "memberships-TOTAL_FORMS": "1",
            "memberships-0-user": user,
            "memberships-0-role": "publisher",
        },
    )
    newsroom = new_id(site_admin, one, "/admin/newsroom/newsroom/", "Production")
    print("ok: the site's admin made a newsroom with a publisher")

    editor = requests.Session()
    log_in(editor, one, "editor")
    # Sessions live in the shared database: the other app server knows the editor.
    if editor.get(f"{two}/admin/", timeout=10, allow_redirects=False).status_code != 200:
        raise Failed("the second app server does not know the session made by the first")
    print("ok: the publisher's login holds on both app servers")
    submit(
        editor,
        f"{one}/admin/media/photoset/add/",
        {
            "newsroom": newsroom,
            "title": "Hockenheim podium",
            "slug": "hockenheim-podium",
            "visibility": "release",
        },
    )
    photo_set = new_id(editor, one, "/admin/media/photoset/", "Hockenheim")

    upload_url = f"/admin/media/photoset/{photo_set}/upload/"
    files = [("files", (f"podium-{n}.jpg", camera_photo(n), "image/jpeg")) for n in (1, 2)]
    files.append(("files", ("broken.jpg", b"\xff\xd8\xff not a photo", "image/jpeg")))
    answer = editor.post(
        f"{one}{upload_url}",
        data={"csrfmiddlewaretoken": csrf(editor, one, upload_url)},
        files=files,
        headers={"Accept": "application/json"},
        timeout=60,
    )
    results = answer.json()["results"]
    saved = [result for result in results if result["saved"]]
    if len(saved) != 2 or results[2]["saved"]:
        raise Failed(f"upload results: {results}")
    photos = [(result["photo"]["id"], result["photo"]["thumbnail"]) for result in saved]
    print("ok: two photos saved, the broken one refused by name:", results[2]["message"])

    # The worker process makes the files: the thumbnail turns from a placeholder into a JPEG.
    for _pk, thumbnail in photos:
        wait_for(
            "the worker's renditions",
            lambda url=thumbnail: (
                editor.get(f"{one}{url}", timeout=10)
                .headers.get("Content-Type", "")
                .startswith("image/jpeg")
            ),
        )
        top.check_running()
    print("ok: the worker made the renditions")

    journalist = requests.Session()
    follow_url = "/en/production-run/alerts/"
    answer = journalist.post(
        f"{two}{follow_url}",
        data={
            "csrfmiddlewaretoken": csrf(journalist, two, follow_url),
            "email": "reporter@example.org",
            "tag": "",
        },
        timeout=10,
        allow_redirects=False,
    )
    if answer.status_code != 302:
        raise Failed(f"follow answered {answer.status_code}")
    confirmation = wait_for("the confirmation e-mail", lambda: top.mail())[0]
    link = re.search(
        r"http://127\.0\.0\.1:\d+(/en/alerts/confirm/[^/\s]+/)", text_of(confirmation)
    )
    if link is None:
        raise Failed("no confirmation link in the e-mail")
    answer = journalist.post(
        f"{one}{link.group(1)}",
        data={"csrfmiddlewaretoken": csrf(journalist, one, link.group(1))},
        timeout=10,
        allow_redirects=False,
    )
    if answer.status_code != 302:
        raise Failed(f"confirming answered {answer.status_code}")
    print("ok: the journalist follows the newsroom, confirmed from the e-mail")

    goes_live = (datetime.now(ZONE) + timedelta(seconds=15)).replace(microsecond=0)
    submit(
        editor,
        f"{one}/admin/press/pressrelease/add/",
        {
            "newsroom": newsroom,
            "title": "Podium at the Hockenheimring",
            "slug": "podium-hockenheim",
            "lead": "Third place in the twelve-hour race after a night of rain.",
            "body": "<p>The car ran without a fault for twelve hours.</p>",
            "hero_photo": str(photos[0][0]),
            "photo_sets": photo_set,
            "status": "published",
            "publish_at_0": goes_live.strftime("%Y-%m-%d"),
            "publish_at_1": goes_live.strftime("%H:%M:%S"),
        },
    )
    release_url = "/en/production-run/releases/podium-hockenheim/"
    for base in (one, two):
        if requests.get(f"{base}{release_url}", timeout=10).status_code != 404:
            raise Failed("the release is public before its time")
    wait_for("the go-live", lambda: time.time() >= goes_live.timestamp(), every=0.05)
    live = wait_for(
        "the release page at its second",
        lambda: requests.get(f"{two}{release_url}", timeout=10).status_code == 200 and time.time(),
        timeout=5,
        every=0.1,
    )
    print(f"ok: the release went live {live - goes_live.timestamp():.1f} s after its time")

    alert = wait_for(
        "the alert e-mail",
        lambda: [m for m in top.mail() if "Podium" in (m["Subject"] or "")],
    )
    time.sleep(3)  # a second announcement would arrive by now
    alerts = [m for m in top.mail() if "Podium" in (m["Subject"] or "")]
    if len(alerts) != 1 or alerts[0]["To"] != "reporter@example.org":
        raise Failed(f"alerts received: {[(m['To'], m['Subject']) for m in alerts]}")
    print("ok: one alert reached the follower:", alert[0]["Subject"])

    download_photo(top, journalist, one, photos[0][0])
    download_zip(journalist, two, photo_set)
    shared_page_cache(top, editor, journalist, one, two)


def text_of(message):
    parts = message.walk() if message.is_multipart() else [message]
    return "\n".join(
        part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
        for part in parts
        if part.get_content_type() == "text/plain"
    )


def download_photo(top, journalist, base, pk):
    page = journalist.get(f"{base}/production-run/photos/hockenheim-podium/{pk}/", timeout=10)
    match = re.search(r'href="(/files/photos/\d+/[^/]+/original/\?download)"', page.text)
    if match is None:
        raise Failed("no original download on the photo page")
    answer = journalist.get(
        f"{base}{match.group(1)}".replace("&amp;", "&"), timeout=30, allow_redirects=False
    )
    bucket = top.env["S3_ENDPOINT_URL"]
    if answer.status_code != 302 or not answer.headers["Location"].startswith(bucket):
        raise Failed(f"the original is not handed to the bucket: {answer.status_code}")
    file = requests.get(answer.headers["Location"], timeout=30)
    image = Image.open(io.BytesIO(file.content))
    if file.status_code != 200 or image.size != (2400, 1600):
        raise Failed(f"the bucket answered {file.status_code} with {image.size}")
    disposition = file.headers.get("Content-Disposition", "")
    if "attachment" not in disposition or ".jpg" not in disposition:
        raise Failed(f"the bucket's file has no download name: {disposition!r}")
    print(f"ok: the original came from the bucket ({len(file.content)} bytes, {disposition})")


def download_zip(journalist, base, photo_set):
    answer = journalist.get(f"{base}/files/sets/{photo_set}/web.zip", timeout=60)
    if answer.status_code != 200:
        raise Failed(f"the ZIP answered {answer.status_code}")
    if int(answer.headers["Content-Length"]) != len(answer.content):
        raise Failed("the ZIP's length is not what it said")
    names = zipfile.ZipFile(io.BytesIO(answer.content)).namelist()
    if sum(name.endswith(".jpg") for name in names) != 2 or "CREDITS.txt" not in names:
        raise Failed(f"the ZIP holds {names}")
    print(f"ok: the set's ZIP holds {len(names)} files, {len(answer.content)} bytes")


def shared_page_cache(top, editor, journalist, one, two):
    list_url = "/en/production-run/releases/"
    first = requests.get(f"{one}{list_url}", timeout=10)
    with psycopg.connect(top.env["DATABASE_URL"]) as db:
        kept = db.execute("SELECT count(*) FROM newsroom_cache").fetchone()[0]
        second = requests.get(f"{two}{list_url}", timeout=10)
        after = db.execute("SELECT count(*) FROM newsroom_cache").fetchone()[0]
    if first.content != second.content or after != kept:
        raise Failed("the second app server did not serve the first one's cached page")
    change = editor.get(f"{two}/admin/press/pressrelease/?q=Podium", timeout=10)
    pk = re.search(r'href="/admin/press/pressrelease/(\d+)/change/', change.text).group(1)
    submit(
        editor,
        f"{two}/admin/press/pressrelease/{pk}/change/",
        {"title": "Podium at the Hockenheimring in the rain", "correction": ""},
    )
    renewed = requests.get(f"{one}{list_url}", timeout=10)
    if "in the rain" not in renewed.text:
        raise Failed("an edit through one app server left the other's cached page in place")
    print("ok: the page cache is shared, and an edit on one server renews it on both")


def main():
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        sys.exit("DATABASE_URL must name a PostgreSQL database this run may empty.")
    empty_database(database_url)
    started = time.monotonic()
    with Topology(database_url) as top:
        try:
            top.up()
            run(top)
        except Exception as problem:
            top.stop()
            print(top.logs(), file=sys.stderr)
            print(f"FAILED: {problem!r}", file=sys.stderr)
            shutil.rmtree(top.work, ignore_errors=True)
            sys.exit(1)
    shutil.rmtree(top.work, ignore_errors=True)
    print(f"production run passed in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
