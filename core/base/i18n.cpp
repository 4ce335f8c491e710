#include "core/base/i18n.h"

#include "core/base/json_io.h"
#include "core/base/error.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string_view>
#include <unordered_map>

namespace attn {

// Generated at build time from assets/i18n/*.json (core/base/embed_catalogs.cmake).
struct EmbeddedCatalog {
    const char* file;  // "zh.json"
    const char* json;
};
extern const EmbeddedCatalog kEmbeddedCatalogs[];
extern const int kEmbeddedCatalogCount;

namespace {

constexpr std::size_t kMaxExtraCatalogBytes = 16u << 20;

struct Catalog {
    LanguageInfo info;
    // The translations own their text; node-based maps never move an element, so the views in
    // `index` and the pointers handed out stay valid.
    std::unordered_map<std::string, std::string> strings;
    std::unordered_map<std::string_view, const char*> index;
};

struct Catalogs {
    std::map<std::string, Catalog, std::less<>> by_code;
    std::vector<LanguageInfo> list;  // English first, then by code
};

// Parses one catalog into `catalogs`; a catalog that does not parse (or repeats a code) is left
// out with a line on stderr: the English still shows, and tests/i18n/check_catalogs.py fails on
// it long before a user could see it.
void add_catalog(Catalogs& catalogs, const char* file, const char* json) {
    try {
        const nlohmann::json doc = nlohmann::json::parse(json);
        const std::string code = doc.at("language").get<std::string>();
        if (code.empty() || (code != kSourceLanguage && catalogs.by_code.count(code)))
            throw InputError("the language \"" + printable(code, 20) + "\" is empty or already loaded");
        Catalog parsed;
        parsed.info.code = code;
        parsed.info.name = doc.at("name").get<std::string>();
        parsed.info.script = doc.value("script", std::string());
        parsed.info.word_separator = doc.value("word_separator", std::string(" "));
        if (code != kSourceLanguage && doc.contains("strings")) {
            for (const auto& [english, translation] : doc.at("strings").items()) {
                std::string text = translation.get<std::string>();
                if (!text.empty()) parsed.strings.emplace(english, std::move(text));
            }
        }
        // Indexed in place, once the catalog will never move again.
        Catalog& catalog = catalogs.by_code[code] = std::move(parsed);
        catalog.index.reserve(catalog.strings.size());
        for (const auto& [english, translation] : catalog.strings)
            catalog.index.emplace(std::string_view(english), translation.c_str());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "attnlab: the language catalog %s is left out: %s\n", printable_path(file).c_str(),
                     e.what());
    }
}

Catalogs load_catalogs() {
    Catalogs catalogs;
    Catalog& english = catalogs.by_code[kSourceLanguage];
    english.info = {kSourceLanguage, "English", "", " "};
    for (int i = 0; i < kEmbeddedCatalogCount; ++i) add_catalog(catalogs, kEmbeddedCatalogs[i].file, kEmbeddedCatalogs[i].json);
    if (const char* extra = std::getenv("ATTNLAB_EXTRA_CATALOG"); extra != nullptr && *extra != '\0') {
        try {
            const std::string text = read_text_file(extra, kMaxExtraCatalogBytes);
            add_catalog(catalogs, extra, text.c_str());
        } catch (const std::exception& e) {
            std::fprintf(stderr, "attnlab: ATTNLAB_EXTRA_CATALOG is left out: %s\n", e.what());
        }
    }
    catalogs.list.push_back(catalogs.by_code.at(kSourceLanguage).info);
    for (const auto& [code, catalog] : catalogs.by_code)
        if (code != kSourceLanguage) catalogs.list.push_back(catalog.info);
    return catalogs;
}

const Catalogs& catalogs() {
    static const Catalogs loaded = load_catalogs();
    return loaded;
}

}  // namespace

const char* translate(const std::string& language, const char* english) {
    if (english == nullptr || language == kSourceLanguage) return english;
    const auto& all = catalogs().by_code;
    const auto catalog = all.find(language);
    if (catalog == all.end()) return english;
    const auto found = catalog->second.index.find(std::string_view(english));
    return found == catalog->second.index.end() ? english : found->second;
}

const std::vector<LanguageInfo>& available_languages() { return catalogs().list; }

bool is_available_language(const std::string& code) { return catalogs().by_code.count(code) != 0; }

const LanguageInfo& language_info(const std::string& code) {
    const auto& all = catalogs().by_code;
    const auto found = all.find(code);
    return (found != all.end() ? found : all.find(kSourceLanguage))->second.info;
}

std::string available_language_list() {
    std::string out;
    for (const LanguageInfo& l : available_languages()) out += (out.empty() ? "" : ", ") + l.code;
    return out;
}

}  // namespace attn
