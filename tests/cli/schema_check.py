"""A small JSON Schema (draft 2020-12) checker, standard library only.

It knows the keywords docs/*.schema.json use: type, enum, const, properties,
patternProperties, additionalProperties, propertyNames, required,
minProperties, items, minItems, maxItems, uniqueItems, minimum, maximum,
exclusiveMinimum, minLength, maxLength, pattern, not, allOf, anyOf, oneOf,
if/then/else and local $ref ("#/$defs/..."). Annotations (description,
title, $schema, $comment) are ignored. A keyword it does not know raises, so
a schema cannot silently check less than it says.
"""

from __future__ import annotations

import math
import re

ANNOTATIONS = {"$schema", "$comment", "title", "description", "default", "$defs", "examples"}
KNOWN = ANNOTATIONS | {
    "type", "enum", "const", "properties", "patternProperties", "additionalProperties", "propertyNames", "required",
    "minProperties", "items", "minItems", "maxItems", "uniqueItems", "minimum", "maximum", "exclusiveMinimum",
    "minLength", "maxLength", "pattern", "not", "allOf", "anyOf", "oneOf", "if", "then", "else", "$ref",
}


def _is_type(value, t: str) -> bool:
    if t == "object":
        return isinstance(value, dict)
    if t == "array":
        return isinstance(value, list)
    if t == "string":
        return isinstance(value, str)
    if t == "boolean":
        return isinstance(value, bool)
    if t == "null":
        return value is None
    if t == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if t == "integer":  # JSON Schema: any number with no fractional part
        return _is_type(value, "number") and (isinstance(value, int) or (math.isfinite(value) and value == int(value)))
    raise ValueError(f"unknown type {t!r}")


def _equal(a, b) -> bool:
    if _is_type(a, "number") and _is_type(b, "number"):
        return a == b
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    return a == b


class Checker:
    """Checks documents against one schema; errors() lists why a document fails."""

    def __init__(self, schema: dict):
        self.root = schema

    def _resolve(self, ref: str) -> dict:
        if not ref.startswith("#/"):
            raise ValueError(f"only local references are supported, got {ref!r}")
        node = self.root
        for token in ref[2:].split("/"):
            node = node[token.replace("~1", "/").replace("~0", "~")]
        return node

    def errors(self, value, schema=None, path: str = "") -> list[str]:
        """Every reason `value` fails `schema` (the root schema by default), each with its JSON pointer."""
        s = self.root if schema is None else schema
        if s is True or s == {}:
            return []
        if s is False:
            return [f"{path or '/'}: no value is allowed here"]
        unknown = set(s) - KNOWN
        if unknown:
            raise ValueError(f"schema keyword(s) {sorted(unknown)} not supported")
        out: list[str] = []
        at = path or "/"
        if "$ref" in s:
            out += self.errors(value, self._resolve(s["$ref"]), path)
        if "type" in s:
            types = s["type"] if isinstance(s["type"], list) else [s["type"]]
            if not any(_is_type(value, t) for t in types):
                return out + [f"{at}: expected {' or '.join(types)}"]
        if "enum" in s and not any(_equal(value, e) for e in s["enum"]):
            out.append(f"{at}: {value!r} is not one of {s['enum']}")
        if "const" in s and not _equal(value, s["const"]):
            out.append(f"{at}: expected {s['const']!r}")
        if _is_type(value, "number"):
            if "minimum" in s and value < s["minimum"]:
                out.append(f"{at}: {value} < minimum {s['minimum']}")
            if "maximum" in s and value > s["maximum"]:
                out.append(f"{at}: {value} > maximum {s['maximum']}")
            if "exclusiveMinimum" in s and value <= s["exclusiveMinimum"]:
                out.append(f"{at}: {value} <= exclusive minimum {s['exclusiveMinimum']}")
        if isinstance(value, str):
            if "minLength" in s and len(value) < s["minLength"]:
                out.append(f"{at}: shorter than {s['minLength']}")
            if "maxLength" in s and len(value) > s["maxLength"]:
                out.append(f"{at}: longer than {s['maxLength']}")
            if "pattern" in s and not re.search(s["pattern"], value):
                out.append(f"{at}: does not match {s['pattern']}")
        if isinstance(value, list):
            if "minItems" in s and len(value) < s["minItems"]:
                out.append(f"{at}: fewer than {s['minItems']} items")
            if "maxItems" in s and len(value) > s["maxItems"]:
                out.append(f"{at}: more than {s['maxItems']} items")
            if s.get("uniqueItems") and any(_equal(value[i], value[j]) for i in range(len(value)) for j in range(i)):
                out.append(f"{at}: items are not unique")
            if "items" in s:
                for i, item in enumerate(value):
                    out += self.errors(item, s["items"], f"{path}/{i}")
        if isinstance(value, dict):
            for key in s.get("required", []):
                if key not in value:
                    out.append(f"{at}: missing required '{key}'")
            if "minProperties" in s and len(value) < s["minProperties"]:
                out.append(f"{at}: fewer than {s['minProperties']} properties")
            props, patterns = s.get("properties", {}), s.get("patternProperties", {})
            for key, v in value.items():
                p = f"{path}/{key}"
                if "propertyNames" in s:
                    out += self.errors(key, s["propertyNames"], p)
                matched = False
                if key in props:
                    matched = True
                    out += self.errors(v, props[key], p)
                for pattern, sub in patterns.items():
                    if re.search(pattern, key):
                        matched = True
                        out += self.errors(v, sub, p)
                if not matched and "additionalProperties" in s:
                    out += self.errors(v, s["additionalProperties"], p)
        for sub in s.get("allOf", []):
            out += self.errors(value, sub, path)
        if "anyOf" in s and not any(not self.errors(value, sub, path) for sub in s["anyOf"]):
            out.append(f"{at}: matches none of anyOf")
        if "oneOf" in s:
            n = sum(1 for sub in s["oneOf"] if not self.errors(value, sub, path))
            if n != 1:
                out.append(f"{at}: matches {n} of oneOf, not exactly 1")
        if "not" in s and not self.errors(value, s["not"], path):
            out.append(f"{at}: matches the 'not' schema")
        if "if" in s:
            branch = "then" if not self.errors(value, s["if"], path) else "else"
            if branch in s:
                out += self.errors(value, s[branch], path)
        return out
