"""Make the register import cheaper for the database (PostgreSQL above all).

* Register rows and search names lose their foreign-key constraint on the organisation:
  both are copies rewritten in bulk by each import, and PostgreSQL checked (and row-locked)
  the organisation once per row. Django still cascades deletes.
* The search-name prefix index is made per database: on SQLite (byte order) an index on
  (normalised, organisation_id), which also serves the search's ORDER BY; PostgreSQL keeps
  the "C" collation index of 0006, so Django's default-collation index, never used by the
  search, goes.

Careful: on SQLite, a later AlterField on SearchName remakes the table and drops indexes
made here in raw SQL; `test_directory.py` checks the search's query plan on both databases.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS searchname_prefix_binary "
            "ON opendata_searchname (normalised, organisation_id)"
        )


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP INDEX IF EXISTS searchname_prefix_binary")


class Migration(migrations.Migration):
    dependencies = [
        ("opendata", "0008_grant_award_removals"),
        ("organisations", "0002_initial"),
    ]

    operations = [
        # First the fields (on SQLite this remakes the tables), then the indexes.
        migrations.AlterField(
            model_name="registercharity",
            name="organisation",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="register_charities",
                to="organisations.organisation",
            ),
        ),
        migrations.AlterField(
            model_name="searchname",
            name="organisation",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="search_names",
                to="organisations.organisation",
            ),
        ),
        migrations.RemoveIndex(model_name="searchname", name="searchname_prefix"),
        migrations.RunPython(create, drop),
    ]
