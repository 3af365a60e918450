"""User accounts: the add form gives a new account its role (portal.roles) in the same step,
for superusers only, since a role grants permissions."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from portal.roles import ROLES, role_label


class RoleUserCreationForm(AdminUserCreationForm):
    """Django's form for a new account, with a role: choosing one ticks "Staff status" and
    puts the account in the role's group."""

    role = forms.ChoiceField(
        label=_("Role"),
        # A callable: the labels follow settings.REVIEW_REQUIRED as it is when the form shows.
        choices=lambda: [
            ("", _("None: no access to the admin")),
            *((n, role_label(n)) for n in ROLES),
        ],
        required=False,
        help_text=_("What the person may do in the admin; change it later under Groups."),
    )

    def clean_role(self):
        role = self.cleaned_data["role"]
        if role and not Group.objects.filter(name=role).exists():
            message = _("There is no %(role)s group yet: run manage.py setup_roles.")
            raise forms.ValidationError(message, params={"role": role})
        return role

    def save(self, commit=True):
        if self.cleaned_data.get("role"):
            self.instance.is_staff = True
        return super().save(commit)

    def _save_m2m(self):
        super()._save_m2m()
        if role := self.cleaned_data.get("role"):
            self.instance.groups.add(Group.objects.get(name=role))


class PortalUserAdmin(UserAdmin):
    add_form = RoleUserCreationForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None and request.user.is_superuser:
            return [*fieldsets, (_("Role"), {"fields": ["role"]})]
        return fieldsets

    def get_form(self, request, obj=None, **kwargs):
        if obj is None and not request.user.is_superuser:
            kwargs["form"] = AdminUserCreationForm
        return super().get_form(request, obj, **kwargs)


User = get_user_model()
admin.site.unregister(User)
admin.site.register(User, PortalUserAdmin)
