// The language catalogs compiled in (assets/i18n/*.json, core/base/i18n.h, app/i18n.h): lookups, the
// English fallback, pointer stability, the catalog's fields, languages as codes. Which strings
// the catalogs must hold is tests/i18n/check_catalogs.py's job; that nothing stays English in
// another language is tests/i18n/pseudo_language.py's.
#include "app/app_state.h"
#include "app/i18n.h"
#include "core/base/error.h"
#include "core/course/exercises.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace attn::app {
namespace {

TEST(I18n, EnglishIsFirstAndEveryLanguageHasAName) {
    const auto languages = available_languages();
    ASSERT_GE(languages.size(), 2u);
    EXPECT_EQ(languages[0].code, "en");
    EXPECT_EQ(languages[0].name, "English");
    for (const LanguageInfo& l : languages) {
        EXPECT_FALSE(l.name.empty()) << l.code;
        EXPECT_TRUE(is_available_language(l.code));
    }
    EXPECT_TRUE(is_available_language("zh"));
    EXPECT_FALSE(is_available_language("xx"));
}

TEST(I18n, TranslatesAndFallsBackToTheEnglishPointer) {
    const char* english = "Solve";
    EXPECT_STREQ(translate("zh", english), "求解");
    EXPECT_EQ(translate("en", english), english);
    EXPECT_EQ(translate("xx", english), english);   // unknown language
    EXPECT_EQ(translate("", english), english);
    const char* unknown = "a string no catalog has";
    EXPECT_EQ(translate("zh", unknown), unknown);
    EXPECT_EQ(translate("zh", nullptr), nullptr);
}

TEST(I18n, KeepsIdSuffixesAndFormats) {
    EXPECT_STREQ(translate("zh", "Keyboard shortcuts###shortcuts"), "键盘快捷键###shortcuts");
    const std::string exists = translate("zh", "%s already exists. Replace it? Its contents will be lost.");
    EXPECT_NE(exists.find("%s"), std::string::npos);
}

TEST(I18n, PointersAreStableAndLookupIsByContent) {
    const char* first = translate("zh", "Solve");
    const std::string copy = "Solve";  // another pointer, the same text
    for (int i = 0; i < 1000; ++i) ASSERT_EQ(translate("zh", copy.c_str()), first);
}

TEST(I18n, TrFollowsTheStatesLanguage) {
    AppState state;
    state.settings.view.language = "zh";
    EXPECT_STREQ(tr(state, "Solve"), "求解");
    state.settings.view.language = "en";
    EXPECT_STREQ(tr(state, "Solve"), "Solve");
}

TEST(I18n, CatalogFieldsDecideFontAndSentenceJoins) {
    EXPECT_EQ(language_info("zh").script, "cjk");
    EXPECT_EQ(language_info("zh").word_separator, "");
    EXPECT_EQ(language_info("zh").name, "中文（简体）");
    EXPECT_EQ(language_info("en").script, "");
    EXPECT_EQ(language_info("en").word_separator, " ");
    EXPECT_EQ(language_info("qq").code, "en");  // unknown: English's
}

TEST(I18n, NextLanguageCyclesThroughEveryCatalog) {
    const auto& languages = available_languages();
    std::string code = "en";
    for (size_t i = 0; i < languages.size(); ++i) {
        EXPECT_EQ(code, languages[i].code);
        code = next_language(code);
    }
    EXPECT_EQ(code, "en");  // round again
    EXPECT_EQ(next_language("qq"), "en");
}

TEST(I18n, LanguagesAreCodesWithACatalog) {
    EXPECT_EQ(attn::parse_language("zh").code, "zh");
    EXPECT_EQ(attn::Language().code, "en");
    try {
        attn::parse_language("qq");
        FAIL() << "qq has no catalog";
    } catch (const attn::InputError& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("\"qq\""), std::string::npos) << message;
        EXPECT_NE(message.find("en, zh"), std::string::npos) << message;
    }
}

TEST(I18n, LocalTextFallsBackToEnglish) {
    attn::LocalText text;
    text.en = "Solve";
    text.in("zh") = "求解";
    text.in("fr") = "";
    EXPECT_EQ(text.get("zh"), "求解");
    EXPECT_EQ(text.get("fr"), "Solve");  // empty: the English
    EXPECT_EQ(text.get("qq"), "Solve");  // absent: the English
    EXPECT_EQ(text.get(attn::Language{}), "Solve");
    EXPECT_EQ(&text.in("en"), &text.en);
}

TEST(I18n, CourseTextsKeepEveryLanguageOfTheFile) {
    // A language the build has no catalog for is kept (get() falls back for the others).
    const attn::Course& notebook = attn::notebook_course();
    for (const attn::Task& task : notebook.tasks) {
        EXPECT_NE(task.title.get("zh"), task.title.en) << task.id;
        EXPECT_EQ(task.title.get("qq"), task.title.en) << task.id;
    }
}

}  // namespace
}  // namespace attn::app
