"""Pinterest's Conversions API request schema (the package's copy of `../shared/spec`), and a fast gate for it.

`jsonschema` (Draft 2020-12) is the authority and writes the messages, but costs 0.2-0.4 ms per event: a dry run
of a million events took minutes, and the sandbox spent most of its CPU on sampled bodies. `is_valid()` is a
fastjsonschema function compiled from the same schema (~7 ms per 1,000-event body); callers run jsonschema only
when the gate says no. The gate must never accept what jsonschema rejects (tests/exporter/test_schema_gate.py):
fastjsonschema implements draft-07, where a `$ref` hides its sibling keywords, so every `$ref` with siblings is
rewritten as `allOf: [{$ref}, {siblings}]`, the 2020-12 meaning; formats are not checked by either side.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any, Callable

import fastjsonschema

DRAFT_07 = "http://json-schema.org/draft-07/schema#"
# keywords that stay where they are next to a $ref: annotations (they validate nothing) and the schema's own
# bookkeeping ($defs must stay at the root for "#/$defs/..." to resolve)
_ANNOTATIONS = {"$ref", "title", "description", "examples", "$comment", "default", "$defs", "$schema", "$id"}


@lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    text = resources.files("pinexport").joinpath("schema/conversion_events.schema.json").read_text("utf-8")
    return json.loads(text)


def event_schema() -> dict[str, Any]:
    """The schema of one event: the items of ConversionEvents.data, with the $defs it refers to."""
    doc = document()
    items = doc["$defs"]["ConversionEvents"]["properties"]["data"]["items"]
    return {"$schema": doc["$schema"], "$defs": doc["$defs"], **items}


def schema_for(kind: str) -> dict[str, Any]:
    if kind == "body":
        return document()
    if kind == "event":
        return event_schema()
    raise ValueError(f"unknown schema kind {kind!r}")


def as_draft_07(node: Any) -> Any:
    """The 2020-12 schema rewritten so a draft-07 validator gives it the same meaning."""
    if isinstance(node, list):
        return [as_draft_07(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: as_draft_07(value) for key, value in node.items()}
    if "$ref" in out and set(out) - _ANNOTATIONS:
        siblings = {k: v for k, v in out.items() if k not in _ANNOTATIONS}
        out = {k: v for k, v in out.items() if k in _ANNOTATIONS - {"$ref"}}
        out["allOf"] = [{"$ref": node["$ref"]}, siblings]
    if "$schema" in out:
        out["$schema"] = DRAFT_07
    return out


@lru_cache(maxsize=2)
def authority(kind: str):
    """The jsonschema validator (Draft 2020-12) of a body or of one event: what decides and explains."""
    import jsonschema  # slow to import; only needed once the gate has refused something

    schema = schema_for(kind)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


@lru_cache(maxsize=2)
def _fast(kind: str) -> Callable[[Any], Any]:
    definition = as_draft_07(schema_for(kind))
    definition.pop("$id", None)  # refs are local (#/$defs/...); an $id would send the resolver to the network
    # formats are annotations for jsonschema by default; the gate must not be stricter in a way that matters
    return fastjsonschema.compile(definition, formats={"int64": lambda value: True})


def is_valid(kind: str, instance: Any) -> bool:
    """True when `instance` (a parsed body or event) certainly satisfies the schema; False means "ask jsonschema"."""
    check = _fast(kind)  # a schema the gate cannot compile is a bug: raised, never silently slow
    try:
        check(instance)
    except fastjsonschema.JsonSchemaValueException:
        return False
    return True
