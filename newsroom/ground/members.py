"""What every newsroom member may do at all, as one group the admin shows.

Permissions say which kinds of rows a user may touch; the user's memberships
say in which newsrooms, and their role there whether they publish. The group
is made after `migrate`, once, and left alone after that: a site's admins may
change it in the admin.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

MEMBERS_GROUP = "Newsroom members"
MEMBER_APPS = ["press", "passes", "alerts", "media"]


def member_permissions():
    return Permission.objects.filter(
        Q(content_type__app_label__in=MEMBER_APPS)
        | Q(content_type__app_label="newsroom", content_type__model="person")
        | Q(content_type__app_label="newsroom", codename__in=["view_newsroom", "change_newsroom"])
    )


def members_group():
    group, created = Group.objects.get_or_create(name=MEMBERS_GROUP)
    if created:
        group.permissions.set(member_permissions())
    return group


def make_members_group(sender, **kwargs):
    """After `migrate`: every app's permissions exist by the time the last app is done."""
    members_group()
