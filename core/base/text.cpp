#include "core/base/text.h"

#include "core/base/error.h"
#include "core/base/i18n.h"

#include <cctype>
#include <cstdarg>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <vector>

namespace attn {

Language parse_language(const std::string& code) {
    if (!is_available_language(code))
        throw InputError("unknown language " + in_quotes(code, 20) + " (expected one of: " + available_language_list() + ")");
    return Language{code};
}

std::string format(const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    va_list copy;
    va_copy(copy, args);
    const int needed = std::vsnprintf(nullptr, 0, fmt, copy);
    va_end(copy);
    std::string out(needed > 0 ? static_cast<size_t>(needed) : 0, '\0');
    if (needed > 0) std::vsnprintf(out.data(), out.size() + 1, fmt, args);
    va_end(args);
    return out;
}

std::vector<int> parse_int_list(const std::string& text, const std::string& what, const char* noun) {
    std::vector<int> numbers;
    size_t pos = 0;
    while (pos <= text.size()) {
        const size_t comma = std::min(text.find(',', pos), text.size());
        const std::string item = text.substr(pos, comma - pos);
        if (item.empty() || item.size() > 6 || item.find_first_not_of("0123456789") != std::string::npos)
            throw InputError(what + ": " + in_quotes(item, 20) + " is not " + noun);
        numbers.push_back(std::stoi(item));
        pos = comma + 1;
    }
    return numbers;
}

namespace {

bool all_digits(const std::string& text, std::size_t from, std::size_t to) {
    if (from >= to) return false;
    for (std::size_t i = from; i < to; ++i)
        if (text[i] < '0' || text[i] > '9') return false;
    return true;
}

// [+-](digits[.digits]|digits.|.digits)[(e|E)[+-]digits], nothing else.
bool is_plain_decimal(const std::string& s) {
    std::size_t i = s.empty() ? 0 : (s[0] == '+' || s[0] == '-') ? 1 : 0;
    const std::size_t e = std::min(s.find_first_of("eE"), s.size());
    const std::size_t dot = std::min(s.find('.'), e);
    const bool int_part = dot > i && all_digits(s, i, dot);
    const bool frac_part = dot < e && dot + 1 < e && all_digits(s, dot + 1, e);
    if (dot > i && !int_part) return false;
    if (dot < e && dot + 1 < e && !frac_part) return false;
    if (!int_part && !frac_part) return false;
    if (e == s.size()) return true;
    std::size_t k = e + 1;
    if (k < s.size() && (s[k] == '+' || s[k] == '-')) ++k;
    return all_digits(s, k, s.size());
}

[[noreturn]] void not_a_number(const std::string& text, const std::string& what, const std::string& expected) {
    throw InputError(what + ": " + (text.empty() ? std::string("an empty value") : in_quotes(text, 30)) + " is not " +
                     expected);
}

}  // namespace

long long parse_whole_number(const std::string& text, const std::string& what, long long low, long long high) {
    const std::string expected = "a whole number from " + std::to_string(low) + " to " + std::to_string(high);
    const std::size_t start = !text.empty() && (text[0] == '+' || text[0] == '-') ? 1 : 0;
    if (!all_digits(text, start, text.size())) not_a_number(text, what, expected);
    long long value = 0;
    const char* first = text.data() + (text[0] == '+' ? 1 : 0);
    const auto result = std::from_chars(first, text.data() + text.size(), value);
    if (result.ec != std::errc() || value < low || value > high) not_a_number(text, what, expected);
    return value;
}

unsigned long long parse_unsigned64(const std::string& text, const std::string& what) {
    const std::string expected = "a whole number from 0 to 18446744073709551615";
    if (!all_digits(text, 0, text.size())) not_a_number(text, what, expected);
    unsigned long long value = 0;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
    if (result.ec != std::errc()) not_a_number(text, what, expected);
    return value;
}

double parse_decimal(const std::string& text, const std::string& what, double low, double high) {
    const std::string expected = format("a number from %g to %g", low, high);
    if (!is_plain_decimal(text)) not_a_number(text, what, expected);
    double value = 0;
    const char* first = text.data() + (text[0] == '+' ? 1 : 0);
    const auto result = std::from_chars(first, text.data() + text.size(), value);
    // from_chars reports overflow and underflow alike: both are outside any sensible range here.
    if (result.ec != std::errc() || !(value >= low && value <= high)) not_a_number(text, what, expected);
    return value;
}

std::string format_vector(const double* values, int count, int decimals) {
    std::string out = "[";
    for (int i = 0; i < count; ++i) {
        if (i) out += ", ";
        out += format("%.*f", decimals, values[i]);
    }
    return out + "]";
}

double same_digits_as(double value, double reference) {
    if (!std::isfinite(value) || !std::isfinite(reference)) return value;
    const double noise = std::max(1e-12, 1e-9 * std::max(std::fabs(value), std::fabs(reference)));
    return std::fabs(value - reference) <= noise ? reference : value;
}

bool is_identifier(const std::string& text, bool dashes) {
    if (text.empty() || text.size() > 64) return false;
    if (!dashes && std::isdigit(static_cast<unsigned char>(text[0]))) return false;
    return std::all_of(text.begin(), text.end(), [&](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || (dashes && (c == '-' || c == '.'));
    });
}

}  // namespace attn
