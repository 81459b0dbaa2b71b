from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# Customer-name search (any part of the name, see tickets.search) reads an index on PostgreSQL instead of
# every customer. Trigrams serve text of three characters or more, with exactly the expression Django's
# icontains compares: UPPER(name). Shorter text has no trigram — and two-character words are the common case
# in Chinese (退款, 秀英) — so a second index holds each name's one- and two-character pieces; tickets.search
# asks it with `kefu_name_grams(name) @> ARRAY[text]`. SQLite has neither: it scans the customers table.
POSTGRES_UP = [
    "CREATE INDEX IF NOT EXISTS customer_name_trgm ON customers_customer USING GIN (UPPER(name) gin_trgm_ops)",
    """
    CREATE OR REPLACE FUNCTION kefu_name_grams(name text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT coalesce(array_agg(DISTINCT substr(upper(name), i, n)), '{}')
        FROM generate_series(1, char_length(name)) AS i, (VALUES (1), (2)) AS g(n)
        WHERE i + n - 1 <= char_length(name)
    $$
    """,
    "CREATE INDEX IF NOT EXISTS customer_name_grams ON customers_customer USING GIN (kefu_name_grams(name))",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS customer_name_grams",
    "DROP FUNCTION IF EXISTS kefu_name_grams(text)",
    "DROP INDEX IF EXISTS customer_name_trgm",
]


def create_name_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in POSTGRES_UP:
            schema_editor.execute(sql)


def drop_name_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in POSTGRES_DOWN:
            schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0001_initial'),
    ]

    operations = [
        TrigramExtension(),  # does nothing on other databases
        migrations.RunPython(create_name_indexes, drop_name_indexes, elidable=False),
    ]
