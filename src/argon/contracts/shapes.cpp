#include "argon/contracts/shapes.hpp"

#include <array>
#include <utility>

namespace argon::contracts {

std::string TypeRef::canonical() const {
  switch (wrapper) {
    case Wrapper::None:
      return element;
    case Wrapper::List:
      return "List<" + element + ">";
    case Wrapper::ReadOnlyList:
      return "IReadOnlyList<" + element + ">";
    case Wrapper::Array:
      return element + "[]";
    case Wrapper::Nullable:
      return element + "?";
  }
  return element;
}

TypeRef named(std::string element) {
  return {std::move(element), Wrapper::None};
}
TypeRef list_of(std::string element) {
  return {std::move(element), Wrapper::List};
}
TypeRef read_only_list_of(std::string element) {
  return {std::move(element), Wrapper::ReadOnlyList};
}
TypeRef array_of(std::string element) {
  return {std::move(element), Wrapper::Array};
}
TypeRef nullable(std::string element) {
  return {std::move(element), Wrapper::Nullable};
}

bool is_simple_type(std::string_view element) {
  using namespace clr;
  static constexpr std::array<std::string_view, 13> kSimple{
      kString,  kInt,    kLong,   kBool,   kGuid,   kDateTime, kDateTimeOffset,
      kDecimal, kSingle, kDouble, kUInt32, kObject, kStringMap};
  for (auto s : kSimple) {
    if (s == element) return true;
  }
  return false;
}

TypeDecl class_type(std::string name, std::string full_name, std::vector<PropertyDecl> props) {
  return {std::move(name), std::move(full_name), TypeKind::Class, std::move(props)};
}
TypeDecl enum_type(std::string name) {
  return {std::move(name), "", TypeKind::Enum, {}};
}
TypeDecl opaque_type(std::string name) {
  return {std::move(name), "", TypeKind::Opaque, {}};
}

}  // namespace argon::contracts
