#include "spec/vocabulary/Topology.h"

namespace faultbox::star {

std::string SourceLocation::str() const {
  if (!known()) return path.empty() ? "<unknown>" : path;
  return path + ":" + std::to_string(line) + ":" + std::to_string(col);
}

const InterfaceSpec* ServiceSpec::find_interface(const std::string& iface) const {
  for (const InterfaceSpec& i : interfaces)
    if (i.name == iface) return &i;
  return nullptr;
}

const ServiceSpec* Topology::find_service(const std::string& name) const {
  for (const ServiceSpec& s : services)
    if (s.name == name) return &s;
  return nullptr;
}

}  // namespace faultbox::star
