"""YAML read within a budget: the one loader for every YAML file a brief has.

A YAML file of one kilobyte can describe a structure of billions of nodes by aliasing
an anchor that aliases another ("billion laughs"): PyYAML builds it as shared objects
quickly, but whatever walks it afterwards (a check, an error message, a JSON dump) takes
gigabytes and minutes. :func:`load` refuses a text above :data:`MAX_BYTES`, nested
deeper than :data:`MAX_DEPTH`, or whose structure, once aliases are expanded, would
hold more than :data:`MAX_NODES` nodes. The refusal is a :class:`yaml.YAMLError`, which
every caller already reports as "not valid YAML" with its file and line.
"""

from __future__ import annotations

from typing import Any

import yaml

#: A project's YAML (``_quarto.yml``, front matter, calls to action) is a few KB.
MAX_BYTES = 2_000_000
#: Nodes of the structure with every alias expanded.
MAX_NODES = 200_000
MAX_DEPTH = 100


class BudgetExceeded(yaml.YAMLError):
    """The YAML is within the syntax but beyond the budget."""

    def __init__(self, problem: str, mark: yaml.Mark | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = mark


def located(exc: yaml.YAMLError) -> tuple[str, str]:
    """What a YAML error says, for a message: ``":LINE"`` (1-based; "" when the parser
    gave no position) and the problem in the parser's words."""
    mark = getattr(exc, "problem_mark", None)
    return (f":{mark.line + 1}" if mark is not None else "",
            str(getattr(exc, "problem", None) or exc))


def _expanded_size(root: yaml.Node) -> int:
    """Nodes of ``root`` with aliases expanded, counted once per shared node (memoised)
    and without recursion, stopping as soon as the budget is passed."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()  # on the path being walked: seen again, a cycle
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 0, False)]
    while stack:
        node, depth, done = stack.pop()
        if id(node) in sizes:
            continue
        if not done and id(node) in open_nodes:
            raise BudgetExceeded("refers to itself through an alias", node.start_mark)
        if depth > MAX_DEPTH:
            raise BudgetExceeded(f"nested more than {MAX_DEPTH} levels deep (expected a "
                                 "flat settings file)", node.start_mark)
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        if done or not children:
            total = 1 + sum(sizes.get(id(child), 0) for child in children)
            if total > MAX_NODES:
                raise BudgetExceeded(f"expands to more than {MAX_NODES:,} values through "
                                     "its aliases (expected plain settings; a file of "
                                     "nested '*' aliases is refused)", node.start_mark)
            sizes[id(node)] = total
            open_nodes.discard(id(node))
            continue
        open_nodes.add(id(node))
        stack.append((node, depth, True))
        stack.extend((child, depth + 1, False) for child in children
                     if id(child) not in sizes)
    return sizes[id(root)]


def load(text: str) -> Any:
    """The value of the YAML ``text`` (as :func:`yaml.safe_load`), within the budget."""
    if len(text) > MAX_BYTES:
        raise BudgetExceeded(f"is {len(text):,} characters long (expected at most "
                             f"{MAX_BYTES:,} for a settings file)")
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _expanded_size(node)
        return loader.construct_document(node)
    except RecursionError:  # PyYAML composes nested collections recursively
        raise BudgetExceeded(f"nested too deeply (expected at most {MAX_DEPTH} levels)"
                             ) from None
    finally:
        loader.dispose()
