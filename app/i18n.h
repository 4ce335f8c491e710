// attnlab app: the interface's translations. The code holds only the English of each string; every
// other language is one JSON catalog under assets/i18n/ (zh.json: {"language": "zh", "name":
// "中文（简体）", "strings": {"English": "翻译", ...}}), compiled into the binary at build time, so
// adding a language is adding one file and no run needs to find an assets folder.
//
// Calling rules
// - Pass the English exactly as the catalogs key it: the literal itself, ###id suffix included
//   (a translation keeps the same ###id, so the window or widget keeps its identity). Format
//   strings are translated before formatting: format(tr(state, "%d of %d"), a, b), never
//   tr(state, format(...)), and a translation keeps the English's conversions in order.
// - translate() and tr() never fail: an unknown language, or a string the catalog lacks, gives
//   the English back. tests/i18n/check_catalogs.py fails the build's tests when a catalog lacks a
//   string the code passes to tr() or N_(), has one nothing uses, or changes a format's %s/%d.
// - Returned pointers stay valid for the whole run (the catalogs are built once, on first use,
//   and never change); when the English comes back, it is the pointer that was passed in.
// - Lookups are one hash of the English, cheap enough for hundreds of calls a frame. Safe from
//   any thread.
#pragma once

#include <string>
#include <vector>

namespace attn::app {

struct AppState;

// "en" is the source language: its catalog carries only its name.
inline constexpr const char* kSourceLanguage = "en";

struct LanguageInfo {
    std::string code;  // "en", "zh": the catalog's file name and the settings' language
    std::string name;  // as the language calls itself ("English", "中文（简体）"), for the menu
};

// english in `language`, or english itself when either is unknown.
const char* translate(const std::string& language, const char* english);

// The UI's translation: english in state.settings.view.language.
const char* tr(const AppState& state, const char* english);

// English first, then the others by code. Never empty.
std::vector<LanguageInfo> available_languages();
bool is_available_language(const std::string& code);

// Marks a literal that is translated later, through tr(): tables (the shortcut list) hold the
// English, and the catalog test finds their strings by this mark. Returns its argument.
constexpr const char* N_(const char* english) noexcept { return english; }

}  // namespace attn::app
