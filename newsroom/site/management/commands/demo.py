import threading
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from newsroom.site.demo import loader
from press.alerts.delivery import retry_alerts
from press.publishing import announce_due_releases

ADDRESS = "127.0.0.1:8000"


class Command(BaseCommand):
    help = (
        "Set up the demo newsrooms (migrate, load content and photos, create an editor) "
        f"and serve them on {ADDRESS}. Running it again keeps what exists."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="Do everything but start the server (for scripts and CI).",
        )

    def handle(self, *args, no_serve=False, verbosity=1, **options):
        call_command("migrate", interactive=False, verbosity=max(verbosity - 1, 0))
        self.stdout.write("Loading the demo newsrooms (the first run makes the photos)…")
        log = self.stdout.write if verbosity else (lambda message: None)
        username, passes, followers = loader.load(log=log)
        lines = [
            "\nDemo ready.",
            f"  Newsrooms:  http://{ADDRESS}/",
            f"  Admin:      http://{ADDRESS}/admin/",
            f"  Log in as:  {username} / {loader.EDITOR_PASSWORD}",
        ]
        lines += [
            f"  A journalist's preview pass for the embargoed release: "
            f"http://{ADDRESS}{preview_pass.link_path()}"
            for preview_pass in passes
        ]
        lines += [
            f"  Feeds:      http://{ADDRESS}/andreas-backman/releases/feed.rss (and .atom)",
            f"  API:        http://{ADDRESS}/api/ (described at /api/openapi.json)",
        ]
        lines += [
            f"  E-mail:     {follower.email} follows {follower.newsroom}; alerts and "
            "confirmations are printed here."
            for follower in followers
        ]
        self.stdout.write(self.style.SUCCESS("\n".join(lines) + "\n"))
        if not no_serve:
            # The go-live timer of a real site, here in the same process.
            threading.Thread(target=announce_forever, daemon=True).start()
            call_command("runserver", ADDRESS, use_reloader=False)


def announce_forever(every=30):
    """Do the going-live work (alerts) for releases whose embargo lifts while the demo runs."""
    while True:
        time.sleep(every)
        try:
            announce_due_releases()
            retry_alerts()
        finally:
            close_old_connections()
