// attnlab core: the translations of everything attnlab says. The code holds only the English of
// each string; every other language is one JSON catalog under assets/i18n/, compiled into the
// library at build time (core/base/embed_catalogs.cmake), so adding a language is adding one file
// and no run needs to find an assets folder. The interface (app/i18n.h), the command line and
// core's explanations (diagnosis, solver, checks, reports) all read the same catalogs.
//
// A catalog: {"language": "zh", "name": "中文（简体）", "script": "cjk", "word_separator": "",
//             "strings": {"English": "翻译", ...}}
//   language        the file's name without .json; what sessions and --lang store
//   name            the language as it calls itself, for the menu
//   script          optional; "cjk" makes the app merge a CJK font into its atlas
//   word_separator  optional, default " ": what joins two sentences of an explanation ("" in
//                   Chinese, which writes no space between sentences)
//   strings         English → translation; "en.json" carries only its name
//
// Calling rules
// - Pass the English exactly as the catalogs key it (###id suffixes included). Format strings are
//   translated before formatting: format(tr(lang, "%d of %d"), a, b), never tr(lang, format(...)),
//   and a translation keeps the English's conversions in order (tests/i18n/check_catalogs.py).
// - translate() and tr() never fail: an unknown language, or a string the catalog lacks, gives
//   the English back (the same pointer that was passed in).
// - Returned pointers stay valid for the whole run: the catalogs are loaded once, on first use,
//   and never change. Lookups are one hash of the English. Safe from any thread.
// - Test hook: when the environment variable ATTNLAB_EXTRA_CATALOG names a catalog file at the
//   first lookup, that catalog is loaded too (after the embedded ones; it may not replace them).
//   tests/i18n/pseudo_language.py uses it to run everything in a pseudo-language that is never
//   shipped. A file that cannot be read or parsed is left out with one line on stderr.
#pragma once

#include "core/base/text.h"

#include <string>
#include <vector>

namespace attn {

struct LanguageInfo {
    std::string code;            // "en", "zh": the catalog's file name and the settings' language
    std::string name;            // as the language calls itself ("English", "中文（简体）")
    std::string script;          // "" or "cjk" (the catalog's "script")
    std::string word_separator;  // " " unless the catalog says otherwise
};

// english in `language`, or english itself when either is unknown.
const char* translate(const std::string& language, const char* english);
inline const char* tr(const Language& language, const char* english) { return translate(language.code, english); }

// English first, then the others by code. Never empty.
const std::vector<LanguageInfo>& available_languages();
bool is_available_language(const std::string& code);
// The language's info; English's for an unknown code.
const LanguageInfo& language_info(const std::string& code);
// "en, xx, zh": the codes, for error messages.
std::string available_language_list();

}  // namespace attn
