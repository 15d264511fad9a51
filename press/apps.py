from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PressConfig(AppConfig):
    name = "press"
    verbose_name = _("Press releases")

    def ready(self):
        from newsroom.ground import pagecache
        from newsroom.ground.models import Person
        from press import signals  # noqa: F401
        from press.models import (
            Correction,
            Event,
            PressRelease,
            Quote,
            Result,
            Revision,
            SitemapMonth,
            Tag,
            names_in_live_release,
            names_in_published_release,
            next_go_live,
        )

        Person.shown_by.append(names_in_published_release)
        Person.public_by.append(names_in_live_release)
        for model in (PressRelease, Tag, Event):
            pagecache.watch(model)
        for model in (Quote, Result, Correction):
            pagecache.watch(model, newsroom="release__newsroom")
        pagecache.not_shown(Revision)  # history is for editors
        # Derived from releases, whose changes renew the pages; its own refresh renews the
        # sitemap index again (press.sitemaps), and its catch-up stores what is already true.
        pagecache.not_shown(SitemapMonth)
        pagecache.next_go_live(next_go_live)
