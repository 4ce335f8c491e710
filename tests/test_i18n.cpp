// The language catalogs compiled into the app (assets/i18n/*.json, app/i18n.h): lookups, the
// English fallback, pointer stability. Which strings the catalogs must hold is
// tests/i18n/check_catalogs.py's job.
#include "app/app_state.h"
#include "app/i18n.h"

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

}  // namespace
}  // namespace attn::app
