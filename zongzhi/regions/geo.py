"""Grid boundaries: GeoJSON validation and point-in-polygon, with shapely."""

from dataclasses import dataclass
from typing import Any

from shapely.geometry import Point, shape
from shapely.validation import explain_validity

# China lies well inside these; a point outside is a swapped or mistyped coordinate.
LNG_RANGE = (73.0, 136.0)
LAT_RANGE = (3.0, 54.0)


class BoundaryError(ValueError):
    pass


@dataclass(frozen=True)
class BoundingBox:
    min_lng: float
    min_lat: float
    max_lng: float
    max_lat: float


def check_point(lng: float, lat: float) -> None:
    if not (LNG_RANGE[0] <= lng <= LNG_RANGE[1]) or not (LAT_RANGE[0] <= lat <= LAT_RANGE[1]):
        raise BoundaryError(f"坐标（经度{lng}，纬度{lat}）不在中国境内，请检查经纬度是否填反")


def validate_boundary(geometry: Any) -> BoundingBox:
    """Check a GeoJSON Polygon/MultiPolygon and return its bounding box."""
    if not isinstance(geometry, dict) or geometry.get("type") not in {"Polygon", "MultiPolygon"}:
        raise BoundaryError("边界须为 GeoJSON 的 Polygon 或 MultiPolygon 几何对象")
    try:
        polygon = shape(geometry)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise BoundaryError(f"边界坐标格式有误：{exc}") from exc
    if polygon.is_empty:
        raise BoundaryError("边界为空")
    if not polygon.is_valid:
        raise BoundaryError(f"边界多边形无效：{explain_validity(polygon)}")
    min_lng, min_lat, max_lng, max_lat = polygon.bounds
    check_point(min_lng, min_lat)
    check_point(max_lng, max_lat)
    return BoundingBox(min_lng, min_lat, max_lng, max_lat)


def covers(geometry: dict[str, Any], lng: float, lat: float) -> bool:
    """True when the point lies inside the geometry or on its edge."""
    return bool(shape(geometry).covers(Point(lng, lat)))
