#include "core/text.h"

#include "core/error.h"

#include <cstdarg>
#include <cstdio>
#include <vector>

namespace attn {

const char* language_code(Language language) { return language == Language::Zh ? "zh" : "en"; }

Language parse_language(const std::string& code) {
    if (code == "en") return Language::En;
    if (code == "zh") return Language::Zh;
    throw InputError("unknown language '" + code + "' (expected en or zh)");
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

std::string format_vector(const double* values, int count, int decimals) {
    std::string out = "[";
    for (int i = 0; i < count; ++i) {
        if (i) out += ", ";
        out += format("%.*f", decimals, values[i]);
    }
    return out + "]";
}

}  // namespace attn
