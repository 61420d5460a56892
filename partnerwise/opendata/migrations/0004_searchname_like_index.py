"""A pattern-ops index so PostgreSQL serves LIKE 'prefix%' from an index in any collation.

SQLite needs none: search uses a range on the plain index there (binary collation).
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS searchname_prefix_like "
            "ON opendata_searchname (normalised varchar_pattern_ops)"
        )


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS searchname_prefix_like")


class Migration(migrations.Migration):
    dependencies = [("opendata", "0003_candidate_labels")]

    operations = [migrations.RunPython(create, drop)]
