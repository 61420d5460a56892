"""Name search on PostgreSQL uses a range in the "C" collation (byte order), served by this
index whatever the database's collation; it replaces the pattern-ops index of 0004, which
could not serve ORDER BY. SQLite needs neither: its plain index is already in byte order.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS searchname_prefix_like")
        schema_editor.execute(
            'CREATE INDEX IF NOT EXISTS searchname_prefix_c '
            'ON opendata_searchname ((normalised COLLATE "C"), organisation_id)'
        )


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS searchname_prefix_c")
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS searchname_prefix_like "
            "ON opendata_searchname (normalised varchar_pattern_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [("opendata", "0005_other_name_index")]

    operations = [migrations.RunPython(create, drop)]
