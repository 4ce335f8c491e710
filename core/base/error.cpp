#include "core/base/error.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace attn {
namespace {

// Length of the valid UTF-8 sequence at text[i] (1..4) and its code point; 0 when invalid.
std::size_t utf8_sequence(std::string_view text, std::size_t i, std::uint32_t& code) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
        code = c;
        return 1;
    }
    std::size_t length = 0;
    unsigned lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
        length = 2;
        code = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        length = 3;
        code = c & 0x0F;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;  // no surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
        length = 4;
        code = c & 0x07;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
    }
    if (length == 0 || i + length > text.size()) return 0;
    for (std::size_t k = 1; k < length; ++k) {
        const unsigned char d = static_cast<unsigned char>(text[i + k]);
        if (k == 1 ? (d < lo || d > hi) : (d < 0x80 || d > 0xBF)) return 0;
        code = (code << 6) | (d & 0x3F);
    }
    return length;
}

// Code points that must not reach a terminal or a one-line message as themselves.
bool is_control(std::uint32_t code) {
    return code < 0x20 || code == 0x7F || (code >= 0x80 && code < 0xA0) || code == 0x2028 || code == 0x2029 ||
           (code >= 0x200E && code <= 0x200F) || (code >= 0x202A && code <= 0x202E) ||
           (code >= 0x2066 && code <= 0x2069) || code == 0xFEFF;
}

std::string escape_code(std::uint32_t code) {
    char buffer[16];
    switch (code) {
        case '\n': return "\\n";
        case '\r': return "\\r";
        case '\t': return "\\t";
        default: break;
    }
    if (code < 0x100) std::snprintf(buffer, sizeof buffer, "\\x%02x", static_cast<unsigned>(code));
    else std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned>(code));
    return buffer;
}

// Appends the escaped text; stops before max_bytes of output. Returns whether all of it fit.
// escape_backslash: user content escapes '\' so that "\n" in a name stays distinguishable.
bool append_escaped(std::string& out, std::string_view text, std::size_t max_bytes, bool escape_backslash) {
    std::size_t i = 0;
    while (i < text.size()) {
        std::uint32_t code = 0;
        const std::size_t length = utf8_sequence(text, i, code);
        std::string piece;
        if (length == 0) piece = escape_code(static_cast<unsigned char>(text[i]));
        else if (is_control(code)) piece = escape_code(code);
        else if (escape_backslash && code == '\\') piece = "\\\\";
        else piece.assign(text.substr(i, length));
        if (out.size() + piece.size() > max_bytes) return false;
        out += piece;
        i += length == 0 ? 1 : length;
    }
    return true;
}

}  // namespace

std::string printable(std::string_view text, std::size_t max_bytes) {
    std::string out;
    if (!append_escaped(out, text, max_bytes, true)) out += "...";
    return out;
}

std::string in_quotes(std::string_view text, std::size_t max_bytes) { return "\"" + printable(text, max_bytes) + "\""; }

std::string printable_path(std::string_view path) { return printable(path, 120); }

std::string one_line(std::string_view message, std::size_t max_bytes) {
    if (message.empty()) return "(no message)";
    max_bytes = std::clamp<std::size_t>(max_bytes, 16, kMaxMessageBytes);
    std::string escaped;
    append_escaped(escaped, message, std::string::npos, false);
    if (escaped.size() <= max_bytes) return escaped;
    // Too long: keep the start (where) and the end (usually the problem) around " ... ", cut at
    // character boundaries (the escaped text is valid UTF-8).
    const std::size_t half = (max_bytes - 5) / 2;
    std::size_t head = half;
    while (head > 0 && (static_cast<unsigned char>(escaped[head]) & 0xC0) == 0x80) --head;
    std::size_t tail = escaped.size() - half;
    while (tail < escaped.size() && (static_cast<unsigned char>(escaped[tail]) & 0xC0) == 0x80) ++tail;
    return escaped.substr(0, head) + " ... " + escaped.substr(tail);
}

std::string terminal_text(std::string_view text) {
    std::string out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        // A line ending is "\n" or "\r\n" (CSV's); any other CR would overwrite the line.
        const bool crlf = end < text.size() && end > start && text[end - 1] == '\r';
        append_escaped(out, text.substr(start, end - start - (crlf ? 1 : 0)), std::string::npos, false);
        if (end == text.size()) break;
        out += crlf ? "\r\n" : "\n";
        start = end + 1;
    }
    return out;
}

bool message_is_clean(std::string_view message) {
    if (message.empty() || message.size() > kMaxMessageBytes) return false;
    std::size_t i = 0;
    while (i < message.size()) {
        std::uint32_t code = 0;
        const std::size_t length = utf8_sequence(message, i, code);
        if (length == 0 || is_control(code)) return false;
        i += length;
    }
    return true;
}

}  // namespace attn
