#include "argon/api/respond.hpp"

#include <boost/json/serialize.hpp>
#include <charconv>

namespace argon::api {

http::Response error_response(const Error& e) {
  http::HeaderList extra;
  // 503: the store is unavailable or busy beyond its retries; worth another try shortly.
  if (e.status == 503) extra.emplace_back("Retry-After", "1");
  if (e.retry_after_seconds)
    extra.emplace_back("Retry-After", std::to_string(*e.retry_after_seconds));
  std::optional<std::string_view> message;
  if (e.message) message = *e.message;
  return http::Response::error(e.status, e.code, message, std::move(extra));
}

http::Response json_response(int status, const boost::json::value& body) {
  return http::Response::json(status, boost::json::serialize(body));
}

http::Response no_content() {
  return http::Response::empty(204);
}

Result<Uuid> path_uuid(const http::Request& request, std::string_view name) {
  const std::string* raw = request.param(name);
  if (!raw) return Error::validation(std::string(name) + ": required");
  auto id = Uuid::parse(*raw);
  if (!id) return Error::validation(std::string(name) + ": must be a UUID");
  return *id;
}

Result<std::int64_t> path_int(const http::Request& request, std::string_view name) {
  const std::string* raw = request.param(name);
  if (!raw) return Error::validation(std::string(name) + ": required");
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), v);
  if (ec != std::errc() || p != raw->data() + raw->size())
    return Error::validation(std::string(name) + ": must be an integer");
  return v;
}

Result<boost::json::object> body_object(const http::Request& request) {
  return wire::parse_object(request.body);
}

std::optional<std::string> authorization_credentials(const http::Request& request,
                                                     std::string_view scheme) {
  const std::string* header = request.header("authorization");
  if (!header) return std::nullopt;
  std::string_view v(*header);
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  if (v.size() <= scheme.size() || !http::iequals_ascii(v.substr(0, scheme.size()), scheme) ||
      v[scheme.size()] != ' ')
    return std::nullopt;
  v.remove_prefix(scheme.size() + 1);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  if (v.empty()) return std::nullopt;
  return std::string(v);
}

}  // namespace argon::api
