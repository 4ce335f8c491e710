#include "core/text.h"

#include "core/error.h"

#include <cstdarg>
#include <algorithm>
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

std::vector<int> parse_int_list(const std::string& text, const std::string& what, const char* noun) {
    std::vector<int> numbers;
    size_t pos = 0;
    while (pos <= text.size()) {
        const size_t comma = std::min(text.find(',', pos), text.size());
        const std::string item = text.substr(pos, comma - pos);
        if (item.empty() || item.size() > 6 || item.find_first_not_of("0123456789") != std::string::npos)
            throw InputError(what + ": '" + item + "' is not " + noun);
        numbers.push_back(std::stoi(item));
        pos = comma + 1;
    }
    return numbers;
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
