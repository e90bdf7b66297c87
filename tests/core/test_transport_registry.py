"""Transports are found by URI scheme through entry points, imported on use."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from ophyd_blueprint import TransportNotAvailableError, signal_r

from ..distributions import installed


@pytest.fixture
def transport_needing_a_missing_library(tmp_path: Path) -> Iterator[None]:
    """A distribution registering ``zz://``, whose client library is absent."""
    source = """\
        import zz_client_library_that_is_not_installed

        class ZzTransport:
            pass
        """
    entry_points = """\
        [ophyd_blueprint.transports]
        zz = zz_transport:ZzTransport
        """
    with installed(tmp_path, "example-transport", "zz_transport", source, entry_points):
        yield


def test_missing_client_library_names_the_extra_to_install(
    transport_needing_a_missing_library: None,
):
    with pytest.raises(TransportNotAvailableError) as info:
        signal_r(float, "zz://SOME:PV")
    message = str(info.value)
    assert "zz:// needs the Python module" in message
    assert "'zz_client_library_that_is_not_installed'" in message
    assert "pip install 'example-transport[zz]'" in message
