"""PostgreSQL: the search's match as two functions whose plan always reads the GIN indexes of 0016.

The planner costs `vector @@ query` as a cheap operator on every row and, for a term found in a fifth of the
directory or more, prefers a sequential scan of providers_providersearch. But the stored vectors of names and
descriptions are ~1.3 kB each, kept out of line (TOAST): the scan fetches and decompresses every one of them
(23 ms at 10,000 providers on a quiet machine, 28,500 buffers), while the bitmap scan of the GIN index answers
from the index and the heap's provider ids alone, with no recheck (3 ms for 电商, 3.4 ms for 运, found in every
provider). A function with its own `SET enable_seqscan = off` is planned apart from the page's query, so the
setting reaches only this one scan; the page query keeps its own plan. SQLite keeps its FTS5 table (0009).
"""
from django.db import migrations

FUNCTIONS = {
    "providers_search_ids": "vector",
    "providers_search_name_ids": "names_vector",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in FUNCTIONS.items():
        # ROWS: a typical match is a few thousand providers; the estimate only shapes the join above it.
        schema_editor.execute(
            f"CREATE FUNCTION {name}(query tsquery) RETURNS SETOF bigint LANGUAGE sql STABLE PARALLEL SAFE "
            f"ROWS 2000 SET enable_seqscan = off "
            f"AS $$ SELECT provider_id FROM providers_providersearch WHERE {column} @@ query $$"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in FUNCTIONS:
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}(tsquery)")


class Migration(migrations.Migration):

    dependencies = [
        ("providers", "0016_search_vectors"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
