from django.urls import path

from newsroom.ground.languages import in_every_language
from newsroom.ground.pagecache import public_page
from press import feeds, views

app_name = "press"


def feed(feed_class):
    # Cached like pages; readers that poll get a 304 from the ETag.
    return public_page(feeds.feed_view(feed_class))


pages = [
    path("feed.rss", feed(feeds.ReleaseFeed), name="site-rss"),
    path("feed.atom", feed(feeds.SiteAtomFeed), name="site-atom"),
    path("<slug:newsroom>/releases/feed.rss", feed(feeds.NewsroomFeed), name="rss"),
    path("<slug:newsroom>/releases/feed.atom", feed(feeds.NewsroomAtomFeed), name="atom"),
    path("<slug:newsroom>/tags/<slug:tag>/feed.rss", feed(feeds.TagFeed), name="tag-rss"),
    path("<slug:newsroom>/tags/<slug:tag>/feed.atom", feed(feeds.TagAtomFeed), name="tag-atom"),
    path("<slug:newsroom>/kinds/<str:kind>/feed.rss", feed(feeds.KindFeed), name="kind-rss"),
    path("<slug:newsroom>/kinds/<str:kind>/feed.atom", feed(feeds.KindAtomFeed), name="kind-atom"),
    path("<slug:newsroom>/events/", views.event_list, name="event-list"),
    path("<slug:newsroom>/events.ics", views.event_calendar, name="event-calendar"),
    path("<slug:newsroom>/events/<slug:slug>/", views.event_detail, name="event-detail"),
    path("<slug:newsroom>/releases/", views.release_list, name="release-list"),
    path("<slug:newsroom>/releases/<slug:slug>/", views.release_detail, name="release-detail"),
    path("<slug:newsroom>/releases/<slug:slug>.txt", views.release_as_text, name="release-text"),
    path(
        "<slug:newsroom>/releases/<slug:slug>.md",
        views.release_as_text,
        {"markdown": True},
        name="release-markdown",
    ),
]

# Every one of them a page in each language.
urlpatterns = [in_every_language(pages)]
