"""Names a query spells out in part (portal.search.ranking.named_share and NameIndex)."""

from django.test import SimpleTestCase

from portal.search.ranking import NameIndex, name_parts, named_share


def share(query, name):
    return named_share(name_parts(query), name_parts(name))


class NamedShareTests(SimpleTestCase):
    def test_stopwords_case_plurals_and_bare_numbers_do_not_count(self):
        self.assertEqual(share("university of hong kong", "The University of Hong Kong"), 1)
        self.assertEqual(share("science parks", "Science Park"), 1)
        self.assertEqual(share("smart city blueprint", "Smart City Blueprint 2.0"), 1)

    def test_the_share_is_of_the_name_s_words(self):
        self.assertEqual(share("university of hong kong", "Chinese University of Hong Kong"), 0.75)
        self.assertEqual(
            share("privacy commissioner", "Privacy Commissioner for Personal Data"), 0.5
        )

    def test_every_query_word_must_be_in_the_name(self):
        self.assertEqual(share("hong kong police", "The University of Hong Kong"), 0)
        self.assertEqual(share("", "Cyberport"), 0)
        self.assertEqual(share("of the", "Cyberport"), 0)

    def test_chinese_is_matched_as_a_run_of_characters(self):
        self.assertEqual(share("私隱專員公署", "個人資料私隱專員公署"), 0.6)
        self.assertEqual(share("公署私隱", "個人資料私隱專員公署"), 0)
        self.assertEqual(share("HKMA 金融", "HKMA 金融管理局"), (1 + 2) / (1 + 5))


class PartlyNamedTests(SimpleTestCase):
    def test_records_named_at_least_half_with_their_best_name(self):
        index = NameIndex(
            {},
            [
                ("portal.Organisation", 1, name_parts("The University of Hong Kong")),
                ("portal.Organisation", 1, name_parts("HKU")),
                (
                    "portal.Organisation",
                    2,
                    name_parts("Hong Kong University of Science and Technology"),
                ),
                ("portal.Initiative", 3, name_parts("Hong Kong AI Lab")),
            ],
        )
        self.assertEqual(
            index.partly_named("Hong Kong University"),
            {"portal.Organisation": {1: 1.0, 2: 0.6}},
        )
        self.assertEqual(
            index.partly_named("hong kong"),
            {"portal.Organisation": {1: 2 / 3}, "portal.Initiative": {3: 0.5}},
        )
        self.assertEqual(index.partly_named("the"), {})
