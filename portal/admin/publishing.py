"""The article form's publishing buttons: Save draft, Schedule and Publish.

They are named submit buttons, so they work without JavaScript, and each states its intent
whatever the Status and Publish date fields say:

- Save draft: saved with status "draft"; readers cannot see it.
- Schedule: published with a publish date that must be in the future (a form error otherwise);
  it appears by itself when that date passes (see `ArticleQuerySet.published()`).
- Publish: published now: the publish date becomes now unless it is already past (a date in
  the past is kept, e.g. for an article that first appeared elsewhere).

The plain Save buttons save what the fields say. Publishing, scheduling and taking an article
back to draft need the `publish_article` permission (see portal.roles): without it the status
and publish date are read-only, only Save draft is offered (for drafts), and the server
refuses the other buttons (`refuse_unpermitted`). The same goes for reverting to a version
or recovering a deleted article from the history (`revision_changes_publishing`).
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from reversion.models import Version

from portal.models import Article

DRAFT, SCHEDULE, PUBLISH = "_save_draft", "_schedule", "_publish"
LABELS = {DRAFT: _("Save draft"), SCHEDULE: _("Schedule"), PUBLISH: _("Publish")}
# What each button needs beyond the right to save: the permission to publish.
NEEDS_PUBLISH_PERMISSION = {SCHEDULE, PUBLISH}


def publishing_action(data):
    """The publishing button a submitted form was sent with (DRAFT, SCHEDULE, PUBLISH), or None."""
    return next((name for name in LABELS if name in data), None)


def publishing_buttons(article, can_publish):
    """[(name, label)] of the buttons to offer on `article`'s form (None: a new article)."""
    if can_publish:
        return [(name, label) for name, label in LABELS.items()]
    if article is None or article.status == Article.Status.DRAFT:
        return [(DRAFT, LABELS[DRAFT])]
    return []


def refuse_unpermitted(action, article, can_publish):
    """Raise PermissionDenied if someone without the publish permission sent a button they
    are not offered (Schedule, Publish, or Save draft on a published article)."""
    if can_publish or action is None:
        return
    if action in NEEDS_PUBLISH_PERMISSION or action not in dict(publishing_buttons(article, False)):
        raise PermissionDenied


class PublishingForm(forms.ModelForm):
    """An article form that applies the publishing button it was sent with (`action`).

    The publish date may be left empty: it then means "now".
    """

    action = None

    def clean(self):
        cleaned_data = super().clean()
        if "publish_at" in self.errors:
            return cleaned_data
        now = timezone.now()
        publish_at = self._current("publish_at") or now
        if self.action == DRAFT:
            self._set("status", Article.Status.DRAFT)
        elif self.action == SCHEDULE:
            if publish_at <= now:
                self.add_error(
                    "publish_at",
                    _("To schedule the article, give a publish date in the future."),
                )
                return cleaned_data
            self._set("status", Article.Status.PUBLISHED)
        elif self.action == PUBLISH:
            publish_at = min(publish_at, now)
            self._set("status", Article.Status.PUBLISHED)
        self._set("publish_at", publish_at)
        return cleaned_data

    def _current(self, name):
        """A field's value as submitted, or the article's own if the field is read-only."""
        if name in self.fields:
            return self.cleaned_data.get(name)
        return getattr(self.instance, name)

    def _set(self, name, value):
        if name in self.fields:
            self.cleaned_data[name] = value
        else:
            setattr(self.instance, name, value)


def outcome_message(article):
    """What readers now see of `article`, for the message after a publishing button."""
    if article.status == Article.Status.DRAFT:
        return _("Saved as a draft: readers cannot see it.")
    if article.publish_at > timezone.now():
        when = formats.date_format(timezone.localtime(article.publish_at), "DATETIME_FORMAT")
        return _("Scheduled: readers will see it from %(when)s.") % {"when": when}
    return _("Published: readers can see it now.")


def revision_changes_publishing(revision):
    """Whether reverting to (or recovering from) `revision` would publish, schedule or
    unpublish an article: it holds a version of an article whose status, or publish date
    while published, differs from the article's now, or of a deleted article that was
    published. A revision can hold several articles (an action on many)."""
    versions = Version.objects.get_for_model(Article).filter(revision=revision)
    for version in versions:
        stored = version.field_dict
        status, publish_at = stored.get("status"), stored.get("publish_at")
        current = (
            Article.objects.filter(pk=version.object_id).values_list("status", "publish_at").first()
        )
        if current is None:
            if status == Article.Status.PUBLISHED:
                return True
        elif status != current[0] or (
            status == Article.Status.PUBLISHED and publish_at != current[1]
        ):
            return True
    return False
