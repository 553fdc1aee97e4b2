#include "core/gazetteer.hpp"

namespace reclaim::core {

Gazetteer::Gazetteer(std::vector<AdminUnit> units) : units_(std::move(units)) {
  by_code_.reserve(units_.size());
  for (size_t i = 0; i < units_.size(); ++i) {
    by_code_.emplace(units_[i].code, i);
    children_[units_[i].parent_code].push_back(i);
  }
}

const AdminUnit* Gazetteer::find(std::string_view code) const {
  auto it = by_code_.find(std::string(code));
  return it == by_code_.end() ? nullptr : &units_[it->second];
}
const AdminUnit* Gazetteer::province(std::string_view code) const {
  const AdminUnit* u = find(code);
  return u && u->level == AdminLevel::kProvince ? u : nullptr;
}
const AdminUnit* Gazetteer::village(std::string_view code) const {
  const AdminUnit* u = find(code);
  return u && u->level == AdminLevel::kVillage ? u : nullptr;
}
std::string Gazetteer::province_of(std::string_view code) const {
  const AdminUnit* u = find(code);
  while (u && u->level != AdminLevel::kProvince) u = find(u->parent_code);
  return u ? u->code : std::string();
}
std::vector<const AdminUnit*> Gazetteer::children(std::string_view code) const {
  std::vector<const AdminUnit*> out;
  auto it = children_.find(std::string(code));
  if (it != children_.end())
    for (size_t i : it->second) out.push_back(&units_[i]);
  return out;
}
std::vector<const AdminUnit*> Gazetteer::at_level(AdminLevel level) const {
  std::vector<const AdminUnit*> out;
  for (const auto& u : units_)
    if (u.level == level) out.push_back(&u);
  return out;
}

}  // namespace reclaim::core
