"""What every ConflictKB admin page shares: the audit history, publication rights and
duplicate-name warnings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import router, transaction
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from pghistory.models import Events

from core.models import Publication

admin.site.site_header = "ConflictKB editing"
admin.site.site_title = "ConflictKB"
admin.site.index_title = "Actors, places, events and the evidence behind them"
# Changelists carry many columns; the full width serves editors better than the app menu.
admin.site.enable_nav_sidebar = False

# History pages show the newest changes first and stop here; the full trail stays queryable.
HISTORY_LIMIT = 500
# Hidden form field: the record's audit version when the editor opened the change page.
LOADED_VERSION = "loaded_version"
UNINTERESTING_FIELDS = {"id", "created_at", "updated_at"}


def audit_history(
    obj: Model, *, limit: int = HISTORY_LIMIT, with_parts: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """The audited changes of ``obj``, newest first, each with its diff, user and URL.

    ``with_parts`` names the audit models of records that belong to ``obj`` through a foreign
    key (an event's claims, participations, relations): their changes are interleaved in time
    order, each naming its record, so an editor sees why derived figures moved.

    A constant number of queries whatever the length: the events (one union over the event
    tables), the users named in them, the records named, and one per foreign key to show names
    instead of ids. Each diff compares a snapshot with the one before it of the same record.
    """
    if with_parts:
        own_events = type(obj).pgh_event_models["update"]  # type: ignore[attr-defined]
        events = Events.objects.references(obj).across(own_events, *with_parts)
        # A record of obj's own kind that refers to it (a part of an event) is not obj.
        kind = obj._meta.label
        events = events.exclude(Q(pgh_obj_model=kind) & ~Q(pgh_obj_id=str(obj.pk)))
    else:
        events = Events.objects.tracks(obj)
    newest_first = list(events.order_by("-pgh_created_at", "-pgh_id")[: limit + 1])
    user_ids = {(event.pgh_context or {}).get("user") for event in newest_first} - {None}
    users = get_user_model().objects.in_bulk(list(user_ids))
    by_model: dict[str, list[Any]] = {}
    for event in newest_first:
        by_model.setdefault(event.pgh_obj_model, []).append(event)
    fields_of: dict[str, dict[str, Any]] = {}
    labels: dict[tuple[str, Any], str] = {}
    records: dict[tuple[str, str], str] = {}
    for label, model_events in by_model.items():
        model = apps.get_model(label)
        fields_of[label] = fields = {
            field.attname: field
            for field in model._meta.concrete_fields
            if field.attname not in UNINTERESTING_FIELDS
        }
        labels.update(_foreign_key_labels(fields, [e.pgh_data or {} for e in model_events]))
        if label != obj._meta.label:
            ids = {e.pgh_obj_id for e in model_events}
            found = model._default_manager.in_bulk(list(ids))
            for pk in ids:
                name = str(found[int(pk)]) if int(pk) in found else "deleted"
                records[(label, pk)] = f"{model._meta.verbose_name.capitalize()} #{pk}: {name}"
    # The snapshot before each one, of the same record (None for its oldest shown).
    previous: dict[int, Any] = {}
    last_seen: dict[tuple[str, str], int] = {}
    for index in range(len(newest_first) - 1, -1, -1):
        event = newest_first[index]
        key = (event.pgh_obj_model, event.pgh_obj_id)
        previous[index] = newest_first[last_seen[key]] if key in last_seen else None
        last_seen[key] = index
    rows: list[dict[str, Any]] = []
    for index, event in enumerate(newest_first[:limit]):
        before_event = previous[index]
        before = (
            (before_event.pgh_data or {}) if before_event and event.pgh_label != "insert" else {}
        )
        after = event.pgh_data or {}
        if event.pgh_label == "delete":
            before, after = after, {}
        changes = []
        for attname, field in fields_of[event.pgh_obj_model].items():
            old, new = before.get(attname), after.get(attname)
            if old != new:
                changes.append(
                    (field.verbose_name, _shown(field, old, labels), _shown(field, new, labels))
                )
        context = event.pgh_context or {}
        rows.append(
            {
                "when": event.pgh_created_at,
                "label": event.pgh_label,
                "record": records.get((event.pgh_obj_model, event.pgh_obj_id), ""),
                "user": users.get(context.get("user")),
                "context": context,
                "changes": changes,
            }
        )
    return rows


def _shown(field: Any, value: Any, labels: dict[tuple[str, Any], str]) -> Any:
    """A snapshot value as editors know it: a related record's name, a choice's label."""
    if field.is_relation:
        return labels.get((field.attname, value), value)
    if field.choices and not isinstance(value, list | dict):
        return dict(field.flatchoices).get(value, value)
    return value


def _foreign_key_labels(
    fields: dict[str, Any], snapshots: list[dict[str, Any]]
) -> dict[tuple[str, Any], str]:
    """(attname, id) → "name (#id)" for every foreign key value in the snapshots."""
    labels: dict[tuple[str, Any], str] = {}
    for attname, field in fields.items():
        if not field.is_relation:
            continue
        ids = {snapshot.get(attname) for snapshot in snapshots} - {None}
        if not ids:
            continue
        related = field.related_model._default_manager.in_bulk(list(ids))
        for pk in ids:
            name = str(related[pk]) if pk in related else "deleted record"
            labels[(attname, pk)] = f"{name} (#{pk})"
    return labels


def audit_version(obj: Model) -> int:
    """The id of the last audited change of ``obj`` (0 before any): its version."""
    latest = Events.objects.tracks(obj).order_by("-pgh_id").values_list("pgh_id", flat=True)
    return latest.first() or 0


def edit_conflict(obj: Model, version: int, fields: list[str]) -> str | None:
    """What others changed in ``fields`` of ``obj`` since ``version``, or None.

    Compares the audited snapshot at ``version`` with the row now, so changes to derived
    columns (figures recomputed from claims, which are not audited) are no conflict.
    """
    history = Events.objects.tracks(obj).order_by("-pgh_id")
    latest = history.first()
    if latest is None or latest.pgh_id <= version:
        return None
    then = history.filter(pgh_id__lte=version).first()
    if then is None:
        return None
    current = type(obj)._default_manager.get(pk=obj.pk)
    changed = []
    for field in obj._meta.concrete_fields:
        if field.name not in fields or field.attname not in then.pgh_data:
            continue
        if field.to_python(then.pgh_data[field.attname]) != getattr(current, field.attname):
            changed.append(str(field.verbose_name))
    if not changed:
        return None
    user_id = (latest.pgh_context or {}).get("user")
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    who = user.get_username() if user else "Someone"
    return (
        f"{who} saved this {obj._meta.verbose_name} after you opened it, changing: "
        f"{', '.join(changed)}. Your changes were not saved. The form shows your version; "
        "check theirs in History, then save again to replace it."
    )


class ConcurrencyGuard(forms.ModelForm):
    """Refuses to save over changes another editor made since this form was opened."""

    request: HttpRequest

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        version = self.request.POST.get(LOADED_VERSION, "")
        if self.instance.pk and version:
            if not version.isdigit():
                raise forms.ValidationError("The form was damaged; reload the page.")
            conflict = edit_conflict(self.instance, int(version), list(self.fields))
            if conflict:
                # Saving again after reading this message is a deliberate overwrite.
                self.request.conflict_seen = audit_version(self.instance)  # type: ignore[attr-defined]
                raise forms.ValidationError(conflict, code="edit_conflict")
        return cleaned


class AuditedAdmin(admin.ModelAdmin):
    """The "History" button of every change page shows the database audit trail with diffs,
    and saving over another editor's newer changes is refused."""

    change_form_template = "admin/conflictkb/change_form.html"
    # Audit models of the records that are part of this one, shown in its History.
    history_with_parts: tuple[str, ...] = ()

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (ConcurrencyGuard, form), {"request": request})

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Any:
        """On a save, the row is locked, and read again, until the save commits.

        The admin saves in one transaction (``changeform_view``); with the lock taken first,
        of two editors saving at once the second waits for the first to commit, then reads
        its change, and ConcurrencyGuard refuses to save over it. Without the lock both
        checked the version before either saved, and the last save silently won.
        """
        obj = super().get_object(request, object_id, from_field)
        if obj is None or request.method != "POST":
            return obj
        if transaction.get_connection(router.db_for_write(self.model)).in_atomic_block:
            # Waits while another save of this row is under way, then reads it afresh.
            rows = self.model._default_manager.select_for_update().filter(pk=obj.pk)
            list(rows.values("pk"))
            obj = super().get_object(request, object_id, from_field)
        return obj

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> HttpResponse:
        # The version the editor started from travels with the form, across re-renders.
        if obj is not None:
            context[LOADED_VERSION] = (
                getattr(request, "conflict_seen", None)
                or request.POST.get(LOADED_VERSION)
                or audit_version(obj)
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)  # type: ignore[attr-defined]
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": f"History: {obj}",
            "subtitle": None,
            "object": obj,
            "opts": self.opts,
            "history": audit_history(obj, with_parts=self.history_with_parts),
            "history_with_parts": bool(self.history_with_parts),
            "history_limit": HISTORY_LIMIT,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/audit_history.html", context)


def publish_permission(model: type[Model]) -> str:
    return f"{model._meta.app_label}.publish_{model._meta.model_name}"


class PublishableAdmin(AuditedAdmin):
    """Editors draft; only users with ``publish_<model>`` (Reviewers) publish or unpublish."""

    actions = ["publish_selected", "unpublish_selected"]

    def can_publish(self, request: HttpRequest) -> bool:
        return request.user.has_perm(publish_permission(self.model))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = list(super().get_readonly_fields(request, obj))
        if not self.can_publish(request):
            readonly.append("status")
        return readonly

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> Any:
        """Says, also in the "+" pop-up of another record's form, that the new record is a
        draft, which readers (and the figures they see) do not know until it is published."""
        name = self.opts.verbose_name
        who = "you publish it" if self.can_publish(request) else "a reviewer publishes it"
        subtitle = (
            f"A new {name} is a draft: readers cannot see it, and claims that rest on it do not "
            f"count in the figures they see, until {who}."
        )
        return super().add_view(request, form_url, {"subtitle": subtitle, **(extra_context or {})})

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if not self.can_publish(request):
            actions.pop("publish_selected", None)
            actions.pop("unpublish_selected", None)
        return actions

    def _set_status(self, request: HttpRequest, queryset: QuerySet, status: str) -> None:
        if not self.can_publish(request):
            raise PermissionDenied
        # One UPDATE; the audit triggers still record every row with this request's user.
        changed = queryset.exclude(status=status).update(status=status)
        self.message_user(
            request,
            f"{changed} {self.opts.verbose_name_plural} set to {status}.",
            messages.SUCCESS,
        )

    @admin.action(description="Publish selected %(verbose_name_plural)s")
    def publish_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_status(request, queryset, Publication.PUBLISHED)

    @admin.action(description="Unpublish selected %(verbose_name_plural)s (back to draft)")
    def unpublish_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_status(request, queryset, Publication.DRAFT)


class DuplicateNameForm(forms.ModelForm):
    """Warns when a new name is close to an existing record's name or alias.

    The editor either picks the existing record or ticks "not a duplicate" and saves again.
    """

    not_a_duplicate = forms.BooleanField(
        required=False,
        label="Not a duplicate",
        help_text="Tick to save even though the name is close to an existing record's.",
    )

    def similar_records(self, name: str) -> QuerySet:
        raise NotImplementedError

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        name = cleaned.get("name")
        name_changed = self.instance.pk is None or "name" in self.changed_data
        if name and name_changed and not cleaned.get("not_a_duplicate"):
            similar = self.similar_records(name)
            if self.instance.pk:
                similar = similar.exclude(pk=self.instance.pk)
            matches = list(similar[:3])
            if matches:
                listed = "; ".join(f"“{match}”" for match in matches)
                self.add_error(
                    "name",
                    f"Possible duplicate of {listed}. Edit the existing record, or tick "
                    "“Not a duplicate” below and save again.",
                )
        return cleaned
