"""A database made at the first migration, holding data, upgrades to the newest schema without loss.

The 0001 database is made here with the migration helpers and filled with plain SQL (the ORM models describe
the newest schema, not 0001), then upgraded and compared row by row, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, MetaData, inspect, select, text

from smartspec.ingest import import_path
from smartspec.store import create_store_engine, ensure_current, sync_strategy, transaction, upgrade
from smartspec.store.migrate import current_revision, head_revision
from smartspec.strategy import Strategy

T = "'2021-03-04 05:06:07+00:00'"
ROWS_0001 = [
    f"insert into strategy_version (id, code, title_fi, title_en, valid_from, file_sha256, loaded_at) values "
    f"(1, 'old-s3', 'Vanha strategia', 'Old strategy', '2021-01-01', '{'0' * 64}', {T})",
    "insert into priority (id, strategy_id, code, position, label_fi, label_en, goal_fi, goal_en) values "
    "(1, 1, 'I', 0, 'Vihreä', 'Green', 'Tavoite', 'Goal')",
    "insert into area (id, strategy_id, priority_id, code, position, label_fi, label_en, description_fi, "
    "description_en) values (1, 1, 1, 'I.4', 0, 'Energia', 'Energy', 'Vety ja bioenergia', 'Hydrogen')",
    "insert into region (id, strategy_id, code, maakunta, position, name_fi, name_en) values "
    "(1, 1, 'FI1D7', '19', 0, 'Lappi', 'Lapland')",
    f"insert into import_batch (id, source, path, file_sha256, status, started_at, rows_read, rows_inserted, "
    f"rows_updated, rows_unchanged, rows_rejected, errors, details) values (1, 'eura', 'eura.csv', '{'a' * 64}', "
    f"'done', {T}, 2, 2, 0, 0, 0, '[]', '{{\"options\": {{}}}}')",
    "insert into funding_source (id, code, name_fi, name_en, kind) values "
    "(1, 'EAKR', 'Euroopan aluekehitysrahasto', 'ERDF', 'eu-structural')",
    f"insert into organisation (id, business_id, name, name_key, country, nuts_code, import_batch_id, created_at, "
    f"updated_at) values (1, '0245895-5', 'Lapin ammattikorkeakoulu Oy', 'lapin ammattikorkeakoulu', 'FI', "
    f"'FI1D7', 1, {T}, {T})",
    "insert into organisation_name (id, organisation_id, name, source, import_batch_id) values "
    "(1, 1, 'Lapin AMK', 'eura', 1)",
    f"insert into project (id, source, source_id, programme, funding_source_id, title, language, start_date, "
    f"public_funding_cents, nuts_code, import_batch_id, created_at, updated_at) values (1, 'eura', 'A70001', "
    f"'EURA2014', 1, 'Vetytalouden kehittämisympäristö Lappiin', 'fi', '2015-03-01', 44390900, 'FI1D7', 1, {T}, {T})",
    "insert into participation (id, project_id, organisation_id, role, public_funding_cents, nuts_code, "
    "import_batch_id) values (1, 1, 1, 'beneficiary', 44390900, 'FI1D7', 1)",
    f"insert into classification (id, record_type, record_id, strategy_id, code, method, evidence, status, "
    f"created_at) values (1, 'project', 1, 1, 'I.4', 'manual', '{{\"terms\": [\"vety\"]}}', 'accepted', {T})",
]


def _rows(engine: Engine, tables: list[str]) -> dict[str, list[dict[str, Any]]]:
    metadata = MetaData()
    metadata.reflect(engine, only=tables)
    with engine.connect() as connection:
        return {
            name: [dict(row._mapping) for row in connection.execute(select(table).order_by(*table.primary_key))]
            for name, table in metadata.tables.items()
        }


def _as_before(rows: dict[str, list[dict[str, Any]]], before: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """``rows`` with only the columns the 0001 tables had (later migrations may add columns)."""
    columns = {name: set(table_rows[0]) if table_rows else set() for name, table_rows in before.items()}
    return {name: [{c: v for c, v in row.items() if c in columns[name]} for row in table_rows] if columns[name]
                   else table_rows for name, table_rows in rows.items()}  # fmt: skip


def test_a_0001_database_with_data_upgrades_without_loss(empty_db_url: str, strategy: Strategy, tmp_path: Any) -> None:
    engine = create_store_engine(empty_db_url)
    assert upgrade(engine, "0001") == (None, "0001")
    with engine.begin() as connection:
        for statement in ROWS_0001:
            connection.execute(text(statement))
    tables = sorted(set(inspect(engine).get_table_names()) - {"alembic_version"})
    if engine.dialect.name == "postgresql":  # rows inserted with their ids leave the sequences behind
        with engine.begin() as connection:
            for table in (name for name in tables if "id" in {c["name"] for c in inspect(engine).get_columns(name)}):
                connection.execute(text(f"select setval(pg_get_serial_sequence('{table}', 'id'), "
                                        f"coalesce((select max(id) from {table}), 0) + 1, false)"))  # fmt: skip
    before = _rows(engine, tables)
    assert sum(len(rows) for rows in before.values()) == len(ROWS_0001)
    assert upgrade(engine) == ("0001", head_revision())
    assert current_revision(engine) == head_revision()
    ensure_current(engine)
    # Every row of every 0001 table, column by column. Migration 0005 replaced the never-used, empty user tables
    # (role, user_account) with the accounts schema: nothing was in them to lose.
    kept = [name for name in tables if name in set(inspect(engine).get_table_names())]
    assert set(tables) - set(kept) <= {"role", "user_account"}
    assert all(not before[name] for name in set(tables) - set(kept))
    before = {name: before[name] for name in kept}
    tables = kept
    assert _as_before(_rows(engine, tables), before) == before
    assert {"embedding_cache", "classifier_model", "indicator_value"} <= set(inspect(engine).get_table_names())
    # The upgraded store works: the strategy loads next to the old one and an import lands.
    with transaction(engine) as session:
        sync_strategy(session, strategy)
    eura = tmp_path / "eura.csv"
    eura.write_text("Koodi,Rahasto,Hankkeen nimi,Viranomainen\nA70001,EAKR,Vetytalous Lappiin,Lapin liitto\n"
                    "A70099,ESR,Uusi hanke,Kainuun liitto\n", encoding="utf-8")  # fmt: skip
    result = import_path(engine, "eura", eura, strategy)
    assert (result.counts["project"]["inserted"], result.counts["project"]["updated"]) == (1, 1)
    after = _rows(engine, tables)
    assert after["classification"] == before["classification"]
    assert after["organisation_name"][0] == before["organisation_name"][0]
    engine.dispose()
