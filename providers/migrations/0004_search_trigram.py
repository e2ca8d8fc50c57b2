"""Trigram indexes for the directory search on PostgreSQL (SQLite has no pg_trgm and scans instead).

The indexes match the SQL of Django's `icontains` (UPPER(col::text) LIKE UPPER(%s)), so substring search over
Chinese and English names and descriptions uses them. They are plain SQL run only on PostgreSQL, not model
indexes, because `GinIndex` cannot be created on SQLite and the project runs on both.
"""
from django.db import migrations

SEARCH_COLUMNS = ("name", "name_en", "description", "description_en")


def _index_name(column: str) -> str:
    return f"providers_provider_{column}_trgm"


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it without superuser.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in SEARCH_COLUMNS:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {_index_name(column)} ON providers_provider '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in SEARCH_COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {_index_name(column)}")


class Migration(migrations.Migration):

    dependencies = [
        ("providers", "0003_accounts"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
