"""QSRV groups: an NTTable as a `Table`, an NTNDArray as an n-D array, both ways."""

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from ophyd_blueprint.core.datatypes import Array1D
from ophyd_blueprint.core.errors import NotConnectedError
from ophyd_blueprint.core.table import Table
from ophyd_blueprint.core.transport import signal_r, signal_rw
from ophyd_blueprint.testing.ioc import EpicsIoc, IocFlavour

GROUPS_DB = Path(__file__).parents[2] / "src/ophyd_blueprint/testing/db/pva_groups.db"


class Steps(Table):
    enabled: Array1D[np.bool_]
    count: Array1D[np.int32]
    name: Sequence[str]


class Partial(Table):
    count: Array1D[np.int32]


class WrongType(Table):
    enabled: Array1D[np.bool_]
    count: Array1D[np.float64]
    name: Sequence[str]


def _group_ioc(
    flavour: IocFlavour, factory: pytest.TempPathFactory
) -> Iterator[EpicsIoc]:
    with EpicsIoc(
        (GROUPS_DB,), flavour=flavour, log_dir=factory.mktemp("groups")
    ) as ioc:
        yield ioc


@pytest.fixture(scope="module")
def groups_pvxs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EpicsIoc]:
    yield from _group_ioc("pvxs", tmp_path_factory)


@pytest.fixture(scope="module")
def groups_qsrv1(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EpicsIoc]:
    yield from _group_ioc("qsrv1", tmp_path_factory)


@pytest.fixture(params=["pvxs", "qsrv1"])
def ioc(request: pytest.FixtureRequest) -> EpicsIoc:
    return request.getfixturevalue(f"groups_{request.param}")


async def test_nttable_reads_as_a_table_with_typed_columns(ioc: EpicsIoc):
    sig = signal_r(Steps, f"pva://{ioc.pv('TABLE')}", name="steps")
    await sig.connect(timeout=5)
    table = await sig.get_value()
    assert isinstance(table, Steps)
    assert table.enabled.dtype == np.bool_
    assert table == Steps(enabled=[True, False], count=[3, 4], name=["a", "b c"])
    key = (await sig.describe())["steps"]
    assert key["dtype"] == "array"
    assert key["shape"] == [2]


async def test_nttable_put_writes_every_column(ioc: EpicsIoc):
    sig = signal_rw(Steps, f"pva://{ioc.pv('TABLE')}")
    await sig.connect(timeout=5)
    written = Steps(enabled=[False, True, True], count=[7, 8, 9], name=["x", "y", "z"])
    await sig.set(written)
    assert await sig.get_value() == written


async def test_table_columns_are_checked_at_connect(ioc: EpicsIoc):
    for table, expected in [
        (
            Partial,
            "has columns ['count', 'enabled', 'name'], but Partial has ['count']",
        ),
        (WrongType, "column 'count' is int32 array, but WrongType asked for"),
    ]:
        sig = signal_r(table, f"pva://{ioc.pv('TABLE')}")
        with pytest.raises(NotConnectedError, match=expected.replace("[", r"\[")):
            await sig.connect(timeout=5)


async def test_ntndarray_reads_with_the_shape_of_its_dimensions(ioc: EpicsIoc):
    sig = signal_r(np.ndarray, f"pva://{ioc.pv('IMAGE')}", name="image")
    await sig.connect(timeout=5)
    image = await sig.get_value()
    assert image.shape == (2, 3)
    assert image.dtype == np.uint16
    key = (await sig.describe())["image"]
    assert key["shape"] == [2, 3]
    assert key["dtype_numpy"] == "<u2"


async def test_ntndarray_put_writes_data_and_dimensions(groups_pvxs: EpicsIoc):
    # QSRV 1 accepts a put to a group's "any" field but silently ignores it.
    sig = signal_rw(np.ndarray, f"pva://{groups_pvxs.pv('IMAGE')}")
    await sig.connect(timeout=5)
    written = np.arange(12, dtype=np.uint16).reshape(4, 3)
    await sig.set(written)
    got = await sig.get_value()
    np.testing.assert_array_equal(got, written)
    await sig.set(np.arange(6, dtype=np.uint16).reshape(2, 3))
