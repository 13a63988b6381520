"""Just enough GraphQL for the Shopify conformance fake: parse an operation, execute its selection set
over Python dicts, and price it the way Shopify's "calculated query cost" documents (scalars and
enums 0, objects 1, connections 2 + the objects asked for, mutations 10; interfaces the most
expensive of their fragments). Not a general GraphQL server: no schema, no validation beyond syntax.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable

TOKEN = re.compile(r'\s*(?:(#[^\n]*)|(\.\.\.)|([{}()\[\]:!$@=,])|("(?:[^"\\]|\\.)*")|(-?\d+(?:\.\d+)?)|([A-Za-z_]\w*))')


class GraphQLSyntaxError(ValueError):
    pass


@dataclass
class Field:
    name: str
    alias: str | None = None
    args: dict[str, Any] = field(default_factory=dict)
    directives: dict[str, dict[str, Any]] = field(default_factory=dict)
    selections: list | None = None      # list of Field | Fragment

    @property
    def key(self) -> str:
        return self.alias or self.name


@dataclass
class Fragment:
    on: str
    selections: list


@dataclass
class Var:
    name: str


@dataclass
class Enum:
    name: str


@dataclass
class Operation:
    kind: str                           # "query" | "mutation"
    name: str | None
    selections: list


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise GraphQLSyntaxError(f"unexpected character at {pos}: {text[pos:pos + 20]!r}")
        pos = m.end()
        comment, spread, punct, string, number, name = m.groups()
        if comment:
            continue
        if spread:
            out.append(("spread", spread))
        elif punct:
            if punct != ",":
                out.append(("punct", punct))
        elif string is not None:
            out.append(("string", json.loads(string)))
        elif number is not None:
            out.append(("number", number))
        elif name:
            out.append(("name", name))
    return out


class _Parser:
    def __init__(self, text: str):
        self.t = _tokens(text)
        self.i = 0

    def peek(self, value: str | None = None, kind: str | None = None) -> bool:
        if self.i >= len(self.t):
            return False
        k, v = self.t[self.i]
        return (value is None or v == value) and (kind is None or k == kind)

    def take(self, value: str | None = None, kind: str | None = None) -> str:
        if not self.peek(value, kind):
            got = self.t[self.i] if self.i < len(self.t) else "end of document"
            raise GraphQLSyntaxError(f"expected {value or kind}, got {got}")
        self.i += 1
        return self.t[self.i - 1][1]

    def operation(self) -> Operation:
        kind, name = "query", None
        if self.peek("query") or self.peek("mutation"):
            kind = self.take()
            if self.peek(kind="name"):
                name = self.take()
            if self.peek("("):
                self._skip_variables()
            while self.peek("@"):
                self._directive()
        sels = self.selection_set()
        if self.i != len(self.t):
            raise GraphQLSyntaxError("one operation per document")
        return Operation(kind, name, sels)

    def _skip_variables(self) -> None:
        depth = 0
        while True:
            v = self.take()
            if v == "(":
                depth += 1
            elif v == ")":
                depth -= 1
                if depth == 0:
                    return

    def selection_set(self) -> list:
        self.take("{")
        out = []
        while not self.peek("}"):
            if self.peek(kind="spread"):
                self.take()
                self.take("on")
                on = self.take(kind="name")
                out.append(Fragment(on, self.selection_set()))
                continue
            name = self.take(kind="name")
            alias = None
            if self.peek(":"):
                self.take(":")
                alias, name = name, self.take(kind="name")
            f = Field(name, alias)
            if self.peek("("):
                f.args = self._args()
            while self.peek("@"):
                dname, dargs = self._directive()
                f.directives[dname] = dargs
            if self.peek("{"):
                f.selections = self.selection_set()
            out.append(f)
        self.take("}")
        return out

    def _directive(self) -> tuple[str, dict]:
        self.take("@")
        name = self.take(kind="name")
        return name, (self._args() if self.peek("(") else {})

    def _args(self) -> dict:
        self.take("(")
        out = {}
        while not self.peek(")"):
            k = self.take(kind="name")
            self.take(":")
            out[k] = self._value()
        self.take(")")
        return out

    def _value(self) -> Any:
        if self.peek("$"):
            self.take("$")
            return Var(self.take(kind="name"))
        if self.peek("["):
            self.take("[")
            items = []
            while not self.peek("]"):
                items.append(self._value())
            self.take("]")
            return items
        if self.peek("{"):
            self.take("{")
            obj = {}
            while not self.peek("}"):
                k = self.take(kind="name")
                self.take(":")
                obj[k] = self._value()
            self.take("}")
            return obj
        k, v = self.t[self.i]
        self.i += 1
        if k == "string":
            return v
        if k == "number":
            return float(v) if "." in v else int(v)
        if v in ("true", "false"):
            return v == "true"
        if v == "null":
            return None
        return Enum(v)


def parse(text: str) -> Operation:
    return _Parser(text).operation()


def resolve_value(v: Any, variables: dict) -> Any:
    if isinstance(v, Var):
        return variables.get(v.name)
    if isinstance(v, Enum):
        return v.name
    if isinstance(v, list):
        return [resolve_value(x, variables) for x in v]
    if isinstance(v, dict):
        return {k: resolve_value(x, variables) for k, x in v.items()}
    return v


def args_of(f: Field, variables: dict) -> dict:
    return {k: resolve_value(v, variables) for k, v in f.args.items()}


# ---- cost ("calculated query cost") ------------------------------------------------------------------
def _object_cost(selections: list, variables: dict) -> int:
    total, fragments = 0, []
    for s in selections:
        if isinstance(s, Fragment):
            fragments.append(_object_cost(s.selections, variables))
        elif s.selections is not None:
            total += field_cost(s, variables)
    return total + (max(fragments) if fragments else 0)


def field_cost(f: Field, variables: dict) -> int:
    if f.selections is None:
        return 0                                    # scalar or enum
    a = args_of(f, variables)
    size = a.get("first") or a.get("last")
    if isinstance(size, int):                       # a connection: 2 + the objects it may return
        node = next((s for s in f.selections if isinstance(s, Field) and s.name in ("nodes", "edges")), None)
        per = 0
        if node is not None and node.selections is not None:
            inner = node.selections
            if node.name == "edges":
                n2 = next((s for s in inner if isinstance(s, Field) and s.name == "node"), None)
                inner = n2.selections if n2 is not None and n2.selections is not None else []
            per = 1 + _object_cost(inner, variables)
        return 2 + size * per
    return 1 + _object_cost(f.selections, variables)


def operation_cost(op: Operation, variables: dict) -> int:
    if op.kind == "mutation":
        return 10 * sum(1 for s in op.selections if isinstance(s, Field))
    return sum(field_cost(s, variables) for s in op.selections if isinstance(s, Field))


# ---- execution -----------------------------------------------------------------------------------------
def execute(selections: list, obj: Any, variables: dict) -> Any:
    """Shape `obj` (dicts, lists, scalars; callables take the field's arguments) by the selection set."""
    if obj is None:
        return None
    if isinstance(obj, list):
        return [execute(selections, x, variables) for x in obj]
    out: dict[str, Any] = {}
    for s in selections:
        if isinstance(s, Fragment):
            if obj.get("__typename") == s.on:
                out.update(execute(s.selections, obj, variables))
            continue
        value = obj.get(s.name)
        if callable(value):
            value = value(args_of(s, variables))
        if s.selections is not None:
            value = execute(s.selections, value, variables)
        out[s.key] = value
    return out


RootResolver = Callable[[dict, Field], Any]
