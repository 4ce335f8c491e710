#include "app/i18n.h"

#include "app/app_state.h"

namespace attn::app {

const char* tr(const AppState& state, const char* english) {
    return translate(state.settings.view.language, english);
}

std::string next_language(const std::string& code) {
    const auto& languages = available_languages();
    for (size_t i = 0; i < languages.size(); ++i)
        if (languages[i].code == code) return languages[(i + 1) % languages.size()].code;
    return languages.front().code;
}

}  // namespace attn::app
