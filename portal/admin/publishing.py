"""The article form's one publishing panel: its buttons, their rules and the review workflow.

The buttons are named submit buttons, so they work without JavaScript, and each states its
intent; the form has no Status field of its own. Which ones a person is offered depends on
the article's status, on whether they may publish (`portal.publish_article`, see
portal.roles) and on whether review is on (settings.REVIEW_REQUIRED):

- Save draft (the first, so the one Enter in a field presses): saved with status "draft";
  readers cannot see it. On a published article it unpublishes, so only those who may
  publish get it there.
- Save (an article in review or published): saves the changes, keeping the status.
- Submit for review (review on, for those who may not publish): status "in review", waiting
  for a Publisher; the article records who submitted it and when.
- Publish: published now: the publish date becomes now unless it is already past (a date in
  the past is kept, e.g. for an article that first appeared elsewhere). On an article in
  review, this approves it.
- Schedule: published with the publish date beside the button, which must be in the future
  (an error next to the button otherwise); it appears by itself when that date passes (see
  `ArticleQuerySet.published()`).
- Send back (an article in review, for those who may publish): back to draft with a comment
  that the form shows its author.

The server refuses a button the person was not offered (`refuse_unpermitted`), whatever the
request says. The same goes for reverting to a version or recovering a deleted article from
the history (`revision_changes_publishing`). Each step is named in the history: the admin's
log entry and the version's comment start with it (`step_message`).
"""

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import formats, timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from reversion.models import Version

from portal.content.permissions import changes_publishing
from portal.models import Article

DRAFT, SAVE, SUBMIT, PUBLISH, SCHEDULE, SEND_BACK = (
    "_save_draft",
    "_save_article",
    "_submit",
    "_publish",
    "_schedule",
    "_send_back",
)
ACTIONS = [DRAFT, SAVE, SUBMIT, PUBLISH, SCHEDULE, SEND_BACK]
LABELS = {
    DRAFT: _("Save draft"),
    SAVE: pgettext_lazy("article form button", "Save"),
    SUBMIT: _("Submit for review"),
    PUBLISH: _("Publish"),
    SCHEDULE: _("Schedule"),
    SEND_BACK: _("Send back"),
}
# The label of a button where it means more than its name says.
LABELS_IN_REVIEW = {PUBLISH: _("Approve and publish"), SCHEDULE: _("Approve and schedule")}
LABELS_WHEN_PUBLISHED = {
    DRAFT: _("Unpublish (back to draft)"),
    PUBLISH: _("Publish now"),
    SCHEDULE: _("Reschedule"),
}
# What the history says each step was.
STEPS = {
    SUBMIT: _("Submitted for review"),
    PUBLISH: _("Published"),
    SCHEDULE: _("Scheduled"),
    SEND_BACK: _("Sent back"),
}
STEPS_IN_REVIEW = {PUBLISH: _("Approved and published"), SCHEDULE: _("Approved and scheduled")}
COMMENT_FIELD = "review_comment_text"


def review_required():
    return settings.REVIEW_REQUIRED


def publishing_action(data):
    """The publishing button a submitted form was sent with (one of ACTIONS), or None."""
    return next((name for name in ACTIONS if name in data), None)


def allowed_actions(article, can_publish):
    """The buttons to offer on `article`'s form (None: a new article), the main one first."""
    status = article.status if article is not None else Article.Status.DRAFT
    if status == Article.Status.DRAFT:
        if can_publish:
            return [DRAFT, PUBLISH, SCHEDULE]
        return [DRAFT, SUBMIT] if review_required() else [DRAFT]
    if status == Article.Status.IN_REVIEW:
        if can_publish:
            return [SAVE, PUBLISH, SCHEDULE, SEND_BACK, DRAFT]
        return [SAVE, DRAFT]
    if can_publish:
        return [SAVE, PUBLISH, SCHEDULE, DRAFT]
    return [SAVE]


def publishing_buttons(article, can_publish):
    """[(name, label)] of the buttons to offer on `article`'s form, the main one first."""
    status = article.status if article is not None else Article.Status.DRAFT
    labels = {
        Article.Status.IN_REVIEW: LABELS_IN_REVIEW,
        Article.Status.PUBLISHED: LABELS_WHEN_PUBLISHED,
    }.get(status, {})
    return [
        (name, labels.get(name, LABELS[name])) for name in allowed_actions(article, can_publish)
    ]


def publishing_panel(article, buttons):
    """What the article form's publishing panel shows: the status and who has the article,
    and `buttons` ([(name, label)]) placed in it: the main one first, then the others of its
    row, Schedule beside the publish date and Send back beside its comment."""
    status = article.status if article is not None else Article.Status.DRAFT
    placed = dict(buttons)
    return {
        "status": Article.Status(status).label,
        "with_whom": article.with_whom() if article is not None else "",
        "submitted": article if status == Article.Status.IN_REVIEW else None,
        "comment": article.review_comment if status == Article.Status.DRAFT and article else "",
        "main": [(name, label) for name, label in buttons if name not in (SCHEDULE, SEND_BACK)],
        "schedule": placed.get(SCHEDULE),
        "send_back": placed.get(SEND_BACK),
        "names": {"schedule": SCHEDULE, "send_back": SEND_BACK, "comment": COMMENT_FIELD},
    }


def refuse_unpermitted(action, article, can_publish):
    """Raise PermissionDenied for a button the user is not offered on `article` (a forged
    request: Publish or Schedule without the permission, say). Without a button (the admin's
    plain Save), those who may not publish may not save a new article as anything but a
    draft, which the form does anyway."""
    if action is not None and action not in allowed_actions(article, can_publish):
        raise PermissionDenied


def step_message(action, status_before):
    """What the history records for `action` on an article that had `status_before` (a
    sentence, without its full stop), or "" for a plain save."""
    if action == DRAFT:
        if status_before == Article.Status.PUBLISHED:
            return gettext("Unpublished (back to draft)")
        if status_before == Article.Status.IN_REVIEW:
            return gettext("Taken out of review (back to draft)")
        return ""
    if status_before == Article.Status.IN_REVIEW and action in STEPS_IN_REVIEW:
        return str(STEPS_IN_REVIEW[action])
    return str(STEPS.get(action, ""))


class PublishingForm(forms.ModelForm):
    """An article form that applies the publishing button it was sent with (`action`), for
    `user` (both set by the admin on the form's class).

    The publish date may be left empty: it then means "now" for Publish, and stays empty on
    a draft; Schedule needs it.
    """

    action = None
    user = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None and "byline" in self.fields:
            self.fields["byline"].initial = settings.HOUSE_BYLINE
        if "publish_at" in self.fields:
            self.fields["publish_at"].required = False  # Empty means now (see clean()).
        if COMMENT_FIELD in self.fields:
            self.fields[COMMENT_FIELD].required = False

    def clean(self):
        cleaned_data = super().clean()
        if "publish_at" in self.errors:
            return cleaned_data
        now = timezone.now()
        publish_at = self._current("publish_at")
        if self.action == DRAFT:
            self._set("status", Article.Status.DRAFT)
        elif self.action == SUBMIT:
            self._set("status", Article.Status.IN_REVIEW)
        elif self.action == SEND_BACK:
            comment = (cleaned_data.get(COMMENT_FIELD) or "").strip()
            if not comment:
                self.add_error(COMMENT_FIELD, _("Say what needs changing before sending it back."))
                return cleaned_data
            self._set("status", Article.Status.DRAFT)
            self.instance.review_comment = comment
        elif self.action == SCHEDULE:
            if publish_at is None or publish_at <= now:
                self.add_error(
                    "publish_at",
                    _("To schedule the article, give a publish date in the future."),
                )
                return cleaned_data
            self._set("status", Article.Status.PUBLISHED)
        elif self.action == PUBLISH:
            publish_at = min(publish_at or now, now)
            self._set("status", Article.Status.PUBLISHED)
        if self.action in (PUBLISH, SCHEDULE):
            self.instance.review_comment = ""  # Approved: nothing waits on its author.
        if self.action == SUBMIT:
            self.instance.submitted_by = self.user
            self.instance.submitted_at = now
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


def review_comment_field():
    return forms.CharField(
        label=_("Comment for the author"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed to send the article back: what should change."),
    )


def outcome_message(article):
    """What readers now see of `article`, and who has it, for the message after a button."""
    if article.status == Article.Status.DRAFT:
        return _("Saved as a draft: readers cannot see it.")
    if article.status == Article.Status.IN_REVIEW:
        return _("Submitted for review: a Publisher will approve it or send it back.")
    if article.publish_at > timezone.now():
        # The date and time mid-sentence: a format ending "a.m." (Django's English without
        # the portal's formats) would otherwise end the sentence "a.m..".
        when = formats.date_format(timezone.localtime(article.publish_at), "DATETIME_FORMAT")
        return _("Scheduled for %(when)s: readers will see it from then on.") % {"when": when}
    return _("Published: readers can see it now.")


def revision_changes_publishing(revision):
    """Whether reverting to (or recovering from) `revision` would publish, schedule or
    unpublish an article: it holds a version of an article that is published and the
    article now is not, or the other way round, or that differs in publish date while both
    are published, or of a deleted article that was published. A revision can hold several
    articles (an action on many)."""
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
        elif changes_publishing(status, publish_at, *current):
            return True
    return False
