// lib/result.hpp: the one error convention.
#include "result.hpp"
#include "unit_support.hpp"

#include <memory>
#include <optional>

using namespace pyimport;
using unit::expect_eq;

namespace {

Result<int> half(int n) {
    if (n % 2) return fail("odd: " + std::to_string(n));
    return n / 2;
}

Result<void> even(int n) {
    if (n % 2) return fail("odd");
    return ok();
}

} // namespace

Test(result, a_value_or_an_error) {
    auto h = half(8);
    cr_assert(bool(h));
    cr_assert_eq(*h, 4);
    cr_assert_eq(h.value(), 4);
    auto odd = half(7);
    cr_assert(!odd);
    expect_eq(odd.error(), "odd: 7", "message");
    expect_eq(unit::error_of(h), "", "no error on success");
}

Test(result, void_results) {
    cr_assert(bool(even(2)));
    cr_assert(bool(Result<void>()), "default-constructed is success");
    cr_assert(bool(ok()));
    auto r = even(3);
    cr_assert(!r);
    expect_eq(r.error(), "odd", "message");
}

Test(result, members_through_arrow_and_move_only_values) {
    Result<std::string> s = std::string("text");
    cr_assert_eq(s->size(), 4u);
    Result<std::unique_ptr<int>> p = std::make_unique<int>(5);
    std::unique_ptr<int> taken = std::move(*p);
    cr_assert_eq(*taken, 5);
    Result<std::unique_ptr<int>> none = fail("none");
    expect_eq(none.error(), "none", "move-only failure");
}

Test(result, an_empty_optional_is_a_success) {
    Result<std::optional<int>> nothing = std::optional<int>();
    cr_assert(bool(nothing) && !*nothing);
    Result<std::optional<int>> one = std::optional<int>(1);
    cr_assert(bool(one) && **one == 1);
    Result<std::optional<int>> failed = fail("unreadable");
    cr_assert(!failed);
    expect_eq(failed.error(), "unreadable", "message");
}

Test(result, a_string_value_is_not_an_error) {
    Result<std::string> empty = std::string();
    cr_assert(bool(empty));
    expect_eq(*empty, "", "value");
    Result<std::string> failed = fail("");
    cr_assert(!failed, "a failure, even with an empty message");
}
