"""A shot request file (`echo-director render REQUEST.json`): read, validated, its file paths made absolute."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from generator.errors import EchoError
from generator.files import read_json_file
from generator.types import ShotRequest

MAX_REQUEST_BYTES = 1_000_000


def load_request(path: Path) -> ShotRequest:
    """Read and validate a ShotRequest JSON file; relative file paths in it are relative to the file."""
    path = Path(path)
    data = read_json_file(path, MAX_REQUEST_BYTES, "shot request")
    if not isinstance(data, dict):
        raise EchoError(f"{path} must hold one ShotRequest JSON object, not {type(data).__name__}")
    try:
        request = ShotRequest.model_validate(data)
    except ValidationError as error:
        raise EchoError(f"invalid shot request {path.name}: {describe_validation_error(error)}") from error
    return _resolve_paths(request, path.parent)


def describe_validation_error(error: ValidationError) -> str:
    """One line per problem, each naming the field (dotted path) and pydantic's or our validator's message."""
    problems = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"])
        message = str(item["msg"]).removeprefix("Value error, ")
        problems.append(f"{field}: {message}" if field and not message.startswith(field) else message)
    return "; ".join(problems)


def _resolve_paths(request: ShotRequest, base: Path) -> ShotRequest:
    def resolve(path: Path | None) -> Path | None:
        return None if path is None else (base / path).resolve()  # an absolute path stays as it is

    characters = [
        card.model_copy(
            update={"reference_image": resolve(card.reference_image), "reference_audio": resolve(card.reference_audio)}
        )
        for card in request.characters
    ]
    return request.model_copy(update={"characters": characters, "first_frame": resolve(request.first_frame)})
