"""The shape every feature keeps (read from the imports, not from a list kept by hand): no feature package
imports another, the shared core imports no feature, and no module imports itself back through others."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "functions" / "activecare"
FEATURES = {"listening", "desk", "publishing", "campaign", "reporting", "staff", "webhook", "mailform", "compliance",
            "qa", "outage"}
OUTER = {"cli", "wiring"}  # the composition root and the operator's CLI may import every feature


def _modules() -> dict[str, set[str]]:
    """module name -> the activecare modules it imports (lazily or not)."""
    graph: dict[str, set[str]] = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("activecare"):
                deps.add(node.module)
            elif isinstance(node, ast.Import):
                deps |= {a.name for a in node.names if a.name.startswith("activecare")}
        graph[name] = deps
    return graph


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_no_feature_package_imports_another() -> None:
    crossings = sorted((m, d) for m, deps in _modules().items() for d in deps
                       if _package(m) in FEATURES and _package(d) in FEATURES and _package(d) != _package(m))
    assert crossings == []


def test_the_shared_core_imports_no_feature_nor_the_cli() -> None:
    upward = sorted((m, d) for m, deps in _modules().items() for d in deps
                    if _package(m) not in FEATURES | OUTER and _package(d) in FEATURES | OUTER)
    assert upward == []


def test_no_import_cycles() -> None:
    modules = _modules()
    graph = {m: {d for d in deps if d in modules} for m, deps in modules.items()}
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str], on_path: set[str], done: set[str]) -> None:
        for dep in sorted(graph.get(node, ())):
            if dep in on_path:
                cycles.append([*path[path.index(dep):], dep])
            elif dep not in done:
                visit(dep, [*path, dep], on_path | {dep}, done)
        done.add(node)

    finished: set[str] = set()
    for start in sorted(graph):
        if start not in finished:
            visit(start, [start], {start}, finished)
    assert cycles == []


SERVICES = {"listening": {"poll", "ingest"}}  # listening has two: the poller's and the worker's


def test_every_feature_has_the_one_shape() -> None:
    for feature in sorted(FEATURES):
        folder = ROOT / feature
        if folder.is_dir():
            present = {p.stem for p in folder.glob("*.py")}
            assert {"models", "ports", "memory"} | SERVICES.get(feature, {"service"}) <= present, feature
