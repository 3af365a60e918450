"""Issue #20: addresses that never break. A changed slug leaves the old address answering 301
(both languages, every format and citation address, no chains, a slug changed back answers
again); "Cite this page" gives a permanent address of the version cited, which renders the
record as it was."""

import reversion
import time_machine
from django.contrib.auth import get_user_model
from django.test import TestCase

from portal.models import Article, Initiative, Redirect
from portal.reference.versions import latest_version_id
from tests.admin_pages import admin_url, form_values
from tests.factories import NOW, make_article, make_initiative, make_sector, make_source


def rename(obj, slug):
    obj.slug = slug
    obj.save()


class SlugRedirectTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.initiative = make_initiative(name="InnoHK", slug="innohk")

    def assert_moved(self, old, new):
        response = self.client.get(old)
        self.assertEqual((response.status_code, response["Location"]), (301, new))

    def test_a_renamed_record_keeps_every_old_address_in_both_languages(self):
        with reversion.create_revision():
            self.initiative.save()
        version = latest_version_id(self.initiative)
        rename(self.initiative, "innohk-clusters")
        self.assertEqual(self.client.get("/initiatives/innohk-clusters/").status_code, 200)
        for suffix in ("", "cite.bib", "cite.ris", "cite.json", "changes.atom", "changes/"):
            for prefix in ("", "/zh-hant"):
                with self.subTest(prefix=prefix, suffix=suffix):
                    self.assert_moved(
                        f"{prefix}/initiatives/innohk/{suffix}",
                        f"{prefix}/initiatives/innohk-clusters/{suffix}",
                    )
        self.assert_moved(
            f"/initiatives/innohk/v/{version}/?utm=x",
            f"/initiatives/innohk-clusters/v/{version}/?utm=x",
        )
        self.assertEqual(
            self.client.get(f"/initiatives/innohk-clusters/v/{version}/").status_code, 200
        )

    def test_chains_are_never_made_and_a_slug_changed_back_answers_again(self):
        rename(self.initiative, "b")
        rename(self.initiative, "c")
        self.assert_moved("/initiatives/innohk/", "/initiatives/c/")
        self.assert_moved("/initiatives/b/", "/initiatives/c/")
        rename(self.initiative, "innohk")
        self.assertEqual(self.client.get("/initiatives/innohk/").status_code, 200)
        self.assert_moved("/initiatives/b/", "/initiatives/innohk/")
        self.assert_moved("/zh-hant/initiatives/c/cite.ris", "/zh-hant/initiatives/innohk/cite.ris")
        made = Redirect.objects.filter(note__startswith="Slug changed")
        self.assertEqual(
            sorted(made.values_list("old_path", "new_path")),
            [
                ("/initiatives/b/", "/initiatives/innohk/"),
                ("/initiatives/c/", "/initiatives/innohk/"),
            ],
        )

    def test_a_merged_records_redirect_follows_the_record_it_was_merged_into(self):
        Redirect.objects.create(old_path="/organisations/old-lab/", new_path="/initiatives/innohk/")
        rename(self.initiative, "innohk-2")
        self.assert_moved("/organisations/old-lab/", "/initiatives/innohk-2/")

    def test_saves_that_keep_the_slug_make_no_redirect(self):
        before = Redirect.objects.count()  # those of the records merged by migration 0023
        self.initiative.name_en = "InnoHK clusters"
        self.initiative.save()
        Initiative.objects.get(pk=self.initiative.pk).save(update_fields=["name_en"])
        self.assertEqual(Redirect.objects.count(), before)

    def test_a_slug_changed_in_the_admin_redirects(self):
        editor = get_user_model().objects.create_superuser("ed", "ed@example.org", "pw")
        self.client.force_login(editor)
        url = admin_url(Initiative, "change", self.initiative.pk)
        data = form_values(self.client.get(url), Initiative)
        data["slug"] = "innohk-renamed"
        self.assertEqual(self.client.post(url, data).status_code, 302)
        self.client.logout()
        self.assert_moved("/zh-hant/initiatives/innohk/", "/zh-hant/initiatives/innohk-renamed/")


@time_machine.travel(NOW, tick=False)
class VersionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.sector = make_sector(name="Healthcare", slug="healthcare")
        source = make_source(title="InnoHK press release")
        with reversion.create_revision():
            cls.initiative = make_initiative(
                name="InnoHK",
                slug="innohk",
                status="planned",
                sectors=[cls.sector],
                sources=[source],
            )
            cls.initiative.summary_en = "Research clusters."
            cls.initiative.save()
        cls.first = latest_version_id(cls.initiative)
        with reversion.create_revision():
            cls.initiative.status = "active"
            cls.initiative.summary_en = "Research clusters at the Science Park."
            cls.initiative.save()
        cls.second = latest_version_id(cls.initiative)

    def test_cite_this_page_gives_the_permanent_address_of_the_current_version(self):
        response = self.client.get("/initiatives/innohk/")
        permalink = f"http://testserver/initiatives/innohk/v/{self.second}/"
        self.assertContains(response, f'<a href="/initiatives/innohk/v/{self.second}/">')
        self.assertIn(permalink, response.context["citation"].apa())
        self.assertContains(self.client.get("/initiatives/innohk/cite.ris"), permalink)
        self.assertContains(self.client.get("/initiatives/innohk/cite.bib"), permalink)

    def test_an_old_version_renders_as_it_was_marked_with_a_link_to_the_current(self):
        response = self.client.get(f"/initiatives/innohk/v/{self.first}/")
        self.assertContains(response, "This is an old version of this page")
        self.assertContains(response, '<a href="/initiatives/innohk/">See the current version</a>')
        self.assertContains(response, "Research clusters.")
        self.assertNotContains(response, "Science Park")
        self.assertContains(response, "Planned")
        self.assertContains(response, "Healthcare")
        self.assertContains(response, "InnoHK press release")
        self.assertContains(response, '<meta name="robots" content="noindex">')
        self.assertContains(
            response, 'rel="canonical" href="http://testserver/initiatives/innohk/"'
        )
        current = self.client.get(f"/initiatives/innohk/v/{self.second}/")
        self.assertContains(current, "It is the current version.")
        self.assertContains(current, "Science Park")
        chinese = self.client.get(f"/zh-hant/initiatives/innohk/v/{self.first}/")
        self.assertEqual(chinese.status_code, 200)
        self.assertContains(chinese, '<dd lang="en">Research clusters.</dd>', html=True)

    def test_versions_readers_never_saw_or_of_another_record_are_not_found(self):
        other = make_initiative(slug="other")
        with reversion.create_revision():
            article = make_article(slug="draft", status=Article.Status.DRAFT)
        draft_version = latest_version_id(article)
        for url in (
            f"/initiatives/other/v/{self.first}/",
            "/initiatives/innohk/v/0/",
            "/initiatives/innohk/v/99999999/",
            "/initiatives/innohk/v/" + "9" * 30 + "/",
            f"/articles/draft/v/{draft_version}/",
        ):
            with self.subTest(url):
                self.assertEqual(self.client.get(url).status_code, 404)
        with reversion.create_revision():
            article.status = Article.Status.PUBLISHED
            article.save()
        self.assertEqual(self.client.get(f"/articles/draft/v/{draft_version}/").status_code, 404)
        published = latest_version_id(article)
        self.assertEqual(self.client.get(f"/articles/draft/v/{published}/").status_code, 200)
        self.assertTrue(other)

    def test_a_version_page_runs_a_fixed_number_of_queries(self):
        # The content state, the record, the version, its sources, its sectors, the newest
        # version (is this one current?).
        with self.assertNumQueries(6):
            self.client.get(f"/initiatives/innohk/v/{self.first}/")
