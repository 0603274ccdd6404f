// The one place the product's version lives; records carry it.
#pragma once
namespace pyimport {
inline constexpr const char *kVersion = "0.1.0";
}
