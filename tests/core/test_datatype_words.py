"""One table of dtype words, read by the builder and the stub generator alike."""

from collections.abc import Sequence

import numpy as np

from ophyd_blueprint.blueprint.vocabulary import DTYPES
from ophyd_blueprint.core import Array1D, datatype_spec
from ophyd_blueprint.core.datatype_words import DATATYPE_OF_WORD


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
