// attnlab core: the interface language and text that exists in every language.
//
// Calling rules
// - A Language is a catalog's code ("en", "zh"; core/base/i18n.h). Default-constructed it is English,
//   the source language. parse_language() accepts exactly the codes that have a catalog.
// - Every user-facing string that core produces (exercise texts, explanations, reasons) is a
//   LocalText: the English, plus one translation per other language. get() falls back to the
//   English for a language it lacks (or an empty translation) rather than showing nothing.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace attn {

// "en" is the source language: its catalog carries only its name.
inline constexpr const char* kSourceLanguage = "en";

struct Language {
    std::string code = kSourceLanguage;
    bool operator==(const Language& other) const { return code == other.code; }
    bool operator!=(const Language& other) const { return code != other.code; }
};

struct LocalText {
    std::string en;
    std::map<std::string, std::string, std::less<>> translations;  // code → text; never "en"

    const std::string& get(const std::string& code) const {
        const auto found = translations.find(code);
        return found != translations.end() && !found->second.empty() ? found->second : en;
    }
    const std::string& get(const Language& language) const { return get(language.code); }
    // The text in `code` ("en" included), for building one.
    std::string& in(const std::string& code) { return code == kSourceLanguage ? en : translations[code]; }
};

// The code ("en", "zh"); parse_language throws InputError, listing the available codes, for a
// code with no catalog.
inline const char* language_code(const Language& language) { return language.code.c_str(); }
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

// A number shown beside another it should be compared with (a target beside its output): when
// the two differ only by floating-point rounding (relative 1e-9, or 1e-12 near zero), `reference`
// itself, so both round to the same digits. Otherwise `value`, unchanged. Without it an output of
// 0.32249999999999995 beside a target of 0.3225 read "+0.322 / +0.323" next to "max abs diff 0".
double same_digits_as(double value, double reference);

// A Python name (letters, digits, '_', not starting with a digit), or with dashes = true an id
// (letters, digits, '_', '-', '.'); 1 to 64 bytes.
bool is_identifier(const std::string& text, bool dashes = false);

}  // namespace attn
