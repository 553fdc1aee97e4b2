// The one table of map layers: every entity layer names a real entity and real fields.
#include "core/map_layers.hpp"

#include <gtest/gtest.h>

#include <set>

#include "core/entities.hpp"

namespace reclaim::core {
namespace {

TEST(MapLayers, AreTheFourMappedEntitiesAndTheBoundaries) {
  std::vector<std::string_view> ids;
  for (const auto& l : map_layers()) ids.push_back(l.id);
  EXPECT_EQ(ids, (std::vector<std::string_view>{"hazards", "activities", "eo_finds", "accidents",
                                                "admin_boundaries"}));
  EXPECT_FALSE(find_map_layer("admin_boundaries")->is_entity());
  EXPECT_TRUE(find_map_layer("hazards")->is_entity());
  EXPECT_EQ(find_map_layer("casualties"), nullptr) << "personal data is never a map layer";
  EXPECT_EQ(find_map_layer("nope"), nullptr);
}

TEST(MapLayers, EveryTileFieldOfAnEntityLayerIsANonPersonalFieldOfItsSchema) {
  for (const auto& l : map_layers()) {
    EXPECT_FALSE(l.title.empty()) << l.id;
    EXPECT_FALSE(l.tile_fields.empty()) << l.id;
    if (!l.is_entity()) continue;
    const EntitySchema* s = find_schema(l.id);
    ASSERT_NE(s, nullptr) << l.id;
    EXPECT_NE(s->geometry, GeometryKind::kNone) << l.id << " has no geometry to map";
    for (const auto& f : l.tile_fields) {
      const int i = s->index_of(f);
      ASSERT_GE(i, 0) << l.id << "." << f;
      EXPECT_FALSE(s->fields[static_cast<size_t>(i)].personal) << l.id << "." << f;
    }
    EXPECT_EQ(std::set<std::string>(l.tile_fields.begin(), l.tile_fields.end()).size(),
              l.tile_fields.size())
        << l.id << " repeats a field";
  }
}

}  // namespace
}  // namespace reclaim::core
