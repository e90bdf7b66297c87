"""Freezing blueprints to files: where they go, and what is never replaced."""

from pathlib import Path

import pytest

from ophyd_blueprint.blueprint import validate_files
from ophyd_blueprint.introspect import (
    FoundDevice,
    FoundSignal,
    FreezeError,
    Introspected,
    freeze,
    to_blueprints,
)


def stage() -> Introspected:
    motor = FoundDevice(
        where="pva://BL:STAGE:M:PVI",
        signals={"velo": FoundSignal("rw", "BL:STAGE:M:V")},
    )
    return to_blueprints(
        FoundDevice(
            where="pva://BL:STAGE:PVI",
            signals={"x": FoundSignal("rw", "BL:STAGE:X")},
            children={"motor": motor},
        ),
        "Stage",
    )


def test_a_folder_gets_the_root_as_name_yaml_and_its_sub_devices_beside(
    tmp_path: Path,
) -> None:
    files = freeze(stage(), tmp_path)

    assert files == [tmp_path / "Stage.yaml", tmp_path / "StageMotor.yaml"]
    assert validate_files(files) == []


def test_a_path_neither_yaml_nor_a_folder_is_refused_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    for wrong in ("devices", "stage.yml"):
        with pytest.raises(FreezeError, match=rf"{wrong}: expected a \.yaml file") as e:
            freeze(stage(), tmp_path / wrong)
        assert e.value.files == []
    assert list(tmp_path.iterdir()) == []


def test_a_file_introspect_did_not_write_is_kept_unless_forced(tmp_path: Path) -> None:
    mine = tmp_path / "StageMotor.yaml"
    mine.write_text("blueprint: StageMotor\nsignals: {}\n")

    with pytest.raises(FreezeError, match="nothing written: would replace") as caught:
        freeze(stage(), tmp_path / "Stage.yaml")

    assert caught.value.files == [mine]
    assert mine.read_text() == "blueprint: StageMotor\nsignals: {}\n"
    assert not (tmp_path / "Stage.yaml").exists()
    freeze(stage(), tmp_path / "Stage.yaml", force=True)
    assert "velo:" in mine.read_text()


def test_freezing_again_replaces_the_files_it_wrote(tmp_path: Path) -> None:
    first = freeze(stage(), tmp_path / "Stage.yaml")
    (tmp_path / "Stage.yaml").write_text(
        (tmp_path / "Stage.yaml").read_text().replace("x:", "old_x:")
    )

    again = freeze(stage(), tmp_path / "Stage.yaml")

    assert again == first
    assert "old_x:" not in (tmp_path / "Stage.yaml").read_text()
