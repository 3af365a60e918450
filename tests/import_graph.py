"""Which portal package imports which (every import, also inside functions), and every edge
that runs upward or sideways, by the layer order below. `python tests/import_graph.py` prints
the graph; tests/test_import_layers.py asserts there is no such edge."""

import ast
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
# Lowest first. A package may import only from itself and from lower layers.
LAYERS = [
    ["records", "models"],
    ["caching"],
    ["search"],
    ["reference"],
    ["changelog"],
    ["content"],
    ["finders", "network"],
    ["opendata"],
    ["downloads"],
    ["templatetags", "middleware", "lockout", "roles"],
    ["views", "admin", "management", "apps"],
    ["urls"],
]
# portal.models is the app's models module: it re-exports the records layer, its own.
SAME = {("models", "records"), ("records", "models")}
RANK = {name: i for i, layer in enumerate(LAYERS) for name in layer}


def package_of(dotted):
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "portal" else None


def import_graph(root):
    """({package: {packages it imports}}, [problem, ...]) for the checkout at `root`."""
    edges, problems = {}, []
    for path in sorted((root / "portal").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        rel = path.relative_to(root).with_suffix("")
        module = ".".join(rel.parts).removesuffix(".__init__")
        source = package_of(module) or "portal"
        if source.startswith("__"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            targets = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module == "portal":
                    targets = [f"portal.{alias.name}" for alias in node.names]
                else:
                    targets = [node.module]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            for target in targets:
                package = package_of(target)
                if package is None or package == source:
                    continue
                edges.setdefault(source, set()).add(package)
                if (source, package) in SAME:
                    continue
                if RANK.get(package, -1) > RANK.get(source, 99):
                    problems.append(f"{module} imports {target} (upward)")
                elif RANK.get(package, -1) == RANK.get(source, 99):
                    problems.append(f"{module} imports {target} (sideways)")

    return edges, problems


def main():
    edges, problems = import_graph(pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT)
    for source in sorted(edges, key=lambda s: (RANK.get(s, 99), s)):
        print(
            f"{source:13} -> {', '.join(sorted(edges[source], key=lambda p: (RANK.get(p, 99), p)))}"
        )
    print()
    print("\n".join(problems) or "no upward or sideways edge")


if __name__ == "__main__":
    main()
