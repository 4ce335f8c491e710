// attnlab core: the one exception type for bad input, and the one helper for user content in
// messages.
//
// Calling rules
// - Every core function that takes user-controlled input (shapes, files, goals, numbers) throws
//   attn::InputError with a message that says what is wrong and where ("keys.json: row 3 has 2
//   columns, expected 3"). Callers show what().
// - Messages are one line, no trailing period, and never contain raw file contents. Every piece
//   of user content (file names, field names, enum spellings, goals) goes through printable()
//   or in_quotes() before it is put in a message. InputError's constructor applies one_line() to
//   the whole message as a last guard, so what() always obeys message_is_clean().
// - Programming errors (broken invariants) are not InputError; they assert.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace attn {

// The longest message InputError carries (bytes, UTF-8).
inline constexpr std::size_t kMaxMessageBytes = 300;

// User content made safe for a one-line message: printable ASCII and valid UTF-8 letters are
// kept; control characters, invalid bytes, '\' and bidirectional/line-separator code points are
// escaped (\n, \x1b, \u202e); cut to at most max_bytes of output (never inside a character)
// with "..." appended when cut.
std::string printable(std::string_view text, std::size_t max_bytes = 40);
// printable() inside double quotes: "name".
std::string in_quotes(std::string_view text, std::size_t max_bytes = 40);
// A file path for the start of a message (longer cap than a name).
std::string printable_path(std::string_view path);

// Any text turned into a message obeying message_is_clean(): control characters escaped, cut
// (keeping the start, usually where, and the end, usually the conclusion) to max_bytes, which is
// at least 16 so the cut mark fits.
std::string one_line(std::string_view message, std::size_t max_bytes = kMaxMessageBytes);

// Text from data (pack titles, hints, task ids, student file names) for a terminal: lines stay
// lines ("\n" or "\r\n"), but every other control character, escape sequence start, bidirectional override and
// invalid byte is escaped as printable() does. Not cut. Every line the command line prints
// passes through it.
std::string terminal_text(std::string_view text);

// The message rule the fuzzers assert: non-empty, at most kMaxMessageBytes, valid UTF-8, no
// control characters (so one line, no escape sequences, no NUL).
bool message_is_clean(std::string_view message);

class InputError : public std::runtime_error {
public:
    explicit InputError(const std::string& message) : std::runtime_error(one_line(message)) {}
};

}  // namespace attn
