"""Write an edited taxonomy back into the YAML it came from, changing only what changed.

A form edit (rename, move, deprecate, merge, split, add) computes the new taxonomy as
a value; ``to_yaml`` would write it out in canonical form and rewrite every line a person
formatted by hand. ``update_yaml`` instead loads the original text with ruamel.yaml's
round-trip loader, which keeps comments, key order, quoting, flow lists and folded blocks,
and changes in it only the fields and positions that differ from the new taxonomy:

- a field whose value is unchanged keeps its text exactly;
- a changed field is rewritten in place (a new one goes where the canonical key order
  puts it); a field the new taxonomy leaves empty is removed;
- labels keep their mapping, comments included, when they move; new labels are written
  in the canonical form of ``to_yaml``.

When the original cannot be read this way (invalid YAML, an unexpected shape), the
canonical ``to_yaml`` text is returned: the edit still works, the diff is just larger.
"""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import LiteralScalarString

from guidelines_app.domain.errors import InvalidInput
from guidelines_app.domain.taxonomy_model import Label, Taxonomy
from guidelines_app.domain.taxonomy_yaml import (
    LABEL_KEYS,
    TAXONOMY_KEYS,
    label_fields,
    parse_taxonomy,
    to_yaml,
)

#: Lists written in flow style, as ``to_yaml`` writes them; new keys are placed in the
#: order of ``LABEL_KEYS`` / ``TAXONOMY_KEYS``, the order ``to_yaml`` writes.
FLOW_KEYS = frozenset({"synonyms", "replaced_by"})


class _Unexpected(Exception):
    """The original YAML is not shaped the way a valid taxonomy is."""


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a line a person wrote
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def update_yaml(original: str, new: Taxonomy) -> str:
    """``new`` written as an edit of ``original`` (see the module docstring)."""
    try:
        old = parse_taxonomy(original)
        document = _yaml().load(original)
        if not isinstance(document, CommentedMap) or not isinstance(
            document.get("labels"), CommentedSeq
        ):
            raise _Unexpected
        _update_document(document, old, new)
        out = io.StringIO()
        _yaml().dump(document, out)
    except (InvalidInput, YAMLError, _Unexpected, ValueError):
        return to_yaml(new)
    text = out.getvalue()
    if parse_taxonomy(text) != new:  # never write something other than what was asked
        return to_yaml(new)
    return text


def _update_document(document: CommentedMap, old: Taxonomy, new: Taxonomy) -> None:
    top = {"name": new.name, "description": new.description, "kind": new.kind}
    before = {"name": old.name, "description": old.description, "kind": old.kind}
    for key, value in top.items():
        if value != before[key] or key not in document:
            _set(document, key, value, TAXONOMY_KEYS, keep_empty=key != "description")
    nodes = _nodes_by_id(document["labels"])
    old_labels = old.by_id()
    _update_list(document["labels"], new.labels, nodes, old_labels)


def _nodes_by_id(seq: CommentedSeq) -> dict[str, CommentedMap]:
    found: dict[str, CommentedMap] = {}
    for node in seq:
        if not isinstance(node, CommentedMap) or not isinstance(node.get("id"), str):
            raise _Unexpected
        found.setdefault(node["id"], node)
        children = node.get("children")
        if children is not None:
            if not isinstance(children, CommentedSeq):
                raise _Unexpected
            for key, value in _nodes_by_id(children).items():
                found.setdefault(key, value)
    return found


def _update_list(
    seq: CommentedSeq,
    labels: tuple[Label, ...],
    nodes: dict[str, CommentedMap],
    old_labels: dict[str, Label],
) -> None:
    """Make ``seq`` hold ``labels`` in order, reusing the original mapping of each label."""
    wanted = []
    for label in labels:
        node = nodes.get(label.id)
        if node is None or label.id not in old_labels:
            wanted.append(_new_node(label))
            continue
        _update_label(node, old_labels[label.id], label, nodes, old_labels)
        wanted.append(node)
    if [id(n) for n in seq] != [id(n) for n in wanted]:
        seq[:] = wanted  # only a level whose members or order changed is rewritten


def _update_label(
    node: CommentedMap,
    old: Label,
    new: Label,
    nodes: dict[str, CommentedMap],
    old_labels: dict[str, Label],
) -> None:
    before, after = label_fields(old), label_fields(new)
    for key in LABEL_KEYS:
        if key == "children":
            continue
        if key in after and (before.get(key) != after[key] or key not in node):
            _set(node, key, after[key], LABEL_KEYS)
        elif key not in after and key in node:
            del node[key]
    if new.children:
        children = node.get("children")
        if not isinstance(children, CommentedSeq):
            children = CommentedSeq()
            _set(node, "children", children, LABEL_KEYS)
        _update_list(children, new.children, nodes, old_labels)
    elif "children" in node:
        del node["children"]


def _set(
    node: CommentedMap, key: str, value: Any, order: tuple[str, ...], keep_empty: bool = True
) -> None:
    """Set ``key`` where the canonical order puts it; an empty optional value is removed."""
    if not keep_empty and value in ("", None):
        node.pop(key, None)
        return
    value = _styled(key, value)
    if key in node:
        node[key] = value
        return
    position = len(node)
    later = order[order.index(key) + 1 :]
    for index, existing in enumerate(node):
        if existing in later:
            position = index
            break
    node.insert(position, key, value)


def _styled(key: str, value: Any) -> Any:
    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString(value)
    if isinstance(value, (list, tuple)) and not isinstance(value, CommentedSeq):
        seq = CommentedSeq(_styled("", item) for item in value)
        if key in FLOW_KEYS:
            seq.fa.set_flow_style()
        return seq
    return value


def _new_node(label: Label) -> CommentedMap:
    node = CommentedMap()
    for key, value in label_fields(label).items():
        node[key] = _styled(key, value)
    if label.children:
        node["children"] = CommentedSeq(_new_node(child) for child in label.children)
    return node
