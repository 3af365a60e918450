"""The content generation: what caches key on, so that no cached page or facet index is ever
stale.

`ContentGeneration.value` goes up whenever rows of a portal table (content and relation
tables alike) are inserted, updated or deleted, bumped by database triggers in the writing
transaction. So the change becomes visible to other processes at the same moment as the data,
whoever wrote it: the admin, `import_content`'s bulk writes, the shell, raw SQL. PostgreSQL
gets one statement-level trigger per table, which bumps once per transaction until the state
is next read; SQLite has only row-level triggers, so it gets three per table. Both are
(re)made after every `migrate` (`ensure_triggers`): a table that a later SQLite migration
rebuilds loses its triggers, and a new model's table needs its own.

The one other way content changes is time: a scheduled article appears when its publish
date passes, and a funding scheme's application window opens or closes on its dates.
`content_state()` folds the newest visible publish date and the last window boundary passed
into the key, and gives the next of either so that nothing is cached past it: a page that
says "open" for a window closing tomorrow is not served the day after, and the finder's
"open now" counts (its facet index is keyed on the state) are rebuilt that day.
"""

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.db import connection, connections
from django.db.models import Subquery
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from portal.records.schemes import OPEN_CONFIRMATION_DAYS, fresh_since

GENERATION_TABLE = "portal_contentgeneration"
BUMP = f"UPDATE {GENERATION_TABLE} SET value = value + 1 WHERE id = 1"
PG_FUNCTION = "portal_bump_content_generation"
PG_MARK = "portal.generation_bumped"


@dataclass(frozen=True)
class ContentState:
    """What public pages show, summed up: `key` changes whenever any of it may have changed;
    `expires_at` is when it will change by itself (the next scheduled article), or None."""

    key: str
    expires_at: datetime.datetime | None = None

    def seconds_left(self, now=None):
        """Whole seconds until `expires_at` (at least 1), or None if nothing is scheduled."""
        if self.expires_at is None:
            return None
        left = (self.expires_at - (now or timezone.now())).total_seconds()
        return max(1, int(left))


def watched_tables():
    """The portal's tables whose writes change what readers see: every model of the app,
    relation tables included, except the generation itself."""
    from portal.models import ContentGeneration

    return sorted(
        model._meta.db_table
        for model in apps.get_app_config("portal").get_models(include_auto_created=True)
        if model is not ContentGeneration
    )


def _sqlite_trigger_statements(table):
    return {
        f"{table}_generation_{op.lower()}": f"AFTER {op} ON {table} BEGIN {BUMP}; END"
        for op in ("INSERT", "UPDATE", "DELETE")
    }


def ensure_triggers(using="default"):
    """Make the generation row and every watched table's trigger exist. Idempotent."""
    from portal.models import ContentGeneration

    db = connections[using]
    tables = set(db.introspection.table_names())
    if GENERATION_TABLE not in tables:
        return  # Migrations have not reached it yet.
    ContentGeneration.objects.using(using).get_or_create(pk=1)
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            # Once per transaction until the state is next read (content_state clears the
            # mark): a bulk import runs one INSERT statement per row, and updating the one
            # generation row for each would pile up its dead versions. The mark is
            # transaction-local, and undone with a rolled-back savepoint.
            cursor.execute(
                f"CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql "
                "AS $$ BEGIN "
                f"IF coalesce(current_setting('{PG_MARK}', true), '') = '' THEN "
                f"{BUMP}; "
                f"PERFORM set_config('{PG_MARK}', 'bumped', true); "
                "END IF; RETURN NULL; END $$"
            )
            for table in watched_tables():
                if table in tables:
                    cursor.execute(
                        f"CREATE OR REPLACE TRIGGER {table}_generation "
                        f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                        f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()"
                    )
        elif db.vendor == "sqlite":
            for table in watched_tables():
                if table in tables:
                    for name, body in _sqlite_trigger_statements(table).items():
                        cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")


def ensure_triggers_after_migrate(using, **kwargs):
    """`post_migrate` receiver for `ensure_triggers`."""
    ensure_triggers(using)


def _window_subqueries(today, fresh_since):
    """Subqueries of the days around `today` on which a scheme's "open now" can change
    (portal.records.schemes.open_on): the last window opened and the last closed by today,
    the last "open" confirmation that went stale (older than `fresh_since`, with no closing
    date to bound it), and the next of each ahead."""
    from portal.models import Initiative

    def first(ordering, field, **condition):
        rows = Initiative.objects.filter(**condition).order_by(ordering).values(field)
        return Subquery(rows[:1])

    unbounded = {"intake": "open", "window_closes__isnull": True}
    return {
        "opened": first("-window_opens", "window_opens", window_opens__lte=today),
        "closed": first("-window_closes", "window_closes", window_closes__lt=today),
        "staled": first("-intake_as_of", "intake_as_of", intake_as_of__lt=fresh_since, **unbounded),
        "opening": first("window_opens", "window_opens", window_opens__gt=today),
        "closing": first("window_closes", "window_closes", window_closes__gte=today),
        "staling": first(
            "intake_as_of", "intake_as_of", intake_as_of__gte=fresh_since, **unbounded
        ),
    }


def _state_queryset(now, vendor, today, fresh_since):
    from portal.models import Article, ContentGeneration

    newest = Article.objects.published(now).order_by("-publish_at").values("publish_at")[:1]
    upcoming = Article.objects.scheduled(now).order_by("publish_at").values("publish_at")[:1]
    rows = ContentGeneration.objects.filter(pk=1).order_by()
    rows = rows.annotate(
        newest=Subquery(newest),
        upcoming=Subquery(upcoming),
        **_window_subqueries(today, fresh_since),
    )
    columns = ["value", "database_id", "newest", "upcoming", *WINDOW_COLUMNS]
    if vendor == "postgresql":
        # Reading the state clears the trigger's once-per-transaction mark, so a write
        # later in the same transaction bumps the generation again.
        rows = rows.annotate(unmark=RawSQL(f"set_config('{PG_MARK}', '', true)", ()))
        columns.append("unmark")
    return rows.values_list(*columns)


# Every request asks the same query but for the time. Building it with the ORM cost more
# than running it, so it is compiled once per database from the querysets above (the
# visibility rule stays in ArticleQuerySet) with a marker time, which each run replaces.
_MARKER = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
# Marker days: today, and the oldest "open" confirmation that still counts.
_DAY_MARKERS = (datetime.date(1999, 12, 31), datetime.date(1999, 6, 30))
WINDOW_COLUMNS = ("opened", "closed", "staled", "opening", "closing", "staling")
_compiled = {}


def _compiled_state_query(alias):
    """(SQL, params, positions of the time among the params, positions of the day) for
    database `alias`."""
    if alias not in _compiled:
        ops = connections[alias].ops
        queryset = _state_queryset(_MARKER, connections[alias].vendor, *_DAY_MARKERS)
        sql, params = queryset.query.get_compiler(using=alias).as_sql()
        marker = ops.adapt_datetimefield_value(_MARKER)
        day_markers = [ops.adapt_datefield_value(day) for day in _DAY_MARKERS]
        _compiled[alias] = (
            sql,
            tuple(params),
            [i for i, p in enumerate(params) if p == marker],
            [[i for i, p in enumerate(params) if p == day] for day in day_markers],
        )
    return _compiled[alias]


def _as_datetime(value):
    """A database's datetime (aware on PostgreSQL; naive UTC, or its text, on SQLite) as an
    aware datetime."""
    if value is None:
        return None
    if not isinstance(value, datetime.datetime):
        value = parse_datetime(value)
    return value if timezone.is_aware(value) else value.replace(tzinfo=datetime.UTC)


def content_state(now=None):
    """The current ContentState, in one query.

    The key joins the database's identity, the generation and the newest visible publish
    date: an article whose scheduled date has passed changes the key without any write.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    sql, params, positions, day_positions = _compiled_state_query(connection.alias)
    params = list(params)
    for position in positions:
        params[position] = connection.ops.adapt_datetimefield_value(now)
    for day, places in zip((today, fresh_since(today)), day_positions, strict=True):
        for position in places:
            params[position] = connection.ops.adapt_datefield_value(day)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        # Only after something emptied every table (e.g. a test flush): start again.
        ensure_triggers(connection.alias)
        return content_state(now)
    value, database_id, newest_at, upcoming_at = row[:4]
    newest_at, upcoming_at = _as_datetime(newest_at), _as_datetime(upcoming_at)
    stamp = int(newest_at.timestamp()) if newest_at else 0
    passed, ahead = _window_changes(*(_as_date(v) for v in row[4:10]))
    key = f"{str(database_id).replace('-', '')[:12]}.{value}.{stamp}"
    if passed is not None:
        key = f"{key}.{passed:%Y%m%d}"
    expires = [moment for moment in (upcoming_at, ahead) if moment is not None]
    return ContentState(key, min(expires) if expires else None)


def _as_date(value):
    """A database's date (a date, or its ISO text on SQLite) as a date."""
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


def _window_changes(opened, closed, staled, opening, closing, staling):
    """(the last day on which some scheme's "open now" may have changed, or None; the
    moment, in the site's time zone, of the next such day, or None). A window that closes on
    day D shuts at the start of D + 1; a confirmation of day C stops counting on C + 1 +
    OPEN_CONFIRMATION_DAYS."""
    one_day = datetime.timedelta(days=1)
    stale_after = datetime.timedelta(days=OPEN_CONFIRMATION_DAYS + 1)

    def shifted(day, by):
        return day + by if day is not None else None

    passed = [shifted(opened, ZERO), shifted(closed, one_day), shifted(staled, stale_after)]
    ahead = [shifted(opening, ZERO), shifted(closing, one_day), shifted(staling, stale_after)]
    passed = [day for day in passed if day is not None]
    ahead = [day for day in ahead if day is not None]
    zone = timezone.get_current_timezone()
    next_change = (
        datetime.datetime.combine(min(ahead), datetime.time(), tzinfo=zone) if ahead else None
    )
    return (max(passed) if passed else None), next_change


ZERO = datetime.timedelta()
