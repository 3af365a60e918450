"""PostgreSQL: the articles' search vectors in a narrow table of their own,
`portal_article_search` (article_id, document, heading, cjk), kept in step by triggers.

Why: a search reads the id of every matching article and the heading rank of those whose
heading matches. The GIN indexes give the matching rows, but their ids and headings are in
the table's rows, so a word in nearly every article meant visiting every page of
`portal_article` twice: 11,700 pages of about 1 KB rows (titles, summaries, the heading
vector) at 100,000 articles, pulled into shared buffers, half of a search's time and most
of its variation. Here a row is the id, the heading vector (stored in the row, as ranking
reads it) and pointers to the document and Chinese vectors (stored out of line: a row is
kept under 128 bytes where it can be): about 6,200 pages, and a search reads about half as
much. The columns of `portal_article` (migrations 0007, 0008, 0010) stay: filtering a list
by a search (portal.search.search) still reads them.

The table is not a Django model: nothing but the triggers writes it and only
portal.search reads it. No foreign key either, so flushing the test database (TRUNCATE of
Django's tables) needs nothing more: a TRUNCATE of the articles empties it through a
trigger. SQLite searches through its FTS5 table, which needs nothing new.
"""

from django.db import migrations

CREATE = """
CREATE TABLE portal_article_search (
    article_id bigint PRIMARY KEY,
    document tsvector NOT NULL,
    heading tsvector NOT NULL,
    cjk tsvector NOT NULL
) WITH (toast_tuple_target = 128);
ALTER TABLE portal_article_search ALTER COLUMN document SET STORAGE EXTERNAL;
ALTER TABLE portal_article_search ALTER COLUMN cjk SET STORAGE EXTERNAL;
ALTER TABLE portal_article_search ALTER COLUMN heading SET STORAGE MAIN;

INSERT INTO portal_article_search (article_id, document, heading, cjk)
SELECT id, search_document, search_heading,
       to_tsvector('simple'::regconfig, COALESCE(search_cjk, ''))
FROM portal_article;

CREATE INDEX portal_article_search_document_idx ON portal_article_search USING gin (document);
CREATE INDEX portal_article_search_heading_idx ON portal_article_search USING gin (heading);
CREATE INDEX portal_article_search_cjk_idx ON portal_article_search USING gin (cjk);

CREATE FUNCTION portal_article_search_write() RETURNS trigger AS $$
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
        SET document = EXCLUDED.document, heading = EXCLUDED.heading, cjk = EXCLUDED.cjk;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION portal_article_search_empty() RETURNS trigger AS $$
BEGIN
    TRUNCATE portal_article_search;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER portal_article_search_rows AFTER INSERT OR UPDATE OR DELETE ON portal_article
    FOR EACH ROW EXECUTE FUNCTION portal_article_search_write();
CREATE TRIGGER portal_article_search_truncate AFTER TRUNCATE ON portal_article
    FOR EACH STATEMENT EXECUTE FUNCTION portal_article_search_empty();
"""

DROP = """
DROP TRIGGER portal_article_search_truncate ON portal_article;
DROP TRIGGER portal_article_search_rows ON portal_article;
DROP FUNCTION portal_article_search_empty();
DROP FUNCTION portal_article_search_write();
DROP TABLE portal_article_search;
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
    dependencies = [("portal", "0018_search_heading_index")]

    operations = [migrations.RunPython(run(CREATE), run(DROP))]
