#pragma once
// Helpers shared by the geo unit tests (not part of the library).
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "geo/geodesic.hpp"
#include "geo/geometry.hpp"
#include "geo/wkb.hpp"

namespace reclaim::geo::testing {

/// A closed counter-clockwise square whose south-west corner is `sw`, sides `side_m` metres
/// long, built with geodesic steps north and east.
inline Polygon square(Point sw, double side_m) {
  const Point se = destination(sw, 90, side_m);
  const Point nw = destination(sw, 0, side_m);
  const Point ne = destination(nw, 90, side_m);
  return Polygon{{{sw, se, ne, nw, sw}}};
}

/// A closed counter-clockwise lon/lat rectangle.
inline Polygon rect(double west, double south, double east, double north) {
  return Polygon{{{{west, south}, {east, south}, {east, north}, {west, north}, {west, south}}}};
}

inline Geometry polygon_geometry(Polygon p) {
  Geometry g;
  g.type = GeometryType::kPolygon;
  g.polygons.push_back(std::move(p));
  return g;
}

inline Geometry wkt(const std::string& text) {
  auto g = from_wkt(text);
  if (!g) throw std::runtime_error("bad WKT in a test: " + g.error().message);
  return *g;
}

/// One row of tests/fixtures/geo/postgis_areas.csv.
struct PostgisArea {
  std::string name;
  std::string op;  ///< area | union | intersection
  double area_m2 = 0;
  std::string wkt_a;
  std::string wkt_b;
};

/// Splits one CSV line; fields may be double-quoted (no escaped quotes inside).
inline std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (char c : line) {
    if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

inline std::vector<PostgisArea> load_postgis_areas() {
  const std::string path =
      std::string(RECLAIM_SOURCE_DIR) + "/tests/fixtures/geo/postgis_areas.csv";
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::vector<PostgisArea> rows;
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (header) {  // name,op,area_m2,wkt_a,wkt_b
      header = false;
      continue;
    }
    const auto f = split_csv(line);
    if (f.size() != 5) throw std::runtime_error("bad fixture line: " + line);
    rows.push_back(PostgisArea{f[0], f[1], std::stod(f[2]), f[3], f[4]});
  }
  return rows;
}

}  // namespace reclaim::geo::testing
