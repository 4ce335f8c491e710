// Small helpers several gtest files share.
//
// Calling rules: include after <gtest/gtest.h>; tests include the repository root, so this is
// "tests/support/test_support.h". Fixtures are read from ATTN_TEST_FIXTURES_DIR (tests/fixtures),
// which every test target defines.
#pragma once

#include "core/base/error.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

namespace attn::test {

// The InputError message `f` throws (checked against the message rule), or "(accepted)".
inline std::string input_error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const attn::InputError& e) {
        EXPECT_TRUE(attn::message_is_clean(e.what())) << e.what();
        return e.what();
    }
    return "(accepted)";
}

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A JSON fixture, by its path under tests/fixtures ("expr/order.json").
inline nlohmann::json load_json_fixture(const std::string& relative_path) {
    std::ifstream in(std::string(ATTN_TEST_FIXTURES_DIR) + "/" + relative_path);
    EXPECT_TRUE(in.good()) << relative_path;
    std::stringstream text;
    text << in.rdbuf();
    return nlohmann::json::parse(text.str());
}

// A float32 stored as the hex of its bits ("3f800000" is 1.0f): exact, unlike a decimal.
inline float float_from_bits(const std::string& hex) {
    const std::uint32_t u = static_cast<std::uint32_t>(std::stoul(hex, nullptr, 16));
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
}

// Distance in float32 steps (ulps) between two floats; NaN matches NaN, inf matches only itself.
inline std::int64_t ulps(float a, float b) {
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b) ? 0 : INT64_MAX;
    if (a == b) return 0;
    if (std::isinf(a) || std::isinf(b)) return INT64_MAX;
    auto ordered = [](float x) {
        std::int32_t i;
        std::memcpy(&i, &x, sizeof i);
        return i < 0 ? std::int64_t{INT32_MIN} - i : std::int64_t{i};
    };
    const std::int64_t d = ordered(a) - ordered(b);
    return d < 0 ? -d : d;
}

}  // namespace attn::test
