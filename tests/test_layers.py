"""Layers only look down: generator -> skills -> workspace -> tools -> director -> director.ui / app.

Every import in the product's source (top level, inside functions, under TYPE_CHECKING) is read with `ast`; a
module may import its own layer or a lower one, never a higher one.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["generator", "skills", "workspace", "tools", "director", "director.ui"]
TOP_LAYER = len(LAYERS)  # app.py


def layer_of(module: str) -> int | None:
    """The layer a dotted module name belongs to (the longest matching prefix), None for third-party modules."""
    matches = [index for index, name in enumerate(LAYERS) if module == name or module.startswith(name + ".")]
    return max(matches, key=lambda index: len(LAYERS[index])) if matches else None


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def product_files() -> list[Path]:
    files = [ROOT / "app.py"]
    for package in ("generator", "skills", "workspace", "tools", "director"):
        files += sorted((ROOT / package).rglob("*.py"))
    return files


def upward_imports() -> list[str]:
    problems = []
    for path in product_files():
        own = TOP_LAYER if path.name == "app.py" and path.parent == ROOT else layer_of(module_name(path))
        assert own is not None, path
        for line, target in imported_modules(path):
            target_layer = layer_of(target)
            if target_layer is not None and target_layer > own:
                problems.append(f"{path.relative_to(ROOT)}:{line} imports {target} ({LAYERS[target_layer]} is above)")
    return problems


def test_layer_of_reads_the_longest_prefix() -> None:
    assert layer_of("director.ui.handlers") == LAYERS.index("director.ui")
    assert layer_of("director.graph") == LAYERS.index("director")
    assert layer_of("generator.preview.sound.ambience") == 0
    assert layer_of("directory") is None and layer_of("numpy") is None


def test_no_module_imports_a_higher_layer() -> None:
    assert product_files() and all(path.exists() for path in product_files())
    problems = upward_imports()
    assert not problems, "upward imports:\n" + "\n".join(problems)
