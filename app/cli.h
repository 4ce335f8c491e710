// attnlab command line: `solve`, `check`, `dataset` and `tensors info`, registered on the app's CLI11 parser.
//
// Calling rules
// - register_commands() adds the subcommands to `cli` and returns a handle; after parsing,
//   run_selected() runs the chosen one and returns its exit code, or -1 when none was chosen
//   (then main opens the window).
// - Exit codes: 0 success; 1 `check` found a failing answer; 2 bad input (unreadable file,
//   malformed JSON, wrong shapes, unknown goal, a number option that is not a plain decimal in
//   range, anything beyond core/base/limits.h), after one line on stderr naming file and problem.
//   run_selected() catches every std::exception (std::bad_alloc: "<file>: input too large").
// - Everything printed comes from core/course/report.h, the same functions the app's export uses.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

namespace attn::app {

struct CommandLine;  // options of every subcommand

std::shared_ptr<CommandLine> register_commands(CLI::App& cli);

// --lang's check: a code with a language catalog (core/base/i18n.h); otherwise CLI11 fails the parse
// with "unknown language "fr": expected one of en, zh" (exit 2, like every bad option).
CLI::Validator language_validator();
int run_selected(CommandLine& commands);

// Prints "attnlab: <message>" on stderr as one line of at most kMaxMessageBytes (core/base/error.h
// one_line(): the prefix counts, control characters are escaped). Every error line goes through it.
void print_error(const std::string& message);

}  // namespace attn::app
