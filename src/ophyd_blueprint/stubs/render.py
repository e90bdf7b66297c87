"""`ModuleSpec` -> the source text of the generated module (jinja2 template)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib.resources import files

import jinja2

from .imports import Imports, ImportSection
from .layout import LINE_LENGTH, Bracketed, bracketed, docstring, string
from .spec import EnumClass, Method, ModuleSpec, TableClass

__all__ = ["render_module"]


def render_module(spec: ModuleSpec, imports: Imports) -> str:
    """The module's text, formatted as ruff formats it."""
    return _template().render(
        doc=spec.doc,
        imports={
            "future": _import_lines(imports.section("future")),
            "stdlib": _import_lines(imports.section("stdlib")),
            "package": _import_lines(imports.section("package")),
            "other": _import_lines(imports.section("other")),
        },
        enums=spec.enums,
        tables=spec.tables,
        devices=spec.devices,
        loader=spec.loader,
    )


@cache
def _template() -> jinja2.Template:
    environment = jinja2.Environment(
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
    )
    filters: dict[str, Callable[..., str]] = {
        "docstring": docstring,
        "string": string,
        "method": _method,
        "enum_runtime": _enum_runtime,
        "table_runtime": _table_runtime,
        "beamline_path": _beamline_path,
    }
    environment.filters.update(filters)
    template = files("ophyd_blueprint.stubs").joinpath("module.py.j2")
    text = template.read_text(encoding="utf-8")
    return environment.from_string(text)


def _import_lines(section: ImportSection) -> list[str]:
    lines = [
        f"import {module}" if alias == module else f"import {module} as {alias}"
        for module, alias in section.modules
    ]
    for module, names in section.names:
        head = f"from {module} import "
        flat = head + ", ".join(names)
        if len(flat) <= LINE_LENGTH:
            lines.append(flat)
        else:
            lines.append(bracketed(Bracketed("(", names, ")"), 0, head=head))
    return lines


def _beamline_path(path: str) -> str:
    """``BEAMLINE = ...``: the beamline file relative to the module.

    One argument per path part, so the statement splits one part per line
    (as ruff would) however deep the relative path goes.
    """
    parts = Bracketed("(", [string(part) for part in path.split("/")], ")")
    return bracketed(parts, 0, head="BEAMLINE = Path(__file__).parent.joinpath")


def _method(method: Method, indent: int) -> str:
    """The ``def`` and its body: the docstring, or ``...``."""
    keyword = "async def" if method.is_async else "def"
    returns = f" -> {method.returns}:"
    parameters = Bracketed("(", method.parameters, ")")
    head = f"{keyword} {method.name}"
    if method.doc is None:
        return bracketed(parameters, indent, head=head, tail=returns + " ...")
    pad = " " * (indent + 4)
    signature = bracketed(parameters, indent, head=head, tail=returns)
    return f"{signature}\n{pad}{docstring(method.doc, indent + 4)}\n{pad}..."


def _enum_runtime(enum: EnumClass, indent: int) -> str:
    """``enum_class(name, labels, strict)``: the builder's own class."""
    labels = Bracketed("(", [string(label) for _, label in enum.members], ")", True)
    strict = str(enum.base == "StrictEnum")
    call = Bracketed("(", [string(enum.name), labels, strict], ")")
    return bracketed(call, indent, head=f"{enum.name} = enum_class")


def _table_runtime(table: TableClass, indent: int) -> str:
    """``signal_datatype(blueprint, signal, Signal(...))``: the builder's class."""
    columns = [f"{string(n)}: {string(d)}" for n, d in table.column_dtypes]
    model = Bracketed(
        "Signal(",
        ['source=""', 'dtype="table"', Bracketed("columns={", columns, "}")],
        ")",
    )
    call = Bracketed("(", [string(table.blueprint), string(table.signal), model], ")")
    return bracketed(call, indent, head=f"{table.name} = signal_datatype")
