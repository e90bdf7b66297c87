from __future__ import annotations

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
