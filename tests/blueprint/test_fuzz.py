"""Random bytes and mutated shipped files: loading and checking never crash.

Whatever the input, loading either gives a model or raises BlueprintError, and
the checks then return problems instead of raising. Examples are bounded and
derandomized (the same examples every run), each under a deadline; the size,
nesting and alias limits of the reader keep every case fast.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ophyd_blueprint.blueprint import (
    Blueprint,
    BlueprintError,
    BlueprintLibrary,
    check_beamline,
    check_blueprint,
    render_blueprint,
)
from ophyd_blueprint.blueprint.loader import parse_for_checks
from ophyd_blueprint.cli.validate import logic_roles

ROOT = Path(__file__).parents[2]
SHIPPED = sorted([*ROOT.glob("devices/**/*.yaml"), *ROOT.glob("beamlines/*.yaml")])
LIBRARY = BlueprintLibrary([ROOT / "devices"])
ROLES = logic_roles()
YAML_PIECES = [
    b":",
    b": ",
    b"- ",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b"\n",
    b"\t",
    b"  ",
    b"&a ",
    b"*a",
    b"<<: *a",
    b"!!python/object:os.system ",
    b"!foo ",
    b"---\n",
    b"'",
    b'"',
    b"#",
    b"|\n",
    b"{{",
    b"}}",
    b"{% if x %}",
    b"{{ ''.__class__ }}",
    b"\xff",
    b"\x00",
    b"blueprint: ",
    b"extends: ",
    b"dtype: enum",
    b"access: x",
    b"vector: {start: 0, stop: 3}",
]

FUZZ = settings(
    max_examples=1000,
    deadline=timedelta(milliseconds=1000),
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def load_and_check(raw: bytes, file: str) -> None:
    """Load ``raw`` and run every check; only BlueprintError may come out.

    A file with shape problems is checked in the part that validates, as
    `blueprint validate` does.
    """
    document, partial, _ = parse_for_checks(raw, file)
    if document is None:
        return
    if not isinstance(document, Blueprint):
        check_beamline(document, logic_roles=ROLES)
        return
    check_blueprint(document, LIBRARY, logic_roles=ROLES)
    if partial is not None:
        return
    try:
        render_blueprint(document, {}, library=LIBRARY)
    except BlueprintError:
        return


@st.composite
def mutated_shipped_file(draw: st.DrawFn) -> tuple[bytes, str]:
    """A shipped file with a few bytes cut, repeated or inserted."""
    path = draw(st.sampled_from(SHIPPED))
    data = bytearray(path.read_bytes())
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["cut", "repeat", "insert", "piece"]))
        length = draw(st.integers(1, 40))
        if kind == "cut":
            del data[at : at + length]
        elif kind == "repeat":
            data[at:at] = data[at : at + length]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        else:
            data[at:at] = draw(st.sampled_from(YAML_PIECES))
    return bytes(data), str(path)


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes_load_or_raise_blueprint_error(raw: bytes) -> None:
    load_and_check(raw, "<fuzz>")


@FUZZ
@given(st.lists(st.sampled_from(YAML_PIECES), max_size=60).map(b"".join))
def test_random_yaml_tokens_load_or_raise_blueprint_error(raw: bytes) -> None:
    load_and_check(b"blueprint: Fuzz\n" + raw, "<fuzz>")


@FUZZ
@given(mutated_shipped_file())
def test_mutated_shipped_files_load_or_raise_blueprint_error(
    case: tuple[bytes, str],
) -> None:
    raw, file = case
    load_and_check(raw, file)
