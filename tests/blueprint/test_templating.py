from __future__ import annotations

from pathlib import Path

import pytest

from ophyd_blueprint.blueprint.templating import (
    TemplateProblem,
    render_text,
    render_value,
    template_names,
)

CONTEXT = {"prefix": "BL01:", "n": 3, "on": True}


def test_plain_substitution_renders_like_jinja() -> None:
    assert render_text("{{prefix}}X{{ n }}", CONTEXT) == "BL01:X3"
    assert render_text("{{ prefix|lower }}X{{ n }}", CONTEXT) == "bl01:X3"


def test_a_lone_expression_keeps_its_type() -> None:
    assert render_value("{{ n + 1 }}", CONTEXT) == 4
    assert render_value("{{on}}", CONTEXT) is True
    assert render_value("N{{n}}", CONTEXT) == "N3"
    assert render_value(7, CONTEXT) == 7


@pytest.mark.parametrize("text", ["{{prefx}}X", "{{ prefx|lower }}"])
def test_undefined_names_are_errors(text: str) -> None:
    with pytest.raises(TemplateProblem, match="'prefx' is undefined"):
        render_text(text, CONTEXT)


def test_undefined_lone_expression_is_an_error() -> None:
    with pytest.raises(TemplateProblem, match="'prefx' is undefined"):
        render_value("{{ prefx }}", CONTEXT)


def test_sandbox_refuses_dunder_access() -> None:
    with pytest.raises(TemplateProblem, match="unsafe"):
        render_text("{{ prefix.__class__.__mro__ }}", CONTEXT)


def test_non_scalar_results_are_refused() -> None:
    with pytest.raises(TemplateProblem, match="gives a list"):
        render_value("{{ [n] }}", CONTEXT)


def test_names_read_by_a_template() -> None:
    assert template_names("{{prefix}}{{ n }}") == {"prefix", "n"}
    assert template_names("{{ prefix ~ suffix|upper }}") == {"prefix", "suffix"}


def test_syntax_errors_are_template_problems() -> None:
    with pytest.raises(TemplateProblem, match="invalid template"):
        template_names("{% for x in y %}")


INJECTIONS = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.popen('touch {canary}').read() }}",
    "{{ prefix|attr('__class__') }}",
    "{{ prefix['__class__'] }}",
]


@pytest.mark.parametrize("template", INJECTIONS)
def test_template_injection_is_refused_before_rendering(template: str) -> None:
    with pytest.raises(TemplateProblem, match="is refused: access to attribute '__"):
        template_names(template)


@pytest.mark.parametrize("template", INJECTIONS)
def test_template_injection_is_refused_by_the_sandbox_and_never_runs(
    template: str, tmp_path: Path
) -> None:
    canary = tmp_path / "pwned"
    with pytest.raises(TemplateProblem, match="unsafe"):
        render_text(template.replace("{canary}", str(canary)), CONTEXT)
    assert not canary.exists()


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{{ n ** 100000000 }}", "exponent 100000000 is larger than 1000"),
        ("{{ 'x' * 10**10 }}", "'\\*' would make more than 100000 items"),
        ("{{ [prefix] * 10**9 }}", "'\\*' would make more than 100000 items"),
        ("{{ prefix | center(10**9) }}", "center: 1000000000 is larger than 100000"),
        ("{{ prefix | indent(10**8) }}", "indent: 100000000 is larger than 100000"),
        ("{{ '%999999999s' | format(n) }}", "format: a width above 100000"),
        ("{{ '{:>999999999}'.format(n) }}", "format: a width above 100000"),
        ("{{ '%0*d' | format(10**9, n) }}", "format: 1000000000 is larger"),
        ("{{ prefix.ljust(10**9) }}", "ljust: 1000000000 is larger than 100000"),
        ("{{ '{x:>999999}'.format_map({'x': n}) }}", "format: a width above 100000"),
        (
            "{{ ('a' * 9999) | replace('a', 'aaaaaaaaaa') | replace('a', 'aa') }}",
            "'replace' would make more than 100000 items",
        ),
    ],
)
def test_templates_cannot_make_huge_values(template: str, message: str) -> None:
    with pytest.raises(TemplateProblem, match=message):
        render_value(template, CONTEXT)


def test_bounded_arithmetic_still_works() -> None:
    assert render_value("{{ 2 ** 10 * n }}", CONTEXT) == 3072
    assert render_text("{{ 'ab' * n }}", CONTEXT) == "ababab"


@pytest.mark.parametrize(
    ("template", "statement"),
    [
        (
            "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}"
            "{% endfor %}",
            "for",
        ),
        ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "macro"),
        ("{% filter upper %}{{ prefix }}{% endfilter %}", "filterblock"),
    ],
)
def test_statements_that_loop_or_define_are_refused_before_anything_runs(
    template: str, statement: str
) -> None:
    """Nested loops would run for hours; a blueprint string needs none."""
    refused = f"'{{% {statement} %}}' is not allowed"
    with pytest.raises(TemplateProblem, match=refused):
        template_names(template)  # what `blueprint validate` runs
    with pytest.raises(TemplateProblem, match=refused):
        render_text(template, CONTEXT)


def test_if_set_filters_and_formatting_stay_available() -> None:
    text = "{% set p = prefix | lower %}{% if on %}{{ p }}{% else %}x{% endif %}"
    assert render_text(text, CONTEXT) == "bl01:"
    assert render_text("{{ '%s%03d' | format(prefix, n) }}", CONTEXT) == "BL01:003"
    assert render_text("{{ '{}{:>4}'.format(prefix, n) }}", CONTEXT) == "BL01:   3"
    assert render_text("{{ prefix | center(9) }}", CONTEXT) == "  BL01:  "


def test_large_values_are_not_mistaken_for_widths() -> None:
    assert render_text("{{ '%d' | format(1234567) }}", CONTEXT) == "1234567"
    assert render_text("{{ '{}'.format(1234567) }}", CONTEXT) == "1234567"
    assert render_text("{{ 1234567 | string }}{{ prefix.zfill(7) }}", CONTEXT) == (
        "123456700BL01:"
    )
