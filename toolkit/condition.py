"""``row_condition``: a small expression language over the article columns, never code.

A suite file may come from another team, so a condition is parsed into this module's own
tree and compiled to vectorised pyarrow masks; it is never handed to ``eval``,
``DataFrame.eval`` or ``DataFrame.query``. The grammar is the part of pandas' condition syntax
(GX's ``condition_parser: pandas``) that selects articles:

- column names of the article frame (``date``, ``headline``, ``paragraphs``, ``tags`` ...);
- literals: text in quotes, numbers, ``True``/``False``, ``None``;
- comparisons ``== != < <= > >=`` (chains such as ``2 < paragraphs <= 6`` too), ``in`` and
  ``not in`` a list of literals;
- ``and``/``or``/``not`` (``&``/``|``/``~`` alike, each side in parentheses), parentheses;
- these methods on a column: ``.str.contains(text, case=, regex=, na=)``,
  ``.str.startswith(text)``, ``.str.endswith(text)``, ``.str.match(regex, case=)``,
  ``.str.fullmatch(regex, case=)``, ``.str.len()`` (``.list.len()`` on a list column),
  ``.isnull()``/``.isna()``/``.notnull()``/``.notna()``.

Python's own ``ast`` parses the text (a tokenizer and precedence climbing by hand would repeat
it, and pandas' syntax is Python's); only the node shapes above are accepted, walked into the
small tree below. Regular expressions run in RE2 (pyarrow), whose time is linear in the text.
Nulls follow pandas' Arrow semantics (three-valued logic); an article whose condition is null
is not selected.
"""

from __future__ import annotations

import ast
import io
import tokenize
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from toolkit.batch import SCHEMA

Kind = Literal["text", "number", "list"]
Value = str | int | float | bool | None

# The columns a condition may name: the article's parts and where it stands (file, line).
# The run's bookkeeping (file_no, the at_* lines) is not article data.
COLUMN_KINDS: dict[str, Kind] = {
    f.name: (
        "list" if pa.types.is_list(f.type) else "number" if pa.types.is_integer(f.type) else "text"
    )
    for f in SCHEMA
    if f.name != "file_no" and not f.name.startswith("at_")
}
EXAMPLE = 'date >= "2025-01-01" and byline.notna()'
ALLOWED = (
    "a condition may use column names, quoted text, numbers, True/False/None, comparisons "
    "(== != < <= > >=), 'in [...]', and/or/not, parentheses, and col.str.contains(...), "
    ".str.startswith(...), .str.endswith(...), .str.match(...), .str.fullmatch(...), "
    ".str.len(), .list.len(), .isnull(), .notnull()"
)
# Long enough for any real condition; bounds the parse and the tree's depth.
MAX_LENGTH = 2000


class ConditionError(ValueError):
    """A condition outside the grammar; ``str()`` says what is wrong and what is allowed."""


# --- the tree ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str

    @property
    def kind(self) -> Kind:
        return COLUMN_KINDS[self.name]


@dataclass(frozen=True)
class Length:
    column: Column


@dataclass(frozen=True)
class Literal_:
    value: Value


Operand = Column | Length | Literal_


@dataclass(frozen=True)
class Compare:
    op: str  # one of _COMPARE's keys
    left: Operand
    right: Operand


@dataclass(frozen=True)
class IsNull:
    column: Column
    negate: bool


@dataclass(frozen=True)
class IsIn:
    value: Column | Length
    items: tuple[Value, ...]
    negate: bool


@dataclass(frozen=True)
class TextTest:
    column: Column
    method: str  # contains, startswith, endswith, match, fullmatch
    pattern: str
    case: bool = True
    regex: bool = False
    na: bool | None = None


@dataclass(frozen=True)
class BoolOp:
    op: Literal["and", "or"]
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    part: Node


Node = Compare | IsNull | IsIn | TextTest | BoolOp | Not


@dataclass(frozen=True)
class Condition:
    """A parsed condition: ``mask`` selects articles, ``pandas`` is its pandas query text."""

    text: str
    tree: Node

    def mask(self, batch: pd.DataFrame) -> pd.Series:
        """True for each article of ``batch`` the condition keeps (null counts as not kept)."""
        found = _evaluate(self.tree, batch)
        values = pc.fill_null(found, False) if found.null_count else found
        return pd.Series(values.to_numpy(zero_copy_only=False), index=batch.index, dtype=bool)

    @property
    def pandas(self) -> str:
        """The same condition as pandas' (and GX's pass-through) query syntax."""
        return _render(self.tree)


@lru_cache(maxsize=256)
def parse_condition(text: str) -> Condition:
    """Parse ``text`` or raise ConditionError saying why and what is allowed."""
    if not text.strip():
        raise ConditionError(f"give a condition as text, e.g. '{EXAMPLE}'")
    if len(text) > MAX_LENGTH:
        raise ConditionError(f"a condition is at most {MAX_LENGTH} characters long")
    _refuse_tokens(text)
    try:
        expr = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        raise ConditionError(f"not a valid expression ({exc.msg}), e.g. '{EXAMPLE}'") from None
    except (RecursionError, MemoryError, ValueError):
        raise ConditionError(f"not a valid expression, e.g. '{EXAMPLE}'") from None
    try:
        tree = _node(expr, text)
    except RecursionError:
        raise ConditionError("the condition nests too deeply") from None
    return Condition(text, tree)


def condition_problem(condition: object) -> str | None:
    """Why ``condition`` cannot select articles, or None."""
    if not isinstance(condition, str):
        return f"give a condition as text, e.g. '{EXAMPLE}'"
    try:
        parse_condition(condition)
    except ConditionError as exc:
        return str(exc)
    return None


# --- RE2 --------------------------------------------------------------------------------------


def re2_problem(pattern: str) -> str | None:
    """Why RE2 (pyarrow's regex engine, linear in the text) cannot run ``pattern``, or None.
    Back-references and look-around have no linear form: they are refused, never run in
    Python's ``re`` instead."""
    try:
        pc.match_substring_regex(pa.array([""], type=pa.string()), pattern=pattern)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        reason = str(exc).removeprefix("Invalid regular expression: ")
        return (
            f"RE2 cannot run the regular expression {pattern!r} ({reason}); "
            "back-references and look-around are not supported"
        )
    return None


# --- parsing ----------------------------------------------------------------------------------


def _refuse_tokens(text: str) -> None:
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError) as exc:
        raise ConditionError(f"not a valid expression: {exc}") from None
    for tok in tokens:
        # '@name' reads a Python variable in pandas, and dunder names reach past the data.
        if tok.type == tokenize.OP and tok.string == "@":
            raise ConditionError(
                "'@' (a Python variable) is not allowed: write the value in the condition"
            )
        if tok.type == tokenize.NAME and tok.string.startswith("__"):
            raise ConditionError(f"{tok.string!r} is not allowed in a condition; {ALLOWED}")


_COMPARE: dict[type[ast.cmpop], str] = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
}
_FLIP = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_NULL_TESTS = {"isnull": False, "isna": False, "notnull": True, "notna": True}
_TEXT_TESTS = {
    "contains": ("case", "regex", "na"),
    "startswith": ("na",),
    "endswith": ("na",),
    "match": ("case", "na"),
    "fullmatch": ("case", "na"),
}


def _shown(node: ast.AST, text: str) -> str:
    part = ast.get_source_segment(text.strip(), node) or type(node).__name__
    return part if len(part) <= 60 else part[:59] + "…"


def _refused(node: ast.AST, text: str, why: str = "") -> ConditionError:
    what = why or f"{_shown(node, text)!r} is not allowed"
    return ConditionError(f"{what}; {ALLOWED}")


def _node(node: ast.expr, text: str) -> Node:
    """A true/false node of the tree."""
    if isinstance(node, ast.BoolOp):
        op: Literal["and", "or"] = "and" if isinstance(node.op, ast.And) else "or"
        return BoolOp(op, tuple(_node(v, text) for v in node.values))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not | ast.Invert):
        return Not(_node(node.operand, text))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitAnd | ast.BitOr):
        # pandas reads & and | as and/or; Python binds them tighter than comparisons, so
        # "a > 1 & b < 2" would mean something else here: each side must be parenthesised.
        op = "and" if isinstance(node.op, ast.BitAnd) else "or"
        return BoolOp(op, (_node(node.left, text), _node(node.right, text)))
    if isinstance(node, ast.Compare):
        return _compare(node, text)
    if isinstance(node, ast.Call):
        return _call(node, text)
    if isinstance(node, ast.Name | ast.Constant | ast.Attribute):
        raise ConditionError(
            f"{_shown(node, text)!r} gives values, not true or false for each article: "
            f"compare them, e.g. '{EXAMPLE}'"
        )
    raise _refused(node, text)


def _compare(node: ast.Compare, text: str) -> Node:
    parts: list[Node] = []
    left = node.left
    for op, right in zip(node.ops, node.comparators, strict=True):
        if isinstance(op, ast.In | ast.NotIn):
            parts.append(_membership(left, right, isinstance(op, ast.NotIn), text))
        elif type(op) in _COMPARE:
            parts.append(_comparison(_COMPARE[type(op)], left, right, text))
        else:
            raise _refused(node, text, f"'{_shown(node, text)}': 'is' is not allowed, use ==")
        left = right
    return parts[0] if len(parts) == 1 else BoolOp("and", tuple(parts))


def _comparison(op: str, left: ast.expr, right: ast.expr, text: str) -> Node:
    # A test compared with True/False (pandas' "x.str.contains('a') == False").
    for test, other in ((left, right), (right, left)):
        if (
            isinstance(test, ast.Call)
            and isinstance(other, ast.Constant)
            and isinstance(other.value, bool)
            and op in ("==", "!=")
        ):
            inner = _call(test, text)
            return inner if other.value == (op == "==") else Not(inner)
    a, b = _operand(left, text), _operand(right, text)
    if isinstance(a, Literal_) and isinstance(b, Literal_):
        raise _refused(left, text, "a comparison needs a column on one side")
    if isinstance(a, Literal_):
        a, b, op = b, a, _FLIP[op]
    assert not isinstance(a, Literal_)
    if _kind(a) == "list":
        raise _refused(
            left, text, f"'{_shown(left, text)}' is a list column: use .list.len() or .isnull()"
        )
    if isinstance(b, Literal_) and b.value is None:
        if op not in ("==", "!="):
            raise _refused(right, text, "None is compared with == or != only")
        return IsNull(_column_of(a, left, text), negate=op == "!=")
    if isinstance(b, Literal_):
        _fits(a, b.value, right, text)
    elif _kind(a) != _kind(b):
        raise _refused(
            left, text, f"'{_shown(left, text)}' and '{_shown(right, text)}' cannot be compared"
        )
    return Compare(op, a, b)


def _membership(left: ast.expr, right: ast.expr, negate: bool, text: str) -> Node:
    value = _operand(left, text)
    if isinstance(value, Literal_):
        raise _refused(left, text, "'in' needs a column on its left, e.g. date in [\"2025-01-01\"]")
    if not isinstance(right, ast.List | ast.Tuple | ast.Set):
        raise _refused(right, text, '\'in\' takes a list of values, e.g. ["a", "b"]')
    items = []
    for item in right.elts:
        lit = _operand(item, text)
        if not isinstance(lit, Literal_):
            raise _refused(item, text, "an 'in' list holds values (text, numbers, None) only")
        if lit.value is not None:
            _fits(value, lit.value, item, text)
        items.append(lit.value)
    if _kind(value) == "list":
        raise _refused(left, text, f"'{_shown(left, text)}' is a list column: use .list.len()")
    return IsIn(value, tuple(items), negate)


def _operand(node: ast.expr, text: str) -> Operand:
    if isinstance(node, ast.Name):
        return _column(node, text)
    if isinstance(node, ast.Constant):
        if node.value is None or isinstance(node.value, str | int | float | bool):
            if isinstance(node.value, float) and node.value != node.value:  # nan
                raise _refused(node, text, "nan is not a value: use .isnull()")
            return Literal_(node.value)
        raise _refused(node, text)
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub | ast.UAdd)
        and isinstance(node.operand, ast.Constant)
        and type(node.operand.value) in (int, float)
    ):
        value = node.operand.value
        assert isinstance(value, int | float)
        return Literal_(-value if isinstance(node.op, ast.USub) else value)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitAnd | ast.BitOr):
        raise _refused(
            node, text, "& and | bind tighter than comparisons: put each side in parentheses"
        )
    if isinstance(node, ast.Call):
        method, target = _method(node, text)
        if method == "len" and target is not None:
            accessor, column = target
            if node.args or node.keywords:
                raise _refused(node, text, "len() takes no arguments")
            want = "list" if column.kind == "list" else "str"
            if accessor != want and not (accessor == "str" and column.kind == "list"):
                raise _refused(node, text, f"use {column.name}.{want}.len()")
            return Length(column)
    raise _refused(node, text)


def _column(node: ast.Name, text: str) -> Column:
    if node.id in COLUMN_KINDS:
        return Column(node.id)
    if node.id in ("true", "false", "null"):
        raise _refused(node, text, f"{node.id!r}: write True, False or None")
    raise ConditionError(_unknown_column(node.id))


def _unknown_column(name: str) -> str:
    import difflib

    options = sorted(COLUMN_KINDS)
    close = difflib.get_close_matches(name, options, n=1)
    more = f"did you mean {close[0]!r}? " if close else ""
    return f"unknown column {name!r}: {more}valid: {', '.join(options)}"


def _method(node: ast.Call, text: str) -> tuple[str, tuple[str, Column] | None]:
    """``col.method(...)`` as (method, None) or ``col.str.method(...)`` as
    (method, ("str", col)); anything else is refused."""
    func = node.func
    if not isinstance(func, ast.Attribute):
        raise _refused(node, text, f"calling {_shown(func, text)!r} is not allowed")
    owner = func.value
    if isinstance(owner, ast.Name):
        if func.attr not in _NULL_TESTS:
            raise _refused(node, text, f"the method {func.attr!r} is not allowed")
        return func.attr, None
    if (
        isinstance(owner, ast.Attribute)
        and isinstance(owner.value, ast.Name)
        and owner.attr in ("str", "list")
    ):
        return func.attr, (owner.attr, _column(owner.value, text))
    raise _refused(node, text, f"{_shown(node, text)!r} is not allowed")


def _call(node: ast.Call, text: str) -> Node:
    method, target = _method(node, text)
    if target is None:
        func = node.func
        assert isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
        if node.args or node.keywords:
            raise _refused(node, text, f".{method}() takes no arguments")
        return IsNull(_column(func.value, text), negate=_NULL_TESTS[method])
    accessor, column = target
    if method not in _TEXT_TESTS or accessor != "str":
        if method == "len":
            raise ConditionError(
                f"{_shown(node, text)!r} gives values, not true or false for each article: "
                "compare it, e.g. 'headline.str.len() > 20'"
            )
        raise _refused(node, text, f"the method {accessor}.{method} is not allowed")
    if column.kind != "text":
        raise _refused(node, text, f"{column.name!r} is not a text column")
    if len(node.args) != 1:
        raise _refused(node, text, f".str.{method}() takes one text")
    pattern = _operand(node.args[0], text)
    if not isinstance(pattern, Literal_) or not isinstance(pattern.value, str):
        raise _refused(node.args[0], text, f".str.{method}() takes quoted text")
    options: dict[str, bool] = {}
    for kw in node.keywords:
        value = kw.value
        if kw.arg not in _TEXT_TESTS[method]:
            allowed = ", ".join(_TEXT_TESTS[method])
            raise _refused(node, text, f".str.{method}() takes the options {allowed}, not {kw.arg}")
        if not isinstance(value, ast.Constant) or not isinstance(value.value, bool):
            raise _refused(value, text, f"{kw.arg}= is True or False")
        options[kw.arg] = value.value
    regex = method in ("match", "fullmatch") or (
        method == "contains" and options.get("regex", True)
    )
    if regex:
        problem = re2_problem(pattern.value)
        if problem is not None:
            raise ConditionError(problem)
    return TextTest(
        column,
        method,
        pattern.value,
        case=options.get("case", True),
        regex=regex,
        na=options.get("na"),
    )


def _kind(operand: Column | Length) -> Kind:
    return "number" if isinstance(operand, Length) else operand.kind


def _column_of(operand: Column | Length, node: ast.expr, text: str) -> Column:
    if isinstance(operand, Length):
        raise _refused(node, text, "a length is never None")
    return operand


def _fits(operand: Column | Length, value: Value, node: ast.expr, text: str) -> None:
    kind = _kind(operand)
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "number" and not number:
        raise _refused(node, text, f"{_name(operand)} is a number: compare it with a number")
    if kind == "text" and not isinstance(value, str):
        raise _refused(node, text, f"{_name(operand)} is text: compare it with quoted text")


def _name(operand: Column | Length) -> str:
    return f"{operand.column.name}.str.len()" if isinstance(operand, Length) else operand.name


# --- evaluation -------------------------------------------------------------------------------

_ARROW_COMPARE: dict[str, Callable[..., pa.ChunkedArray]] = {
    "==": pc.equal,
    "!=": pc.not_equal,
    "<": pc.less,
    "<=": pc.less_equal,
    ">": pc.greater,
    ">=": pc.greater_equal,
}


def _array(batch: pd.DataFrame, column: Column) -> pa.Array | pa.ChunkedArray:
    series = batch[column.name]
    arrow: pa.Array | pa.ChunkedArray = pa.array(series, from_pandas=True)
    return arrow


def _values(operand: Operand, batch: pd.DataFrame) -> pa.Array | pa.ChunkedArray | pa.Scalar:
    if isinstance(operand, Literal_):
        return pa.scalar(operand.value)
    if isinstance(operand, Length):
        arr = _array(batch, operand.column)
        if operand.column.kind == "list":
            return pc.list_value_length(arr)
        return pc.utf8_length(arr)
    return _array(batch, operand)


def _evaluate(node: Node, batch: pd.DataFrame) -> pa.Array | pa.ChunkedArray:
    if isinstance(node, BoolOp):
        combine = pc.and_kleene if node.op == "and" else pc.or_kleene
        out = _evaluate(node.parts[0], batch)
        for part in node.parts[1:]:
            out = combine(out, _evaluate(part, batch))
        return out
    if isinstance(node, Not):
        return pc.invert(_evaluate(node.part, batch))
    if isinstance(node, IsNull):
        found = pc.is_valid(_array(batch, node.column))
        return found if node.negate else pc.invert(found)
    if isinstance(node, Compare):
        return _ARROW_COMPARE[node.op](_values(node.left, batch), _values(node.right, batch))
    if isinstance(node, IsIn):
        values = _values(node.value, batch)
        floats = any(isinstance(v, float) for v in node.items)
        if floats:
            values = pc.cast(values, pa.float64())
        kind = _kind(node.value)
        wanted = pa.float64() if floats else pa.int64() if kind == "number" else pa.string()
        found = pc.is_in(values, value_set=pa.array(node.items, type=wanted), skip_nulls=False)
        return pc.invert(found) if node.negate else found
    return _text_test(node, _array(batch, node.column))


def _text_test(node: TextTest, text: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    ignore_case = not node.case
    if node.method == "startswith":
        found = pc.starts_with(text, pattern=node.pattern)
    elif node.method == "endswith":
        found = pc.ends_with(text, pattern=node.pattern)
    elif not node.regex:
        found = pc.match_substring(text, pattern=node.pattern, ignore_case=ignore_case)
    else:
        pattern = node.pattern
        if node.method == "match":
            pattern = f"^(?:{pattern})"
        elif node.method == "fullmatch":
            pattern = f"^(?:{pattern})$"
        found = pc.match_substring_regex(text, pattern=pattern, ignore_case=ignore_case)
    return found if node.na is None else pc.fill_null(found, node.na)


# --- pandas text ------------------------------------------------------------------------------


def _render(node: Node) -> str:
    if isinstance(node, BoolOp):
        return f" {node.op} ".join(_grouped(p) for p in node.parts)
    if isinstance(node, Not):
        return f"not {_grouped(node.part)}"
    if isinstance(node, IsNull):
        return f"{node.column.name}.{'notnull' if node.negate else 'isnull'}()"
    if isinstance(node, Compare):
        return f"{_operand_text(node.left)} {node.op} {_operand_text(node.right)}"
    if isinstance(node, IsIn):
        items = ", ".join(repr(v) for v in node.items)
        return f"{_operand_text(node.value)} {'not in' if node.negate else 'in'} [{items}]"
    options = [f"{node.pattern!r}"]
    if not node.case:
        options.append("case=False")
    if node.method == "contains":
        options.append(f"regex={node.regex}")
    if node.na is not None:
        options.append(f"na={node.na}")
    return f"{node.column.name}.str.{node.method}({', '.join(options)})"


def _grouped(node: Node) -> str:
    text = _render(node)
    return f"({text})" if isinstance(node, BoolOp | Not) or " " in text else text


def _operand_text(operand: Operand) -> str:
    if isinstance(operand, Literal_):
        return repr(operand.value)
    if isinstance(operand, Length):
        accessor = "list" if operand.column.kind == "list" else "str"
        return f"{operand.column.name}.{accessor}.len()"
    return operand.name
