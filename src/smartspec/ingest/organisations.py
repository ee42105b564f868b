"""One organisation row across projects and sources.

Matching order (DESIGN.md): PIC, then Finnish business ID or VAT number, then normalised name. Two different
PICs are never merged: CORDIS gives separate legal entities separate PICs even when names or VAT agree.
A name match also needs the same country when both sides know it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from smartspec.ingest.names import name_key
from smartspec.ingest.parse import business_id_from_vat
from smartspec.store import models as m
from smartspec.store.bulk import Counts, allocate_ids, group_by_columns, insert_tuples

FIELDS = ("pic", "business_id", "vat", "name", "short_name", "name_key", "org_type", "sme", "street",
          "post_code", "city", "country", "nuts_code", "url")  # fmt: skip

# The first name an organisation gets stays its name, so that importing sources in any order, any number of
# times, gives the same row; every other spelling is kept in organisation_name.
_KEPT = frozenset({"name", "name_key"})

Handle = int  # index into OrganisationIndex.rows


@dataclass
class OrganisationIndex:
    """Every known organisation in memory, with look-ups by PIC, business ID, VAT and name key."""

    rows: list[dict[str, Any]] = field(default_factory=list)  # one dict per organisation (FIELDS + "id")
    stored: list[tuple[Any, ...] | None] = field(default_factory=list)  # values as in the database
    by_pic: dict[str, Handle] = field(default_factory=dict)
    by_business_id: dict[str, Handle] = field(default_factory=dict)
    by_vat: dict[str, Handle] = field(default_factory=dict)
    by_name: dict[str, list[Handle]] = field(default_factory=dict)
    names: set[tuple[Handle, str]] = field(default_factory=set)
    new_names: dict[tuple[Handle, str], str] = field(default_factory=dict)
    counts: Counts = field(default_factory=Counts)
    touched: set[Handle] = field(default_factory=set)  # organisations mentioned since the last save
    counted: dict[Handle, str] = field(default_factory=dict)  # each organisation counted once per import

    @classmethod
    def load(cls, session: Session) -> OrganisationIndex:
        index = cls()
        table = m.Organisation.__table__
        for row in session.execute(select(table.c.id, *(table.c[name] for name in FIELDS))):
            values = dict(zip(("id", *FIELDS), row, strict=True))
            index._register(values, stored=tuple(row[1:]))
        handle_of = {row["id"]: handle for handle, row in enumerate(index.rows)}
        names = m.OrganisationName.__table__
        for organisation_id, name in session.execute(select(names.c.organisation_id, names.c.name)):
            index.names.add((handle_of[organisation_id], name))
        return index

    def _register(self, values: dict[str, Any], stored: tuple[Any, ...] | None) -> Handle:
        handle = len(self.rows)
        self.rows.append(values)
        self.stored.append(stored)
        self._index(handle, values)
        return handle

    def _index(self, handle: Handle, values: dict[str, Any]) -> None:
        if values.get("pic"):
            self.by_pic.setdefault(values["pic"], handle)
        if values.get("business_id"):
            self.by_business_id.setdefault(values["business_id"], handle)
        if values.get("vat"):
            self.by_vat.setdefault(values["vat"], handle)
        if values.get("name_key"):
            handles = self.by_name.setdefault(values["name_key"], [])
            if handle not in handles:
                handles.append(handle)

    def find(self, pic: str | None, business_id: str | None, vat: str | None, key: str,
             country: str | None) -> Handle | None:  # fmt: skip
        """The organisation these identifiers name, or None."""
        if pic:
            found = self.by_pic.get(pic)
            if found is not None:
                return found
        candidates = []
        for look_up, value in ((self.by_business_id, business_id), (self.by_vat, vat)):
            if value and value in look_up:
                candidates.append(look_up[value])
        for handle in candidates:
            if not (pic and self.rows[handle].get("pic")):
                return handle
        for handle in self.by_name.get(key, ()):
            row = self.rows[handle]
            if pic and row.get("pic"):
                continue
            if country and row.get("country") and row["country"] != country:
                continue
            return handle
        return None

    def resolve(self, values: dict[str, Any], source: str) -> Handle:
        """The handle of the organisation ``values`` describe, merging new facts into it."""
        if values.get("vat") and not values.get("business_id"):
            values["business_id"] = business_id_from_vat(values["vat"])
        key = name_key(values["name"]) if values.get("name") else ""
        values["name_key"] = key or (f"pic {values['pic']}" if values.get("pic") else "")
        handle = self.find(values.get("pic"), values.get("business_id"), values.get("vat"), key,
                           values.get("country"))  # fmt: skip
        if handle is None:
            handle = self._register({"id": None, **{name: values.get(name) for name in FIELDS}}, None)
        else:
            row = self.rows[handle]
            for name in FIELDS:
                value = values.get(name)
                if value is not None and name not in _KEPT:
                    row[name] = value
            if values.get("name") and not row.get("name"):
                row["name"], row["name_key"] = values["name"], key
            self._index(handle, row)
        self.touched.add(handle)
        spelling = values.get("name")
        if spelling and (handle, spelling) not in self.names:
            self.names.add((handle, spelling))
            self.new_names[(handle, spelling)] = source
        return handle

    def _count(self, handle: Handle, outcome: str) -> None:
        before = self.counted.get(handle)
        if before is None:
            self.counted[handle] = outcome
            setattr(self.counts, outcome, getattr(self.counts, outcome) + 1)
        elif before == "unchanged" and outcome == "updated":
            self.counted[handle] = "updated"
            self.counts.unchanged -= 1
            self.counts.updated += 1

    def save(self, session: Session, batch_id: int, stamp: dict[str, Any], *, final: bool = True) -> dict[Handle, int]:
        """Insert new organisations and, when ``final``, update changed ones. Returns handle → organisation id.

        An import that writes in batches inserts the organisations each batch needs, and updates changed ones
        once at the end: an organisation's facts often differ between rows (CORDIS repeats them per project),
        so updating per batch would stamp rows whose final values did not change."""
        new = [h for h, row in enumerate(self.rows) if row["id"] is None]
        updates = []
        for handle, row in enumerate(self.rows if final else ()):
            stored = self.stored[handle]
            if stored is None:
                continue
            current = tuple(row[name] for name in FIELDS)
            if current != stored:
                change = {name: row[name] for name, old in zip(FIELDS, stored, strict=True) if row[name] != old}
                updates.append({"id": row["id"], **change, **stamp, "import_batch_id": batch_id})
                self.stored[handle] = current
                self._count(handle, "updated")
            elif handle in self.touched:
                self._count(handle, "unchanged")
        if new:
            payload = []
            for handle, organisation_id in zip(new, allocate_ids(session, m.Organisation, len(new)), strict=True):
                row = self.rows[handle]
                row["id"] = organisation_id
                if not row["name"]:
                    row["name"] = f"PIC {row['pic']}" if row.get("pic") else row["name_key"]
                values = tuple(row[name] for name in FIELDS)
                self.stored[handle] = values
                payload.append((organisation_id, *values))
                self.counted[handle] = "inserted"
            insert_tuples(session, m.Organisation, ("id", *FIELDS), payload, {**stamp, "import_batch_id": batch_id})
            self.counts.inserted += len(new)
        for group in group_by_columns(updates):
            session.execute(update(m.Organisation), group)
        if self.new_names:
            names = [(self.rows[h]["id"], name, source) for (h, name), source in self.new_names.items()]
            insert_tuples(session, m.OrganisationName, ("organisation_id", "name", "source"), names,
                          {"import_batch_id": batch_id})  # fmt: skip
            self.new_names.clear()
        if final:
            self.touched.clear()
        return {handle: row["id"] for handle, row in enumerate(self.rows)}
