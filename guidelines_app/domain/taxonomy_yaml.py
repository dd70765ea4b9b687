"""Reading and writing ``taxonomies/<slug>.yaml``.

Reading is defensive: a safe loader, no anchors or aliases (alias bombs), no tabs in
indentation, a size limit, and every shape problem collected with its path and line
rather than stopping at the first.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from guidelines_app.domain.errors import InvalidInput, Problem, TooLarge
from guidelines_app.domain.taxonomy_model import MAX_TEXT_BYTES, Label, Taxonomy

TAXONOMY_KEYS = ("name", "description", "kind", "labels")
LABEL_KEYS = (
    "id",
    "name",
    "description",
    "examples",
    "counter_examples",
    "synonyms",
    "color",
    "hint",
    "value",
    "deprecated",
    "replaced_by",
    "children",
)
_LIST_KEYS = ("examples", "counter_examples", "synonyms", "replaced_by")
_TEXT_KEYS = ("description", "color", "hint")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BOOL_TAG = "tag:yaml.org,2002:bool"
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_NULL_TAG = "tag:yaml.org,2002:null"
_TAB_INDENT = re.compile(r"^ *\t", re.MULTILINE)


def check_size(text: str, what: str = "taxonomy") -> None:
    if len(text) > MAX_TEXT_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_TEXT_BYTES:
        raise TooLarge(f"the {what} is larger than {MAX_TEXT_BYTES // (1024 * 1024)} MB")


def parse_taxonomy(text: str) -> Taxonomy:
    """Parse YAML into a Taxonomy; raise InvalidInput with every shape problem, or TooLarge."""
    taxonomy, problems = parse_taxonomy_lenient(text)
    if problems:
        raise InvalidInput(problems=problems)
    return taxonomy


def parse_taxonomy_lenient(text: str) -> tuple[Taxonomy, list[Problem]]:
    """Parse what can be parsed and return the shape problems beside it.

    Unreadable YAML (syntax, aliases, tabs, not a mapping) still raises InvalidInput,
    since there is no taxonomy to return.
    """
    check_size(text)
    tabs = [
        Problem(
            "tab used for indentation; indent with spaces", line=text.count("\n", 0, m.start()) + 1
        )
        for m in _TAB_INDENT.finditer(text)
        if text[m.end() :].split("\n", 1)[0].strip()
    ]
    if tabs:
        raise InvalidInput(problems=tabs)
    try:
        root = yaml.compose(text, Loader=_Loader)
        if isinstance(root, MappingNode):
            _reject_aliases(root, text)
            return _Reader().taxonomy(root)
    except RecursionError as exc:
        raise InvalidInput(problems=[Problem("the document is nested too deeply")]) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        if "nesting depth" in str(exc.problem):  # PyYAML >= 6.0.3 caps the depth itself
            raise InvalidInput(
                problems=[Problem("the document is nested too deeply", line=line)]
            ) from exc
        raise InvalidInput(problems=[Problem(f"not valid YAML: {exc.problem}", line=line)]) from exc
    except yaml.YAMLError as exc:
        raise InvalidInput(problems=[Problem(f"not valid YAML: {exc}")]) from exc
    line = root.start_mark.line + 1 if root is not None else None
    raise InvalidInput(problems=[Problem("the document must be a mapping", line=line)])


def _reject_aliases(root: Node, text: str) -> None:
    """Refuse any node reached twice: that is what an alias composes to (alias bombs included)."""
    seen: set[int] = set()
    stack: list[Node] = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            raise InvalidInput(
                problems=[Problem("YAML aliases (*name) are not allowed", line=_alias_line(text))]
            )
        seen.add(id(node))
        if isinstance(node, SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                stack.extend((key_node, value_node))


def _alias_line(text: str) -> int | None:
    # Events, unlike composed nodes, still say where the alias itself was written.
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            return event.start_mark.line + 1 if event.start_mark else None
    return None


class _Reader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.constructor = SafeConstructor()

    def problem(self, message: str, path: str, node: Node) -> None:
        self.problems.append(Problem(message, path=path, line=node.start_mark.line + 1))

    def mapping(self, node: MappingNode, path: str, allowed: tuple[str, ...]) -> dict[str, Node]:
        fields: dict[str, Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.problem("keys must be plain words", path, key_node)
                continue
            key = key_node.value
            where = f"{path}.{key}" if path else key
            if key not in allowed:
                self.problem(
                    f"unknown key {key!r} (allowed: {', '.join(allowed)})", where, key_node
                )
            elif key in fields:
                self.problem(f"key {key!r} appears twice", where, key_node)
            else:
                fields[key] = value_node
        return fields

    def text(self, node: Node | None, path: str) -> str:
        if node is None:
            return ""
        if not isinstance(node, ScalarNode):
            self.problem("must be text", path, node)
            return ""
        if node.tag == _NULL_TAG and node.style is None:
            return ""
        return node.value

    def texts(self, node: Node | None, path: str) -> tuple[str, ...]:
        if node is None:
            return ()
        if isinstance(node, ScalarNode):
            value = self.text(node, path)
            return (value,) if value else ()
        if not isinstance(node, SequenceNode):
            self.problem("must be a list of text", path, node)
            return ()
        return tuple(self.text(item, f"{path}[{i}]") for i, item in enumerate(node.value))

    def taxonomy(self, root: MappingNode) -> tuple[Taxonomy, list[Problem]]:
        fields = self.mapping(root, "", TAXONOMY_KEYS)
        if "name" not in fields:
            self.problem("missing key 'name'", "name", root)
        labels_node = fields.get("labels")
        labels: tuple[Label, ...] = ()
        if labels_node is None:
            self.problem("missing key 'labels'", "labels", root)
        else:
            labels = self.labels(labels_node, "labels")
        taxonomy = Taxonomy(
            name=self.text(fields.get("name"), "name"),
            description=self.text(fields.get("description"), "description"),
            kind=self.text(fields.get("kind"), "kind") or "single-choice",
            labels=labels,
        )
        return taxonomy, self.problems

    def labels(self, node: Node, path: str) -> tuple[Label, ...]:
        if isinstance(node, ScalarNode) and node.tag == _NULL_TAG:
            return ()
        if not isinstance(node, SequenceNode):
            self.problem("must be a list of labels", path, node)
            return ()
        return tuple(self.label(item, f"{path}[{i}]") for i, item in enumerate(node.value))

    def label(self, node: Node, path: str) -> Label:
        line = node.start_mark.line + 1
        if not isinstance(node, MappingNode):
            self.problem("a label must be a mapping with at least 'id' and 'name'", path, node)
            return Label(id="", name="", line=line)
        fields = self.mapping(node, path, LABEL_KEYS)
        for required in ("id", "name"):
            if required not in fields:
                self.problem(f"missing key {required!r}", f"{path}.{required}", node)
        kwargs: dict[str, Any] = {
            "id": self.text(fields.get("id"), f"{path}.id"),
            "name": self.text(fields.get("name"), f"{path}.name"),
        }
        for key in _TEXT_KEYS:
            if key in fields:
                kwargs[key] = self.text(fields[key], f"{path}.{key}")
        if "color" in fields and not kwargs["color"]:
            self.problem(
                'colour is empty; quote it (color: "#2e7d32"): an unquoted # starts a comment',
                f"{path}.color",
                fields["color"],
            )
        kwargs["color"] = kwargs.get("color") or None
        for key in _LIST_KEYS:
            if key in fields:
                kwargs[key] = self.texts(fields[key], f"{path}.{key}")
        if "value" in fields:
            kwargs["value"] = self.number(fields["value"], f"{path}.value")
        if "deprecated" in fields:
            kwargs["deprecated"] = self.flag(fields["deprecated"], f"{path}.deprecated")
        if "children" in fields:
            kwargs["children"] = self.labels(fields["children"], f"{path}.children")
        return Label(**kwargs, line=line)

    def number(self, node: Node, path: str) -> int | float | None:
        if isinstance(node, ScalarNode) and node.tag in (_INT_TAG, _FLOAT_TAG):
            value = self.constructor.construct_object(node)
            if isinstance(value, float) and not math.isfinite(value):
                self.problem("must be a finite number", path, node)
                return None
            return value
        if isinstance(node, ScalarNode) and node.tag == _NULL_TAG:
            return None
        self.problem("must be a number", path, node)
        return None

    def flag(self, node: Node, path: str) -> bool:
        if isinstance(node, ScalarNode) and node.tag == _BOOL_TAG:
            return bool(self.constructor.construct_object(node))
        self.problem("must be true or false", path, node)
        return False


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent list items under their key, as people write YAML by hand.
        return super().increase_indent(flow, False)


class _Flow(list):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_flow(dumper: yaml.SafeDumper, value: _Flow) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_Flow, _represent_flow)


def label_fields(label: Label) -> dict[str, Any]:
    """A label's non-empty fields in the order ``to_yaml`` writes them, children left out;
    lists are plain lists."""
    data: dict[str, Any] = {"id": label.id, "name": label.name}
    if label.description:
        data["description"] = label.description
    for key in ("examples", "counter_examples", "synonyms"):
        if getattr(label, key):
            data[key] = list(getattr(label, key))
    if label.color:
        data["color"] = label.color
    if label.hint:
        data["hint"] = label.hint
    if label.value is not None:
        data["value"] = label.value
    if label.deprecated:
        data["deprecated"] = True
    if label.replaced_by:
        data["replaced_by"] = list(label.replaced_by)
    return data


def _label_data(label: Label) -> dict[str, Any]:
    data = label_fields(label)
    for key in ("synonyms", "replaced_by"):
        if key in data:
            data[key] = _Flow(data[key])
    if label.children:
        data["children"] = [_label_data(child) for child in label.children]
    return data


def to_yaml(taxonomy: Taxonomy) -> str:
    """Stable YAML: fixed key order, empty fields left out, so that diffs stay small."""
    data: dict[str, Any] = {"name": taxonomy.name}
    if taxonomy.description:
        data["description"] = taxonomy.description
    data["kind"] = taxonomy.kind
    data["labels"] = [_label_data(label) for label in taxonomy.labels]
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, indent=2)
