"""``blueprint tree FILE``: the devices and signals a file describes, as a tree.

Works on a beamline (every device, its params rendered into real sources) or
on a blueprint file (sources as written, templates and all). Nothing connects.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from .command import Subparsers

if TYPE_CHECKING:
    from rich.tree import Tree

    from ophyd_blueprint.blueprint import Beamline, Blueprint, Child, Scalar

__all__ = ["register"]


def register(subparsers: Subparsers) -> None:
    """Add ``tree`` to the command line."""
    parser = subparsers.add_parser(
        "tree",
        help="show the devices, signals, dtypes, access and sources of a file",
        description="Show a beamline or blueprint file as a tree of devices and "
        "signals (dtype, access, read category, source). A folder stands for "
        "the *.yaml files under it, one tree each. Connects nothing. "
        "Exit 0, or 2 if a file cannot be read or has problems.",
    )
    parser.add_argument(
        "file",
        type=Path,
        metavar="PATH",
        help="a beamline or blueprint file, or a folder of them",
    )
    parser.add_argument(
        "-b",
        "--blueprints",
        action="append",
        type=Path,
        metavar="PATH",
        help="where a blueprint file's bases and children are found "
        "(repeatable; default: its directory)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the tree; return the exit code."""
    from rich.console import Console

    from ophyd_blueprint.blueprint import (
        Beamline,
        BlueprintError,
        load_document,
        yaml_files,
    )

    path: Path = args.file
    extra: list[Path] = args.blueprints or []
    folder = path if path.is_dir() else path.parent
    files = yaml_files([path]) if path.is_dir() else [path]
    if not files:
        print(f"blueprint tree: no *.yaml files in {path}", file=sys.stderr)
        return 2
    trees: list[Tree] = []
    try:
        for file in files:
            document = load_document(file)
            if isinstance(document, Beamline):
                trees.append(beamline_tree(document))
            else:
                trees.append(blueprint_tree(document, [folder, *extra]))
    except OSError as error:
        print(f"blueprint tree: {error}", file=sys.stderr)
        return 2
    except BlueprintError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return 2
    # piped or captured, no terminal width applies: never cut a source short
    width = None if sys.stdout.isatty() else 10_000
    console = Console(width=width, highlight=False)
    for tree in trees:
        console.print(tree)
    return 0


def beamline_tree(beamline: Beamline) -> Tree:
    """Every device of `beamline`, rendered with its params, as a rich Tree."""
    from rich.tree import Tree

    from ophyd_blueprint.blueprint import (
        BlueprintError,
        beamline_library,
        check_beamline,
        render_blueprint,
    )

    from .validate import logic_roles

    problems = check_beamline(beamline, logic_roles=logic_roles())
    if problems:
        raise BlueprintError(problems)
    library = beamline_library(beamline)
    protocol = beamline.defaults.protocol
    root = Tree(f"[bold]{beamline.name}[/] [dim]beamline, {protocol} by default[/]")
    for name, entry in beamline.devices.items():
        mock = " [yellow]mock[/]" if entry.mock else ""
        if entry.blueprint is None:
            uri = entry.pvi if entry.pvi is not None else entry.tango
            kind = "pvi" if entry.pvi is not None else "tango"
            root.add(f"[bold]{name}[/] [cyan]{kind}[/] {uri} [dim](introspected)[/]")
            continue
        rendered = render_blueprint(
            library[entry.blueprint], entry.with_, library=library, protocol=protocol
        )
        node = root.add(f"[bold]{name}[/] [cyan]{rendered.name}[/]{mock}")
        _fill(node, rendered, library, protocol, render=True)
    return root


def blueprint_tree(blueprint: Blueprint, search_paths: list[Path]) -> Tree:
    """One blueprint, its bases merged and sources as written, as a rich Tree."""
    from rich.tree import Tree

    from ophyd_blueprint.blueprint import resolve_extends, with_shipped

    library = with_shipped(search_paths)
    merged = resolve_extends(blueprint, library)
    params = ", ".join(merged.params)
    root = Tree(
        f"[bold cyan]{merged.name}[/] [dim]blueprint"
        + (f"; params: {params}" if params else "")
        + "[/]"
    )
    _fill(root, merged, library, "ca", render=False)
    return root


def _fill(
    node: Tree,
    blueprint: Blueprint,
    library: Mapping[str, Blueprint],
    protocol: str,
    *,
    render: bool,
) -> None:
    for entry in blueprint.logic:
        node.add(f"[magenta]logic[/] {entry.use}")
    for name, signal in blueprint.signals.items():
        dtype = signal.dtype or ("trigger" if signal.access == "x" else "live")
        if signal.choices:
            dtype += "[" + "|".join(signal.choices) + "]"
        read = "" if signal.read == "omitted" else f" [green]{signal.read}[/]"
        source = signal.source
        if signal.read_source:
            source = f"{signal.read_source} (write: {signal.source})"
        node.add(
            f"{name} [yellow]{dtype}[/] [blue]{signal.access}[/]{read} "
            f"[dim]{_escape(source)}[/]"
        )
    for name, child in blueprint.children.items():
        _add_child(node, name, child, library, protocol, render=render)


def _add_child(
    node: Tree,
    name: str,
    child: Child,
    library: Mapping[str, Blueprint],
    protocol: str,
    *,
    render: bool,
) -> None:
    from ophyd_blueprint.blueprint import render_blueprint, resolve_extends

    if child.blueprint is None:
        uri = child.pvi if child.pvi is not None else child.tango
        node.add(f"[bold]{name}[/] {_escape(str(uri))} [dim](introspected)[/]")
        return
    if child.blueprint not in library:
        node.add(
            f"[bold]{name}[/] [cyan]{child.blueprint}[/] [red](blueprint not found; "
            "add its folder with -b)[/]"
        )
        return
    base = library[child.blueprint]
    items: dict[str, Mapping[str, Scalar]] = {"": child.with_}
    if child.vector is not None:
        vector = child.vector if isinstance(child.vector, dict) else {}
        items = {f"[{index}]": values for index, values in vector.items()}
        if not render and not items:
            items = {"[i]": child.with_}
    for suffix, values in items.items():
        sub = node.add(f"[bold]{name}{_escape(suffix)}[/] [cyan]{child.blueprint}[/]")
        model = (
            render_blueprint(base, values, library=library, protocol=protocol)
            if render
            else resolve_extends(base, library)
        )
        _fill(sub, model, library, protocol, render=render)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
