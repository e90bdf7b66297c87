"""``blueprint introspect URI -o FILE.yaml``: freeze a live device to blueprints.

URI is ``pva://PV`` (a PVI root), ``tango://host:port/a/b/c#dbase=no`` or a
``*.pvi.device.yaml`` file. The written files are validated and built (with
mock signals) before the command says they are good. Exit 0 written and
good, 1 written but not good, 2 nothing introspected.

Live PVI signals are typed from their PVs here (one batched fetch), though a
``pvi:`` device discovered at connect leaves them live-typed: a frozen file
is what stubs are generated from and what a reviewer reads, and its dtypes
are checked at every connect, so a changed IOC is a clear error there.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path

from .command import Subparsers, add_live_source_options

__all__ = ["register"]


def register(subparsers: Subparsers) -> None:
    """Add ``introspect`` to the command line."""
    parser = subparsers.add_parser(
        "introspect",
        help="write the blueprint of a live PVI or Tango device, or a PVI file",
        description="Introspect URI (pva://PVI-PV, tango://device, or a "
        ".pvi.device.yaml file) and write its blueprint to FILE; sub-device "
        "blueprints go beside it as <Name>.yaml. Without -o, print them.",
    )
    parser.add_argument(
        "uri",
        metavar="URI",
        help="pva://PVI-PV, tango://host:port/dom/fam/mem#dbase=no, or a "
        ".pvi.device.yaml file",
    )
    parser.add_argument(
        "-o",
        "--output",
        default=None,
        metavar="FILE",
        help="where to write the blueprint: a .yaml file, or a folder (existing, "
        "or written with a trailing /) to write <Name>.yaml in (default: print "
        "it, and its sub-device blueprints, on stdout)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace files that introspect did not write (refused otherwise)",
    )
    parser.add_argument("--name", help="blueprint name (default: from the URI)")
    add_live_source_options(
        parser,
        macro_help="PVI files: a value for $(NAME) (repeatable); others become params",
        type_live_help="PVI files: type signals from their PVs over PVA, not from "
        "widgets (live PVI signals are always typed from their PVs here)",
    )
    parser.set_defaults(handler=run)


def macros_of(pairs: list[str]) -> dict[str, str]:
    """``["P=BL01:", "R=CAM:"]`` -> ``{"P": "BL01:", "R": "CAM:"}``."""
    macros: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise ValueError(f"macro {pair!r} is not NAME=VALUE")
        macros[name] = value
    return macros


def run(args: argparse.Namespace) -> int:
    """Introspect, write, check; print what was written and any notes."""
    from ophyd_blueprint.introspect import (
        PVI_FILE_SUFFIX,
        FreezeError,
        IntrospectionError,
        freeze,
        introspect,
    )

    try:
        found = asyncio.run(
            introspect(
                args.uri,
                name=args.name,
                timeout=args.timeout,
                macros=macros_of(args.macro),
                type_live=args.type_live or not args.uri.endswith(PVI_FILE_SUFFIX),
            )
        )
    except (IntrospectionError, ValueError) as error:
        print(f"blueprint introspect: {error}", file=sys.stderr)
        return 2
    if args.output is None:
        # the files are checked where they are written; stdout gets their text
        with tempfile.TemporaryDirectory(prefix="blueprint-introspect-") as folder:
            files = freeze(found, Path(folder) / f"{found.root.name}.yaml")
            problems = check_files(list(files))
            print("\n---\n".join(path.read_text() for path in files), end="")
        notes, report = found.notes, sys.stderr
    else:
        output = Path(args.output)
        if args.output.endswith(("/", os.sep)):
            output.mkdir(parents=True, exist_ok=True)  # a folder, as written
        try:
            files = freeze(found, output, force=args.force)
        except FreezeError as error:
            hint = " (--force)" if error.files else " (a new folder: end it with /)"
            print(f"blueprint introspect: {error}{hint}", file=sys.stderr)
            return 2
        problems = check_files(list(files))
        for path in files:
            print(f"wrote {path}")
        notes, report = files.notes, sys.stdout
    for note in notes:
        print(f"note: {note}", file=report)
    for problem in problems:
        print(problem, file=report)
    return 1 if problems else 0


def check_files(files: list[Path]) -> list[str]:
    """Problems of the written files: validation, then a mock build of the root."""
    from ophyd_blueprint.beamline.discovered import discover_child
    from ophyd_blueprint.blueprint import (
        BlueprintError,
        BlueprintLibrary,
        validate_files,
    )
    from ophyd_blueprint.builder import BuildError, build_device

    problems = validate_files(files)
    if problems:
        return [str(p) for p in problems]
    library = BlueprintLibrary(files)
    root = next(library[n] for n in library if library.path_of(n) == files[0])
    params = {n: n for n, p in root.params.items() if p.default is None}
    try:
        build_device(root, params, library=library, mock=True, discover=discover_child)
    except (BlueprintError, BuildError) as error:
        return [str(error)]
    return []
