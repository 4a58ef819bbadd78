"""The house's shape: layering contracts, no import cycles, small modules, an outside simulator.

The layering contracts live in `.importlinter` (run them alone with `lint-imports`).
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
FIRST_PARTY = ("pipeline", "assets", "resources", "sandbox")
BACKBONE = ("pipeline", "assets", "resources")
DOMAIN = ("accounting", "identity", "reference", "extraction", "crm", "kernel")
MAX_LINES = 400


def test_import_contracts_hold():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(  # noqa: S603 - the venv's own lint-imports, fixed arguments
        [str(lint_imports), "--no-cache", "--config", str(ROOT / ".importlinter")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"import contracts broken:\n{result.stdout}\n{result.stderr}"


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; returns the components with more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return components


def import_cycles(*packages: str) -> list[list[str]]:
    # grimp reads every import statement, those inside functions too. Imports under
    # `if TYPE_CHECKING:` are left out: they never run, so they cannot make a cycle at import
    # time (the simulator's route modules name `Sandbox` in annotations that way).
    graph = grimp.build_graph(*packages, cache_dir=None, exclude_type_checking_imports=True)
    edges = {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    return _strongly_connected(edges)


def test_no_import_cycles_among_first_party_modules():
    cycles = import_cycles(*FIRST_PARTY)
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_cycle_finder_finds_cycles():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a", "e"}, "e": {"d"}, "f": set()}
    assert sorted(_strongly_connected(graph)) == [["a", "b", "c"], ["d", "e"]]


def _backbone_sources() -> list[Path]:
    return sorted(p for package in BACKBONE for p in (ROOT / package).rglob("*.py"))


def test_no_backbone_module_is_over_400_lines():
    lengths = {
        p.relative_to(ROOT).as_posix(): len(p.read_text().splitlines()) for p in _backbone_sources()
    }
    offenders = [f"{path}: {n} lines" for path, n in sorted(lengths.items()) if n > MAX_LINES]
    assert not offenders, f"modules over {MAX_LINES} lines:\n" + "\n".join(offenders)


def test_domain_does_no_io():
    """No file or environment access in the pure domain (`import os` is forbidden by contract;
    this catches the builtin `open`, `Path(...)` and `os.environ` reached any other way)."""
    found = []
    for package in DOMAIN:
        for path in sorted((ROOT / "pipeline" / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                name = None
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                    name = node.func.id if node.func.id in {"open", "Path"} else None
                elif isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv"}:
                    name = node.attr
                if name:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}")
    assert not found, "I/O in the domain:\n" + "\n".join(found)


def test_importing_the_simulator_loads_nothing_of_backbone():
    code = (
        "import importlib, pkgutil, sys\n"
        "import sandbox\n"
        "for m in pkgutil.walk_packages(sandbox.__path__, 'sandbox.'):\n"
        "    if not m.name.startswith('sandbox.tests') and m.name != 'sandbox.__main__':\n"
        "        importlib.import_module(m.name)\n"
        f"print('\\n'.join(sorted(m for m in sys.modules if m.split('.')[0] in {BACKBONE!r})))\n"
    )
    result = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded = result.stdout.split()
    assert not loaded, "importing sandbox loaded Backbone modules:\n" + "\n".join(loaded)


def test_the_architecture_doc_names_every_module_and_only_real_paths():
    """docs/architecture.md is where a newcomer finds any rule: it must match the tree."""
    doc = (ROOT / "docs" / "architecture.md").read_text()
    unnamed = [
        path.relative_to(ROOT).as_posix()
        for path in _backbone_sources()
        if path.name != "__init__.py" and path.name not in doc
    ]
    assert not unnamed, "modules docs/architecture.md does not mention:\n" + "\n".join(unnamed)
    packages = {p.parent.relative_to(ROOT).as_posix() + "/" for p in _backbone_sources()}
    missing_packages = sorted(p for p in packages if p not in doc)
    assert not missing_packages, f"folders the doc does not describe: {missing_packages}"
    # The worked examples name files a reader would create; everything before them is the tree.
    described = doc.split("## Where a new thing goes")[0]
    named_paths = set(
        re.findall(
            r"`((?:pipeline|assets|resources|sandbox|dbt-free-sql|tests|docs)/[\w./-]*)`",
            described,
        )
    )
    ghosts = sorted(p for p in named_paths if "NNNN" not in p and not (ROOT / p).exists())
    assert not ghosts, f"docs/architecture.md names paths that do not exist: {ghosts}"
