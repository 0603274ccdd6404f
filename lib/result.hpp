// The one error convention: a function that can fail returns Result<T>, either
// a T or a one-line error message (never both). Result<void> carries no value.
//   Result<Record> r = read(...);  if (!r) report(r.error());  else use(*r);
//   return fail("cannot read " + path);    // any Result<T> from a Failure
//   return ok();                           // Result<void> success (or `return {};`)
// value()/operator*/operator-> on a failure, or error() on a success, is a
// programming error (assert). Exceptions do not carry errors: only the
// C boundary (spank_plugin/core_entry_points.cpp's guard) and main() catch.
#pragma once
#include <cassert>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

namespace pyimport {

// A failure on its way into any Result<T>.
struct Failure {
    std::string message;
};
inline Failure fail(std::string message) { return Failure{std::move(message)}; }

template <class T> class [[nodiscard]] Result {
  public:
    template <class U = T, std::enable_if_t<std::is_constructible_v<T, U &&> &&
                                                !std::is_same_v<std::decay_t<U>, Failure> &&
                                                !std::is_same_v<std::decay_t<U>, Result>,
                                            int> = 0>
    Result(U &&value) : value_(std::in_place, std::forward<U>(value)) {}
    Result(Failure failure) : error_(std::move(failure.message)) {}

    explicit operator bool() const { return value_.has_value(); }
    T &value() & { return assert(value_), *value_; }
    const T &value() const & { return assert(value_), *value_; }
    T &&value() && { return assert(value_), std::move(*value_); }
    T &operator*() & { return value(); }
    const T &operator*() const & { return value(); }
    T &&operator*() && { return std::move(*this).value(); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }
    const std::string &error() const { return assert(!value_), error_; }

  private:
    std::optional<T> value_;
    std::string error_;
};

template <> class [[nodiscard]] Result<void> {
  public:
    Result() = default;
    Result(Failure failure) : failed_(true), error_(std::move(failure.message)) {}

    explicit operator bool() const { return !failed_; }
    const std::string &error() const { return assert(failed_), error_; }

  private:
    bool failed_ = false;
    std::string error_;
};

inline Result<void> ok() { return {}; }

} // namespace pyimport
