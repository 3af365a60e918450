"""`setup_roles` and what an Editor and a Publisher can and cannot do in the admin."""

import io
from unittest import mock

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings
from django.urls import reverse

from portal.models import Article, Sector
from portal.roles import ROLES
from tests.admin_pages import admin_url, form_values
from tests.factories import make_article, make_sector

User = get_user_model()


def setup_roles():
    """Run the command; return what it printed."""
    out = io.StringIO()
    call_command("setup_roles", stdout=out)
    return out.getvalue()


class SetupRolesCommandTest(TestCase):
    def test_creates_the_groups_then_changes_nothing(self):
        first = setup_roles()
        editor, publisher = Group.objects.get(name="Editor"), Group.objects.get(name="Publisher")
        editor_count, publisher_count = editor.permissions.count(), publisher.permissions.count()

        second = setup_roles()

        self.assertIn(f"Created group Editor with {editor_count} permissions.", first)
        self.assertIn(f"Created group Publisher with {publisher_count} permissions.", first)
        # publish article, delete sector, view user, and the four redirect permissions
        self.assertEqual(publisher_count, editor_count + 7)
        self.assertEqual(
            second,
            "Group Editor is up to date; nothing changed.\n"
            "Group Publisher is up to date; nothing changed.\n",
        )
        self.assertEqual(Group.objects.count(), 2)
        self.assertEqual(editor.permissions.count(), editor_count)

    def test_takes_away_a_permission_granted_by_hand(self):
        setup_roles()
        editor = Group.objects.get(name="Editor")
        editor.permissions.add(Permission.objects.get(codename="change_user"))

        output = setup_roles()

        self.assertIn("Updated group Editor:\n  - auth.change_user\n", output)
        self.assertFalse(editor.permissions.filter(codename="change_user").exists())

    def test_a_permission_missing_from_the_database_stops_it_with_advice(self):
        with (
            mock.patch.dict(ROLES, {"Editor": ["portal.view_article", "portal.fly_article"]}),
            self.assertRaisesMessage(
                CommandError, "portal.fly_article. Run `manage.py migrate` first"
            ),
        ):
            setup_roles()

        self.assertFalse(Group.objects.exists())

    def test_editor_has_no_user_or_group_permission_and_cannot_delete_sectors(self):
        setup_roles()
        editor = Group.objects.get(name="Editor").permissions.values_list(
            "content_type__app_label", "codename"
        )

        self.assertFalse([p for p in editor if p[0] == "auth"])
        # With review on (the default), publishing is the Publisher's: see test_review.py.
        self.assertNotIn(("portal", "publish_article"), editor)
        self.assertIn(("portal", "delete_source"), editor)
        self.assertNotIn(("portal", "delete_sector"), editor)


class RoleTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        setup_roles()
        cls.editor = cls.staff_in("Editor", "eddie")
        cls.publisher = cls.staff_in("Publisher", "pat")
        cls.sector = make_sector()
        cls.article = make_article(status=Article.Status.DRAFT)

    @staticmethod
    def staff_in(group, username):
        user = User.objects.create_user(username, password="pw", is_staff=True)
        user.groups.add(Group.objects.get(name=group))
        return user


class EditorTest(RoleTest):
    def setUp(self):
        self.client.force_login(self.editor)

    def test_can_add_and_change_articles(self):
        self.assertEqual(self.client.get(admin_url(Article, "add")).status_code, 200)
        page = self.client.get(admin_url(Article, "change", self.article.pk))

        data = form_values(page, Article)
        data["title_en"] = "Edited by an editor"
        response = self.client.post(admin_url(Article, "change", self.article.pk), data)

        self.assertEqual(response.status_code, 302)
        self.article.refresh_from_db()
        self.assertEqual(self.article.title, "Edited by an editor")

    def test_cannot_publish_while_review_is_on(self):
        self.client.post(
            admin_url(Article, "changelist"),
            {"action": "publish_now", "_selected_action": [self.article.pk]},
        )

        self.assertFalse(Article.objects.published().filter(pk=self.article.pk).exists())

    @override_settings(REVIEW_REQUIRED=False)
    def test_can_publish_when_review_is_off(self):
        setup_roles()
        response = self.client.post(
            admin_url(Article, "changelist"),
            {
                "action": "publish_now",
                "_selected_action": [self.article.pk],
            },
        )

        self.assertEqual(response.status_code, 302)
        self.assertTrue(Article.objects.published().filter(pk=self.article.pk).exists())

    def test_can_see_history_and_recover_deleted_items(self):
        self.assertEqual(
            self.client.get(admin_url(Article, "history", self.article.pk)).status_code, 200
        )
        self.assertEqual(self.client.get(admin_url(Article, "recoverlist")).status_code, 200)

    def test_cannot_reach_user_administration(self):
        for url in [
            "/admin/auth/user/",
            "/admin/auth/group/",
            "/admin/auth/user/add/",
            "/admin/auth/group/add/",
        ]:
            with self.subTest(url):
                self.assertEqual(self.client.get(url).status_code, 403)

    def test_cannot_grant_themselves_anything(self):
        own_page = reverse("admin:auth_user_change", args=[self.editor.pk])
        everything = list(Permission.objects.values_list("pk", flat=True))

        response = self.client.post(
            own_page,
            {
                "username": "eddie",
                "is_active": "on",
                "is_staff": "on",
                "is_superuser": "on",
                "user_permissions": everything,
                "groups": [Group.objects.get(name="Publisher").pk],
            },
        )

        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.client.get(own_page).status_code, 403)
        self.editor.refresh_from_db()
        self.assertFalse(self.editor.is_superuser)
        self.assertFalse(self.editor.user_permissions.exists())
        self.assertEqual([g.name for g in self.editor.groups.all()], ["Editor"])

    def test_cannot_delete_a_sector(self):
        delete_url = admin_url(Sector, "delete", self.sector.pk)

        self.assertEqual(self.client.get(delete_url).status_code, 403)
        self.assertEqual(self.client.post(delete_url, {"post": "yes"}).status_code, 403)
        changelist = self.client.get(admin_url(Sector, "changelist"))
        actions = dict(changelist.context["action_form"].fields["action"].choices)
        self.assertNotIn("delete_selected", actions)
        self.assertTrue(Sector.objects.filter(pk=self.sector.pk).exists())

    def test_can_delete_an_article(self):
        response = self.client.post(admin_url(Article, "delete", self.article.pk), {"post": "yes"})

        self.assertEqual(response.status_code, 302)
        self.assertFalse(Article.objects.filter(pk=self.article.pk).exists())


class PublisherTest(RoleTest):
    def setUp(self):
        self.client.force_login(self.publisher)

    def test_can_delete_a_sector(self):
        response = self.client.post(admin_url(Sector, "delete", self.sector.pk), {"post": "yes"})

        self.assertEqual(response.status_code, 302)
        self.assertFalse(Sector.objects.filter(pk=self.sector.pk).exists())

    def test_can_see_users_but_not_change_them(self):
        own_page = reverse("admin:auth_user_change", args=[self.publisher.pk])

        self.assertContains(self.client.get("/admin/auth/user/"), "eddie")
        self.assertEqual(self.client.get("/admin/auth/user/add/").status_code, 403)
        self.assertEqual(self.client.get("/admin/auth/group/").status_code, 403)
        response = self.client.post(own_page, {"username": "pat", "is_superuser": "on"})
        self.assertEqual(response.status_code, 403)
        self.publisher.refresh_from_db()
        self.assertFalse(self.publisher.is_superuser)


class AccountWithRoleTest(RoleTest):
    """A superuser adds an account and gives it a role in one form."""

    PASSWORD = "quiet-harbour-lantern-42"

    def add_account(self, username, **fields):
        data = {
            "username": username,
            "usable_password": "true",
            "password1": self.PASSWORD,
            "password2": self.PASSWORD,
            **fields,
        }
        return self.client.post(reverse("admin:auth_user_add"), data)

    def setUp(self):
        self.chief = User.objects.create_superuser("chief", "c@example.org", "x")
        self.client.force_login(self.chief)

    def test_the_form_offers_each_role(self):
        response = self.client.get(reverse("admin:auth_user_add"))
        for role in ROLES:
            self.assertContains(response, f'<option value="{role}">{role}:')

    def test_a_role_makes_a_staff_account_in_its_group(self):
        for role in ROLES:
            with self.subTest(role):
                response = self.add_account(f"new-{role.lower()}", role=role)
                self.assertEqual(response.status_code, 302)
                user = User.objects.get(username=f"new-{role.lower()}")
                self.assertTrue(user.is_staff)
                self.assertFalse(user.is_superuser)
                self.assertEqual([g.name for g in user.groups.all()], [role])
                self.assertTrue(user.check_password(self.PASSWORD))

    def test_no_role_makes_an_account_without_admin_access(self):
        self.assertEqual(self.add_account("reader").status_code, 302)
        user = User.objects.get(username="reader")
        self.assertFalse(user.is_staff)
        self.assertFalse(user.groups.exists())

    def test_a_missing_group_is_explained(self):
        Group.objects.filter(name="Editor").delete()
        response = self.add_account("early", role="Editor")
        self.assertContains(response, "run manage.py setup_roles")
        self.assertFalse(User.objects.filter(username="early").exists())

    def test_only_superusers_are_offered_roles(self):
        # Someone allowed to add accounts without being a superuser may not grant roles.
        clerk = User.objects.create_user("clerk", is_staff=True)
        clerk.user_permissions.add(
            *Permission.objects.filter(codename__in=["add_user", "change_user", "view_user"])
        )
        self.client.force_login(clerk)
        self.assertNotContains(self.client.get(reverse("admin:auth_user_add")), 'name="role"')
        self.assertEqual(self.add_account("sneaky", role="Publisher").status_code, 302)
        user = User.objects.get(username="sneaky")
        self.assertFalse(user.is_staff)
        self.assertFalse(user.groups.exists())
