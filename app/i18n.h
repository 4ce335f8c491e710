// attnlab app: the interface's translations. The catalogs and their rules live in core/base/i18n.h
// (assets/i18n/<code>.json, compiled in; adding a language is adding one file); this header adds
// the UI's lookup, tr(state, english), which follows the language the view is set to.
//
// Calling rules
// - Pass the English exactly as the catalogs key it: the literal itself, ###id suffix included
//   (a translation keeps the same ###id, so the window or widget keeps its identity). Format
//   strings are translated before formatting: format(tr(state, "%d of %d"), a, b), never
//   tr(state, format(...)), and a translation keeps the English's conversions in order.
// - tr() never fails: an unknown language, or a string the catalog lacks, gives the English back.
//   tests/i18n/check_catalogs.py fails the build's tests when a catalog lacks a string the code
//   passes to tr() or N_(), has one nothing uses, or changes a format's %s/%d.
// - Returned pointers stay valid for the whole run; when the English comes back, it is the
//   pointer that was passed in. Lookups are one hash, cheap enough for hundreds of calls a frame.
#pragma once

#include "core/base/i18n.h"

#include <string>
#include <vector>

namespace attn::app {

struct AppState;

using attn::available_languages;
using attn::is_available_language;
using attn::kSourceLanguage;
using attn::language_info;
using attn::LanguageInfo;
using attn::translate;

// The UI's translation: english in state.settings.view.language.
const char* tr(const AppState& state, const char* english);

// The language after `code` in available_languages(), wrapping round (Ctrl+L).
std::string next_language(const std::string& code);

// Marks a literal that is translated later, through tr(): tables (the shortcut list) hold the
// English, and the catalog test finds their strings by this mark. Returns its argument.
constexpr const char* N_(const char* english) noexcept { return english; }

}  // namespace attn::app
