"""PostgreSQL: the stored `search_document` columns, fixed by migrations, agree with each
searched model's SEARCH_FIELDS (the columns, in order, with their weight classes)."""

import re

import pytest
from django.db import connection
from django.test import TestCase

from portal.search.query import WEIGHTS, search_fields, searched_models


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's stored vectors")
class SearchDocumentTests(TestCase):
    def generated(self, table, column):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a"
                " ON a.attrelid = d.adrelid AND a.attnum = d.adnum"
                " WHERE d.adrelid = %s::regclass AND a.attname = %s",
                [table, column],
            )
            (expression,) = cursor.fetchone()
        return expression

    def test_each_document_weights_the_search_fields_in_order(self):
        for model in searched_models():
            with self.subTest(model=model.__name__):
                expression = self.generated(model._meta.db_table, "search_document")
                found = re.findall(r"COALESCE\(\(?(\w+)\)?.*?'([ABCD])'::\"char\"", expression)
                wanted = [
                    (field, WEIGHTS[min(i // 2, 3)]) for i, field in enumerate(search_fields(model))
                ]
                self.assertEqual(found, wanted)
