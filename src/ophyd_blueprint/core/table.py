"""`Table`: a typed table whose columns are numpy arrays (or lists of str).

It is a pydantic model, the one part of the core that needs pydantic, so it is
imported on first use of the name (see `ophyd_blueprint.core`).
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
from pydantic import BaseModel, ConfigDict, model_validator

from .datatypes import DatatypeSpec, datatype_spec, describe_value

__all__ = ["Table"]


class Table(BaseModel):
    """A typed table: each field is a column (``Array1D[...]`` or ``Sequence[str]``).

    All columns have the same length. Values are stored as numpy arrays (or
    lists of str), so a table round-trips through NTTable without copies.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _coerce_columns(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        raw = dict(cast(dict[str, Any], data))
        out: dict[str, Any] = {}
        lengths: set[int] = set()
        for name, field in cls.model_fields.items():
            if name not in raw:
                continue
            spec = datatype_spec(field.annotation)
            value = spec.coerce(raw.pop(name))
            lengths.add(len(value))
            out[name] = value
        if raw:
            raise ValueError(f"unknown columns {sorted(raw)} for {cls.__name__}")
        if len(lengths) > 1:
            raise ValueError(f"columns of {cls.__name__} differ in length: {lengths}")
        return out

    @classmethod
    def columns(cls) -> dict[str, DatatypeSpec]:
        """Column name -> its datatype spec, in declaration order."""
        return {n: datatype_spec(f.annotation) for n, f in cls.model_fields.items()}

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(
            np.array_equal(np.asarray(getattr(self, n)), np.asarray(getattr(other, n)))
            for n in type(self).model_fields
        )

    def __len__(self) -> int:
        first = next(iter(type(self).model_fields), None)
        return 0 if first is None else len(getattr(self, first))

    @classmethod
    def __datatype_spec__(cls) -> DatatypeSpec:
        """The spec of this table type, for `datatype_spec`."""
        columns = cls.columns()

        def coerce_table(v: Any) -> Table:
            if isinstance(v, cls):
                return v
            if isinstance(v, dict):
                return cls.model_validate(v)
            raise TypeError(f"expected {cls.__name__}, got {describe_value(v)}")

        return DatatypeSpec(
            cls,
            cls.__name__,
            "array",
            "[" + ",".join(f"{n}:{c.dtype_numpy}" for n, c in columns.items()) + "]",
            (None,),
            (),
            coerce_table,
            lambda: cls.model_validate({n: c.default() for n, c in columns.items()}),
        )
