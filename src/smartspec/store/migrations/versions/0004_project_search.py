"""project search: normalised terms and facet values per project, with each backend's full-text index

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# SQLite: an FTS5 table over project_search (external content, so the terms are stored once), kept in step by
# triggers. unicode61 without diacritic removal: "ä" and "a" are different letters in Finnish ("sää" ≠ "saa").
SQLITE_UP = [
    """CREATE VIRTUAL TABLE project_search_fts USING fts5(words, parts, content='project_search',
       content_rowid='project_id', tokenize='unicode61 remove_diacritics 0')""",
    """CREATE TRIGGER project_search_fts_insert AFTER INSERT ON project_search BEGIN
       INSERT INTO project_search_fts(rowid, words, parts) VALUES (new.project_id, new.words, new.parts); END""",
    """CREATE TRIGGER project_search_fts_delete AFTER DELETE ON project_search BEGIN
       INSERT INTO project_search_fts(project_search_fts, rowid, words, parts)
       VALUES ('delete', old.project_id, old.words, old.parts); END""",
    """CREATE TRIGGER project_search_fts_update AFTER UPDATE ON project_search BEGIN
       INSERT INTO project_search_fts(project_search_fts, rowid, words, parts)
       VALUES ('delete', old.project_id, old.words, old.parts);
       INSERT INTO project_search_fts(rowid, words, parts) VALUES (new.project_id, new.words, new.parts); END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS project_search_fts_update",
    "DROP TRIGGER IF EXISTS project_search_fts_delete",
    "DROP TRIGGER IF EXISTS project_search_fts_insert",
    "DROP TABLE IF EXISTS project_search_fts",
]
# PostgreSQL: generated tsvector columns with GIN indexes. The 'simple' configuration only lower-cases: the
# terms are already normalised (lemmas, compound parts, stems) by smartspec.search.normalise.
POSTGRES_UP = [
    """ALTER TABLE project_search ADD COLUMN words_tsv tsvector
       GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, words)) STORED""",
    """ALTER TABLE project_search ADD COLUMN terms_tsv tsvector
       GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, words || ' ' || parts)) STORED""",
    "CREATE INDEX ix_project_search_words_tsv ON project_search USING gin (words_tsv)",
    "CREATE INDEX ix_project_search_terms_tsv ON project_search USING gin (terms_tsv)",
]


def upgrade() -> None:
    op.create_table(
        "project_search",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("normaliser", sa.String(length=40), nullable=False),
        sa.Column("words", sa.Text(), nullable=False),
        sa.Column("parts", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("title_key", sa.Text(), nullable=False),
        sa.Column("funding_cents", sa.BigInteger(), nullable=True),
        sa.Column("indexed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_project_search_project_id_project"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_project_search")),
    )
    with op.batch_alter_table("project_search", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_search_year"), ["year"], unique=False)
    op.create_table(
        "project_facet",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("facet", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_project_facet_project_id_project"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("project_id", "facet", "value", name=op.f("pk_project_facet")),
    )
    with op.batch_alter_table("project_facet", schema=None) as batch_op:
        batch_op.create_index("ix_project_facet_value", ["facet", "value", "project_id"], unique=False)
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_UP if dialect == "sqlite" else POSTGRES_UP if dialect == "postgresql" else []:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
    with op.batch_alter_table("project_facet", schema=None) as batch_op:
        batch_op.drop_index("ix_project_facet_value")
    op.drop_table("project_facet")
    with op.batch_alter_table("project_search", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_search_year"))
    op.drop_table("project_search")
