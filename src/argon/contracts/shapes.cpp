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
  return {std::move(element), Wrapper::None, false};
}
TypeRef list_of(std::string element) {
  return {std::move(element), Wrapper::List, false};
}
TypeRef read_only_list_of(std::string element) {
  return {std::move(element), Wrapper::ReadOnlyList, false};
}
TypeRef array_of(std::string element) {
  return {std::move(element), Wrapper::Array, false};
}
TypeRef nullable(std::string element) {
  return {std::move(element), Wrapper::Nullable, false};
}

TypeRef or_null(TypeRef ref) {
  ref.null_on_wire = true;
  return ref;
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
  TypeDecl t;
  t.name = std::move(name);
  t.full_name = std::move(full_name);
  t.kind = TypeKind::Class;
  t.properties = std::move(props);
  return t;
}
TypeDecl enum_type(std::string name, std::vector<std::string> values) {
  TypeDecl t;
  t.name = std::move(name);
  t.kind = TypeKind::Enum;
  t.enum_values = std::move(values);
  return t;
}
TypeDecl flags_type(std::string name,
                    std::vector<std::pair<std::string, std::uint64_t>> names_and_bits) {
  TypeDecl t = enum_type(std::move(name));
  t.flags = true;
  for (auto& [n, bit] : names_and_bits) {
    t.enum_values.push_back(std::move(n));
    t.flag_values.push_back(bit);
  }
  return t;
}
TypeDecl opaque_type(std::string name) {
  TypeDecl t;
  t.name = std::move(name);
  t.kind = TypeKind::Opaque;
  return t;
}

}  // namespace argon::contracts
