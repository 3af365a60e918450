from django.core.cache import cache
from django.test import SimpleTestCase

from portal.caching.memo import Memo


class MemoTests(SimpleTestCase):
    def setUp(self):
        cache.clear()
        self.built = []

    def build(self, value):
        def build():
            self.built.append(value)
            return value

        return build

    def test_memory_else_shared_cache_else_build(self):
        here, other_process = Memo(), Memo()
        self.assertEqual(here.get("index", "index:g1", self.build("first")), "first")
        self.assertEqual(here.get("index", "index:g1", self.build("again")), "first")
        # Another process finds it in the shared cache and builds nothing.
        self.assertEqual(other_process.get("index", "index:g1", self.build("other")), "first")
        self.assertEqual(self.built, ["first"])

    def test_a_new_key_replaces_the_value_kept_in_memory(self):
        memo = Memo()
        memo.get("index", "index:g1", self.build("old"))
        self.assertEqual(memo.get("index", "index:g2", self.build("new")), "new")
        self.assertEqual(self.built, ["old", "new"])

    def test_put_shares_a_value_and_clear_forgets_only_memory(self):
        memo = Memo()
        memo.put("universe", "universe:g1", {1, 2})
        self.assertIn("universe", memo)
        memo.clear()
        self.assertNotIn("universe", memo)
        self.assertEqual(memo.get("universe", "universe:g1", self.build("rebuilt")), {1, 2})
        self.assertEqual(self.built, [])

    def test_building_may_read_another_value_of_the_same_memo(self):
        memo = Memo()

        def outer():
            return memo.get("inner", "inner:g1", self.build(1)) + 1

        self.assertEqual(memo.get("outer", "outer:g1", outer), 2)
