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

// "[0.53, -0.70, 0.47]" with the given number of decimals.
std::string format_vector(const double* values, int count, int decimals = 3);

}  // namespace attn
