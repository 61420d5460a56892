"""One workspace's data as a JSON file, so an organisation can leave with it and a host can
move it (`partnerwise export_workspace` / `import_workspace`; format in
docs/workspace-export.md).

Every workspace-owned table is exported, in an order where a record comes after the records
it points to. Within the file, records point to each other by their ids in the file; shared
records are named instead: people by username, register organisations by org-id, shipped
typologies by key. Import makes new rows with new ids, in one transaction.
"""

from __future__ import annotations

import secrets
from importlib.metadata import version as package_version
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from partnerwise.workspaces.models import User, Workspace

FORMAT = "partnerwise-workspace"
VERSION = 1

# Parents before children. Each model here is filtered by its `workspace`.
MODELS = [
    "workspaces.Workspace",
    "organisations.Organisation",
    "organisations.Identifier",
    "organisations.OurOrganisation",
    "assessments.Typology",
    "assessments.Indicator",
    "assessments.Archetype",
    "partnerships.Partnership",
    "partnerships.Participation",
    "assessments.Assessment",
    "assessments.Answer",
    "assessments.RatingInvitation",
    "appraisals.Principle",
    "appraisals.Appraisal",
    "appraisals.Rating",
    "appraisals.Decision",
    "appraisals.PlaybookEntry",
    "workspaces.Membership",
    "workspaces.Invitation",
    "workspaces.ChangeRecord",
]
# Secret-link hashes are not carried over: links made on the old host do not move with it.
SECRET_FIELDS = {"token_hash"}


class TransferError(Exception):
    """The file cannot be imported; the message says why."""


def _model(label: str) -> type[models.Model]:
    return apps.get_model(label)


def _rows(label: str, workspace: Workspace) -> models.QuerySet[Any]:
    model = _model(label)
    if model is Workspace:
        return Workspace.objects.filter(pk=workspace.pk)
    return model._default_manager.filter(workspace=workspace).order_by("pk")


def _fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [field for field in model._meta.concrete_fields if not field.primary_key]


def _name_shared(target: type[models.Model], pk: Any) -> dict[str, Any]:
    if target is User:
        user = User.objects.get(pk=pk)
        return {
            "user": user.username,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
        }
    if target._meta.label == "organisations.Organisation":
        organisation: Any = target._default_manager.get(pk=pk)
        return {"org_id": organisation.primary_identifier(), "name": organisation.name}
    if target._meta.label == "assessments.Typology":
        return {"typology": target._default_manager.values_list("key", flat=True).get(pk=pk)}
    if target is ContentType:
        content_type = ContentType.objects.get(pk=pk)
        return {"content_type": f"{content_type.app_label}.{content_type.model}"}
    raise TransferError(f"cannot name a shared {target._meta.label} in an export")


def export_workspace(workspace: Workspace) -> dict[str, Any]:
    records: dict[str, list[dict[str, Any]]] = {}
    with transaction.atomic():
        # Which rows go in the file, so a reference to one is written as {"ref": id} even
        # when it comes later (a workspace's own organisation may be a private record).
        exported = {
            label: set(_rows(label, workspace).values_list("pk", flat=True)) for label in MODELS
        }
        for label in MODELS:
            model = _model(label)
            rows = []
            for obj in _rows(label, workspace):
                fields: dict[str, Any] = {}
                for field in _fields(model):
                    value = getattr(obj, field.attname)
                    if field.is_relation and value is not None:
                        target = field.related_model
                        assert isinstance(target, type)
                        if value in exported.get(target._meta.label, set()):
                            value = {"ref": value}
                        else:
                            value = _name_shared(target, value)
                    elif field.name in SECRET_FIELDS:
                        value = None
                    fields[field.name] = value
                rows.append({"id": obj.pk, "fields": fields})
            records[label] = rows
    return {
        "format": FORMAT,
        "version": VERSION,
        "partnerwise": package_version("partnerwise"),
        "exported": timezone.now().isoformat(),
        "workspace": {"slug": workspace.slug, "name": workspace.name},
        "counts": {label: len(rows) for label, rows in records.items()},
        "records": records,
    }


class _Importer:
    def __init__(self, workspace_slug: str) -> None:
        self.slug = workspace_slug
        self.new_ids: dict[str, dict[Any, Any]] = {}
        self.workspace: Workspace | None = None
        self.organisations: dict[str, Any] = {}
        # References to records that come later in the file, set once those exist.
        self.later: list[tuple[models.Model, str, str, Any, str]] = []

    def shared(self, target: type[models.Model], named: dict[str, Any], where: str) -> Any:
        if "user" in named:
            user = User.objects.filter(username=named["user"]).first()
            if user is None:
                # A colleague new to this host: they set a password with "Forgotten it?".
                user = User.objects.create_user(
                    username=named["user"],
                    email=named.get("email", ""),
                    password=None,
                    first_name=named.get("first_name", ""),
                    last_name=named.get("last_name", ""),
                )
            return user.pk
        if "org_id" in named:
            return self.organisation(named)
        if "typology" in named:
            found = _model("assessments.Typology")._default_manager.filter(
                workspace__isnull=True, key=named["typology"]
            )
            pk = found.values_list("pk", flat=True).first()
            if pk is None:
                raise TransferError(f"{where}: this host has no typology '{named['typology']}'")
            return pk
        if "content_type" in named:
            app_label, model = str(named["content_type"]).split(".", 1)
            return ContentType.objects.get_by_natural_key(app_label, model).pk
        raise TransferError(f"{where}: cannot read the reference {named!r}")

    def organisation(self, named: dict[str, Any]) -> Any:
        org_id = str(named.get("org_id") or "")
        key = org_id or f"name:{named.get('name')}"
        if key in self.organisations:
            return self.organisations[key]
        organisation_model: Any = _model("organisations.Organisation")
        shared = organisation_model.objects.filter(workspace__isnull=True)
        matches = (
            shared.filter(identifiers__value=org_id)
            if org_id
            # A register record with no identifier (a government body, say): by exact name,
            # if only one has it.
            else shared.filter(name=named.get("name", ""))
        )
        candidates = list(matches.values_list("pk", flat=True).distinct()[:2])
        found = candidates[0] if len(candidates) == 1 else None
        if found is None:
            # This host lacks the register record: keep the organisation as a private one.
            created = organisation_model.objects.create(
                workspace=self.workspace, name=named.get("name") or org_id
            )
            if org_id:
                created.add_identifier(org_id, primary=True)
            found = created.pk
        self.organisations[key] = found
        return found

    def value(self, field: models.Field[Any, Any], value: Any, where: str) -> Any:
        if field.name in SECRET_FIELDS:
            return secrets.token_hex(32)
        if value is None:
            return None
        if field.is_relation:
            target = field.related_model
            assert isinstance(target, type)
            if target is Workspace:
                assert self.workspace is not None
                return self.workspace.pk
            if isinstance(value, dict) and "ref" in value:
                return self.new_ids.get(target._meta.label, {}).get(value["ref"])
            if isinstance(value, dict):
                return self.shared(target, value, where)
            raise TransferError(f"{where}: expected a reference, not {value!r}")
        return field.to_python(value)

    def run(self, data: dict[str, Any]) -> Workspace:
        records = data.get("records")
        if not isinstance(records, dict):
            raise TransferError("the file has no records")
        unknown_kinds = set(records) - set(MODELS)
        if unknown_kinds:
            raise TransferError(f"unknown kinds of record: {', '.join(sorted(unknown_kinds))}")
        for label in MODELS:
            rows = records.get(label, [])
            model = _model(label)
            known = {field.name: field for field in _fields(model)}
            ids = self.new_ids.setdefault(label, {})
            for index, row in enumerate(rows):
                where = f"{label} record {index + 1} (id {row.get('id')})"
                fields = row.get("fields", {})
                unknown = set(fields) - set(known)
                if unknown:
                    raise TransferError(f"{where}: unknown fields {', '.join(sorted(unknown))}")
                values = {
                    field.attname: self.value(field, fields.get(field.name), where)
                    for name, field in known.items()
                    if name in fields or name in SECRET_FIELDS
                }
                if model is Workspace:
                    values["slug"] = self.slug
                obj = model(**values)
                for name, field in known.items():
                    given = fields.get(name)
                    if isinstance(given, dict) and "ref" in given and values[field.attname] is None:
                        target = field.related_model
                        assert isinstance(target, type)
                        self.later.append(
                            (obj, field.attname, target._meta.label, given["ref"], where)
                        )
                if label == "workspaces.ChangeRecord":
                    self.remap_object(obj)
                # Raw, as `loaddata` saves: creation times and versions are kept as exported.
                obj.save_base(raw=True, force_insert=True)
                ids[row.get("id")] = obj.pk
                if model is Workspace:
                    assert isinstance(obj, Workspace)
                    self.workspace = obj
        for obj, attname, target_label, ref, where in self.later:
            mapped = self.new_ids.get(target_label, {}).get(ref)
            if mapped is None:
                raise TransferError(f"{where}: the file has no {target_label} with id {ref}")
            setattr(obj, attname, mapped)
            type(obj)._default_manager.filter(pk=obj.pk).update(**{attname: mapped})
        assert self.workspace is not None
        return self.workspace

    def remap_object(self, record: Any) -> None:
        model_class = ContentType.objects.get_for_id(record.content_type_id).model_class()
        if model_class is not None:
            mapped = self.new_ids.get(model_class._meta.label, {}).get(record.object_id)
            if mapped is not None:
                record.object_id = mapped


def import_workspace(data: Any, *, slug: str | None = None) -> Workspace:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise TransferError('not a Partnerwise workspace export (no "format": "' + FORMAT + '")')
    if not isinstance(data.get("version"), int) or data["version"] > VERSION:
        raise TransferError(
            f"export format version {data.get('version')} is newer than this Partnerwise "
            f"reads ({VERSION}): upgrade Partnerwise"
        )
    slug = slug or str(data.get("workspace", {}).get("slug", ""))
    if not slug:
        raise TransferError("the file names no workspace: give --slug")
    if Workspace.objects.filter(slug=slug).exists():
        raise TransferError(f"a workspace '{slug}' exists here already: choose another --slug")
    if [label for label in data.get("records", {}) if label != "workspaces.Workspace"] and (
        len(data["records"].get("workspaces.Workspace", [])) != 1
    ):
        raise TransferError("the file must hold exactly one workspace record")
    with transaction.atomic():
        return _Importer(slug).run(data)
