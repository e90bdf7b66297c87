"""A device name the server does not serve is not a server that is down."""

import pytest

from ophyd_blueprint import NotConnectedError, signal_r
from ophyd_blueprint.testing.tango_server import TangoServer


async def test_a_device_the_server_does_not_serve_says_so(tango_server: TangoServer):
    trl = tango_server.attribute("motor", "Position").replace("motor/1", "motor/9")
    sig = signal_r(float, trl)
    with pytest.raises(NotConnectedError) as caught:
        await sig.connect(timeout=5.0)
    message = str(caught.value)
    assert "the device server answers, but serves no device of this name" in message
    assert "CORBA" not in message
    assert "did not answer" not in message
