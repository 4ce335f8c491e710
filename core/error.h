// attnlab core: the one exception type for bad input.
//
// Calling rules
// - Every core function that takes user-controlled input (shapes, files, goals, numbers) throws
//   attn::InputError with a message that says what is wrong and where ("keys.json: row 3 has 2
//   columns, expected 3"). Callers show what().
// - Messages are one line, no trailing period, and never contain raw file contents.
// - Programming errors (broken invariants) are not InputError; they assert.
#pragma once

#include <stdexcept>
#include <string>

namespace attn {

class InputError : public std::runtime_error {
public:
    explicit InputError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace attn
