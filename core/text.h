// attnlab core: the two interface languages and text that exists in both.
//
// Calling rules
// - Every user-facing string that core produces (exercise texts, explanations, reasons) comes
//   in English and Simplified Chinese; pick one with get(). A missing translation falls back
//   to English rather than showing nothing.
#pragma once

#include <string>
#include <vector>

namespace attn {

enum class Language { En, Zh };

struct LocalText {
    std::string en;
    std::string zh;
    const std::string& get(Language language) const { return language == Language::Zh && !zh.empty() ? zh : en; }
};

// "en" / "zh"; parse_language throws InputError for anything else.
const char* language_code(Language language);
Language parse_language(const std::string& code);

// printf-style formatting into a std::string (the explanations are full of numbers).
std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// "3,0,12" → {3, 0, 12}: comma-separated whole numbers of at most 6 digits, none empty.
// Throws InputError("<what>: '<item>' is not <noun>") naming the bad item.
std::vector<int> parse_int_list(const std::string& text, const std::string& what, const char* noun);

// Strict numbers for command-line options and typed values: plain decimal only (no hex, no
// inf/nan, no spaces, no empty string, no trailing characters), within [low, high]. Throw
// InputError("<what>: \"<text>\" is not ...") naming the option and the allowed range.
//   parse_whole_number: [+-]digits;  parse_decimal: [+-](digits[.digits]|.digits)[e[+-]digits].
// parse_unsigned64 takes any value of 0..2^64-1 (a torch seed) and refuses 2^64 and beyond.
long long parse_whole_number(const std::string& text, const std::string& what, long long low, long long high);
unsigned long long parse_unsigned64(const std::string& text, const std::string& what);
double parse_decimal(const std::string& text, const std::string& what, double low, double high);

// "[0.53, -0.70, 0.47]" with the given number of decimals.
std::string format_vector(const double* values, int count, int decimals = 3);

}  // namespace attn
