"""The insider matrix: every admin address × every kind of insider × every state of what it shows.

The leak matrix proves outsiders see nothing unpublished. This one asks what
people *with* an admin login can reach: an editor and a publisher of the
newsroom, an editor and a publisher of another newsroom, and a staff member
who belongs to no newsroom. Each admin address, built from the admin site's
own URL patterns, is tried by each of them on rows in each state (a draft, a
scheduled or live release, a private, embargoed or public set…), and the
answer must be the one the rules give:

- Rows of a newsroom one does not belong to do not exist: 404, never listed,
  never offered as a choice, never named.
- Members read every row of their newsroom. What is out (public, or due to be
  with a scheduled release) is changed, hidden or deleted only by publishers,
  and only publishers make anything public, whichever page it goes through.
- Logins, passes and follower lists have rules of their own, stated below.

A new admin page or model is covered without anyone remembering to add it:
`test_every_admin_address_is_in_the_matrix` fails for an address the matrix
does not know how to try, and `test_every_admin_model_has_rows_in_the_matrix`
for a model without rows to try it on.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, resolve, reverse
from django.utils import timezone

from media.models import Document, Photo, PhotoSet, Visibility
from newsroom.ground.models import (
    EditorSession,
    Membership,
    Newsroom,
    NewsroomLanguage,
    Person,
    Role,
)
from press import history
from press.alerts.models import AlertDelivery, Follower
from press.models import Event, PressRelease, Status, Tag
from press.passes.models import PreviewPass
from tests.factories import (
    admin_form_data,
    jpeg_bytes,
    make_event,
    make_newsroom,
    make_person,
    make_photo,
    make_photo_set,
    make_quote,
    make_release,
    make_result,
    make_video,
    our_permissions,
)
from tests.files import make_fact_sheet

MARK = "OURS-5K"  # in every name of the newsroom's rows: outsiders must never see it

EDITOR, PUBLISHER = "editor here", "publisher here"
EDITOR_ELSEWHERE, PUBLISHER_ELSEWHERE = "editor elsewhere", "publisher elsewhere"
STAFF_ONLY = "staff in no newsroom"
USERS = [EDITOR, PUBLISHER, EDITOR_ELSEWHERE, PUBLISHER_ELSEWHERE, STAFF_ONLY]
MEMBERS = {EDITOR, PUBLISHER}
OUTSIDERS = {EDITOR_ELSEWHERE, PUBLISHER_ELSEWHERE, STAFF_ONLY}

# Admins of the site owner's business (logins, lockouts, the task queue):
# members of newsrooms get no permission for them.
SITE_OWNERS_MODELS = {"auth.user", "auth.group", "django_tasks_database.dbtaskresult"}
SITE_OWNERS_APPS = {"axes"}


# The rows ------------------------------------------------------------------------------


@dataclass
class Row:
    """One row of the newsroom to try the admin on, and whether it is out."""

    state: str
    obj: object
    out: bool
    # A release that issued preview passes keeps them (and their log): it is
    # withdrawn, never deleted.
    keeps_passes: bool = False


def build_rows(newsroom):
    """One of everything the admin edits, in every state that changes who may touch it."""
    now = timezone.now()
    rows = {}

    def release(state, **fields):
        return make_release(newsroom, title=f"Release {state} {MARK}", **fields)

    releases = {
        "draft": release("draft", status=Status.DRAFT),
        "review": release("review", status=Status.REVIEW),
        "scheduled": release("scheduled", publish_at=now + timedelta(days=2)),
        "live": release("live"),
        "withdrawn": release("withdrawn"),
    }
    releases["withdrawn"].status = Status.WITHDRAWN
    releases["withdrawn"].save()
    rows["press.pressrelease"] = [
        Row(state, obj, state in ("scheduled", "live", "withdrawn"), state == "scheduled")
        for state, obj in releases.items()
    ]
    for obj in releases.values():
        history.record(obj)

    def photo_set(state, visibility, release=None):
        created = make_photo_set(
            newsroom, title=f"Set {state} {MARK}", slug=f"set-{state}", visibility=visibility
        )
        if release is not None:
            release.photo_sets.add(created)
        make_photo(created, title=f"Photo {state} {MARK}", renditions=False)
        make_video(created, title=f"Video {state} {MARK}", files=False)
        created.refresh_from_db()
        return created

    sets = [
        ("private", photo_set("private", Visibility.PRIVATE), False),
        ("with release, none yet", photo_set("unreleased", Visibility.WITH_RELEASE), False),
        (
            "with a scheduled release",
            photo_set("scheduled", Visibility.WITH_RELEASE, releases["scheduled"]),
            True,
        ),
        (
            "with a live release",
            photo_set("live", Visibility.WITH_RELEASE, releases["live"]),
            True,
        ),
        (
            "with a withdrawn release",
            photo_set("withdrawn", Visibility.WITH_RELEASE, releases["withdrawn"]),
            False,
        ),
        ("public", photo_set("public", Visibility.PUBLIC), True),
    ]
    rows["media.photoset"] = [Row(state, obj, out) for state, obj, out in sets]
    rows["media.photo"] = [Row(state, obj.photos.get(), out) for state, obj, out in sets]
    rows["media.video"] = [Row(state, obj.videos.get(), out) for state, obj, out in sets]

    def document(state, visibility, release=None):
        created = Document.objects.create(
            newsroom=newsroom,
            title=f"Document {state} {MARK}",
            file=ContentFile(make_fact_sheet("Facts", ["One line"]), name="facts.pdf"),
            visibility=visibility,
        )
        if release is not None:
            release.documents.add(created)
        created.refresh_from_db()
        return created

    rows["media.document"] = [
        Row("private", document("private", Visibility.PRIVATE), False),
        Row("with release, none yet", document("unreleased", Visibility.WITH_RELEASE), False),
        Row(
            "with a live release",
            document("live", Visibility.WITH_RELEASE, releases["live"]),
            True,
        ),
        Row("public", document("public", Visibility.PUBLIC), True),
    ]

    def event(state, visibility, release=None):
        created = make_event(
            newsroom, name=f"Event {state} {MARK}", slug=f"event-{state}", visibility=visibility
        )
        if release is not None:
            make_result(release, created, session="Race 1")
        created.refresh_from_db()
        return created

    rows["press.event"] = [
        Row("with release, none yet", event("unreleased", Visibility.WITH_RELEASE), False),
        Row(
            "results in a draft",
            event("draft", Visibility.WITH_RELEASE, releases["draft"]),
            False,
        ),
        Row(
            "results in a live release",
            event("live", Visibility.WITH_RELEASE, releases["live"]),
            True,
        ),
        Row("public", event("public", Visibility.PUBLIC), True),
    ]

    def person(state, **fields):
        return make_person(newsroom, name=f"Person {state} {MARK}", **fields)

    quoted_in_draft, quoted_live = person("quoted in a draft"), person("quoted live")
    make_quote(releases["draft"], quoted_in_draft, f"Words {MARK}")
    make_quote(releases["live"], quoted_live, f"Words {MARK}")
    rows["newsroom.person"] = [
        Row("plain", person("plain"), False),
        Row("quoted in a draft", quoted_in_draft, False),
        Row("quoted in a live release", quoted_live, True),
        Row(
            "press contact",
            person("contact", is_press_contact=True, email="press@ours.example"),
            True,
        ),
    ]

    def tag(state, release=None):
        created = Tag.objects.create(newsroom=newsroom, name=f"Tag {state} {MARK}", slug=state)
        if release is not None:
            release.tags.add(created)
        return created

    rows["press.tag"] = [
        Row("unused", tag("unused"), False),
        Row("on a draft", tag("draft", releases["draft"]), False),
        Row("on a live release", tag("live", releases["live"]), True),
    ]
    rows["newsroom.newsroom"] = [Row("its settings", newsroom, False)]
    rows["passes.previewpass"] = [
        Row(
            "for a scheduled release",
            PreviewPass.objects.create(
                release=releases["scheduled"], name=f"Kim {MARK}", email="kim@news.example"
            ),
            False,
        )
    ]
    follower = Follower.objects.create(newsroom=newsroom, email="ours-5k@news.example")
    rows["alerts.follower"] = [Row("confirmed", follower, False)]
    rows["alerts.alertdelivery"] = [
        Row(
            "sent",
            AlertDelivery.objects.create(
                story=releases["live"],
                release=releases["live"],
                email="ours-5k@news.example",
                follower=follower,
            ),
            False,
        )
    ]
    return rows


def staff_user(name):
    user = get_user_model().objects.create_user(name.replace(" ", "-"), is_staff=True)
    user.user_permissions.set(our_permissions())
    return user


@pytest.fixture
def world(db):
    """Our newsroom with one of everything; another newsroom with its own people."""
    ours = make_newsroom(name=f"Newsroom {MARK}", slug="ours")
    theirs = make_newsroom(name="Their newsroom", slug="theirs")
    make_release(theirs, title="Their release")
    users = {name: staff_user(name) for name in USERS}
    for name, newsroom, role in [
        (EDITOR, ours, Role.EDITOR),
        (PUBLISHER, ours, Role.PUBLISHER),
        (EDITOR_ELSEWHERE, theirs, Role.EDITOR),
        (PUBLISHER_ELSEWHERE, theirs, Role.PUBLISHER),
    ]:
        Membership.objects.create(newsroom=newsroom, user=users[name], role=role)
    rows = build_rows(ours)
    rows["newsroom.editorsession"] = [
        Row(
            "the editor's own",
            EditorSession.objects.create(
                user=users[EDITOR],
                session_key="ours-session",
                device=f"Browser {MARK}",
                expires_at=timezone.now() + timedelta(days=1),
            ),
            False,
        )
    ]
    rows["auth.user"] = [Row("a user", users[EDITOR], False)]
    rows["auth.group"] = [Row("a group", Group.objects.create(name=f"Group {MARK}"), False)]
    clients = {}
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)
    return {"newsroom": ours, "rows": rows, "clients": clients, "users": users}


# The admin's addresses ------------------------------------------------------------------


def admin_patterns(patterns=None, prefix=""):
    """(route, name) of every address the admin site answers."""
    for pattern in admin.site.get_urls() if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from admin_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.name


def model_admins():
    return {
        model._meta.label_lower: model_admin for model, model_admin in admin.site._registry.items()
    }


def is_site_owners(label):
    return label in SITE_OWNERS_MODELS or label.split(".")[0] in SITE_OWNERS_APPS


# Each kind of address and how the matrix tries it. Object views of every model
# are named <app>_<model>_<view>; the rest are listed by name.
OBJECT_VIEWS = ["change", "delete", "history"]
MODEL_VIEWS = ["changelist", "add"]
CUSTOM_VIEWS = {
    "press_pressrelease_revision": "revision",
    "press_pressrelease_translate": "translate",
    "media_photoset_upload": "upload",
    "media_photoset_bulk_edit": "bulk edit",
    "media_photoset_videos": "video upload",
    "media_photoset_video_uploads": "video upload",
    "media_photoset_video_upload": "video upload",
    "auth_user_password_change": "site owner's",
}
SITE_VIEWS = {
    "index",
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "autocomplete",
    "jsi18n",
    "view_on_site",
    "app_list",
}


def kind_of(route, name):
    if name in SITE_VIEWS:
        return name
    if name in CUSTOM_VIEWS:
        return CUSTOM_VIEWS[name]
    if name is None and route.endswith("<path:object_id>/"):
        return "old change address"  # Django redirects it to .../change/
    if name is None and route.endswith("(?P<url>.*)$"):
        return "catch-all"
    for label in model_admins():
        prefix = label.replace(".", "_") + "_"
        if name and name.startswith(prefix) and name[len(prefix) :] in OBJECT_VIEWS + MODEL_VIEWS:
            return name[len(prefix) :]
    return None


def test_every_admin_address_is_in_the_matrix():
    unknown = [(route, name) for route, name in admin_patterns() if kind_of(route, name) is None]
    assert not unknown, f"Add these admin addresses to the insider matrix: {unknown}"


def test_every_admin_model_has_rows_in_the_matrix(world):
    missing = set(model_admins()) - set(world["rows"]) - SITE_OWNERS_MODELS
    missing = {label for label in missing if not is_site_owners(label)}
    assert not missing, f"Give the insider matrix rows of: {sorted(missing)}"


# The rules -------------------------------------------------------------------------------

OK, REDIRECT, FORBIDDEN, NOT_FOUND = 200, 302, 403, 404


def scoped_rule(user, action, row):
    """Rows that belong to a newsroom: members read them; what is out is the publishers'."""
    if user in OUTSIDERS:
        return NOT_FOUND
    if action in ("view", "history", "view on site"):
        return OK
    if row.out and user == EDITOR:
        return FORBIDDEN
    if row.keeps_passes and action == "delete":
        return FORBIDDEN
    return {"change": REDIRECT, "delete page": OK, "delete": REDIRECT}[action]


def newsroom_rule(user, action, row):
    """A newsroom's settings are its publishers'; adding or deleting one is the site owner's."""
    if action in ("delete page", "delete"):
        return FORBIDDEN  # for every newsroom alike: it says nothing of this one
    if user in OUTSIDERS:
        return NOT_FOUND
    if action in ("view", "history", "view on site"):
        return OK
    return REDIRECT if user == PUBLISHER else FORBIDDEN


def pass_rule(user, action, row):
    """Passes are for the publishers of the release's newsroom only, and never deleted."""
    if action in ("delete page", "delete"):
        return FORBIDDEN  # revoked instead, so the log stays; alike for every pass
    if user == PUBLISHER:
        return REDIRECT if action == "change" else OK
    if user == PUBLISHER_ELSEWHERE:
        return NOT_FOUND
    # Not a publisher anywhere: refused before any pass is looked up, or not found.
    return (FORBIDDEN, NOT_FOUND)


def read_only_rule(user, action, row):
    """Rows the site writes itself (followers, alert e-mails): members read and delete them."""
    if user in OUTSIDERS:
        return NOT_FOUND
    if action == "change":
        return FORBIDDEN
    return REDIRECT if action == "delete" else OK


def own_session_rule(user, action, row):
    """Everyone sees their own login sessions; ending them is an action, not an edit."""
    if action in ("delete page", "delete"):
        return FORBIDDEN  # for every session alike
    if user != EDITOR:
        return NOT_FOUND
    return OK if action in ("view", "history") else FORBIDDEN


def site_owner_rule(user, action, row):
    return FORBIDDEN


RULES = {
    "newsroom.newsroom": newsroom_rule,
    "passes.previewpass": pass_rule,
    "alerts.follower": read_only_rule,
    "alerts.alertdelivery": read_only_rule,
    "newsroom.editorsession": own_session_rule,
    "auth.user": site_owner_rule,
    "auth.group": site_owner_rule,
}


def rule_for(label):
    return RULES.get(label, scoped_rule)


# Trying ------------------------------------------------------------------------------------


class Undo(Exception):
    def __init__(self, answer):
        self.answer = answer


def undone(call, *args, **kwargs):
    """Make a request whose changes are rolled back afterwards: every cell starts alike."""
    try:
        with transaction.atomic():
            raise Undo(call(*args, **kwargs))
    except Undo as undo:
        return undo.answer


def change_data(world, label, row):
    """What the change form posts when nothing is changed, as the row's publisher sees it."""
    app, model = label.split(".")
    publisher = world["clients"][PUBLISHER]
    page = publisher.get(reverse(f"admin:{app}_{model}_change", args=[row.obj.pk]))
    if page.status_code != 200 or "adminform" not in (page.context or {}):
        return {}
    return admin_form_data(page)


def still_there(row):
    return type(row.obj)._default_manager.filter(pk=row.obj.pk).exists()


def matrix_cells():
    labels = sorted(model_admins())
    return [label for label in labels if not is_site_owners(label) or label in RULES]


@pytest.mark.parametrize("label", matrix_cells())
def test_object_pages(world, label):
    """Change page, saving it unchanged, delete page, deleting, history: for every user and row."""
    app, model = label.split(".")
    rule = rule_for(label)
    tried = 0
    for row in world["rows"][label]:
        data = change_data(world, label, row)
        for user in USERS:
            client = world["clients"][user]
            urls = {
                action: reverse(f"admin:{app}_{model}_{view}", args=[row.obj.pk])
                for action, view in [
                    ("view", "change"),
                    ("change", "change"),
                    ("delete page", "delete"),
                    ("delete", "delete"),
                    ("history", "history"),
                ]
            }
            answers = {
                "view": client.get(urls["view"]),
                "change": undone(client.post, urls["change"], data),
                "delete page": client.get(urls["delete page"]),
                "delete": undone(post_delete_and_check, client, urls["delete"], row),
                "history": client.get(urls["history"]),
            }
            for action, response in answers.items():
                expected = rule(user, action, row)
                expected = expected if isinstance(expected, tuple) else (expected,)
                if REDIRECT in expected and response.status_code == OK and action == "delete":
                    # Protected by rows that need it (a quoted person): Django says so.
                    assert "would require deleting" in response.content.decode() or (
                        "protected" in response.content.decode()
                    ), (label, row.state, user, action)
                else:
                    assert response.status_code in expected, (
                        label,
                        row.state,
                        user,
                        action,
                        response.status_code,
                        errors_of(response),
                    )
                if user in OUTSIDERS:
                    assert MARK not in page_text(response), (label, row.state, user, action)
                tried += 1
            assert still_there(row), (label, row.state, user)
    assert tried == 5 * len(USERS) * len(world["rows"][label])


def post_delete_and_check(client, url, row):
    response = client.post(url, {"post": "yes"})
    response.gone = not still_there(row)
    if response.status_code == REDIRECT:
        assert response.gone, ("answered as deleted but still there", url)
    else:
        assert not response.gone, ("deleted without permission", url, response.status_code)
    return response


def errors_of(response):
    context = getattr(response, "context", None) or {}
    if "adminform" in context:
        form = context["adminform"].form
        inline_errors = [
            formset.formset.errors for formset in context.get("inline_admin_formsets", [])
        ]
        return form.errors, inline_errors
    return ""


def page_text(response):
    if response.status_code in (REDIRECT, 304) or response.streaming:
        return response.get("Location", "")
    return response.content.decode(errors="replace")


def test_lists_and_add_forms_name_nothing_of_ours_to_outsiders(world):
    for label in sorted(model_admins()):
        lists_and_add_forms(world, label)


def lists_and_add_forms(world, label):
    app, model = label.split(".")
    # (A search for "OURS" is echoed in the page; the whole mark never should be.)
    queries = ["", "?q=OURS", "?_popup=1&_to_field=id", "?o=1", "?all="]
    for user in USERS:
        client = world["clients"][user]
        for query in queries:
            response = client.get(reverse(f"admin:{app}_{model}_changelist") + query)
            expected = (
                FORBIDDEN
                if is_site_owners(label)
                or (
                    label == "passes.previewpass"
                    and user != PUBLISHER
                    and user != PUBLISHER_ELSEWHERE
                )
                else OK
            )
            assert response.status_code in (expected, REDIRECT), (label, user, query)
            if user in OUTSIDERS:
                assert MARK not in page_text(response), (label, user, query)
        add = client.get(reverse(f"admin:{app}_{model}_add"))
        if user in OUTSIDERS:
            assert MARK not in page_text(add), (label, user)
        else:
            assert add.status_code in (OK, FORBIDDEN), (label, user)


def test_the_view_on_site_shortcut_keeps_to_each_admin(world):
    """/admin/r/<type>/<id>/ leads members to their rows' pages, and nobody else anywhere."""
    tried = 0
    for label, rows in world["rows"].items():
        model_admin = model_admins().get(label)
        content_type = ContentType.objects.get_for_model(type(rows[0].obj))
        for row in rows:
            url = reverse("admin:view_on_site", args=[content_type.pk, row.obj.pk])
            has_page = hasattr(row.obj, "get_absolute_url") and model_admin.view_on_site
            for user in USERS:
                response = world["clients"][user].get(url)
                may_see = rule_for(label)(user, "view", row) == OK
                if may_see and has_page:
                    assert response.status_code == REDIRECT, (label, row.state, user)
                    assert response["Location"] == row.obj.get_absolute_url()
                else:
                    assert response.status_code == NOT_FOUND, (label, row.state, user)
                tried += 1
    for junk in ["abc", "99999999999999999999999", "9" * 5000, "-1", "1.5"]:
        response = world["clients"][EDITOR].get(f"/admin/r/{junk}/{junk}/")
        assert response.status_code == NOT_FOUND, junk
    # A NUL byte is refused before any view (newsroom.ground.middleware).
    assert world["clients"][EDITOR].get("/admin/r/%00/%00/").status_code == 400
    assert tried > 150


def test_a_preview_pass_link_is_never_an_address_the_admin_hands_out(world):
    """The pass link is a secret: no "view on site", and never in another newsroom's admin."""
    preview_pass = world["rows"]["passes.previewpass"][0].obj
    assert not hasattr(preview_pass, "get_absolute_url")
    change = reverse("admin:passes_previewpass_change", args=[preview_pass.pk])
    for user in USERS:
        client = world["clients"][user]
        assert (preview_pass.token in page_text(client.get(change))) is (user == PUBLISHER)
        for url in [reverse("admin:passes_previewpass_changelist"), reverse("admin:index")]:
            assert preview_pass.token not in page_text(client.get(url)), (user, url)


def autocomplete_fields():
    """(app, model, field) of every autocomplete field of every admin and inline."""
    found = []
    for model, model_admin in admin.site._registry.items():
        admins = [model_admin, *(inline(model, admin.site) for inline in model_admin.inlines)]
        for each in admins:
            for field in each.autocomplete_fields:
                opts = each.model._meta
                found.append((opts.app_label, opts.model_name, field))
    return sorted(set(found))


def test_autocomplete_offers_members_only_their_newsrooms_rows(world):
    assert len(autocomplete_fields()) >= 10
    for app, model, field in autocomplete_fields():
        for user in USERS:
            response = world["clients"][user].get(
                reverse("admin:autocomplete"),
                {"app_label": app, "model_name": model, "field_name": field, "term": ""},
            )
            assert response.status_code in (OK, FORBIDDEN), (app, model, field, user)
            if user in OUTSIDERS:
                assert MARK not in response.content.decode(), (app, model, field, user)
            term = world["clients"][user].get(
                reverse("admin:autocomplete"),
                {"app_label": app, "model_name": model, "field_name": field, "term": "OURS"},
            )
            if user in OUTSIDERS:
                assert MARK not in term.content.decode(), (app, model, field, user)


def choice_fields(form):
    for name, field in form.base_fields.items():
        queryset = getattr(field, "queryset", None)
        if queryset is not None:
            yield name, queryset


def test_every_choice_in_every_admin_form_comes_from_the_users_newsrooms(world, rf):
    """Model admins and their inlines alike: no form offers another newsroom's rows."""
    ours = world["newsroom"]
    checked = 0
    for user in OUTSIDERS | MEMBERS:
        request = rf.get("/admin/")
        request.user = world["users"][user]
        request.resolver_match = resolve(reverse("admin:index"))
        for model, model_admin in admin.site._registry.items():
            if is_site_owners(model._meta.label_lower):
                continue
            forms = [model_admin.get_form(request, None)]
            for inline in model_admin.get_inline_instances(request, None):
                forms.append(inline.get_formset(request, None).form)
            for form in forms:
                for name, queryset in choice_fields(form):
                    labels = " ".join(str(item) for item in queryset)
                    if user in OUTSIDERS:
                        assert MARK not in labels, (model, form, name, user)
                    related = queryset.model
                    if any(f.name == "newsroom" for f in related._meta.fields):
                        outside = queryset.exclude(
                            newsroom__in=Newsroom.objects.editable_by(request.user)
                        )
                        assert not outside.exists(), (model, name, user)
                    checked += 1
    assert ours and checked > 40


# The admin's own pages beyond models -----------------------------------------------------


def test_custom_views_follow_the_same_rules(world):
    """Revisions (going back), uploads and bulk edits: the rules of the rows they change."""
    tried = 0
    for row in world["rows"]["press.pressrelease"]:
        revision = row.obj.revisions.order_by("-number").first()
        url = reverse("admin:press_pressrelease_revision", args=[row.obj.pk, revision.pk])
        for user in USERS:
            client = world["clients"][user]
            page, restore = client.get(url), undone(client.post, url)
            assert page.status_code == (NOT_FOUND if user in OUTSIDERS else OK), (row, user)
            expected = scoped_rule(user, "change", row)
            assert restore.status_code == expected, (row.state, user, restore.status_code)
            tried += 2
    # Translating makes a new draft: every member may, whatever the original's state.
    for row in world["rows"]["press.pressrelease"]:
        NewsroomLanguage.objects.get_or_create(newsroom=row.obj.newsroom, language="sv")
        url = reverse("admin:press_pressrelease_translate", args=[row.obj.pk])
        for user in USERS:
            client = world["clients"][user]
            page, made = client.get(url), undone(client.post, url, {"language": "sv"})
            expected = NOT_FOUND if user in OUTSIDERS else REDIRECT
            assert page.status_code == (NOT_FOUND if user in OUTSIDERS else OK), (row, user)
            assert made.status_code == expected, (row.state, user, made.status_code)
            assert not row.obj.translations.exists()
            tried += 2
    for row in world["rows"]["media.photoset"]:
        upload = reverse("admin:media_photoset_upload", args=[row.obj.pk])
        bulk = reverse("admin:media_photoset_bulk_edit", args=[row.obj.pk])
        photo = row.obj.photos.get()
        for user in USERS:
            client = world["clients"][user]
            expected = scoped_rule(user, "change", row)
            before = Photo.objects.filter(photo_set=row.obj).count()
            page = client.get(upload)
            new_file = SimpleUploadedFile("new.jpg", jpeg_bytes(colour=(1, 2, 3)))
            sent = undone(client.post, upload, {"files": [new_file]})
            edited = undone(client.post, bulk, {"photos": [photo.pk], "credit": "Mine"})
            assert page.status_code == (expected if expected != REDIRECT else OK), (row, user)
            assert sent.status_code == expected, (row.state, user, sent.status_code)
            assert edited.status_code == expected, (row.state, user, edited.status_code)
            assert Photo.objects.filter(photo_set=row.obj).count() == before
            photo.refresh_from_db()
            assert photo.credit != "Mine"
            tried += 3
        # Videos come in through their set's resumable uploads: the same rule.
        videos_page = reverse("admin:media_photoset_videos", args=[row.obj.pk])
        uploads = reverse("admin:media_photoset_video_uploads", args=[row.obj.pk])
        for user in USERS:
            client = world["clients"][user]
            expected = scoped_rule(user, "change", row)
            page = client.get(videos_page)
            created = client.post(uploads, HTTP_TUS_RESUMABLE="1.0.0", HTTP_UPLOAD_LENGTH="10")
            assert page.status_code == (expected if expected != REDIRECT else OK), (row, user)
            assert created.status_code == (201 if expected == REDIRECT else expected), (
                row.state,
                user,
                created.status_code,
            )
            if created.status_code == 201:
                # Someone else's upload is nobody's business: not found for anyone else.
                for other in USERS:
                    if other != user:
                        looked = world["clients"][other].head(
                            created["Location"], HTTP_TUS_RESUMABLE="1.0.0"
                        )
                        assert looked.status_code in (FORBIDDEN, NOT_FOUND), (user, other)
            tried += 2
    assert tried == 2 * 5 * len(USERS) * 2 + 5 * 6 * len(USERS)


def test_site_pages_show_nothing_of_ours_to_outsiders(world):
    for user in USERS:
        client = world["clients"][user]
        for url in [
            reverse("admin:index"),
            reverse("admin:app_list", args=["press"]),
            reverse("admin:app_list", args=["media"]),
            reverse("admin:app_list", args=["newsroom"]),
            reverse("admin:password_change"),
            reverse("admin:jsi18n"),
        ]:
            response = client.get(url)
            assert response.status_code == OK, (url, user)
            if user in OUTSIDERS:
                assert MARK not in page_text(response), (url, user)
        assert client.get("/admin/no-such-page/").status_code in (NOT_FOUND, REDIRECT)
        assert client.get(reverse("admin:auth_user_password_change", args=[1])).status_code in (
            FORBIDDEN,
            NOT_FOUND,
        )


def test_bulk_actions_on_the_lists_follow_the_same_rules(world):
    """Deleting from a list, and revoking passes, touch only what the user may touch."""
    for label in ["press.pressrelease", "media.photoset", "media.photo", "press.event"]:
        app, model = label.split(".")
        rows = world["rows"][label]
        url = reverse(f"admin:{app}_{model}_changelist")
        for user in USERS:
            data = {
                "action": "delete_selected",
                "_selected_action": [row.obj.pk for row in rows],
                "post": "yes",
            }
            kept = undone(surviving, world["clients"][user], url, data, rows)
            for row, survived in zip(rows, kept, strict=True):
                may_delete = scoped_rule(user, "delete", row) == REDIRECT
                if not may_delete:
                    assert survived, (label, row.state, user)
    preview_pass = world["rows"]["passes.previewpass"][0].obj
    for user in USERS:
        data = {"action": "revoke", "_selected_action": [preview_pass.pk]}
        revoked = undone(revoking, world["clients"][user], data, preview_pass)
        assert revoked is (user == PUBLISHER), user


def revoking(client, data, preview_pass):
    client.post(reverse("admin:passes_previewpass_changelist"), data)
    return PreviewPass.objects.get(pk=preview_pass.pk).revoked_at is not None


def surviving(client, url, data, rows):
    assert client.post(url, data).status_code in (OK, REDIRECT, FORBIDDEN)
    return [still_there(row) for row in rows]


def test_what_is_out_is_what_the_models_say(world):
    """The matrix's states agree with the models' own is_out(): one rule, read everywhere."""
    for label, rows in world["rows"].items():
        for row in rows:
            if hasattr(row.obj, "is_out"):
                assert row.obj.is_out() is row.out, (label, row.state)


def test_the_matrix_is_big_enough_to_mean_something(world):
    cells = sum(len(rows) for rows in world["rows"].values()) * len(USERS) * 5
    assert cells > 500
    assert {Person, PhotoSet, Photo, Document, PressRelease, Event, Tag} <= {
        type(rows[0].obj) for rows in world["rows"].values()
    }
