#pragma once
// Expected failures as values: an Error carries the HTTP status, the snake_case code and the
// message that become the JSON error body {"error": code, "message": message}.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace argon {

struct Error {
  int status = 400;
  std::string code;
  std::optional<std::string> message;
  std::optional<std::int64_t> retry_after_seconds = {};  // a 429's Retry-After

  static Error validation(std::string message) {
    return {400, "validation_error", std::move(message)};
  }
  static Error bad_request(std::string code, std::string message) {
    return {400, std::move(code), std::move(message)};
  }
  static Error unauthorized(std::string message = "Missing or invalid token.") {
    return {401, "unauthorized", std::move(message)};
  }
  static Error forbidden(std::string code, std::string message) {
    return {403, std::move(code), std::move(message)};
  }
  static Error not_found(std::string code = "not_found", std::string message = "Not found.") {
    return {404, std::move(code), std::move(message)};
  }
  static Error conflict(std::string code, std::string message) {
    return {409, std::move(code), std::move(message)};
  }
  static Error internal(std::string message = "Internal error.") {
    return {500, "internal_error", std::move(message)};
  }
  static Error not_a_member() { return forbidden("not_a_member", "Not a member of this space."); }
  static Error missing_permission(std::string_view permission) {
    return forbidden("missing_permission", "Missing permission " + std::string(permission) + ".");
  }
};

// A base of exceptions meaning "a dependency this operation cannot do without is unreachable"
// (the database server): the request answers 503 service_unavailable instead of 500. Not an
// std::exception itself, so an exception type can add it beside its own base.
class UnavailableMarker {
 public:
  virtual ~UnavailableMarker() = default;
};

// A minimal std::expected stand-in (g++ 12 in C++20 mode has none).
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}
  Result(Error error) : state_(std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(state_); }
  Error& error() { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}
  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return *error_; }
  Error& error() { return *error_; }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;

inline Status ok_status() {
  return {};
}

}  // namespace argon

// Propagate an error from an expression yielding Result<T>/Status.
#define ARGON_TRY(expr)                                       \
  do {                                                        \
    auto&& argon_try_result_ = (expr);                        \
    if (!argon_try_result_) return argon_try_result_.error(); \
  } while (0)
