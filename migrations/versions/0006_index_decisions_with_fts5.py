"""index decisions with fts5

SQLite: an external-content FTS5 table over ``decision_search`` (kept by triggers,
filled from the existing rows) replaces the hand-kept word index
``decision_search_terms``. PostgreSQL keeps its tsvector column, rebuilt from text whose
punctuation is space (so "loc.gpe" is two words, as on SQLite), and gains a GIN index of
the pairs of adjacent words in it (through the function ``decision_search_pairs``), so
that phrases are found by an index; the GIN index of the words stops using a pending
list (``fastupdate = off``). The word index, which PostgreSQL never used, goes on both;
``decision_search.length`` fed its BM25 weights and goes with it. No model describes the
FTS5 table, the function or the pairs index: the schema comparison leaves them out by
name. Downgrading rebuilds the word index and the lengths from ``decision_search``.

Keep this after any batch operation on ``decision_search``: on SQLite a batch copy of
the table would drop the triggers.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 10:00:00
"""

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FTS_CREATE = (
    "CREATE VIRTUAL TABLE decision_search_fts USING fts5("
    "title, body, content='decision_search', content_rowid='decision_id', "
    "tokenize='porter unicode61 remove_diacritics 2', prefix='2 3 4')"
)
# One position-less lexeme per pair of adjacent words of a tsvector ("citi stand").
PAIRS_FUNCTION = """
CREATE FUNCTION decision_search_pairs(document tsvector) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT array_to_tsvector(ARRAY(
        SELECT DISTINCT a.lexeme || ' ' || b.lexeme
        FROM (SELECT lexeme, unnest(positions) AS p FROM unnest(document)) AS a
        JOIN (SELECT lexeme, unnest(positions) AS p FROM unnest(document)) AS b
            ON b.p = a.p + 1
    ))
$$
"""
PAIRS_INDEX = (
    "CREATE INDEX ix_decision_search_pairs ON decision_search "
    "USING gin (decision_search_pairs(document)) WITH (fastupdate = off)"
)
FTS_TRIGGERS = {
    "decision_search_fts_insert": (
        "AFTER INSERT ON decision_search BEGIN "
        "INSERT INTO decision_search_fts (rowid, title, body) "
        "VALUES (new.decision_id, new.title, new.body); END"
    ),
    "decision_search_fts_delete": (
        "AFTER DELETE ON decision_search BEGIN "
        "INSERT INTO decision_search_fts (decision_search_fts, rowid, title, body) "
        "VALUES ('delete', old.decision_id, old.title, old.body); END"
    ),
    "decision_search_fts_update": (
        "AFTER UPDATE ON decision_search BEGIN "
        "INSERT INTO decision_search_fts (decision_search_fts, rowid, title, body) "
        "VALUES ('delete', old.decision_id, old.title, old.body); "
        "INSERT INTO decision_search_fts (rowid, title, body) "
        "VALUES (new.decision_id, new.title, new.body); END"
    ),
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table("decision_search_terms", schema=None) as batch_op:
        batch_op.drop_index("ix_decision_search_terms_term_weight")
        batch_op.drop_index("ix_decision_search_terms_decision_id_term")
    op.drop_table("decision_search_terms")
    with op.batch_alter_table("decision_search", schema=None) as batch_op:
        batch_op.drop_column("length")
    if dialect == "sqlite":
        op.execute(FTS_CREATE)
        for name, body in FTS_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
        op.execute("INSERT INTO decision_search_fts (decision_search_fts) VALUES ('rebuild')")
    elif dialect == "postgresql":
        op.execute("ALTER INDEX ix_decision_search_document SET (fastupdate = off)")
        op.execute("SELECT gin_clean_pending_list('ix_decision_search_document')")
        _rebuild_documents()
        op.execute(PAIRS_FUNCTION)
        op.execute(PAIRS_INDEX)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in FTS_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
        op.execute("DROP TABLE decision_search_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX ix_decision_search_pairs")
        op.execute("DROP FUNCTION decision_search_pairs(tsvector)")
        op.execute("ALTER INDEX ix_decision_search_document RESET (fastupdate)")
    with op.batch_alter_table("decision_search", schema=None) as batch_op:
        batch_op.add_column(sa.Column("length", sa.Integer(), nullable=True))
    op.create_table(
        "decision_search_terms",
        sa.Column("term", sa.String(length=64), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("frequency", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.id"],
            name=op.f("fk_decision_search_terms_decision_id_decisions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("term", "decision_id", name=op.f("pk_decision_search_terms")),
    )
    with op.batch_alter_table("decision_search_terms", schema=None) as batch_op:
        batch_op.create_index(
            "ix_decision_search_terms_decision_id_term", ["decision_id", "term"], unique=False
        )
        batch_op.create_index(
            "ix_decision_search_terms_term_weight", ["term", "weight", "decision_id"], unique=False
        )
    _refill_word_index(write_terms=dialect != "postgresql")
    with op.batch_alter_table("decision_search", schema=None) as batch_op:
        batch_op.alter_column("length", existing_type=sa.Integer(), nullable=False)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _batches():
    """decision_search rows, 500 at a time."""
    bind, last = op.get_bind(), 0
    while True:
        rows = bind.execute(
            sa.text(
                "SELECT decision_id, title, body FROM decision_search "
                "WHERE decision_id > :last ORDER BY decision_id LIMIT 500"
            ),
            {"last": last},
        ).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _rebuild_documents() -> None:
    """PostgreSQL's vectors from text whose punctuation is space (``vector_text`` at this
    revision), so that "loc.gpe" is the words "loc" and "gpe" as on SQLite."""
    for rows in _batches():
        op.get_bind().execute(
            sa.text(
                "UPDATE decision_search SET document = "
                "setweight(to_tsvector('english', :t), 'A') || "
                "setweight(to_tsvector('english', :b), 'C') WHERE decision_id = :id"
            ),
            [
                {
                    "id": i,
                    "t": re.sub(r"[\W_]+", " ", _fold(t)),
                    "b": re.sub(r"[\W_]+", " ", _fold(b)),
                }
                for i, t, b in rows
            ],
        )


# --- the word index of revision 0005, rebuilt from decision_search on downgrade ----------

_STOPWORD_TEXT = """a an and are as at be but by for from has have if in into is it its of on or so
such that the their then there these they this to was were will with"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def _terms(text: str) -> list[str]:
    found = []
    for word in re.findall(r"\w+", text):
        word = _fold(word)[:64]
        if word in _STOPWORDS:
            continue
        if len(word) > 4 and word.endswith("ies"):
            word = word[:-3] + "y"
        elif len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes")):
            word = word[:-2]
        elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
            word = word[:-1]
        found.append(word)
    return found


def _refill_word_index(*, write_terms: bool) -> None:
    bind = op.get_bind()
    for rows in _batches():
        lengths, postings = [], []
        for decision_id, title, body in rows:
            counts = Counter(_terms(body))
            for term in _terms(title):
                counts[term] += 3
            length = sum(counts.values())
            lengths.append({"id": decision_id, "n": length})
            norm = 1.2 * (1 - 0.75 + 0.75 * length / 80)
            postings += [
                {"t": term, "id": decision_id, "f": n, "w": n * 2.2 / (n + norm)}
                for term, n in counts.items()
            ]
        bind.execute(
            sa.text("UPDATE decision_search SET length = :n WHERE decision_id = :id"), lengths
        )
        if write_terms and postings:
            bind.execute(
                sa.text(
                    "INSERT INTO decision_search_terms (term, decision_id, frequency, weight) "
                    "VALUES (:t, :id, :f, :w)"
                ),
                postings,
            )
