"""Architecture checks: layers only import downwards, no I/O in the library, sorted ``__all__``."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import jiceng

SRC = Path(jiceng.__file__).parent

# DESIGN.md §2: the layers, bottom first. A module may import only from its own layer or below,
# with the listed exceptions.
LAYERS: dict[str, int] = {
    "errors": 1,
    "calendar": 2,
    "models": 3,
    "metrics": 4,
    "dispatch": 4,
    "assessment": 4,
    "participation": 4,
    "interop": 4,
    "coordination": 5,
    "simulation": 5,
    "serialization": 6,
    "testing": 6,
    "demos": 7,
    "__main__": 7,
}
ALLOWED_SAME_LAYER = {("dispatch", "metrics"), ("__main__", "demos")}


def _area(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _library_files() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py"))


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return {name for name in found if name.startswith("jiceng.")}


def _module_of(path: Path) -> str:
    relative = path.relative_to(SRC.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@pytest.mark.parametrize("path", _library_files(), ids=lambda p: str(p.relative_to(SRC)))
def test_imports_point_down_the_layers(path: Path) -> None:
    me = _area(_module_of(path))
    if me == "":  # jiceng/__init__ re-exports from below
        return
    for imported in _imports(path):
        other = _area(imported)
        if other == me:
            continue
        assert other in LAYERS, f"{imported} is not in a known layer"
        allowed = LAYERS[other] < LAYERS[me] or (me, other) in ALLOWED_SAME_LAYER
        assert allowed, (
            f"{_module_of(path)} (layer {LAYERS[me]}) imports {imported} (layer {LAYERS[other]})"
        )
    if me == "assessment":
        assert {_area(i) for i in _imports(path)} <= {"errors", "assessment"}


def test_nothing_imports_the_cli_or_the_testing_kit() -> None:
    for path in _library_files():
        module = _module_of(path)
        for imported in _imports(path):
            if imported.startswith(("jiceng.__main__", "jiceng.testing")):
                assert module.startswith(("jiceng.__main__", "jiceng.testing")), (
                    f"{module} imports {imported}"
                )
            if imported.startswith("jiceng.demos"):
                assert module.startswith(("jiceng.demos", "jiceng.__main__")), (
                    f"{module} imports {imported}"
                )


@pytest.mark.parametrize("path", _library_files(), ids=lambda p: str(p.relative_to(SRC)))
def test_no_io_in_the_library(path: Path) -> None:
    if path.name == "__main__.py":
        return
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in {"print", "open", "input"}, (
                f"{path.name}:{node.lineno} calls {node.func.id}"
            )
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            pair = f"{node.value.id}.{node.attr}"
            assert pair not in {
                "os.environ",
                "os.getenv",
                "logging.basicConfig",
                "sys.stdout",
                "sys.stderr",
                "time.sleep",
            }, f"{path.name}:{node.lineno} uses {pair}"


def isort_key(name: str) -> tuple[int, str]:
    """The order ruff's RUF022 keeps ``__all__`` in: CONSTANTS, then Classes, then functions."""
    if name.isupper():
        return 0, name
    return (1 if name[:1].isupper() else 2), name


def _public_modules() -> list[str]:
    names = ["jiceng"]
    for info in pkgutil.walk_packages(jiceng.__path__, "jiceng."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        names.append(info.name)
    return sorted(names)


@pytest.mark.parametrize("name", _public_modules())
def test_every_public_module_has_a_sorted_all(name: str) -> None:
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{name} has no __all__"
    assert list(exported) == sorted(exported, key=isort_key), f"{name}.__all__ is not sorted"
    for item in exported:
        assert hasattr(module, item), f"{name}.__all__ names {item!r}, which it lacks"


def test_top_level_all_matches_the_reference() -> None:
    reference = (Path(__file__).parent.parent / "docs" / "reference.md").read_text(encoding="utf-8")
    section = reference.split("## `jiceng`", 1)[1].split("\n## ", 1)[0]
    documented = re.findall(r"^- `(\w+)`", section, flags=re.MULTILINE)
    assert documented == sorted(jiceng.__all__, key=isort_key)


def test_version_is_lazy() -> None:
    assert isinstance(jiceng.__version__, str)
    assert "__version__" in dir(jiceng)
    with pytest.raises(AttributeError, match="nothing"):
        jiceng.nothing  # noqa: B018 -- the attribute access is the test
