"""The blueprint language as pydantic models: the shape of the YAML files.

Field descriptions become the JSON Schema, so they are what editors show on
hover. Meaning that spans fields (an enum needs choices, a name must exist) is
checked in `checks`, so that every problem is reported at once.
"""

from __future__ import annotations

from typing import Annotated, Any, LiteralString

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)
from pydantic_core import PydanticCustomError

from .positions import Origin, Positions
from .vocabulary import (
    Access,
    ColumnDtype,
    DiscoveredSettings,
    Dtype,
    ParamType,
    ProtocolName,
    ReadCategory,
)

__all__ = [
    "Beamline",
    "BeamlineDevice",
    "Blueprint",
    "BlueprintSettings",
    "Child",
    "Defaults",
    "DeviceRef",
    "IndexRange",
    "LogicEntry",
    "Param",
    "Scalar",
    "Signal",
]


def _one_error(message: LiteralString) -> WrapValidator:
    """Collapse the per-member errors of a union into one readable error."""

    def validate(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        try:
            return handler(value)
        except ValidationError:
            raise PydanticCustomError("union", message) from None

    return WrapValidator(validate)


Scalar = Annotated[
    str | int | float | bool, _one_error("expected a string, number or boolean")
]
"""A parameter value."""


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        strict=True,
        populate_by_name=True,
        use_attribute_docstrings=True,
    )
    # Where an object was written is kept in pydantic's private slot, set
    # only by the loader. Declared as a PrivateAttr, it would make pydantic
    # run Python (init_private_attributes) for every model validated: half
    # the cost of validating an introspected blueprint of 200 signals.

    def set_origin(self, origin: Origin) -> None:
        """Record where this object was written (done once, by the loader)."""
        object.__setattr__(self, "__pydantic_private__", {"origin": origin})

    @property
    def origin(self) -> Origin:
        """Where this object was written; an empty origin if built in code."""
        return self.written_at or Origin("<memory>", Positions())

    @property
    def written_at(self) -> Origin | None:
        """Where this object was written, or None if it was built in code."""
        private = self.__pydantic_private__
        return None if private is None else private.get("origin")


class Param(_Model):
    """A value given when the blueprint is used, written `{{name}}` in templates."""

    type: ParamType = "str"
    """The value's type; values are checked against it."""
    default: Scalar | None = None
    """Value when none is given; a param without a default is required."""
    doc: str | None = None
    """What the value means, e.g. `record name, e.g. BL01T-MO-MOT-01`."""


class Signal(_Model):
    """One signal: where it lives, its type, how it may be used and read."""

    source: str
    """URI: `ca://PV`, `pva://PV`, `tango://host:port/dom/fam/mem/attr`
    (`#dbase=no` without a database), `soft://name`, `mock://name`. Without
    a scheme it takes the instance's protocol (the beamline default). Written
    with templates, e.g. `{{prefix}}.VAL`. With `read_source` this is the
    write source."""
    read_source: str | None = None
    """Separate readback source (`_RBV` pairs); only with access `rw`."""
    dtype: Dtype | None = None
    """Value type: `bool int float str enum`, 1-D arrays `<numpy name>[]`,
    `str[]`, `enum[]`, `ndarray` (any shape) or `table`; checked against the
    server's type at connect. Left out, the signal takes the server's type at
    connect (ca, pva and tango sources; soft and mock ones need it). Access
    `x` has no dtype."""
    access: Access = "r"
    """`r` read, `w` write, `rw` both, `x` trigger. Default `r`: a
    signal is writable only when the blueprint says so."""
    read: ReadCategory = "omitted"
    """Place in the readable verbs: `hinted` (read, plotted), `normal`
    (read), `config` (read_configuration) or `omitted` (default: not read)."""
    doc: str | None = None
    """What the signal is, shown in stubs and hover text."""
    units: str | None = None
    """Engineering units, when the control system does not say."""
    choices: list[str] | None = None
    """Allowed values of an `enum` or `enum[]` signal, non-empty and unique."""
    strict: bool = True
    """Enums only: true = the server's choices must equal `choices`
    (StrictEnum); false = `choices` must be among the server's (SubsetEnum)."""
    enum_name: str | None = None
    """Enums only: class name of the enum in generated stubs."""
    columns: dict[str, ColumnDtype] | None = None
    """`table` only: column name -> 1-D array dtype."""
    trigger_value: Scalar | None = None
    """Access `x` only: value put on trigger (e.g. `1` for a motor's
    `.STOP`); by default the transport's trigger (e.g. processing the record)."""
    setting: bool | None = None
    """Whether `blueprint settings` saves and restores it. Unset: a signal
    of access `rw` read as `config` is a setting; `true`: this `rw` signal is
    one whatever its `read`; `false`: never. A signal bound to a role that
    moves something (a motor's `setpoint`) is never a setting."""


class IndexRange(_Model):
    """Indices `start, start+1, ..., stop-1`, as in Python's `range`."""

    start: int
    stop: int
    """First index not included."""


Vector = Annotated[
    list[int] | IndexRange | dict[int, dict[str, Scalar]],
    _one_error(
        "expected a list of indices, {start: N, stop: M}, "
        "or a mapping of index -> parameters"
    ),
]


class DeviceRef(_Model):
    """Where a device comes from: exactly one of `blueprint`, `pvi`, `tango`."""

    blueprint: str | None = None
    """Name of a blueprint found in the search path."""
    with_: dict[str, Scalar] = Field(default_factory=dict[str, Scalar], alias="with")
    """Parameters for the blueprint; strings may use the user's params as
    `{{name}}`. A value that is only `{{expr}}` keeps the expression's type."""
    pvi: str | None = None
    """PVI URI discovered live, e.g. `pva://DEMO:PANDA:PVI`."""
    tango: str | None = None
    """Tango device TRL introspected live, e.g. `tango://host:10000/a/b/c`."""
    doc: str | None = None
    """What the device is."""


class Child(DeviceRef):
    """A sub-device. With `vector` it is a DeviceVector of blueprint instances."""

    vector: Vector | None = None
    """Indices of a DeviceVector: `[1, 2, 4]`, `{start: 1, stop: 5}` (1..4),
    or `{1: {prefix: A}, 2: {prefix: B}}` to give per-index params. `{{i}}`
    is the index in `with` values. Only with `blueprint`."""


class LogicEntry(_Model):
    """Behaviour attached by composition: a registered logic class and its roles."""

    use: str
    """Registered logic name, e.g. `motion.Motor`."""
    bind: dict[str, str] = Field(default_factory=dict[str, str])
    """Role -> signal path; dotted for children, e.g. `cam.acquire`."""
    with_: dict[str, Scalar] = Field(default_factory=dict[str, Scalar], alias="with")
    """Parameters for the logic class; templates allowed as in `with`."""


class BlueprintSettings(_Model):
    """Which of the device's signals are settings besides those their own
    entries make ones (`setting`, or `rw` read as `config`), and which of
    them are written first when settings are restored."""

    discovered: DiscoveredSettings = "none"
    """Of the signals found through `pvi:`: `none` is a setting, or every one
    of access `rw` is (but one bound to a logic role that moves something:
    a PandA's PCAP arm)."""
    include: list[str] = Field(default_factory=list[str])
    """Signals of access `rw` that are settings, declared or discovered, as
    paths written like `first`'s (`["*"]`: every one; what `discovered: rw`
    says of a PandA, said of one frozen to YAML, whose signals are declared)."""
    first: list[str] = Field(default_factory=list[str])
    """Settings written, every one of them, before any other of the device:
    paths in the device, `*` matching any part of one (`*_units`: a PandA's
    units before the values given in them)."""
    exclude: list[str] = Field(default_factory=list[str])
    """Signals that are not settings though the rules above make them ones,
    as paths written like `first`'s."""


class Blueprint(_Model):
    """A device class written as data.

    `extends: Base` inherits everything from `Base`: `params`,
    `signals` and `children` entries are added or replaced whole by key;
    `logic` entries replace the base entry with the same `use` and are
    otherwise appended; `doc`, `pvi` and `settings` are replaced when given.
    """

    name: str = Field(alias="blueprint")
    """Blueprint name, unique in the search path; the class name in stubs."""
    doc: str | None = None
    """What the device is."""
    extends: str | None = None
    """Name of a blueprint to inherit from."""
    params: dict[str, Param] = Field(default_factory=dict[str, Param])
    """Values the blueprint is instantiated with."""
    signals: dict[str, Signal] = Field(default_factory=dict[str, Signal])
    """Signals by attribute name."""
    children: dict[str, Child] = Field(default_factory=dict[str, Child])
    """Sub-devices by attribute name."""
    pvi: str | None = None
    """A PVI structure (``pva://{{prefix}}PVI``) the device's structure is
    discovered from when it connects: its signals and sub-devices (numbered
    blocks as vectors) join the declared ones, and `logic` may bind to them
    (``seq.1.table``), checked at connect."""
    logic: list[LogicEntry] = Field(default_factory=list[LogicEntry])
    """Behaviour attached to the device."""
    settings: BlueprintSettings | None = None
    """Which signals are saved and restored as settings beyond those marked
    one by one, e.g. every `rw` signal a `pvi:` device has, units first."""


class Defaults(_Model):
    """Settings for every device of a beamline."""

    protocol: ProtocolName = "ca"
    """Protocol of sources written without a scheme."""
    timeout: Annotated[float, Field(gt=0)] = 5.0
    """Connection timeout in seconds."""
    data_dir: Annotated[str, Field(pattern=r"^/")] | None = None
    """Absolute directory where file-writing detectors put their files (one
    new file per detector per run); created if missing. Every logic that
    takes a `data_dir` parameter gets it unless its `with` says otherwise."""


class BeamlineDevice(DeviceRef):
    """One device of a beamline."""

    mock: bool = False
    """Use mock backends instead of the control system."""
    logic: list[LogicEntry] = Field(default_factory=list[LogicEntry])
    """Behaviour added to what the device is built from (a blueprint's own
    logic, or a ``pvi:`` device's discovered structure)."""


class Beamline(_Model):
    """A beamline: where blueprints are found and the devices made from them."""

    name: str = Field(alias="beamline")
    """Beamline name."""
    doc: str | None = None
    """What the beamline is."""
    blueprints: list[str] = Field(default_factory=list[str])
    """Directories (or files) searched for blueprints, relative to this file,
    before the blueprints shipped with ophyd-blueprint (SimMotor, SimDetector,
    ...), which need no entry here."""
    defaults: Defaults = Field(default_factory=Defaults)
    """Settings for every device."""
    tiled: Annotated[str, Field(pattern=r"^https?://")] | None = None
    """URL of the Tiled server that `blueprint serve` sends every document to
    (``--tiled`` overrides it); its API key comes from ``TILED_API_KEY``."""
    devices: dict[str, BeamlineDevice] = Field(
        default_factory=dict[str, BeamlineDevice]
    )
    """Devices by name."""
