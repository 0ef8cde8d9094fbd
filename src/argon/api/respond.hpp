#pragma once
// What both HTTP adapters (botapi/, clientapi/) share: turning Results into responses and
// reading ids from paths, queries and bodies with the error messages DECISIONS.md §2–3 require.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "argon/domain/result.hpp"
#include "argon/domain/uuid.hpp"
#include "argon/http/message.hpp"
#include "argon/wire/json_in.hpp"

namespace argon::api {

http::Response error_response(const Error& error);
http::Response json_response(int status, const boost::json::value& body);
http::Response no_content();  // 204

// A path parameter that must be a UUID: 400 validation_error naming it otherwise.
Result<Uuid> path_uuid(const http::Request& request, std::string_view name);
// A path parameter that must be an int64 (message ids).
Result<std::int64_t> path_int(const http::Request& request, std::string_view name);
// The request body as a JSON object (empty body = {}).
Result<boost::json::object> body_object(const http::Request& request);
// The credentials after `scheme ` in Authorization (scheme matched case-insensitively), trimmed.
std::optional<std::string> authorization_credentials(const http::Request& request,
                                                     std::string_view scheme);

}  // namespace argon::api
