"""MkDocs hook: pages made at build time, so they cannot go stale.

The YAML reference comes from the JSON schemas in ``schemas/`` and the
command-line reference from ``blueprint``'s own argument parser.
"""

from __future__ import annotations

import argparse
import json
from importlib import import_module
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

from ophyd_blueprint.blueprint.schema_reference import schema_markdown
from ophyd_blueprint.cli.main import SUBCOMMANDS, build_parser

ROOT = Path(__file__).parents[2]
SCHEMA_PAGES = {
    "blueprint": "Blueprint files",
    "beamline": "Beamline files",
    "settings": "Settings files",
}


def on_files(files: Files, config: Any) -> Files:
    for name, title in SCHEMA_PAGES.items():
        schema = json.loads((ROOT / "schemas" / f"{name}.schema.json").read_text())
        text = schema_markdown(schema, title)
        text += f"\nGenerated from `schemas/{name}.schema.json`.\n"
        files.append(File.generated(config, f"reference/yaml/{name}.md", content=text))
    files.append(File.generated(config, "reference/cli.md", content=_cli_page()))
    return files


class _Collected:
    """Stands in for argparse's subparsers: each command's parser, kept by name."""

    def __init__(self) -> None:
        self.parsers: dict[str, argparse.ArgumentParser] = {}

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        kwargs.pop("help", None)
        parser = argparse.ArgumentParser(prog=f"blueprint {name}", **kwargs)
        self.parsers[name] = parser
        return parser


def _cli_page() -> str:
    lines = [
        "# Command line",
        "",
        "`blueprint COMMAND --help` prints the same. Exit status: 0 when all is",
        "well, 1 when the files or devices have problems, 2 for usage errors.",
        "",
        "```text",
        build_parser().format_help().rstrip(),
        "```",
    ]
    collected = _Collected()
    for name in SUBCOMMANDS:
        import_module(f"ophyd_blueprint.cli.{name}").register(collected)
    for name, parser in collected.parsers.items():
        lines += ["", f"## {name}", "", "```text", parser.format_help().rstrip()]
        lines += ["```"]
    return "\n".join(lines) + "\n"
