"""Every saved state of a release, what changed between two, and going back to one.

A snapshot holds what editors write and choose: the text, the photos,
documents, events, contacts and tags it links, its quotes and its results.
Publishing (status and time) is not part of it: restoring an old text never
publishes, schedules or withdraws anything.
"""

import difflib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from newsroom.ground.models import Person
from press import search
from press.models import (
    Event,
    PressRelease,
    Quote,
    Result,
    Revision,
    decided_by,
    sync_release_times,
)

# What a revision does not keep, by field name: where the row belongs, who
# wrote it, and publishing (restoring never publishes, schedules or withdraws).
# Every other field editors can change is kept, so a new field is in history
# from the day it is added; what is derived (search text, timestamps) is not
# editable and is left out by that alone.
NOT_KEPT = {
    PressRelease: {"newsroom", "author", "status", "publish_at"},
    Quote: {"release"},
    Result: {"release"},
}


def kept_fields(model):
    """The fields of `model` a revision keeps, in the model's order."""
    return [
        field
        for field in model._meta.get_fields()
        if (field.concrete or field.many_to_many)
        and field.editable
        and not field.primary_key
        and field.name not in NOT_KEPT[model]
    ]


def parts_of(model):
    """(plain fields, links to one row, links to many) that a revision keeps."""
    fields = kept_fields(model)
    return (
        [field for field in fields if not field.is_relation],
        [field for field in fields if field.many_to_one],
        [field for field in fields if field.many_to_many],
    )


TEXT_FIELDS, LINK_FIELDS, MANY_FIELDS = ([f.name for f in part] for part in parts_of(PressRelease))
QUOTE_FIELDS = [field.attname for field in kept_fields(Quote)]
RESULT_FIELDS = [field.attname for field in kept_fields(Result)]


def snapshot(release):
    """The release's content as plain data, for storing in a revision."""
    data = {name: getattr(release, name) for name in TEXT_FIELDS}
    for name in LINK_FIELDS:
        data[name] = getattr(release, PressRelease._meta.get_field(name).attname)
    for name in MANY_FIELDS:
        data[name] = sorted(getattr(release, name).values_list("pk", flat=True))
    data["quotes"] = [
        {name: getattr(quote, name) for name in QUOTE_FIELDS} for quote in release.quotes.all()
    ]
    data["results"] = [
        {name: getattr(result, name) for name in RESULT_FIELDS} for result in release.results.all()
    ]
    return data


# What a translation translates: a change to any of these (or a public
# correction) marks the release's translations out of date.
TRANSLATED = ["title", "lead", "body", "hero_caption", "quotes"]


def record(release, author=None, note=""):
    """Keep the release's current state as its next revision (nothing when nothing changed).

    Also keeps the translation status: the revision that last changed the
    release's text, and for a translation, the original's text it was saved against.
    """
    state = snapshot(release)
    last = release.revisions.order_by("-number").first()
    changed = changed_names(last.snapshot if last else {}, state)
    revision = last
    if last is None or changed or note:
        revision = Revision.objects.create(
            release=release,
            number=(last.number + 1) if last else 1,
            author=author,
            snapshot=state,
            changed=changed,
            note=note,
        )
    status = {}
    if revision is not last and (note or set(TRANSLATED) & set(changed)):
        status["text_revision"] = release.text_revision = revision.number
    if release.original_id:
        status["translated_from"] = release.translated_from = release.original.text_revision
    if status:
        PressRelease.objects.filter(pk=release.pk).update(**status)
    return revision


def original_changes(translation):
    """What changed in the original's text since the translation was last saved, as
    (label, diff) rows; none when it is up to date."""
    if not translation.is_out_of_date():
        return []
    revisions = translation.original.revisions
    seen = revisions.filter(number=translation.translated_from).first()
    latest = revisions.order_by("-number").first()
    return differences(translated(seen.snapshot if seen else {}), translated(latest.snapshot))


def translated(state):
    return {name: state[name] for name in TRANSLATED if name in state}


def changed_names(before, after):
    return [name for name in after if before.get(name) != after[name]]


def label(name):
    if name in ("quotes", "results"):
        return {"quotes": _("quotes"), "results": _("results")}[name]
    return PressRelease._meta.get_field(name).verbose_name


def differences(before, after):
    """(label, what it was, what it became) for every part that changed, as HTML."""
    rows = []
    for name in changed_names(before, after):
        old, new = as_lines(before.get(name)), as_lines(after.get(name))
        rows.append((label(name), line_diff(old, new)))
    return rows


def as_lines(value):
    if value is None:
        return []
    if isinstance(value, list):
        return [str(item) for item in value]
    return str(value).replace("><", ">\n<").splitlines()


def line_diff(old, new):
    """Lines removed and added, marked, for the admin's diff view."""
    lines = []
    for line in difflib.ndiff(old, new):
        marker, text = line[:1], line[2:]
        if marker == "?":
            continue
        css = {"-": "removed", "+": "added"}.get(marker, "same")
        lines.append((css, marker if marker != " " else "", text))
    return format_html(
        '<pre class="diff">{}</pre>',
        format_html_join("\n", '<span class="{}">{} {}</span>', lines),
    )


@transaction.atomic
def restore(revision, author=None):
    """Put the release's content back as it was in `revision`; keep that as a new revision.

    Raises ValidationError, restoring nothing, when the old content no longer
    fits (its slug is taken now, a quoted person or an event was deleted).
    """
    release = PressRelease.objects.select_for_update().get(pk=revision.release_id)
    data = revision.snapshot
    # A field added since the revision was kept is not in it: it stays as it is.
    for name in TEXT_FIELDS:
        if name in data:
            setattr(release, name, data[name])
    # Photos and documents may have been deleted since: restore what still exists.
    for name in LINK_FIELDS:
        if name in data:
            model = PressRelease._meta.get_field(name).related_model
            setattr(release, name, model.objects.filter(pk=data[name]).first())
    quotes = [Quote(release=release, **quote) for quote in data["quotes"]]
    results = [Result(release=release, **result) for result in data["results"]]
    check_restorable(revision, release, quotes, results)
    release.save()
    for name in MANY_FIELDS:
        if name in data:
            related = getattr(release, name)
            related.set(related.model.objects.filter(pk__in=data[name]))
    release.quotes.all().delete()
    Quote.objects.bulk_create(quotes)
    release.results.all().delete()
    Result.objects.bulk_create(results)
    # bulk_create sends no signals: refresh what is derived from quotes and results.
    search.refresh_later(release.pk)
    sync_release_times(decided_by([release.pk]))  # its results came back without signals
    note = _("Restored from revision %(number)s.") % {"number": revision.number}
    return record(release, author, note=str(note))


def check_restorable(revision, release, quotes, results):
    """Every rule the old content must keep now, checked before anything changes."""
    intro = _("Revision %(number)s cannot come back as it was.") % {"number": revision.number}
    speaker_ids = {quote.speaker_id for quote in quotes}
    event_ids = {result.event_id for result in results}
    newsroom = release.newsroom_id
    missing = []
    if Person.objects.filter(newsroom=newsroom, pk__in=speaker_ids).count() < len(speaker_ids):
        missing.append(_("A person it quotes has been deleted since."))
    if Event.objects.filter(newsroom=newsroom, pk__in=event_ids).count() < len(event_ids):
        missing.append(_("An event of its results has been deleted since."))
    if missing:
        raise ValidationError([intro, *missing])
    problems = []
    for obj in [release, *quotes, *results]:
        try:
            obj.full_clean(exclude=None if obj is release else ["release"])
        except ValidationError as error:
            problems.extend(error.messages)
    if problems:
        raise ValidationError([intro, *dict.fromkeys(problems)])
