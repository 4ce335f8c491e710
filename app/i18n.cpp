#include "app/i18n.h"

#include "app/app_state.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <map>
#include <string_view>
#include <unordered_map>

namespace attn::app {

// Generated at build time from assets/i18n/*.json (app/i18n/embed_catalogs.cmake).
struct EmbeddedCatalog {
    const char* file;  // "zh.json"
    const char* json;
};
extern const EmbeddedCatalog kEmbeddedCatalogs[];
extern const int kEmbeddedCatalogCount;

namespace {

struct Catalog {
    std::string name;
    // The translations own their text; node-based maps never move an element, so the views in
    // `index` and the pointers handed out stay valid.
    std::unordered_map<std::string, std::string> strings;
    std::unordered_map<std::string_view, const char*> index;
};

using Catalogs = std::map<std::string, Catalog, std::less<>>;

// A catalog that does not parse is left out (with a line on stderr): the English still shows,
// and tests/i18n/check_catalogs.py fails on it long before a user could see it.
Catalogs load_catalogs() {
    Catalogs catalogs;
    catalogs[kSourceLanguage].name = "English";
    for (int i = 0; i < kEmbeddedCatalogCount; ++i) {
        const EmbeddedCatalog& embedded = kEmbeddedCatalogs[i];
        try {
            const nlohmann::json doc = nlohmann::json::parse(embedded.json);
            const std::string code = doc.at("language").get<std::string>();
            Catalog parsed;
            parsed.name = doc.at("name").get<std::string>();
            if (code != kSourceLanguage && doc.contains("strings")) {
                for (const auto& [english, translation] : doc.at("strings").items()) {
                    std::string text = translation.get<std::string>();
                    if (!text.empty()) parsed.strings.emplace(english, std::move(text));
                }
            }
            // Indexed in place, once the catalog will never move again.
            Catalog& catalog = catalogs[code] = std::move(parsed);
            catalog.index.reserve(catalog.strings.size());
            for (const auto& [english, translation] : catalog.strings)
                catalog.index.emplace(std::string_view(english), translation.c_str());
        } catch (const nlohmann::json::exception& e) {
            std::fprintf(stderr, "attnlab: the language catalog %s is left out: %s\n", embedded.file, e.what());
        }
    }
    return catalogs;
}

const Catalogs& catalogs() {
    static const Catalogs loaded = load_catalogs();
    return loaded;
}

}  // namespace

const char* translate(const std::string& language, const char* english) {
    if (english == nullptr || language == kSourceLanguage) return english;
    const Catalogs& all = catalogs();
    const auto catalog = all.find(language);
    if (catalog == all.end()) return english;
    const auto found = catalog->second.index.find(std::string_view(english));
    return found == catalog->second.index.end() ? english : found->second;
}

const char* tr(const AppState& state, const char* english) {
    return translate(state.settings.view.language, english);
}

std::vector<LanguageInfo> available_languages() {
    std::vector<LanguageInfo> out;
    out.push_back({kSourceLanguage, catalogs().at(kSourceLanguage).name});
    for (const auto& [code, catalog] : catalogs())
        if (code != kSourceLanguage) out.push_back({code, catalog.name});
    return out;
}

bool is_available_language(const std::string& code) {
    return catalogs().find(code) != catalogs().end();
}

}  // namespace attn::app
