"""E-mail alerts: journalists follow a newsroom, or one of its tags, and get each new release.

Following takes two steps (double opt-in): the address asks, then confirms
with the link e-mailed to it, so nobody can sign up someone else. Pages never
tell whether an address already follows. An address gets at most one
confirmation e-mail per interval, whatever it asks for: the link confirms
every topic the address has asked for when its button is pressed (the page
lists them), so a journalist who follows a newsroom and three of its tags in
a row gets one e-mail and confirms all four. Each client address may send
the form only so often, so nobody can sign up a list of strangers either.

When a story goes live, a background task e-mails every confirmed follower
once, in the first language they read that the story is live in, else in its
original; a version in their language that comes out later follows only if
they asked for it. Each (story, address) pair is claimed with a row before its
e-mail is sent, under a unique constraint: a task that runs twice, or two
workers at once, cannot send anything twice. An address the mail server
refuses is recorded and skipped, and the rest still get theirs; after
repeated refusals it is suspended until it confirms again. A passing problem
(the server is down) leaves the e-mail to the go-live timer, which tries
again every minute for a while. A worker killed in the middle of an e-mail
never sends it twice: at most once is the promise.
"""

import hashlib
import logging
import math
import smtplib
import time
from datetime import timedelta
from email.utils import quote

from django.conf import settings
from django.core.cache import cache
from django.core.mail import mailers
from django.db import IntegrityError, transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from newsroom.ground.http import absolute_url, site_host
from newsroom.ground.languages import speaking
from press.alerts.models import AlertDelivery, Follower
from press.mail import Email, one_line, sender
from press.models import PressRelease
from press.parts import PUBLIC, release_parts

logger = logging.getLogger(__name__)

# A confirmation link works this long; asking again sends a fresh one.
CONFIRMATION_VALID = timedelta(days=7)
# However often the form is sent, for whatever newsrooms and tags, an address
# gets one confirmation e-mail per this time, and this many a day.
CONFIRMATION_INTERVAL = timedelta(minutes=10)
CONFIRMATIONS_PER_DAY = 5
# Sign-ups one client (one network address) may send per hour: a reader follows
# a newsroom and a few tags; a press room shares an address.
SIGNUPS_PER_CLIENT = 10
SIGNUP_WINDOW = 3600  # seconds
DAY = 24 * 3600
# Refused deliveries in a row before an address is suspended.
SUSPEND_AFTER = 3
# A passing problem (mail server down): tries per e-mail, and for how long.
MAX_ATTEMPTS = 5
RETRY_FOR = timedelta(days=1)


def normalise(email):
    local, _at, domain = email.strip().rpartition("@")
    return f"{local}@{domain.lower()}"


# Following ----------------------------------------------------------------------


def request_follow(newsroom, email, tag=None, *, languages="", later_versions=False):
    """Ask to follow; e-mails a confirmation link unless one is not needed or was just sent.

    The languages asked for are kept until the address confirms; a confirmed
    follower's are not changed by a form anyone can send.
    """
    email = normalise(email)
    wishes = {"languages": languages, "later_versions": later_versions}
    try:
        with transaction.atomic():
            follower, _created = Follower.objects.get_or_create(
                newsroom=newsroom, tag=tag, email=email, defaults=wishes
            )
    except IntegrityError:  # the same form sent twice at once
        follower = Follower.objects.get(newsroom=newsroom, tag=tag, email=email)
    if follower.confirmed_at and not follower.suspended_at:
        return  # already following: nothing to confirm, nothing to say
    Follower.objects.filter(pk=follower.pk).update(**wishes)
    now = timezone.now()
    with transaction.atomic():
        # The address's rows, locked: of two requests at once, the second sees the first's.
        rows = Follower.objects.select_for_update().filter(email=email)
        sent = max(filter(None, rows.values_list("confirmation_sent_at", flat=True)), default=None)
        if sent and now - sent < CONFIRMATION_INTERVAL:
            return  # the link on its way confirms this topic too
        if not confirmation_allowed_today(email):
            logger.warning("Confirmation to %s held back: the day's are sent", email)
            return  # nobody may use the form to flood an inbox
        rows.pending().update(confirmation_sent_at=now)
    # In the language of the page that asked: a worker has no page to take it from.
    send_confirmation.enqueue(follower.pk, translation.get_language())


def confirmation_allowed_today(email):
    """Note one confirmation e-mail to the address; False if it had its share in the last
    24 hours. Called with the address's rows locked, so two requests take turns."""
    now = timezone.now().timestamp()
    key = f"alerts:confirmations:{hashlib.sha256(email.encode()).hexdigest()[:32]}"
    sent = [moment for moment in cache.get(key, []) if moment > now - DAY]
    if len(sent) >= CONFIRMATIONS_PER_DAY:
        return False
    cache.set(key, [*sent, now], timeout=DAY)
    return True


def signup_wait(client):
    """Count one sign-up from this client address: 0 if it may go on, else seconds to wait."""
    now = time.time()
    window = int(now // SIGNUP_WINDOW)
    if count_in_cache(f"alerts:signups:{client}:{window}", SIGNUP_WINDOW) <= SIGNUPS_PER_CLIENT:
        return 0
    return math.ceil((window + 1) * SIGNUP_WINDOW - now)


def count_in_cache(key, timeout):
    """Add one to a counter in the shared cache, seen by every process; the new count."""
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.add(key, 1, timeout=timeout)
        return 1


def confirmation_expired(follower):
    sent = follower.confirmation_sent_at
    return sent is None or timezone.now() - sent > CONFIRMATION_VALID


def topics_to_confirm(follower):
    """What the follower's address asked for and has not confirmed, the follower's own first."""
    pending = Follower.objects.pending().filter(email=follower.email)
    topics = [row.topic for row in pending.select_related("newsroom", "tag")]
    return sorted(topics, key=lambda topic: topic != follower.topic)


def confirm(follower):
    """Confirm every topic the address asked for: the page with the button listed them."""
    Follower.objects.pending().filter(email=follower.email).update(
        confirmed_at=timezone.now(), suspended_at=None, failures=0
    )


def unsubscribe(follower):
    """Forget the address for this newsroom or tag; past deliveries stay in the log."""
    follower.delete()


@task()
def send_confirmation(follower_pk, language=None):
    """One e-mail with the link that confirms everything the follower's address asked for,
    in `language` (the sign-up page's), its link too."""
    with speaking(language or settings.LANGUAGE_CODE):
        confirmation(follower_pk)


def confirmation(follower_pk):
    follower = Follower.objects.select_related("newsroom", "tag").filter(pk=follower_pk).first()
    topics = topics_to_confirm(follower) if follower else []
    if not topics:
        return
    context = {
        "follower": follower,
        "topics": topics,
        "newsroom": follower.newsroom,
        "confirm_url": absolute_url(follower.get_confirm_url()),
        "valid_days": CONFIRMATION_VALID.days,
        "site_url": settings.SITE_URL,
    }
    message = Email(
        subject=one_line(confirmation_subject(topics)),
        body=render_to_string("press/email/confirm.txt", context),
        from_email=sender(follower.newsroom),
        to=[follower.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.send()


def confirmation_subject(topics):
    """“Confirm: e-mail alerts from Team and 2 more”: the first topic, and how many others."""
    if len(topics) == 1:
        return _("Confirm: e-mail alerts from %(topic)s") % {"topic": topics[0]}
    more = len(topics) - 1
    return ngettext(
        # Translators: the topic is a newsroom or a tag; the count is of the other topics.
        "Confirm: e-mail alerts from %(topic)s and %(count)d more",
        "Confirm: e-mail alerts from %(topic)s and %(count)d more",
        more,
    ) % {"topic": topics[0], "count": more}


# Sending -------------------------------------------------------------------------


def reply_to(contacts):
    """The first press contact with an address: replies reach a person, not the site."""
    return [person.email for person in contacts if person.email][:1]


def alert_message(release, parts, follower):
    """The e-mail one follower gets: text and HTML, with a one-click unsubscribe,
    in the language of the version it carries, its links too."""
    with speaking(release.language):  # the e-mail's links in its language too
        return message_in_active_language(release, parts, follower)


def message_in_active_language(release, parts, follower):
    newsroom = parts.newsroom  # its boilerplate ("About …") in the e-mail's language
    unsubscribe_url = absolute_url(follower.get_unsubscribe_url())
    context = {
        "release": release,
        "parts": parts,
        "newsroom": newsroom,
        "follower": follower,
        "release_url": absolute_url(release.get_absolute_url()),
        "unsubscribe_url": unsubscribe_url,
        "follow_url": absolute_url(reverse("newsroom:home", args=[newsroom.slug])),
        "site_url": settings.SITE_URL,
    }
    list_id = f"{newsroom.slug}.alerts.{site_host()}"
    message = Email(
        subject=one_line(f"{newsroom.name}: {parts.headline}"),
        body=render_to_string("press/email/alert.txt", context),
        from_email=sender(newsroom),
        to=[follower.email],
        reply_to=reply_to(parts.contacts),
        headers={
            # RFC 2369 and RFC 8058: mail programs show an Unsubscribe button
            # that posts to the link, with no page to visit.
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": f'"{quote(one_line(newsroom.name))}" <{list_id}>',
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(render_to_string("press/email/alert.html", context), "text/html")
    return message


def claim(version, follower, *, follow_up=False):
    """The delivery row for this address and story, or None if another run has it already."""
    try:
        with transaction.atomic():
            return AlertDelivery.objects.create(
                story=version.story,
                release=version,
                email=follower.email,
                follower=follower,
                follow_up=follow_up,
            )
    except IntegrityError:
        return None


def live_versions(story):
    """The story's live versions by language, the original's language first."""
    versions = {story.language: story}
    translations = story.translations.live().select_related("newsroom", "original")
    for version in translations.order_by("language"):
        versions.setdefault(version.language, version)
    return versions


def version_for(follower, versions, original):
    """The live version in the first language the follower reads, else the original."""
    for language in follower.language_list:
        if language in versions:
            return versions[language]
    return original


def wants_follow_up(follower, version):
    """A version that came out after the follower's e-mail, in a language they read better."""
    if not follower.later_versions or version.language not in follower.language_list:
        return False
    sent = AlertDelivery.objects.filter(story=version.story, email=follower.email)
    sent_language = sent.values_list("release__language", flat=True).first()
    ranking = follower.language_list
    return sent_language not in ranking or ranking.index(version.language) < ranking.index(
        sent_language
    )


def refused_for_good(error):
    """Whether the mail server refused the address itself (5xx), not just for now."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500 and not isinstance(error, smtplib.SMTPSenderRefused)
    return False


def delivered(delivery):
    AlertDelivery.objects.filter(pk=delivery.pk).update(
        state=AlertDelivery.State.SENT, sent_at=timezone.now(), error=""
    )
    Follower.objects.filter(pk=delivery.follower_id).update(failures=0)


def refused(delivery, error):
    """The address does not take mail: record it, and suspend it after repeated refusals."""
    AlertDelivery.objects.filter(pk=delivery.pk).update(
        state=AlertDelivery.State.FAILED, error=describe(error)
    )
    follower = Follower.objects.filter(pk=delivery.follower_id).first()
    if follower is None:
        return
    changes = {"failures": follower.failures + 1}
    if follower.failures + 1 >= SUSPEND_AFTER:
        changes["suspended_at"] = timezone.now()
    Follower.objects.filter(pk=follower.pk).update(**changes)


def postponed(delivery, error):
    """Not the address's fault (server down, try later): the next run tries again."""
    attempts = delivery.attempts + 1
    state = AlertDelivery.State.RETRY if attempts < MAX_ATTEMPTS else AlertDelivery.State.FAILED
    AlertDelivery.objects.filter(pk=delivery.pk).update(
        state=state, attempts=attempts, error=describe(error)
    )


def describe(error):
    return (str(error) or type(error).__name__)[:500]


def recipients(release):
    """One follower per address, confirmed before the story went live.

    Following the newsroom and a tag still means one e-mail; an address that
    confirms later starts with the next story.
    """
    chosen = {}
    story = release.story
    followers = Follower.objects.for_release(story).filter(
        confirmed_at__lte=story.announced_at or release.announced_at or timezone.now()
    )
    for follower in followers.select_related("newsroom", "tag").order_by("email", "tag_id"):
        chosen.setdefault(follower.email, follower)
    return list(chosen.values())


def live_release(release_pk):
    return (
        PressRelease.objects.live()
        .select_related("newsroom", "hero_photo__photo_set", "original__newsroom")
        .filter(pk=release_pk)
        .first()
    )


def deliver(release, pairs):
    """Send each (follower, delivery) its e-mail over one connection; returns (sent, failed)."""
    # Read once for all followers: each part is queried with the first e-mail.
    parts = release_parts(release, PUBLIC)
    sent = failed = 0
    connection = mailers.default
    try:
        for follower, delivery in pairs:
            try:
                connection.open()
                connection.send_messages([alert_message(release, parts, follower)])
            except Exception as error:
                logger.warning("Alert %s to %s failed: %s", release.pk, follower.email, error)
                if refused_for_good(error):
                    refused(delivery, error)
                else:
                    postponed(delivery, error)
                failed += 1
                connection.close()  # a broken connection is opened afresh for the next
                continue
            delivered(delivery)
            sent += 1
    finally:
        connection.close()
    return sent, failed


@task()
def send_release_alerts(release_pk):
    """E-mail a story that went live to its followers, each in the language they read;
    returns (sent, failed) for this run.

    Run for every version that goes live: the first run for a story sends each
    address the best version live then, and later runs send only the follow-ups
    an address asked for.
    """
    release = live_release(release_pk)
    if release is None:
        return (0, 0)  # withdrawn, or back under embargo, since it went live
    story = release.story
    versions = live_versions(story)
    by_version = {}
    for follower in recipients(release):
        version = version_for(follower, versions, story)
        delivery = claim(version, follower)
        if delivery is None and wants_follow_up(follower, release):
            version, delivery = release, claim(release, follower, follow_up=True)
        if delivery is not None:
            by_version.setdefault(version, []).append((follower, delivery))
    sent = failed = 0
    for version, pairs in by_version.items():
        counts = deliver(version, pairs)
        sent, failed = sent + counts[0], failed + counts[1]
    if by_version:
        logger.info("Release %s: %d alerts sent, %d failed", release.pk, sent, failed)
    return (sent, failed)


def retry_alerts():
    """Send again what a passing problem held back (run by the go-live timer)."""
    since = timezone.now() - RETRY_FOR
    waiting = AlertDelivery.objects.filter(
        state=AlertDelivery.State.RETRY, created_at__gte=since, follower__isnull=False
    )
    sent = failed = 0
    for release_pk in waiting.values_list("release", flat=True).distinct():
        release = live_release(release_pk)
        pairs = []
        for delivery in waiting.filter(release=release_pk).select_related("follower__newsroom"):
            # Claimed like the first time: of two timers, one sends.
            claimed = AlertDelivery.objects.filter(
                pk=delivery.pk, state=AlertDelivery.State.RETRY, attempts=delivery.attempts
            ).update(state=AlertDelivery.State.SENDING)
            if claimed and release is not None:
                pairs.append((delivery.follower, delivery))
            elif claimed:  # withdrawn meanwhile
                postponed(delivery, RuntimeError("The release is no longer public."))
        if pairs:
            counts = deliver(release, pairs)
            sent, failed = sent + counts[0], failed + counts[1]
    return sent, failed


def on_release_went_live(sender, release, **kwargs):
    # After the commit that marks the release announced: the task reads it as live.
    transaction.on_commit(lambda: send_release_alerts.enqueue(release.pk))
