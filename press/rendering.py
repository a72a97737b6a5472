"""Render a release template: Jinja2 sandbox -> Markdown -> nh3, plus plain text. Pure.

Imports only the standard library, jinja2, markdown, nh3 and babel (through press.i18n and
press.context, which add pycountry for state names); it receives plain data.
"""

from __future__ import annotations

import html as htmllib
import operator
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from types import TracebackType
from typing import Any

import markdown
import nh3
from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError, nodes
from jinja2.filters import FILTERS
from jinja2.runtime import LoopContext, Undefined
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from press import i18n
from press.context import (
    ContextProblem,
    Day,
    Figure,
    Names,
    Node,
    ReleaseContext,
    template_namespace,
)
from press.handtyped import HandTypedFigure, hand_typed_figures
from press.plaintext import html_to_text

MARKDOWN_EXTENSIONS = ("sane_lists",)
ALLOWED_TAGS = {"h1", "h2", "h3", "h4", "p", "br", "hr", "strong", "em", "ul", "ol", "li",
                "blockquote", "a", "code"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}
KEPT_FILTERS = ("upper", "lower", "title", "capitalize", "trim", "length", "count", "first",
                "last", "default", "d", "abs", "round", "int")
FORBIDDEN_NAMES = frozenset({"self", "range", "lipsum", "dict", "cycler", "joiner",
                             "namespace", "caller", "varargs", "kwargs"})
FORBIDDEN_TAGS: dict[type[nodes.Node], str] = {
    nodes.Extends: "extends", nodes.Include: "include", nodes.Import: "import",
    nodes.FromImport: "from ... import", nodes.Macro: "macro", nodes.CallBlock: "call",
    nodes.Block: "block",
}
LOOP_ATTRIBUTES = frozenset({"index", "index0", "revindex", "revindex0", "first", "last",
                             "length", "previtem", "nextitem"})
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!])")


class TemplateProblem(ValueError):
    """A template that cannot be rendered: the line (1-based, None if unknown) and why."""

    def __init__(self, line: int | None, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}" if line else message)


@dataclass(frozen=True)
class Limits:
    """Size limits: template body and rendered output in characters, nested loops."""

    max_body: int = 100_000
    max_output: int = 100_000
    max_loop_depth: int = 2


@dataclass(frozen=True)
class Rendered:
    """A rendered release: sanitised HTML, plain text, and hand-typed figure warnings."""

    html: str
    text: str
    warnings: list[HandTypedFigure] = field(default_factory=list)


def escape_value(text: str) -> str:
    """A context string made inert for Markdown and HTML (one line, specials escaped)."""
    one_line = re.sub(r"[\r\n\t\f\v\u2028\u2029\x85]+", " ", text)
    return htmllib.escape(_MARKDOWN_SPECIALS.sub(r"\\\1", one_line), quote=False)


class _Sandbox(SandboxedEnvironment):
    """The sandbox: only context entries can be read; sizes and operators are bounded."""

    intercepted_binops = frozenset({"*", "**", "%", "//"})

    def __init__(self, language: str, limits: Limits) -> None:
        super().__init__(undefined=StrictUndefined, autoescape=False, finalize=_finalize)
        self.language = language
        self.limits = limits
        self.globals.clear()
        self.filters = {name: FILTERS[name] for name in KEPT_FILTERS}
        self.filters.update(number=self._number, date=self._date, join_and=self._join_and)

    def getattr(self, obj: Any, attribute: str) -> Any:
        """Read a context entry; anything else is a sandbox violation."""
        if attribute.startswith("_"):
            raise SecurityError(f"'{attribute}' is not available in a release")
        if isinstance(obj, Undefined):
            return super().getattr(obj, attribute)
        if isinstance(obj, Node):
            try:
                return obj.lookup(attribute)
            except KeyError:
                return self.undefined(obj=obj, name=attribute, hint=(
                    f"'{obj.label}' has no entry '{attribute}'; it has: "
                    f"{', '.join(obj.names()) or 'none'}"))
        if isinstance(obj, LoopContext) and attribute in LOOP_ATTRIBUTES:
            return getattr(obj, attribute)
        raise SecurityError(
            f"'{attribute}' of a {type(obj).__name__} is outside the release context")

    def getitem(self, obj: Any, argument: Any) -> Any:
        """Index a list of names or a context entry by name; nothing else."""
        if isinstance(argument, str) and isinstance(obj, Node | Undefined):
            return self.getattr(obj, argument)
        if isinstance(obj, Names | list | tuple) and isinstance(argument, int) \
                and not isinstance(argument, bool):
            items = obj.items if isinstance(obj, Names) else obj
            if -len(items) <= argument < len(items):
                return items[argument]
            return self.undefined(obj=obj, name=str(argument),
                                  hint=f"there is no item {argument} in the list")
        raise SecurityError(f"item {argument!r} of a {type(obj).__name__} is outside the "
                            "release context")

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        """Bound *, **, % and // so a template cannot make huge values."""
        if operator_ == "%" and isinstance(left, str):
            raise SecurityError("string formatting with % is not allowed")
        if operator_ == "**" and (not isinstance(right, int) or abs(right) > 64
                                  or not isinstance(left, int | float) or abs(left) > 10**18):
            raise SecurityError("powers above 64 (or of numbers over 10**18) are not allowed")
        if operator_ == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(times, int) and \
                        len(seq) * times > self.limits.max_output:
                    raise SecurityError("the repeated value would be over the output cap")
        table: dict[str, Callable[[Any, Any], Any]] = {
            "*": operator.mul, "**": operator.pow, "%": operator.mod, "//": operator.floordiv}
        result = table[operator_](left, right)
        if isinstance(result, int) and result.bit_length() > 4096:
            raise SecurityError("the number would be too large")
        return result

    def _number(self, value: Any) -> str:
        if isinstance(value, Figure):
            return str(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return i18n.format_number(value, self.language)
        raise TypeError(f"the number filter takes a figure, not a {type(value).__name__}")

    def _date(self, value: Any, style: str = "long") -> str:
        day = value.day if isinstance(value, Day) else value
        if not isinstance(day, date):
            raise TypeError(f"the date filter takes a date, not a {type(value).__name__}")
        return i18n.format_day(day, self.language, style)

    def _join_and(self, value: Iterable[Any]) -> str:
        if isinstance(value, str | Node) and not isinstance(value, Names):
            raise TypeError("join_and takes a list such as states or co_chairs")
        return i18n.join_and(value, self.language)


def _finalize(value: Any) -> str:
    """Every {{ ... }} value: None prints nothing, everything else escaped for Markdown."""
    if value is None:
        return ""
    return escape_value(str(value))


def _template_line(tb: TracebackType | None) -> int | None:
    """The last template line in a traceback (Jinja rewrites frames to template lines)."""
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _check_tree(tree: nodes.Template, limits: Limits) -> None:
    """Refuse tags and names outside the release language, and deep or recursive loops."""

    def walk(node: nodes.Node, level: int) -> None:
        for child in node.iter_child_nodes():
            tag = FORBIDDEN_TAGS.get(type(child))
            if tag is not None:
                raise TemplateProblem(child.lineno, f"{{% {tag} %}} is not allowed in a release")
            if isinstance(child, nodes.Name) and child.name in FORBIDDEN_NAMES:
                raise TemplateProblem(child.lineno,
                                      f"'{child.name}' is not available in a release")
            inner = level
            if isinstance(child, nodes.For):
                if child.recursive:
                    raise TemplateProblem(child.lineno,
                                          "recursive loops are not allowed in a release")
                inner += 1
                if inner > limits.max_loop_depth:
                    raise TemplateProblem(child.lineno, f"loops nested more than "
                                          f"{limits.max_loop_depth} deep are not allowed")
            walk(child, inner)

    walk(tree, 0)


@lru_cache(maxsize=16)
def _environment(language: str, limits: Limits) -> _Sandbox:
    """One sandbox per language and limits (environments are safe to share)."""
    return _Sandbox(language, limits)


@lru_cache(maxsize=128)
def _compile(language: str, limits: Limits, body: str) -> Template:
    """The checked, compiled template (problems are raised, never cached)."""
    if len(body) > limits.max_body:
        raise TemplateProblem(None, f"the template is over {limits.max_body:,} characters")
    env = _environment(language, limits)
    try:
        tree = env.parse(body)
        _check_tree(tree, limits)
        return env.from_string(tree)
    except TemplateSyntaxError as exc:
        raise TemplateProblem(exc.lineno, f"syntax error: {exc.message}") from None


def _generate(language: str, body: str, names: dict[str, object], limits: Limits) -> str:
    """The template's Markdown source, with errors turned into TemplateProblem."""
    template = _compile(language, limits, body)
    stream: Iterator[str] = template.generate(names)
    parts: list[str] = []
    size = 0
    try:
        for part in stream:
            size += len(part)
            parts.append(part)
            if size > limits.max_output:
                raise TemplateProblem(_stream_line(template, stream),
                                      f"the output is over {limits.max_output:,} characters")
    except TemplateProblem:
        raise
    except (TemplateError, ContextProblem, TypeError, ValueError, ArithmeticError,
            LookupError, AttributeError, RecursionError) as exc:
        message = exc.message if isinstance(exc, TemplateError) and exc.message else str(exc)
        raise TemplateProblem(_template_line(exc.__traceback__), message) from None
    return "".join(parts)


def _stream_line(template: Any, stream: Any) -> int | None:
    """The template line a suspended render stream stands at."""
    inner = stream
    while getattr(inner, "gi_yieldfrom", None) is not None:
        inner = inner.gi_yieldfrom
    frame = getattr(inner, "gi_frame", None)
    return template.get_corresponding_lineno(frame.f_lineno) if frame else None


def _markdown_to_html(source: str) -> str:
    """Markdown with raw HTML turned off, then nh3 with the allow-list."""
    converter = markdown.Markdown(extensions=list(MARKDOWN_EXTENSIONS))
    converter.preprocessors.deregister("html_block")
    converter.inlinePatterns.deregister("html")
    return nh3.clean(converter.convert(source), tags=ALLOWED_TAGS,
                     attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     strip_comments=True, link_rel="noopener noreferrer")


def render_release(template_body: str, context: ReleaseContext, *, language: str,
                   preliminary: bool, as_at: date | None = None,
                   limits: Limits | None = None) -> Rendered:
    """Render a release template to sanitised HTML and text; raise TemplateProblem."""
    limits = limits or Limits()
    try:
        i18n.check_language(language)
    except i18n.UnknownLanguage as exc:
        raise TemplateProblem(None, str(exc)) from None
    names = template_namespace(context, language=language, preliminary=preliminary,
                               as_at=as_at)
    source = _generate(language, template_body, names, limits)
    html = _markdown_to_html(source)
    if preliminary:
        line = htmllib.escape(i18n.preliminary_line(as_at, language), quote=False)
        html = f'<p class="preliminary"><strong>{line}</strong></p>\n{html}'
    if len(html) > 2 * limits.max_output:
        raise TemplateProblem(None, f"the output is over {limits.max_output:,} characters")
    return Rendered(html=html, text=html_to_text(html),
                    warnings=hand_typed_figures(template_body))


def check_template(template_body: str, context: ReleaseContext, *, language: str,
                   limits: Limits | None = None) -> list[HandTypedFigure]:
    """Render once to find problems (raises TemplateProblem); return the warnings."""
    return render_release(template_body, context, language=language, preliminary=False,
                          limits=limits).warnings
