"""An index that serves "names containing the query" (issue 15: a rare name scanned the
register's 400,000 organisations).

PostgreSQL: a pg_trgm GIN index on UPPER(name), the expression Django's `icontains` compares.
SQLite: an FTS5 table of organisation names with the trigram tokenizer (SQLite 3.34 or
later), an external-content table over organisations_organisation kept in step by triggers,
so every importer, recording and edit updates it without knowing it is there.

Both serve queries of three characters or more (a trigram); `finding.names_containing`
does not ask them for shorter ones.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

FTS = "opendata_organisation_name_fts"

SQLITE_CREATE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5("
    "name, content='organisations_organisation', content_rowid='id', "
    "tokenize='trigram case_sensitive 0')",
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_insert AFTER INSERT ON organisations_organisation "
    f"BEGIN INSERT INTO {FTS}(rowid, name) VALUES (new.id, new.name); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_delete AFTER DELETE ON organisations_organisation "
    f"BEGIN INSERT INTO {FTS}({FTS}, rowid, name) VALUES ('delete', old.id, old.name); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_update AFTER UPDATE OF name ON "
    "organisations_organisation BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, name) VALUES ('delete', old.id, old.name); "
    f"INSERT INTO {FTS}(rowid, name) VALUES (new.id, new.name); END",
    f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {FTS}_insert",
    f"DROP TRIGGER IF EXISTS {FTS}_delete",
    f"DROP TRIGGER IF EXISTS {FTS}_update",
    f"DROP TABLE IF EXISTS {FTS}",
]
POSTGRES_CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS organisation_name_trgm ON organisations_organisation "
    "USING gin ((UPPER(name::text)) gin_trgm_ops)",
]
POSTGRES_DROP = ["DROP INDEX IF EXISTS organisation_name_trgm"]


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    for statement in {"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}.get(vendor, []):
        schema_editor.execute(statement)


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    for statement in {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("opendata", "0012_register_signs"),
        ("organisations", "0004_our_organisation"),
    ]

    operations = [migrations.RunPython(create, drop)]
