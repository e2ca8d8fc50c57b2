"""Trigram indexes on the raw search columns, for text without letter case (Chinese, digits).

Such text is searched with plain LIKE (see providers.filters.search_q), which the UPPER() indexes of 0004
cannot serve. PostgreSQL only, like 0004.
"""
from django.db import migrations

SEARCH_COLUMNS = ("name", "name_en", "description", "description_en")


def _index_name(column: str) -> str:
    return f"providers_provider_{column}_raw_trgm"


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in SEARCH_COLUMNS:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {_index_name(column)} ON providers_provider USING gin ("{column}" gin_trgm_ops)'
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in SEARCH_COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {_index_name(column)}")


class Migration(migrations.Migration):

    dependencies = [
        ("providers", "0005_roles"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
