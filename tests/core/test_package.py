"""The top-level package: every public name resolves; the core imports light."""

import subprocess
import sys

import pytest

import ophyd_blueprint


def test_every_public_name_resolves_from_the_top_level():
    missing = [
        name for name in ophyd_blueprint.__all__ if not hasattr(ophyd_blueprint, name)
    ]
    assert missing == []
    assert set(ophyd_blueprint.__all__) <= set(dir(ophyd_blueprint))


def test_a_declarative_name_is_the_same_object_as_in_its_module():
    from ophyd_blueprint.beamline import load_beamline
    from ophyd_blueprint.blueprint import Blueprint

    assert ophyd_blueprint.load_beamline is load_beamline
    assert ophyd_blueprint.Blueprint is Blueprint


def test_an_unknown_name_is_an_attribute_error():
    name = "no_such_name"
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        getattr(ophyd_blueprint, name)


def test_importing_the_package_and_a_transport_leaves_the_declarative_layer_out():
    """Signals from code pay no import of YAML, templating, or bluesky itself."""
    code = (
        "import sys, ophyd_blueprint, ophyd_blueprint.transports.ca; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'bluesky', 'event_model', 'ruamel', 'jinja2', 'jsonschema'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_importing_the_package_does_not_import_pydantic():
    """pydantic comes with the declarative layer or `Table`, on first use."""
    code = (
        "import sys, ophyd_blueprint; before = 'pydantic' in sys.modules; "
        "ophyd_blueprint.Table; print(before, 'pydantic' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["False", "True"]


def test_table_is_one_class_whichever_way_it_is_imported():
    from ophyd_blueprint.core import Table
    from ophyd_blueprint.core.table import Table as Defined

    assert ophyd_blueprint.Table is Table is Defined
