#include "geo/wkb.hpp"

#include <bit>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <string>

namespace reclaim::geo {

namespace {

constexpr uint32_t kWkbPoint = 1;
constexpr uint32_t kWkbPolygon = 3;
constexpr uint32_t kWkbMultiPolygon = 6;
constexpr uint32_t kEwkbZ = 0x80000000u;
constexpr uint32_t kEwkbM = 0x40000000u;
constexpr uint32_t kEwkbSrid = 0x20000000u;

uint32_t swap32(uint32_t v) noexcept { return __builtin_bswap32(v); }
uint64_t swap64(uint64_t v) noexcept { return __builtin_bswap64(v); }

Result<Geometry> bad(std::string message) {
  return fail(ErrorCode::kInvalidArgument, std::move(message));
}

// ---------------------------------------------------------------------------------------------
// WKB writing (ISO, little-endian, 2D)

class Writer {
 public:
  explicit Writer(std::vector<uint8_t>& out) : out_(out) {}
  void u8(uint8_t v) { out_.push_back(v); }
  void u32(uint32_t v) {
    if constexpr (std::endian::native == std::endian::big) v = swap32(v);
    append(&v, sizeof v);
  }
  void i32(int32_t v) { u32(static_cast<uint32_t>(v)); }
  void f64(double d) {
    auto v = std::bit_cast<uint64_t>(d);
    if constexpr (std::endian::native == std::endian::big) v = swap64(v);
    append(&v, sizeof v);
  }

 private:
  void append(const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    out_.insert(out_.end(), b, b + n);
  }
  std::vector<uint8_t>& out_;
};

void write_polygon(Writer& w, const Polygon& p) {
  w.u8(1);
  w.u32(kWkbPolygon);
  w.u32(static_cast<uint32_t>(p.rings.size()));
  for (const Ring& r : p.rings) {
    w.u32(static_cast<uint32_t>(r.size()));
    for (const Point& v : r) {
      w.f64(v.lon);
      w.f64(v.lat);
    }
  }
}

void write_wkb(Writer& w, const Geometry& g) {
  switch (g.type) {
    case GeometryType::kNone:  // POINT EMPTY, as NaN coordinates (GeoPackage §2.1.3.1)
      w.u8(1);
      w.u32(kWkbPoint);
      w.f64(std::numeric_limits<double>::quiet_NaN());
      w.f64(std::numeric_limits<double>::quiet_NaN());
      return;
    case GeometryType::kPoint:
      w.u8(1);
      w.u32(kWkbPoint);
      w.f64(g.point.lon);
      w.f64(g.point.lat);
      return;
    case GeometryType::kPolygon:
      if (g.polygons.size() == 1) {
        write_polygon(w, g.polygons[0]);
        return;
      }
      [[fallthrough]];
    case GeometryType::kMultiPolygon:
      w.u8(1);
      w.u32(kWkbMultiPolygon);
      w.u32(static_cast<uint32_t>(g.polygons.size()));
      for (const Polygon& p : g.polygons) write_polygon(w, p);
      return;
  }
}

// ---------------------------------------------------------------------------------------------
// WKB reading: every read is bounds-checked; counts are checked against the bytes left before
// anything is allocated.

struct WkbError {
  std::string message;
};

class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  size_t pos() const noexcept { return pos_; }
  size_t left() const noexcept { return size_ - pos_; }

  std::optional<WkbError> need(size_t n, const char* what) const {
    if (n > left()) {
      return WkbError{"WKB truncated at byte " + std::to_string(pos_) + ": " + what + " needs " +
                      std::to_string(n) + " bytes, " + std::to_string(left()) + " left"};
    }
    return std::nullopt;
  }
  uint8_t u8() noexcept { return data_[pos_++]; }
  uint32_t u32(bool little) noexcept {
    uint32_t v = 0;
    std::memcpy(&v, data_ + pos_, sizeof v);
    pos_ += sizeof v;
    if (little != (std::endian::native == std::endian::little)) v = swap32(v);
    return v;
  }
  double f64(bool little) noexcept {
    uint64_t v = 0;
    std::memcpy(&v, data_ + pos_, sizeof v);
    pos_ += sizeof v;
    if (little != (std::endian::native == std::endian::little)) v = swap64(v);
    return std::bit_cast<double>(v);
  }
  void skip(size_t n) noexcept { pos_ += n; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

struct Header {
  bool little = true;
  uint32_t base = 0;  ///< 1 point, 3 polygon, 6 multipolygon, ...
  size_t dims = 2;    ///< doubles per coordinate
};

std::optional<WkbError> read_header(Reader& r, Header& h) {
  if (auto e = r.need(5, "geometry header")) return e;
  const uint8_t order = r.u8();
  if (order > 1) {
    return WkbError{"WKB byte-order byte at " + std::to_string(r.pos() - 1) + " is " +
                    std::to_string(order) + ", not 0 or 1"};
  }
  h.little = order == 1;
  const uint32_t raw = r.u32(h.little);
  const uint32_t code = raw & 0x0FFFFFFFu;
  const uint32_t iso = code / 1000;
  if (iso > 3) return WkbError{"unknown WKB geometry type " + std::to_string(raw)};
  h.base = code % 1000;
  const bool z = (raw & kEwkbZ) != 0 || iso == 1 || iso == 3;
  const bool m = (raw & kEwkbM) != 0 || iso == 2 || iso == 3;
  h.dims = 2 + (z ? 1 : 0) + (m ? 1 : 0);
  if ((raw & kEwkbSrid) != 0) {
    if (auto e = r.need(4, "EWKB SRID")) return e;
    r.skip(4);
  }
  return std::nullopt;
}

std::optional<WkbError> read_point(Reader& r, const Header& h, Point& p) {
  if (auto e = r.need(8 * h.dims, "a coordinate")) return e;
  p.lon = r.f64(h.little);
  p.lat = r.f64(h.little);
  r.skip(8 * (h.dims - 2));
  return std::nullopt;
}

std::optional<WkbError> read_polygon_body(Reader& r, const Header& h, Polygon& poly) {
  if (auto e = r.need(4, "ring count")) return e;
  const uint32_t nrings = r.u32(h.little);
  if (auto e = r.need(static_cast<size_t>(nrings) * 4, "the rings")) return e;
  poly.rings.reserve(nrings);
  for (uint32_t i = 0; i < nrings; ++i) {
    if (auto e = r.need(4, "point count")) return e;
    const uint32_t npoints = r.u32(h.little);
    // A ring without points has no WKT form (POLYGON (())) and no shape: refused here, so that
    // nothing downstream (WKT, GEOS, areas) sees one (found by fuzzing, fuzz/README.md).
    if (npoints == 0) {
      return WkbError{"WKB ring " + std::to_string(i) + " at byte " + std::to_string(r.pos() - 4) +
                      " has no points"};
    }
    if (auto e = r.need(static_cast<size_t>(npoints) * 8 * h.dims, "the ring's points")) return e;
    Ring ring;
    ring.reserve(npoints);
    for (uint32_t j = 0; j < npoints; ++j) {
      Point p;
      if (auto e = read_point(r, h, p)) return e;
      ring.push_back(p);
    }
    poly.rings.push_back(std::move(ring));
  }
  return std::nullopt;
}

std::optional<WkbError> read_wkb(Reader& r, Geometry& g) {
  Header h;
  if (auto e = read_header(r, h)) return e;
  g = Geometry{};
  switch (h.base) {
    case kWkbPoint: {
      Point p;
      if (auto e = read_point(r, h, p)) return e;
      if (std::isnan(p.lon) && std::isnan(p.lat)) return std::nullopt;  // POINT EMPTY
      g.type = GeometryType::kPoint;
      g.point = p;
      return std::nullopt;
    }
    case kWkbPolygon: {
      Polygon poly;
      if (auto e = read_polygon_body(r, h, poly)) return e;
      if (poly.rings.empty()) return std::nullopt;  // POLYGON EMPTY
      g.type = GeometryType::kPolygon;
      g.polygons.push_back(std::move(poly));
      return std::nullopt;
    }
    case kWkbMultiPolygon: {
      if (auto e = r.need(4, "polygon count")) return e;
      const uint32_t n = r.u32(h.little);
      if (auto e = r.need(static_cast<size_t>(n) * 9, "the polygons")) return e;
      std::vector<Polygon> polys;
      polys.reserve(n);
      for (uint32_t i = 0; i < n; ++i) {
        Header ph;
        const size_t at = r.pos();
        if (auto e = read_header(r, ph)) return e;
        if (ph.base != kWkbPolygon) {
          return WkbError{"MULTIPOLYGON member at byte " + std::to_string(at) + " has WKB type " +
                          std::to_string(ph.base) + ", not a polygon"};
        }
        Polygon poly;
        if (auto e = read_polygon_body(r, ph, poly)) return e;
        if (!poly.rings.empty()) polys.push_back(std::move(poly));
      }
      if (polys.empty()) return std::nullopt;  // MULTIPOLYGON EMPTY
      g.type = GeometryType::kMultiPolygon;
      g.polygons = std::move(polys);
      return std::nullopt;
    }
    default:
      return WkbError{"unsupported WKB geometry type " + std::to_string(h.base) +
                      " (expected POINT, POLYGON or MULTIPOLYGON)"};
  }
}

// ---------------------------------------------------------------------------------------------
// WKT

void append_number(std::string& out, double v) {
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

void append_ring(std::string& out, const Ring& r) {
  out += '(';
  for (size_t i = 0; i < r.size(); ++i) {
    if (i > 0) out += ", ";
    append_number(out, r[i].lon);
    out += ' ';
    append_number(out, r[i].lat);
  }
  out += ')';
}

void append_polygon(std::string& out, const Polygon& p) {
  out += '(';
  for (size_t i = 0; i < p.rings.size(); ++i) {
    if (i > 0) out += ", ";
    append_ring(out, p.rings[i]);
  }
  out += ')';
}

class WktParser {
 public:
  explicit WktParser(std::string_view s) : s_(s) {}

  Result<Geometry> parse() {
    skip_ws();
    if (starts_with_ci("SRID=")) {  // EWKT
      const size_t semi = s_.find(';', pos_);
      if (semi == std::string_view::npos) return error("SRID= without ';'");
      pos_ = semi + 1;
    }
    const std::string word = keyword();
    std::string base;
    std::string suffix;
    for (const char* name : {"MULTIPOLYGON", "POLYGON", "POINT", "GEOMETRYCOLLECTION"}) {
      const std::string_view n(name);
      if (word.compare(0, n.size(), n) == 0) {
        base = name;
        suffix = word.substr(n.size());
        break;
      }
    }
    if (base.empty()) {
      return fail(ErrorCode::kInvalidArgument,
                  word.empty() ? std::string("WKT: expected a geometry type at position 0")
                               : "WKT: unsupported geometry type '" + word +
                                     "' (expected POINT, POLYGON or MULTIPOLYGON)");
    }
    if (suffix.empty()) {
      const size_t save = pos_;
      suffix = keyword();
      if (suffix != "Z" && suffix != "M" && suffix != "ZM") {
        pos_ = save;
        suffix.clear();
      }
    }
    if (!suffix.empty() && suffix != "Z" && suffix != "M" && suffix != "ZM") {
      return error("unsupported geometry type '" + word + "'");
    }
    Geometry g;
    if (empty_keyword()) {
      if (auto r = end(); !r) return fail(r.error());
      return g;
    }
    if (base == "GEOMETRYCOLLECTION") {
      return error("only an empty GEOMETRYCOLLECTION is supported");
    }
    if (base == "POINT") {
      if (!expect('(')) return error("expected '('");
      Point p;
      if (!coordinate(p)) return error("expected a coordinate");
      if (!expect(')')) return error("expected ')'");
      g.type = GeometryType::kPoint;
      g.point = p;
    } else if (base == "POLYGON") {
      Polygon p;
      if (auto r = polygon(p); !r) return fail(r.error());
      g.type = GeometryType::kPolygon;
      g.polygons.push_back(std::move(p));
    } else {
      if (!expect('(')) return error("expected '('");
      do {
        if (empty_keyword()) continue;
        Polygon p;
        if (auto r = polygon(p); !r) return fail(r.error());
        g.polygons.push_back(std::move(p));
      } while (expect(','));
      if (!expect(')')) return error("expected ')' or ','");
      g.type = g.polygons.empty() ? GeometryType::kNone : GeometryType::kMultiPolygon;
    }
    if (auto r = end(); !r) return fail(r.error());
    return g;
  }

 private:
  Error problem(const std::string& what) const {
    return Error(ErrorCode::kInvalidArgument,
                 "WKT: " + what + " at position " + std::to_string(pos_));
  }
  Result<Geometry> error(const std::string& what) const { return fail(problem(what)); }
  Result<void> end() {
    skip_ws();
    if (pos_ != s_.size()) {
      return fail(ErrorCode::kInvalidArgument,
                  "WKT: unexpected text after the geometry at position " + std::to_string(pos_));
    }
    return {};
  }
  void skip_ws() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_])) != 0) ++pos_;
  }
  bool starts_with_ci(std::string_view prefix) const {
    if (s_.size() - pos_ < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i) {
      if (std::toupper(static_cast<unsigned char>(s_[pos_ + i])) != prefix[i]) return false;
    }
    return true;
  }
  std::string keyword() {
    skip_ws();
    std::string w;
    while (pos_ < s_.size() && std::isalpha(static_cast<unsigned char>(s_[pos_])) != 0) {
      w += static_cast<char>(std::toupper(static_cast<unsigned char>(s_[pos_])));
      ++pos_;
    }
    return w;
  }
  bool empty_keyword() {
    skip_ws();
    if (!starts_with_ci("EMPTY")) return false;
    pos_ += 5;
    return true;
  }
  bool expect(char c) {
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool number(double& v) {
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == '+') ++pos_;
    const char* first = s_.data() + pos_;
    const char* last = s_.data() + s_.size();
    const auto res = std::from_chars(first, last, v);
    if (res.ec != std::errc() || res.ptr == first) return false;
    pos_ += static_cast<size_t>(res.ptr - first);
    return true;
  }
  /// x y [z [m]]: Z and M are read and dropped.
  bool coordinate(Point& p) {
    if (!number(p.lon) || !number(p.lat)) return false;
    double ignored = 0;
    for (int i = 0; i < 2; ++i) {
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] == ',' || s_[pos_] == ')') break;
      if (!number(ignored)) return false;
    }
    return true;
  }
  Result<void> ring(Ring& r) {
    if (!expect('(')) return fail(problem("expected '(' before a ring"));
    do {
      Point p;
      if (!coordinate(p)) return fail(problem("expected a coordinate"));
      r.push_back(p);
    } while (expect(','));
    if (!expect(')')) return fail(problem("expected ')' or ',' in a ring"));
    return {};
  }
  Result<void> polygon(Polygon& p) {
    if (!expect('(')) return fail(problem("expected '(' before a polygon"));
    do {
      Ring r;
      if (auto res = ring(r); !res) return res;
      p.rings.push_back(std::move(r));
    } while (expect(','));
    if (!expect(')')) return fail(problem("expected ')' or ',' after a ring"));
    return {};
  }

  std::string_view s_;
  size_t pos_ = 0;
};

// ---------------------------------------------------------------------------------------------
// GeoPackage binary header (GeoPackage 1.3 §2.1.3)

constexpr uint8_t kGpkgLittleEndian = 0x01;
constexpr uint8_t kGpkgEnvelopeShift = 1;
constexpr uint8_t kGpkgEmpty = 0x10;
constexpr uint8_t kGpkgExtended = 0x20;

}  // namespace

std::vector<uint8_t> to_wkb(const Geometry& g) {
  std::vector<uint8_t> out;
  Writer w(out);
  write_wkb(w, g);
  return out;
}

Result<Geometry> from_wkb(const uint8_t* data, size_t size) {
  if (data == nullptr || size == 0) return bad("WKB is empty");
  Reader r(data, size);
  Geometry g;
  if (auto e = read_wkb(r, g)) return bad(std::move(e->message));
  if (r.left() != 0) {
    return bad("WKB has " + std::to_string(r.left()) + " unexpected bytes after the geometry");
  }
  return g;
}

std::string to_wkt(const Geometry& g) {
  std::string out;
  switch (g.type) {
    case GeometryType::kNone:
      return "POINT EMPTY";
    case GeometryType::kPoint:
      out = "POINT (";
      append_number(out, g.point.lon);
      out += ' ';
      append_number(out, g.point.lat);
      out += ')';
      return out;
    case GeometryType::kPolygon:
      if (g.polygons.size() == 1) {
        out = "POLYGON ";
        append_polygon(out, g.polygons[0]);
        return out;
      }
      [[fallthrough]];
    case GeometryType::kMultiPolygon:
      if (g.polygons.empty()) return "MULTIPOLYGON EMPTY";
      out = "MULTIPOLYGON (";
      for (size_t i = 0; i < g.polygons.size(); ++i) {
        if (i > 0) out += ", ";
        append_polygon(out, g.polygons[i]);
      }
      out += ')';
      return out;
  }
  return out;
}

Result<Geometry> from_wkt(std::string_view wkt) { return WktParser(wkt).parse(); }

std::vector<uint8_t> to_gpkg_blob(const Geometry& g, int32_t srs_id) {
  std::vector<uint8_t> out;
  Writer w(out);
  out.push_back('G');
  out.push_back('P');
  out.push_back(0);  // version 1 (0 in the blob)
  const bool with_envelope =
      g.type == GeometryType::kPolygon || g.type == GeometryType::kMultiPolygon;
  uint8_t flags = kGpkgLittleEndian;
  if (g.empty()) flags |= kGpkgEmpty;
  if (with_envelope) flags |= static_cast<uint8_t>(1u << kGpkgEnvelopeShift);
  out.push_back(flags);
  w.i32(srs_id);
  if (with_envelope) {
    const Envelope e = envelope(g);
    w.f64(e.min_lon);
    w.f64(e.max_lon);
    w.f64(e.min_lat);
    w.f64(e.max_lat);
  }
  write_wkb(w, g);
  return out;
}

Result<Geometry> from_gpkg_blob(const uint8_t* data, size_t size) {
  if (data == nullptr || size < 8) return bad("GeoPackage geometry blob shorter than its header");
  if (data[0] != 'G' || data[1] != 'P') return bad("not a GeoPackage geometry blob (no 'GP')");
  if (data[2] != 0) {
    return bad("unsupported GeoPackage blob version " + std::to_string(data[2]));
  }
  const uint8_t flags = data[3];
  if ((flags & kGpkgExtended) != 0) {
    return bad("extended GeoPackage geometry types are not supported");
  }
  const unsigned indicator = (flags >> kGpkgEnvelopeShift) & 0x07u;
  static constexpr size_t kEnvelopeBytes[] = {0, 32, 48, 48, 64};
  if (indicator > 4) {
    return bad("invalid GeoPackage envelope indicator " + std::to_string(indicator));
  }
  const size_t header = 8 + kEnvelopeBytes[indicator];
  if (size < header) return bad("GeoPackage geometry blob truncated in its envelope");
  if ((flags & kGpkgEmpty) != 0) return Geometry{};
  if (size == header) return bad("GeoPackage geometry blob has no WKB");
  return from_wkb(data + header, size - header);
}

}  // namespace reclaim::geo
