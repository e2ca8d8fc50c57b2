"""PostgreSQL: the search tokens as stored tsvector columns (generated from `names` and `body`), GIN-indexed.

The expression indexes of 0009 found the rows, but the planner, which costs array_to_tsvector like any cheap
function, often preferred to run the expression on every provider in a nested loop (a second for a common
character at 10,000 providers). A stored vector makes that plan cheap too, and the planner keeps statistics
on it. The columns are the database's own: Django never writes them (GENERATED ALWAYS), so the model does not
list them. SQLite keeps its FTS5 table from 0009.
"""
from django.db import migrations

COLUMNS = {
    "vector": "array_to_tsvector(string_to_array(names, ' ') || string_to_array(body, ' '))",
    "names_vector": "array_to_tsvector(string_to_array(names, ' '))",
}
OLD_INDEXES = {
    "providers_providersearch_all_tsv": COLUMNS["vector"],
    "providers_providersearch_names_tsv": COLUMNS["names_vector"],
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column, expression in COLUMNS.items():
        schema_editor.execute(
            f"ALTER TABLE providers_providersearch ADD COLUMN {column} tsvector GENERATED ALWAYS AS ({expression}) STORED"
        )
        schema_editor.execute(
            f"CREATE INDEX providers_providersearch_{column}_gin ON providers_providersearch USING gin ({column})"
        )
    for name in OLD_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, expression in OLD_INDEXES.items():
        schema_editor.execute(f"CREATE INDEX {name} ON providers_providersearch USING gin (({expression}))")
    for column in COLUMNS:
        schema_editor.execute(f"ALTER TABLE providers_providersearch DROP COLUMN {column}")


class Migration(migrations.Migration):

    dependencies = [
        ("providers", "0015_engagement_services"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
