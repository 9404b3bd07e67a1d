"""The package layout rules of ARCHITECTURE.md, read from the source with `ast` (no import runs)."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "ai_agents"
MAX_LINES = 300
FLOWS = ("inbound", "outbound", "workspace")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


@cache
def imports_of(name: str) -> frozenset[str]:
    """The modules of ours `name` imports anywhere in its body (TYPE_CHECKING blocks included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(modules()[name].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from package import module` imports the module; `from module import name` the module.
            targets = [f"{node.module}.{alias.name}" for alias in node.names]
            targets = [t if t in modules() else node.module for t in targets]
        else:
            continue
        found.update(t for t in targets if t == "ai_agents" or t.startswith("ai_agents."))
    return frozenset(found - {name})


def edges(source_prefix: str) -> list[tuple[str, str]]:
    return [
        (name, target)
        for name in modules()
        if name == source_prefix or name.startswith(source_prefix + ".")
        for target in sorted(imports_of(name))
    ]


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def cycles() -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(name: str) -> None:
        index[name] = low[name] = len(index)
        stack.append(name)
        on_stack.add(name)
        for target in imports_of(name):
            if target not in modules():
                continue
            if target not in index:
                visit(target)
                low[name] = min(low[name], low[target])
            elif target in on_stack:
                low[name] = min(low[name], index[target])
        if low[name] == index[name]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == name:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for name in modules():
        if name not in index:
            visit(name)
    return groups


def test_the_import_graph_has_no_cycle():
    assert cycles() == []


def test_core_imports_nothing_of_ours():
    assert [(s, t) for s, t in edges("ai_agents.core") if not within(t, "ai_agents.core")] == []


def test_db_imports_only_core():
    allowed = ("ai_agents.db", "ai_agents.core", "ai_agents.config")
    assert [(s, t) for s, t in edges("ai_agents.db") if not any(within(t, a) for a in allowed)] == []


@pytest.mark.parametrize("adapters", ["ai_agents.channels", "ai_agents.llm"])
def test_adapters_import_only_core_and_config(adapters):
    allowed = (adapters, "ai_agents.core", "ai_agents.config", "ai_agents.logs", "ai_agents.net")
    assert [(s, t) for s, t in edges(adapters) if not any(within(t, a) for a in allowed)] == []


def test_the_adapters_http_plumbing_imports_nothing_of_ours():
    assert [(s, t) for s, t in edges("ai_agents.net") if not within(t, "ai_agents.net")] == []


def test_outbound_imports_neither_inbound_nor_workspace():
    others = ("ai_agents.services.inbound", "ai_agents.services.workspace")
    assert [(s, t) for s, t in edges("ai_agents.services.outbound") if any(within(t, o) for o in others)] == []


def test_the_services_root_imports_no_flow():
    flows = tuple(f"ai_agents.services.{flow}" for flow in FLOWS)
    root = [name for name in modules() if within(name, "ai_agents.services") and not any(within(name, f) for f in flows)]
    bad = [(s, t) for s in root for t in sorted(imports_of(s)) if any(within(t, f) for f in flows)]
    assert bad == []


def test_services_import_no_entry_point_layer_and_reach_channels_through_the_ports():
    layers = ("ai_agents.api", "ai_agents.ui", "ai_agents.runtime", "ai_agents.ai_agents", "ai_agents.channels")
    layers += ("ai_agents.llm",)
    bad = [(s, t) for s, t in edges("ai_agents.services") if any(within(t, layer) for layer in layers)]
    assert [(s, t) for s, t in bad if s != "ai_agents.services.ports"] == []


@pytest.mark.parametrize("layer", ["ai_agents.ui", "ai_agents.api", "ai_agents.runtime"])
def test_only_the_entry_point_imports_ui_api_and_runtime(layer):
    importers = [
        (name, target)
        for name in modules()
        if not within(name, layer) and name != "ai_agents.ai_agents"
        for target in imports_of(name)
        if within(target, layer)
    ]
    assert importers == []


def test_modules_stay_under_the_line_limit():
    long = {name: n for name, path in modules().items() if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def test_no_formatter_is_switched_off():
    marker = "fmt: " + "skip"  # spelled apart so this file does not match itself
    assert [name for name, path in modules().items() if marker in path.read_text()] == []


def test_every_module_opens_with_a_one_line_docstring():
    missing = []
    for name, path in modules().items():
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        if not docstring or not docstring.splitlines()[0].strip():
            missing.append(name)
    assert missing == []
