"""Which articles search ranks as sourced: a footnote outside an editor's note, stored as
`has_footnotes` by save() (and the importer), read in one query whatever the archive size."""

from django.test import TestCase

from portal.models import Article
from portal.search.ranking import sourced_ids
from tests.factories import make_article

NOTE = "> Editor's note: see the record.[^1]\n\nPlain text.\n\n[^1]: https://example.org/a"


class StoredFootnotesTests(TestCase):
    def test_save_keeps_the_flag(self):
        cited = make_article(body="Facts.[^1]\n\n[^1]: https://example.org/b")
        noted = make_article(body=NOTE)
        chinese = make_article(
            body="Plain.", body_zh_hant="事實。[^1]\n\n[^1]: https://example.org/c"
        )
        plain = make_article(body="Nothing cited.")
        flags = dict(Article.objects.values_list("pk", "has_footnotes"))
        self.assertEqual(
            [flags[a.pk] for a in (cited, noted, chinese, plain)], [True, False, True, False]
        )
        plain.body_en = "Now cited.[^1]\n\n[^1]: https://example.org/d"
        plain.save(update_fields=["body_en"])
        plain.refresh_from_db()
        self.assertTrue(plain.has_footnotes)
        with self.assertNumQueries(1):
            self.assertEqual(set(sourced_ids(Article)), {cited.pk, chinese.pk, plain.pk})
