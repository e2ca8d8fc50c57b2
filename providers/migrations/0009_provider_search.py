"""The search index's own table (ProviderSearch), its full-text index on each database, and its first fill.

PostgreSQL: GIN indexes on array_to_tsvector of the tokens (all of them, and the names alone for relevance).
SQLite: an FTS5 table over ProviderSearch (external content, rowid = provider id) kept in step by triggers, so
bulk writes, cascades and test flushes all reach it. The trigram indexes of 0004 and 0006 on the providers
table served the old substring search only; they are dropped, so rating writes maintain no text index.
"""

import django.db.models.deletion
from django.db import migrations, models

FTS = "providers_providersearch_fts"
OLD_TRIGRAM_INDEXES = [
    f"providers_provider_{column}{kind}_trgm"
    for column in ("name", "name_en", "description", "description_en") for kind in ("", "_raw")
]
PG_INDEXES = {
    "providers_providersearch_all_tsv": "array_to_tsvector(string_to_array(names, ' ') || string_to_array(body, ' '))",
    "providers_providersearch_names_tsv": "array_to_tsvector(string_to_array(names, ' '))",
}
SQLITE_SQL = [
    # unicode61 keeps each space-separated token whole; remove_diacritics 0 leaves tokens exactly as written.
    f"CREATE VIRTUAL TABLE {FTS} USING fts5(names, body, content='providers_providersearch', "
    "content_rowid='provider_id', tokenize='unicode61 remove_diacritics 0')",
    f"CREATE TRIGGER {FTS}_insert AFTER INSERT ON providers_providersearch BEGIN "
    f"INSERT INTO {FTS}(rowid, names, body) VALUES (new.provider_id, new.names, new.body); END",
    f"CREATE TRIGGER {FTS}_delete AFTER DELETE ON providers_providersearch BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, names, body) VALUES ('delete', old.provider_id, old.names, old.body); END",
    f"CREATE TRIGGER {FTS}_update AFTER UPDATE ON providers_providersearch BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, names, body) VALUES ('delete', old.provider_id, old.names, old.body); "
    f"INSERT INTO {FTS}(rowid, names, body) VALUES (new.provider_id, new.names, new.body); END",
]


def create_full_text(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for name, expression in PG_INDEXES.items():
            schema_editor.execute(f"CREATE INDEX {name} ON providers_providersearch USING gin (({expression}))")
        for name in OLD_TRIGRAM_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    elif vendor == "sqlite":
        for statement in SQLITE_SQL:
            schema_editor.execute(statement)


def drop_full_text(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for name in PG_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
        # The old search's trigram indexes come back with it.
        for column in ("name", "name_en", "description", "description_en"):
            schema_editor.execute(f'CREATE INDEX IF NOT EXISTS providers_provider_{column}_trgm ON providers_provider '
                                  f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)')
            schema_editor.execute(f'CREATE INDEX IF NOT EXISTS providers_provider_{column}_raw_trgm ON '
                                  f'providers_provider USING gin ("{column}" gin_trgm_ops)')
    elif vendor == "sqlite":
        for kind in ("insert", "delete", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {FTS}_{kind}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS}")


def fill(apps, schema_editor):
    from providers.search.services import providers_search_refresh

    providers_search_refresh(apps=apps)


class Migration(migrations.Migration):

    dependencies = [
        ('providers', '0007_membership_roles'),
    ]

    operations = [
        migrations.CreateModel(
            name='ProviderSearch',
            fields=[
                ('provider', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='search', serialize=False, to='providers.provider', verbose_name='服务商')),
                ('names', models.TextField(blank=True, verbose_name='名称词元')),
                ('body', models.TextField(blank=True, verbose_name='其他词元')),
                ('name_sort', models.CharField(db_index=True, max_length=200, verbose_name='中文名排序键')),
                ('name_en_sort', models.CharField(db_index=True, max_length=200, verbose_name='英文名排序键')),
            ],
            options={
                'verbose_name': '搜索索引',
                'verbose_name_plural': '搜索索引',
            },
        ),
        migrations.RunPython(create_full_text, drop_full_text, elidable=False),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
    ]
