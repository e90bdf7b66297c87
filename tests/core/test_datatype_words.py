"""One table of dtype words, read by the builder and the stub generator alike."""

from collections.abc import Sequence

import numpy as np

from ophyd_blueprint.blueprint.vocabulary import DTYPES
from ophyd_blueprint.core import Array1D, StrictEnum, datatype_spec
from ophyd_blueprint.core.datatype_words import (
    DATATYPE_OF_WORD,
    DatatypeWords,
    words_of,
)
from ophyd_blueprint.core.table import Table


def test_every_word_but_the_generated_classes_names_a_supported_datatype():
    assert set(DTYPES) - set(DATATYPE_OF_WORD) == {"enum", "enum[]", "table"}
    assert set(DATATYPE_OF_WORD) <= set(DTYPES)
    for datatype in DATATYPE_OF_WORD.values():
        datatype_spec(datatype)  # raises for an unsupported one


def test_words_name_scalars_and_arrays_as_users_write_them():
    assert DATATYPE_OF_WORD["float"] is float
    assert DATATYPE_OF_WORD["bool[]"] == Array1D[np.bool_]
    assert DATATYPE_OF_WORD["uint16[]"] == Array1D[np.uint16]
    assert DATATYPE_OF_WORD["str[]"] == Sequence[str]
    assert DATATYPE_OF_WORD["ndarray"] is np.ndarray


def test_every_word_is_the_word_of_its_datatype() -> None:
    for word, datatype in DATATYPE_OF_WORD.items():
        assert words_of(datatype).dtype == word


def test_enums_and_tables_are_written_with_their_choices_and_columns() -> None:
    class Mode(StrictEnum):
        A = "a"
        B = "b b"

    class Rows(Table):
        n: Array1D[np.uint16]
        label: Sequence[str]

    assert words_of(Mode) == DatatypeWords("enum", ("a", "b b"))
    assert words_of(Sequence[Mode]) == DatatypeWords("enum[]", ("a", "b b"))
    assert words_of(Rows) == DatatypeWords(
        "table", columns={"n": "uint16[]", "label": "str[]"}
    )
