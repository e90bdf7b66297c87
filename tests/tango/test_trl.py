"""Tango URIs: both forms, the poll option, and clear errors for bad ones."""

import pytest

from ophyd_blueprint.transports.tango import parse_trl


def test_uri_without_database_keeps_host_port_and_dbase_option():
    trl = parse_trl("tango://127.0.0.1:10000/dom/fam/mem/attr#dbase=no")
    assert trl.device == "tango://127.0.0.1:10000/dom/fam/mem#dbase=no"
    assert trl.member == "attr"
    assert trl.poll_period is None


def test_uri_through_tango_host_is_a_plain_device_name():
    trl = parse_trl("tango://dom/fam/mem/attr")
    assert (trl.device, trl.member) == ("dom/fam/mem", "attr")


def test_poll_option_is_read_and_not_given_to_tango():
    trl = parse_trl("tango://127.0.0.1:1/a/b/c/d#dbase=no&poll=0.5s")
    assert trl.poll_period == 0.5
    assert trl.device == "tango://127.0.0.1:1/a/b/c#dbase=no"


@pytest.mark.parametrize(
    "uri", ["tango://a/b/c", "tango://h:1/a/b/c", "ca://a/b/c/d", "tango://a//c/d"]
)
def test_uri_that_names_no_member_is_a_clear_error(uri: str):
    with pytest.raises(ValueError, match="expected tango://"):
        parse_trl(uri)
