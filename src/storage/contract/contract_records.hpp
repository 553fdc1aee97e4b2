#pragma once
// Test data for the storage tests, in the domain's terms: records of every entity with every
// field type, and the geometries they take (point, polygon, multipolygon with a hole).
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "core/entities.hpp"
#include "core/record.hpp"
#include "storage/store.hpp"

namespace reclaim::storage::contract {

inline constexpr const char* kKhmerVillage = "ភូមិអូរធំ";

inline geo::Ring square(double lon, double lat, double side_deg) {
  return {{lon, lat},
          {lon + side_deg, lat},
          {lon + side_deg, lat + side_deg},
          {lon, lat + side_deg},
          {lon, lat}};
}
inline geo::Geometry point(double lon, double lat) {
  geo::Geometry g;
  g.type = geo::GeometryType::kPoint;
  g.point = {lon, lat};
  return g;
}
/// One polygon (a ~1 km square near Pailin).
inline geo::Geometry polygon(double lon = 102.6, double lat = 12.85) {
  geo::Geometry g;
  g.type = geo::GeometryType::kPolygon;
  g.polygons.push_back({{square(lon, lat, 0.01)}});
  return g;
}
/// Two polygons, the first with a hole (a ring inside it, clockwise as holes are).
inline geo::Geometry multipolygon_with_hole(double lon = 102.6, double lat = 12.85) {
  geo::Geometry g;
  g.type = geo::GeometryType::kMultiPolygon;
  geo::Ring hole = square(lon + 0.003, lat + 0.003, 0.002);
  std::reverse(hole.begin(), hole.end());
  g.polygons.push_back({{square(lon, lat, 0.01), hole}});
  g.polygons.push_back({{square(lon + 0.02, lat, 0.005)}});
  return g;
}

inline std::string sample_id(const core::EntitySchema& s, int n) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%06d", n);
  return "KH-" + s.name + "-" + buf;
}

/// A record with every field set to a value of its type (Khmer in the text fields) and the
/// richest geometry the entity takes.
inline core::Record full_record(const core::EntitySchema& s, int n) {
  core::Record r = core::make_record(s);
  for (size_t i = 0; i < s.fields.size(); ++i) {
    const core::FieldDef& f = s.fields[i];
    core::Value& v = r.values[i];
    switch (f.type) {
      case core::FieldType::kText:
        v = std::string(kKhmerVillage) + " " + f.name + " " + std::to_string(n);
        break;
      case core::FieldType::kInteger:
        v = int64_t{n + 1};
        break;
      case core::FieldType::kReal:
        v = 1234.5 + n / 8.0;
        break;
      case core::FieldType::kDate:
        v = std::string("2024-03-") + (n % 2 == 0 ? "05" : "17");
        break;
      case core::FieldType::kEnum:
        v = f.allowed.at(static_cast<size_t>(n) % f.allowed.size());
        break;
      case core::FieldType::kBool:
        v = int64_t{n % 2};
        break;
      case core::FieldType::kProvinceCode:
        v = std::string("24");
        break;
      case core::FieldType::kVillageCode:
        v = std::string("24010203");
        break;
      case core::FieldType::kReference:
        v = "KH-REF-" + std::to_string(n);
        break;
    }
  }
  r.values[0] = sample_id(s, n);
  if (s.geometry == core::GeometryKind::kPolygon) r.geometry = multipolygon_with_hole();
  if (s.geometry == core::GeometryKind::kPoint) r.geometry = point(102.61, 12.86);
  return r;
}

/// A record with only its id (every other field null) and no geometry.
inline core::Record bare_record(const core::EntitySchema& s, int n) {
  core::Record r = core::make_record(s);
  r.values[0] = sample_id(s, n);
  return r;
}

inline Change insert_of(const core::EntitySchema& s, core::Record r, std::string source = "") {
  return Change{ChangeOp::kInsert, &s, std::move(r), std::move(source)};
}
inline Change update_of(const core::EntitySchema& s, core::Record r, std::string source = "") {
  return Change{ChangeOp::kUpdate, &s, std::move(r), std::move(source)};
}
inline ChangeSet change_set(std::vector<Change> changes, std::string file = "hazards.csv") {
  return ChangeSet{ChangeSource{"sokha", std::move(file), "import"}, std::move(changes)};
}

}  // namespace reclaim::storage::contract
