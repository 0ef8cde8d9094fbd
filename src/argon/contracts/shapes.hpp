#pragma once
// The type model behind the contract descriptors (SPEC.md §13.2): a type reference is a base type
// (primitive, enum, or project class) optionally wrapped once in List<T>, IReadOnlyList<T>, T[] or
// Nullable<T>; a class declares its public properties in declaration order. The canonical text
// renderer only needs these facts, so they are all a descriptor carries.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace argon::contracts {

enum class Wrapper { None, List, ReadOnlyList, Array, Nullable };

struct TypeRef {
  std::string element;  // canonical name of the base type: "Guid", "long", "BotCommandOption", …
  Wrapper wrapper = Wrapper::None;
  // The JSON value may be null although the CLR type is a plain reference (`voiceState`,
  // `fromLocale`, `locale`). Only OpenAPI reads it: §13.2 hashes the CLR spelling alone.
  bool null_on_wire = false;

  // The canonical spelling: "Guid", "List<BotCommand>", "IReadOnlyList<X>", "Guid[]", "long?".
  std::string canonical() const;
  bool operator==(const TypeRef&) const = default;
};

// Reference helpers used by the descriptors.
TypeRef named(std::string element);
TypeRef list_of(std::string element);
TypeRef read_only_list_of(std::string element);
TypeRef array_of(std::string element);
TypeRef nullable(std::string element);
TypeRef or_null(TypeRef ref);  // the same reference, documented as `X | null` on the wire

// Canonical names of the CLR simple types (§13.2: never expanded).
namespace clr {
inline constexpr std::string_view kString = "string";
inline constexpr std::string_view kInt = "int";
inline constexpr std::string_view kLong = "long";
inline constexpr std::string_view kBool = "bool";
inline constexpr std::string_view kGuid = "Guid";
inline constexpr std::string_view kDateTime = "DateTime";
inline constexpr std::string_view kDateTimeOffset = "DateTimeOffset";
inline constexpr std::string_view kDecimal = "decimal";
inline constexpr std::string_view kSingle = "Single";
inline constexpr std::string_view kDouble = "Double";
inline constexpr std::string_view kUInt32 = "UInt32";
inline constexpr std::string_view kObject = "Object";
inline constexpr std::string_view kStringMap = "Dictionary`2<string,string>";
}  // namespace clr

// True for the primitive/framework names above (string, Guid, DateTimeOffset, Object, …).
bool is_simple_type(std::string_view element);

struct PropertyDecl {
  std::string name;  // PascalCase, as the CLR property
  TypeRef type;
};

enum class TypeKind {
  Class,   // a project type with a declared shape; expanded under List/array/Nullable
  Enum,    // a project enum: never expanded
  Opaque,  // a project class referenced only as a plain property (never expanded, no shape)
};

struct TypeDecl {
  std::string name;       // simple CLR name: "SendMessageRequest"
  std::string full_name;  // "Argon.Api.BotApi.Interfaces.MessagesV1+SendMessageRequest"; may be
                          // empty for types never named on a REQUEST/RESPONSE line
  TypeKind kind = TypeKind::Class;
  std::vector<PropertyDecl> properties;  // declaration order (the renderer sorts)
  // Enums: the wire names in declaration order (the manifest's enumValues). A flags enum is
  // written as an integer mask, every other enum as its camelCase name (SPEC.md §1).
  std::vector<std::string> enum_values{};
  bool flags = false;
  std::vector<std::uint64_t> flag_values{};  // flags enums: the bit of each name
  // The JSON form when it is another declared type: the reflected surface of the entity union
  // (IMessageEntity) is {UnionKey, UnionIndex}, but bots send and read BotMessageEntityV1.
  std::string wire_type{};
  std::string description{};  // for OpenAPI; optional
};

TypeDecl class_type(std::string name, std::string full_name, std::vector<PropertyDecl> props);
TypeDecl enum_type(std::string name, std::vector<std::string> values = {});
TypeDecl flags_type(std::string name,
                    std::vector<std::pair<std::string, std::uint64_t>> names_and_bits);
TypeDecl opaque_type(std::string name);

// Every type the descriptors declare (route types, shared DTOs, event payloads, enums, opaque
// references). Names are unique.
const std::vector<TypeDecl>& types();
const TypeDecl* find_type(std::string_view name);

}  // namespace argon::contracts
