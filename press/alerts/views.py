"""The pages of e-mail alerts: follow a newsroom, confirm, unsubscribe.

They answer alike whether or not an address already follows, are never
cached (they show an address), and are kept out of search engines.
"""

import math

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language, pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from newsroom.ground.http import client_ip
from newsroom.ground.models import Newsroom
from press.alerts import delivery as alerts
from press.alerts.models import Follower
from press.forms import FollowForm
from press.models import PressRelease


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def follow(request, newsroom):
    newsroom = get_object_or_404(Newsroom, slug=newsroom).in_language(get_language())
    live = PressRelease.objects.live().filter(newsroom=newsroom)
    tags = newsroom.tags.used_by(live).order_by("name")
    if request.method == "POST" and (wait := alerts.signup_wait(client_ip(request))):
        response = render(
            request,
            "press/follow_limited.html",
            {"newsroom": newsroom, "minutes": math.ceil(wait / 60), "section": "follow"},
            status=429,
        )
        response["Retry-After"] = str(wait)
        return response
    languages = newsroom.languages
    if request.method == "POST":
        form = FollowForm(request.POST, tags=tags, languages=languages)
        if form.is_valid():
            alerts.request_follow(
                newsroom,
                form.cleaned_data["email"],
                form.chosen_tag(),
                languages=form.chosen_languages(),
                later_versions=form.cleaned_data.get("later_versions", False),
            )
            return redirect(reverse("alerts:follow", args=[newsroom.slug]) + "?asked=1")
    else:
        form = FollowForm(tags=tags, languages=languages, initial_tag=request.GET.get("tag", ""))
    context = {
        "newsroom": newsroom,
        "form": form,
        "asked": request.GET.get("asked") == "1",
        "section": "follow",
    }
    return render(request, "press/follow.html", context)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm_follow(request, key):
    """The link in the confirmation e-mail: a button confirms (link checkers only look)."""
    follower = get_object_or_404(Follower.objects.select_related("newsroom", "tag"), key=key)
    topics = alerts.topics_to_confirm(follower)
    pending = bool(topics)
    expired = pending and alerts.confirmation_expired(follower)
    if request.method == "POST" and pending and not expired:
        alerts.confirm(follower)
        return redirect(follower.get_confirm_url())
    context = {
        "newsroom": follower.newsroom.in_language(get_language()),
        "follower": follower,
        "pending": pending,
        "topics": topics,
        "topic_list": topic_list(topics),
        "expired": expired,
    }
    return render(request, "press/follow_confirm.html", context, status=410 if expired else 200)


def topic_list(topics):
    """“<strong>A</strong>, <strong>B</strong> and <strong>C</strong>”: the topics to confirm,
    as one piece for the sentence that asks (a translator places it where it goes)."""
    if not topics:
        return ""
    *first, last = topics
    last = format_html("<strong>{}</strong>", last)
    if not first:
        return last
    return format_html(
        "{} {} {}",
        format_html_join(", ", "<strong>{}</strong>", ((topic,) for topic in first)),
        pgettext("the last of a list", "and"),
        last,
    )


# Mail programs post here without a page or a CSRF token (RFC 8058 one-click);
# the unguessable key in the address is the authorisation.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, key):
    follower = Follower.objects.select_related("newsroom", "tag").filter(key=key).first()
    if request.method == "POST":
        if follower is not None:
            alerts.unsubscribe(follower)
        # Unsubscribing twice is not an error: either way nothing more is sent.
        context = {"newsroom": follower.newsroom if follower else None, "follower": follower}
        return render(request, "press/unsubscribed.html", context)
    if follower is None:
        raise Http404("This unsubscribe link is not valid, or was used already.")
    context = {"newsroom": follower.newsroom.in_language(get_language()), "follower": follower}
    return render(request, "press/unsubscribe.html", context)
