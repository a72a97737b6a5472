"""Booleans are not numbers anywhere in the API: `"lat": true` is a 422 naming the field."""

from __future__ import annotations

import types
import typing
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

import core.identity.schemas
import operations.schemas
import outcomes.schemas
import press.schemas
from core.schemas import RequestModel
from operations.models import Operation
from tests.deconfliction.helpers import API, site
from tests.security.sec_core_world import build_world, count, expect_error


@pytest.fixture
def world(app, accounts):
    """A period with NLOs of four states."""
    return build_world(app, accounts)


@pytest.mark.parametrize(("field", "value"), [("lat", True), ("lon", False),
                                              ("radius_m", True)])
def test_a_boolean_coordinate_or_radius_is_refused_and_nothing_is_stored(app, world, field,
                                                                         value):
    location = {**site("Bangkok airport", (13.69, 100.75), radius_m=500), field: value}
    before = count(app, Operation)

    response = world.register_raw("nlo.tha", locations=[location])

    expect_error(response, 422, "validation_failed", fields=(f"locations[0].{field}",))
    assert count(app, Operation) == before


def test_a_boolean_location_in_an_edit_is_refused(world):
    created = world.register("nlo.tha")
    location = {**site("Bangkok airport", (13.69, 100.75)), "lat": True}

    response = world.api("nlo.tha").patch(f"{API}/operations/{created['id']}",
                                          json={"locations": [location]})

    expect_error(response, 422, "validation_failed", fields=("locations[0].lat",))


def test_a_boolean_operation_id_of_a_report_is_refused(world):
    response = world.api("nlo.tha").post(f"{API}/periods/{world.pid}/reports",
                                         json={"date": "2031-09-30", "operation_id": True,
                                               "values": {}})

    expect_error(response, 422, "validation_failed", fields=("operation_id",))


def test_boolean_report_values_are_refused(world):
    indicators = world.api("nlo.tha").get(f"{API}/periods/{world.pid}/indicators").get_json()
    listed = indicators["indicators"] if isinstance(indicators, dict) else indicators
    key = next(item["key"] for item in listed if not item.get("categories"))

    response = world.api("nlo.tha").post(f"{API}/periods/{world.pid}/reports",
                                         json={"date": "2031-09-30", "values": {key: True}})

    expect_error(response, 422, "validation_failed", fields=(f"values.{key}",))


# ---------------------------------------------------------------- every request schema


def _request_models() -> list[type[BaseModel]]:
    modules = (core.identity.schemas, operations.schemas, outcomes.schemas, press.schemas)
    return [value for module in modules for value in vars(module).values()
            if isinstance(value, type) and issubclass(value, RequestModel)
            and value is not RequestModel]


def _is_numeric(annotation: Any) -> bool:
    if annotation in (int, float):
        return True
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _is_numeric(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return any(_is_numeric(arg) for arg in typing.get_args(annotation))
    return False


NUMERIC_FIELDS = [(model, name) for model in _request_models()
                  for name, info in model.model_fields.items()
                  if _is_numeric(info.annotation)
                  or any(_is_numeric(getattr(m, "__origin__", None)) for m in info.metadata)]


def test_the_request_schemas_have_numeric_fields_to_check():
    names = {f"{model.__name__}.{name}" for model, name in NUMERIC_FIELDS}
    assert {"LocationIn.lat", "LocationIn.lon", "LocationIn.radius_m",
            "ReportIn.operation_id"} <= names


@pytest.mark.parametrize(("model", "name"), NUMERIC_FIELDS,
                         ids=[f"{m.__name__}.{n}" for m, n in NUMERIC_FIELDS])
@pytest.mark.parametrize("value", [True, False])
def test_every_numeric_field_of_every_request_schema_refuses_booleans(model, name, value):
    with pytest.raises(ValidationError) as raised:
        model.model_validate({name: value})

    errors = {item["loc"]: item["type"] for item in raised.value.errors()}
    assert errors.get((name,)) == "bool_not_number", errors
