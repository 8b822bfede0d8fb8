"""The package's import graph, checked against its layers, and drawn for docs/architecture.md.

    python scripts/architecture.py                 # figures and any violation; exit 1 on one
    python scripts/architecture.py --write-docs    # redraw the diagram in docs/architecture.md

The layers are declared once, below. A module may import from its own package and from lower
layers only; imports inside functions count too (they are real dependencies), and each of those
must carry a comment saying why it is not at the top (start-up time). tests/test_architecture.py
runs the same checks.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "flows"
DOCS = ROOT / "docs" / "architecture.md"

# Lowest first. A package's layer is its index; packages of one layer do not import each other.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("flows", "flows.core"),
    ("flows.readers", "flows.stages", "flows.dataset"),
    ("flows.quality", "flows.run_steps"),
    ("flows.orchestration",),
    ("flows.pipeline",),
    ("flows.cli",),
)
LAYER_OF = {package: index for index, packages in enumerate(LAYERS) for package in packages}
BEGIN, END = "<!-- import-graph:begin -->", "<!-- import-graph:end -->"


@dataclass(frozen=True)
class Import:
    source: str  # importing module
    target: str  # imported module (a module of the package, resolved)
    line: int
    local: bool  # inside a function
    commented: bool  # a comment on its line or the line above (why it is local)


def modules(root: Path = ROOT) -> dict[str, Path]:
    found = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def package_of(module: str) -> str:
    """The unit of layering: flows.<subpackage> for modules in one, else the module itself."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else module


def imports(root: Path = ROOT) -> list[Import]:
    known = modules(root)
    found: list[Import] = []
    for module, path in known.items():
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        tree = ast.parse(source)
        starts = _block_starts(tree)
        for node, local in _walk(tree):
            for target in _targets(node, module, path, known):
                if target == module:
                    continue
                commented = _commented(lines, node.lineno) or _commented(
                    lines, starts.get(node.lineno, node.lineno)
                )
                found.append(Import(module, target, node.lineno, local, commented))
    return found


def _commented(lines: list[str], lineno: int) -> bool:
    """A comment on the line, or on the line just above (lineno: the first of its import block)."""
    if "#" in lines[lineno - 1]:
        return True
    return lineno > 1 and lines[lineno - 2].strip().startswith("#")


def _block_starts(tree: ast.AST) -> dict[int, int]:
    """For each import statement, the line of the first import of its block of consecutive ones."""
    starts: dict[int, int] = {}
    for node in ast.walk(tree):
        for body in (getattr(node, name, None) for name in ("body", "orelse", "finalbody")):
            if not isinstance(body, list):
                continue
            first: int | None = None
            for statement in body:
                if isinstance(statement, ast.Import | ast.ImportFrom):
                    first = statement.lineno if first is None else first
                    starts[statement.lineno] = first
                else:
                    first = None
    return starts


def _walk(tree: ast.AST) -> list[tuple[ast.Import | ast.ImportFrom, bool]]:
    out: list[tuple[ast.Import | ast.ImportFrom, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                out.append((child, in_function))
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            visit(child, inner)

    visit(tree, False)
    return out


def _targets(
    node: ast.Import | ast.ImportFrom, module: str, path: Path, known: dict[str, Path]
) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name in known]
    base = node.module or ""
    if node.level:  # relative import: resolve against this module's package
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = f"{package}.{base}" if base else package
    if not base.startswith(PACKAGE):
        return []
    targets = []
    for alias in node.names:
        candidate = f"{base}.{alias.name}"
        targets.append(candidate if candidate in known else base)
    return [t for t in targets if t in known]


def cycles(found: list[Import]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    graph: dict[str, set[str]] = {}
    for imp in found:
        graph.setdefault(imp.source, set()).add(imp.target)
        graph.setdefault(imp.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0

    def strong(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                strong(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
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

    sys.setrecursionlimit(10_000)
    for node in sorted(graph):
        if node not in index:
            strong(node)
    return sorted(components)


def layer_violations(found: list[Import]) -> list[str]:
    """Imports up a layer, across packages of one layer, or from a package with no layer."""
    problems = []
    for imp in found:
        source, target = package_of(imp.source), package_of(imp.target)
        if source == target:
            continue
        if source not in LAYER_OF or target not in LAYER_OF:
            missing = source if source not in LAYER_OF else target
            problems.append(f"{missing} is in no layer (declare it in LAYERS)")
        elif LAYER_OF[target] >= LAYER_OF[source]:
            where = "up a layer" if LAYER_OF[target] > LAYER_OF[source] else "across one layer"
            problems.append(f"{imp.source}:{imp.line} imports {imp.target} ({where})")
    return sorted(set(problems))


def local_imports(root: Path = ROOT) -> list[tuple[str, int, str, bool]]:
    """Every import inside a function, of any module: (module, line, imported, commented)."""
    found = []
    for module, path in modules(root).items():
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        tree = ast.parse(source)
        starts = _block_starts(tree)
        for node, local in _walk(tree):
            if not local:
                continue
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else ["." * node.level + (node.module or "")]
            )
            commented = _commented(lines, node.lineno) or _commented(
                lines, starts.get(node.lineno, node.lineno)
            )
            found.append((module, node.lineno, ", ".join(names), commented))
    return found


def uncommented_local_imports(root: Path = ROOT) -> list[str]:
    return [
        f"{module}:{line} imports {name} inside a function without a comment saying why"
        for module, line, name, commented in local_imports(root)
        if not commented
    ]


def figures(root: Path = ROOT) -> dict[str, int]:
    found = imports(root)
    mods = modules(root)
    return {
        "modules": len(mods),
        "packages": len({package_of(m) for m in mods}),
        "layers": len(LAYERS),
        "import edges (module to module)": len({(i.source, i.target) for i in found}),
        "function-local imports of flows modules": len(
            {(i.source, i.line) for i in found if i.local}
        ),
        "function-local imports, any module": len(local_imports(root)),
        "import cycles": len(cycles(found)),
        "layer violations": len(layer_violations(found)),
    }


def mermaid(root: Path = ROOT) -> str:
    """Packages as boxes grouped by layer, top layer first; an arrow: some module imports from it."""
    found = imports(root)
    mods = modules(root)
    edges = Counter(
        (package_of(i.source), package_of(i.target))
        for i in found
        if package_of(i.source) != package_of(i.target)
    )
    members = Counter(package_of(m) for m in mods)
    lines = ["```mermaid", "flowchart TD"]
    for number in reversed(range(len(LAYERS))):
        lines.append(f'  subgraph layer{number}["layer {number}"]')
        for package in LAYERS[number]:
            label = package.replace("flows.", "") + ("/" if members[package] > 1 else ".py")
            if package == "flows":
                label = "flows/__init__.py"
            if members[package] > 1:
                label += f" ({members[package]} modules)"
            lines.append(f'    {_node(package)}["{label}"]')
        lines.append("  end")
    for source, target in sorted(edges):
        lines.append(f"  {_node(source)} --> {_node(target)}")
    lines.append("```")
    return "\n".join(lines)


def _node(package: str) -> str:
    return package.replace(".", "_")


def write_docs(root: Path = ROOT) -> bool:
    """Redraw the diagram between the markers of docs/architecture.md; True when it changed."""
    docs = root / "docs" / "architecture.md"
    text = docs.read_text(encoding="utf-8")
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    new = f"{head}{BEGIN}\n{mermaid(root)}\n{END}{tail}"
    if new != text:
        docs.write_text(new, encoding="utf-8")
    return new != text


def drawn_diagram(root: Path = ROOT) -> str:
    text = (root / "docs" / "architecture.md").read_text(encoding="utf-8")
    return text.partition(BEGIN)[2].partition(END)[0].strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="checkout to read (default: this)")
    parser.add_argument("--write-docs", action="store_true", help="redraw docs/architecture.md")
    args = parser.parse_args(argv)
    found = imports(args.root)
    print("| figure | value |\n| --- | ---: |")
    for name, value in figures(args.root).items():
        print(f"| {name} | {value} |")
    problems = [
        *(" <-> ".join(c) for c in cycles(found)),
        *layer_violations(found),
        *uncommented_local_imports(args.root),
    ]
    for problem in problems:
        print(f"- {problem}")
    if args.write_docs:
        print("docs/architecture.md", "redrawn" if write_docs(args.root) else "unchanged")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
