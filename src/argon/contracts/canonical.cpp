// The canonical contract text of SPEC.md §13.2, its SHA-256 and the startup verification.
#include <algorithm>
#include <set>
#include <stdexcept>

#include "argon/contracts/contracts.hpp"
#include "argon/crypto/crypto.hpp"

namespace argon::contracts {
namespace {

const TypeLookup& default_lookup() {
  static const TypeLookup lookup = [](std::string_view name) { return find_type(name); };
  return lookup;
}

class ShapeWriter {
 public:
  ShapeWriter(std::string& out, const TypeLookup& lookup) : out_(out), lookup_(lookup) {}

  // One type's properties at `indent`, recursing into List<T>/IReadOnlyList<T>/T[]/Nullable<T>
  // of project classes; a type already visited in this top-level shape is marked circular.
  void shape(const TypeDecl& type, int indent) {
    if (!visited_.insert(type.name).second) {
      line(indent, "[circular:" + type.name + "]");
      return;
    }
    std::vector<const PropertyDecl*> props;
    for (const auto& p : type.properties) props.push_back(&p);
    std::sort(props.begin(), props.end(),
              [](const PropertyDecl* a, const PropertyDecl* b) { return a->name < b->name; });
    for (const auto* p : props) {
      line(indent, p->name + ":" + p->type.canonical());
      if (p->type.wrapper == Wrapper::None || is_simple_type(p->type.element)) continue;
      const TypeDecl* element = lookup_(p->type.element);
      if (!element) throw std::logic_error("contracts: unknown type " + p->type.element);
      if (element->kind == TypeKind::Enum) continue;
      if (element->kind == TypeKind::Opaque) {
        throw std::logic_error("contracts: " + type.name + "." + p->name + " needs the shape of " +
                               element->name);
      }
      shape(*element, indent + 2);
    }
  }

 private:
  void line(int indent, const std::string& text) {
    out_.append(static_cast<std::size_t>(indent), ' ');
    out_ += text;
    out_ += '\n';
  }

  std::string& out_;
  const TypeLookup& lookup_;
  std::set<std::string, std::less<>> visited_;
};

const TypeDecl& require(const TypeLookup& lookup, const std::string& name) {
  const TypeDecl* t = lookup(name);
  if (!t) throw std::logic_error("contracts: unknown type " + name);
  return *t;
}

void route_type(std::string& out, const char* label, const std::string& name,
                const TypeLookup& lookup) {
  if (name.empty()) return;
  const TypeDecl& t = require(lookup, name);
  out += "  ";
  out += label;
  out += ':';
  out += t.full_name.empty() ? t.name : t.full_name;
  out += '\n';
  ShapeWriter(out, lookup).shape(t, 4);
}

}  // namespace

std::string render_shape(const TypeDecl& type, int indent, const TypeLookup& lookup) {
  std::string out;
  ShapeWriter(out, lookup).shape(type, indent);
  return out;
}

std::string canonical_text(const InterfaceDecl& decl, const TypeLookup& lookup) {
  std::string out = "INTERFACE:" + decl.name + ":v" + std::to_string(decl.version) + "\n";
  std::vector<const RouteDecl*> routes;
  for (const auto& r : decl.routes) routes.push_back(&r);
  std::sort(routes.begin(), routes.end(), [](const RouteDecl* a, const RouteDecl* b) {
    auto pa = a->path(), pb = b->path();
    return pa != pb ? pa < pb : a->method < b->method;
  });
  for (const auto* r : routes) {
    out += "ROUTE:" + r->method + ":" + r->path() + "\n";
    route_type(out, "REQUEST", r->request_type, lookup);
    route_type(out, "RESPONSE", r->response_type, lookup);
  }
  return out;
}

std::string canonical_text(const EventDecl& decl, const TypeLookup& lookup) {
  std::string out = "EVENT:" + decl.name + "\n";
  ShapeWriter(out, lookup).shape(require(lookup, decl.payload_type), 2);
  return out;
}

std::string canonical_text(const InterfaceDecl& decl) {
  return canonical_text(decl, default_lookup());
}
std::string canonical_text(const EventDecl& decl) {
  return canonical_text(decl, default_lookup());
}

std::string computed_hash(const InterfaceDecl& decl) {
  return crypto::sha256_hex(canonical_text(decl));
}
std::string computed_hash(const EventDecl& decl) {
  return crypto::sha256_hex(canonical_text(decl));
}

std::vector<Mismatch> verify() {
  std::vector<Mismatch> out;
  for (const auto& i : interfaces()) {
    if (!i.stable) continue;
    auto computed = computed_hash(i);
    auto declared = i.declared_hash.value_or("");
    if (computed != declared) {
      out.push_back({i.name + "/v" + std::to_string(i.version), declared, computed});
    }
  }
  for (const auto& e : events()) {
    if (!e.stable()) continue;
    auto computed = computed_hash(e);
    if (computed != *e.declared_hash)
      out.push_back({"Event:" + e.name, *e.declared_hash, computed});
  }
  return out;
}

}  // namespace argon::contracts
