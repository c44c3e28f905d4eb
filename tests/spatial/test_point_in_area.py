"""Placing a point in the published boundaries' ward and LSOA (issue 13)."""

from __future__ import annotations

from web_reporting import CSP_CODE, EAST_WARD, LSOAS, WEST_WARD, small_area_boundaries

from safecity.geography.point_in_area import AreaLocator


def test_points_fall_in_the_ward_and_lsoa_that_contain_them() -> None:
    locator = AreaLocator(boundaries=small_area_boundaries())
    west_south = locator.place(latitude=50.905, longitude=-1.395)
    east_north = locator.place(latitude=50.935, longitude=-1.365)
    assert (west_south.area_code, west_south.ward_code, west_south.lsoa_code) == (
        CSP_CODE,
        WEST_WARD,
        LSOAS[("west", "south")],
    )
    assert (east_north.ward_code, east_north.lsoa_code) == (EAST_WARD, LSOAS[("east", "north")])


def test_a_point_outside_the_area_is_in_no_area() -> None:
    outside = AreaLocator(boundaries=small_area_boundaries()).place(latitude=51.5, longitude=-0.1)
    assert not outside.inside
    assert outside.ward_code == ""
    assert outside.lsoa_code == ""


def test_named_places_have_a_point_inside_their_own_area() -> None:
    locator = AreaLocator(boundaries=small_area_boundaries())
    places = locator.named_places()
    assert {place.name for place in places if place.area_level == "ward"} == {
        "Westfield",
        "Eastbank",
    }
    for place in places:
        placed = locator.place(latitude=place.latitude, longitude=place.longitude)
        code = placed.ward_code if place.area_level == "ward" else placed.lsoa_code
        assert code == place.area_code
