"""The blueprint language: pure data and pure functions, no runtime code.

Load YAML with positions (`load_blueprint`), check meaning
(`validate_files`, `check_blueprint`), render params into concrete
sources (`render_blueprint`) and export JSON Schemas.
"""

from .beamline_checks import beamline_library, check_beamline
from .checks import check_blueprint, param_file, param_value_problem
from .extends import resolve_extends
from .library import BlueprintLibrary, yaml_files
from .loader import (
    Document,
    load_beamline_model,
    load_blueprint,
    load_document,
    parse_document,
)
from .models import (
    Beamline,
    BeamlineDevice,
    Blueprint,
    BlueprintSettings,
    Child,
    Defaults,
    DeviceRef,
    IndexRange,
    LogicEntry,
    Param,
    Scalar,
    Signal,
)
from .positions import Origin, Positions
from .problems import BlueprintError, Problem, format_problems
from .rendering import bind_params, qualify, render_blueprint, vector_indices
from .roles import LogicRoles, RoleSpec
from .schema import schema_texts, stale_schemas, write_schemas
from .schemes import KnownSchemes
from .shipped import (
    SHIPPED_BEAMLINES,
    SHIPPED_BLUEPRINTS,
    SHIPPED_SCHEMAS,
    named_file,
    with_shipped,
)
from .validation import validate_files
from .vocabulary import (
    ACCESSES,
    DTYPES,
    PARAM_TYPES,
    PROTOCOLS,
    READ_CATEGORIES,
)

__all__ = [
    "ACCESSES",
    "DTYPES",
    "PARAM_TYPES",
    "PROTOCOLS",
    "READ_CATEGORIES",
    "SHIPPED_BEAMLINES",
    "SHIPPED_BLUEPRINTS",
    "SHIPPED_SCHEMAS",
    "Beamline",
    "BeamlineDevice",
    "Blueprint",
    "BlueprintError",
    "BlueprintLibrary",
    "BlueprintSettings",
    "Child",
    "Defaults",
    "DeviceRef",
    "Document",
    "IndexRange",
    "KnownSchemes",
    "LogicEntry",
    "LogicRoles",
    "Origin",
    "Param",
    "Positions",
    "Problem",
    "RoleSpec",
    "Scalar",
    "Signal",
    "beamline_library",
    "bind_params",
    "check_beamline",
    "check_blueprint",
    "format_problems",
    "load_beamline_model",
    "load_blueprint",
    "load_document",
    "named_file",
    "param_file",
    "param_value_problem",
    "parse_document",
    "qualify",
    "render_blueprint",
    "resolve_extends",
    "schema_texts",
    "stale_schemas",
    "validate_files",
    "vector_indices",
    "with_shipped",
    "write_schemas",
    "yaml_files",
]
