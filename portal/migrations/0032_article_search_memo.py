"""PostgreSQL: what a search that finds many articles found, kept in the database
(`portal_search_memo`), and when each search row was last written (`written_in`), so that a
remembered result can be brought up to date from the rows written since.

Why: a search counts and facets every match, so a word in nearly every article read every
article's id and every heading match's rank: 206 ms at 300,000 articles, four times the cost
at 100,000. portal.search.memo reads a remembered result
instead and re-tests only the rows written since it was made (`written_in`, the writing
transaction's id, at or after the transaction horizon the result was read at), so its cost
follows the edits since, not the archive.

Both are kept by the triggers of migration 0019: an insert or a change to what is searched
stamps the row with its transaction; emptying the articles empties the memo too. SQLite
searches through FTS5 and needs nothing new.
"""

from django.db import migrations

# The two trigger functions of 0019, as this migration leaves them (`stamped`: the row
# records its transaction, and emptying the articles empties the memo) or as it found them.
FUNCTIONS = """
CREATE OR REPLACE FUNCTION portal_article_search_write() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM portal_article_search WHERE article_id = OLD.id;
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id
        AND NEW.search_document IS NOT DISTINCT FROM OLD.search_document
        AND NEW.search_heading IS NOT DISTINCT FROM OLD.search_heading
        AND NEW.search_cjk IS NOT DISTINCT FROM OLD.search_cjk THEN
        RETURN NULL;  -- Not a change to what is searched (a status, a date).
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.id <> OLD.id THEN
        DELETE FROM portal_article_search WHERE article_id = OLD.id;
    END IF;
    INSERT INTO portal_article_search (article_id, document, heading, cjk)
    VALUES (
        NEW.id, NEW.search_document, NEW.search_heading,
        to_tsvector('simple'::regconfig, COALESCE(NEW.search_cjk, ''))
    )
    ON CONFLICT (article_id) DO UPDATE
        SET document = EXCLUDED.document, heading = EXCLUDED.heading, cjk = EXCLUDED.cjk{stamp};
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION portal_article_search_empty() RETURNS trigger AS $$
BEGIN
    TRUNCATE {emptied};
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
"""


def functions(stamped):
    if stamped:
        return FUNCTIONS.format(
            stamp=",\n            written_in = EXCLUDED.written_in",
            emptied="portal_article_search, portal_search_memo",
        )
    return FUNCTIONS.format(stamp="", emptied="portal_article_search")


CREATE = """
ALTER TABLE portal_article_search
    ADD COLUMN written_in xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX portal_article_search_written_idx ON portal_article_search (written_in);

CREATE TABLE portal_search_memo (
    key text PRIMARY KEY,
    query text NOT NULL,
    written_before xid8 NOT NULL,
    ids bytea NOT NULL,
    ranked_ids bytea NOT NULL,
    ranks bytea NOT NULL,
    made_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
""" + functions(stamped=True)

DROP = functions(stamped=False) + """
DROP TABLE portal_search_memo;
DROP INDEX portal_article_search_written_idx;
ALTER TABLE portal_article_search DROP COLUMN written_in;
"""


def run(sql):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        # Without parameters, so that psycopg sends the statements (and the functions'
        # semicolons) as they are.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)

    return operation


class Migration(migrations.Migration):
    dependencies = [("portal", "0031_source_check_index")]

    operations = [migrations.RunPython(run(CREATE), run(DROP))]
