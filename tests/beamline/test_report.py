"""The report reads a failure's facts from its attributes, never its text."""

from __future__ import annotations

from ophyd_blueprint import DatatypeMismatchError, NoAnswerError, NotConnectedError
from ophyd_blueprint.beamline import ConnectionReport, DeviceConnection


def connection(name: str, **errors: Exception) -> DeviceConnection:
    return DeviceConnection(name, len(errors), NotConnectedError(errors))


def test_kind_and_source_come_from_attributes_not_from_words_in_the_text():
    misleading = NotConnectedError(
        "timed out? no: the server refused pva://OTHER:PV", source="ca://BL:A"
    )
    terse = NoAnswerError("ca://BL:B", 2.0, "gone")
    device = connection("d", a=misleading, b=terse)
    kinds = {f.path: (f.kind, f.source, f.server) for f in device.signal_failures()}
    assert kinds == {
        "a": ("error", "ca://BL:A", "ca BL:A"),
        "b": ("no answer", "ca://BL:B", "ca BL:B"),
    }


def test_a_tango_failure_is_rolled_up_by_its_host():
    error = NoAnswerError("tango://127.0.0.1:10000/test/motor/1/Position", 1.0)
    failure = connection("m", position=error).signal_failures()[0]
    assert failure.server == "tango 127.0.0.1:10000"


def test_a_type_mismatch_with_an_origin_reads_like_a_compiler_error():
    mismatch = DatatypeMismatchError("ca://BL01:X.RBV", "float", "int32 PV")
    mismatch.origin = "devices/epics/motor.yaml:12:5"
    report = ConnectionReport({"x": connection("x", readback=mismatch)})
    assert (
        "    devices/epics/motor.yaml:12:5: x.readback: ca://BL01:X.RBV is a int32 "
        "PV, the blueprint says float"
    ) in str(report).splitlines()
    (failure,) = report.as_dict()["devices"]["x"]["failures"]
    assert failure == {
        "signal": "readback",
        "kind": "wrong type",
        "source": "ca://BL01:X.RBV",
        "server": "ca BL01:X.RBV",
        "origin": "devices/epics/motor.yaml:12:5",
        "error": "is a int32 PV, the blueprint says float",
    }


def test_type_mismatches_are_never_folded_silence_is():
    first = DatatypeMismatchError("ca://BL:A", "float", "int32 PV")
    second = DatatypeMismatchError("ca://BL:B", "float", "int32 PV")
    quiet = {n: NoAnswerError(f"ca://BL:{n}", 1.0) for n in ("c", "d")}
    report = ConnectionReport({"d": connection("d", a=first, b=second, **quiet)})
    why = str(report).split("why:\n")[1].splitlines()
    assert why == [
        "    d.a: ca://BL:A is a int32 PV, the signal asked for float",
        "    d.b: ca://BL:B is a int32 PV, the signal asked for float",
        "    d.{c, d}: no answer within 1.0 s",
    ]


def test_an_error_that_is_not_ours_is_an_error_without_a_source():
    device = DeviceConnection("odd", 1, ValueError("ca://BL:A timed out"))
    (failure,) = device.signal_failures()
    assert (failure.kind, failure.source, failure.server) == ("error", "", "unknown")
    assert failure.reason == "ValueError: ca://BL:A timed out"
