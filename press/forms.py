from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from press.models import Kind


def filter_releases(form, releases):
    """Apply a form's valid filters; an invalid one is explained in the form and ignored."""
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    lookups = {
        "newsroom": "newsroom__slug",
        "kind": "kind",
        "tag": "tags__slug",
        "year": "publish_at__year",
    }
    for name, lookup in lookups.items():
        if data.get(name):
            releases = releases.filter(**{lookup: data[name]})
    return releases


class ReleaseFilterForm(forms.Form):
    """The filters of the public release list; choices come from live releases only."""

    kind = forms.ChoiceField(label=_("Kind"), required=False)
    tag = forms.ChoiceField(label=_("Tag"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)

    def __init__(self, data, *, tags, years):
        super().__init__(data)
        self.fields["kind"].choices = [("", _("All kinds")), *Kind.choices]
        self.fields["tag"].choices = [("", _("All tags"))] + [(tag.slug, tag.name) for tag in tags]
        self.fields["year"].choices = [("", _("All years"))] + [(y, str(y)) for y in years]

    def filter(self, releases):
        return filter_releases(self, releases)


class SearchForm(forms.Form):
    """What a journalist searches for, and where."""

    q = forms.CharField(label=_("Search"), required=False)
    newsroom = forms.ChoiceField(label=_("Newsroom"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    tag = forms.SlugField(label=_("Tag"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)

    def __init__(self, data, *, newsrooms, years):
        super().__init__(data)
        self.fields["newsroom"].choices = [("", _("All newsrooms"))] + [
            (newsroom.slug, newsroom.name) for newsroom in newsrooms
        ]
        self.fields["kind"].choices = [("", _("All kinds")), *Kind.choices]
        self.fields["year"].choices = [("", _("All years"))] + [(y, str(y)) for y in years]

    def filter(self, releases):
        return filter_releases(self, releases)


class FollowForm(forms.Form):
    """A journalist asks for e-mail alerts: every release of a newsroom, or those of one tag."""

    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    tag = forms.ChoiceField(label=_("Which releases"), required=False)
    language = forms.ChoiceField(
        label=_("In which language"),
        required=False,
        help_text=_("Each release comes in this language when it is published in it."),
    )
    later_versions = forms.BooleanField(
        label=_("Also e-mail me a version in my language that comes out after the first"),
        required=False,
    )

    def __init__(self, data=None, *, tags, languages=(), initial_tag=""):
        super().__init__(data, initial={"tag": initial_tag})
        self.tags = {tag.slug: tag for tag in tags}
        self.fields["tag"].choices = [("", _("Every release"))] + [
            (tag.slug, _("Only “%(tag)s”") % {"tag": tag.name}) for tag in tags
        ]
        if len(languages) > 1:
            names = dict(settings.LANGUAGES)
            self.fields["language"].choices = [("", _("The language it was written in"))] + [
                (code, names[code]) for code in languages
            ]
        else:  # one language: nothing to choose
            del self.fields["language"], self.fields["later_versions"]

    def chosen_tag(self):
        return self.tags.get(self.cleaned_data.get("tag"))

    def chosen_languages(self):
        """The follower's languages as stored: the chosen one, or none for the original's."""
        return self.cleaned_data.get("language", "")
