"""Transports are found by URI scheme through entry points, imported on use."""

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from ophyd_blueprint import TransportNotAvailableError, signal_r


@pytest.fixture
def transport_needing_a_missing_library(tmp_path: Path) -> Iterator[None]:
    """A distribution registering ``zz://``, whose client library is absent."""
    (tmp_path / "zz_transport.py").write_text(
        textwrap.dedent(
            """\
            import zz_client_library_that_is_not_installed

            class ZzTransport:
                pass
            """
        )
    )
    info = tmp_path / "example_transport-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: example-transport\nVersion: 0.1\n"
    )
    (info / "entry_points.txt").write_text(
        "[ophyd_blueprint.transports]\nzz = zz_transport:ZzTransport\n"
    )
    sys.path.insert(0, str(tmp_path))
    yield
    sys.path.remove(str(tmp_path))
    sys.modules.pop("zz_transport", None)


def test_missing_client_library_names_the_extra_to_install(
    transport_needing_a_missing_library: None,
):
    with pytest.raises(TransportNotAvailableError) as info:
        signal_r(float, "zz://SOME:PV")
    message = str(info.value)
    assert "zz:// needs the Python module" in message
    assert "'zz_client_library_that_is_not_installed'" in message
    assert "pip install 'example-transport[zz]'" in message
