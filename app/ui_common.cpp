#include "app/ui_common.h"

#include <cctype>
#include <cfloat>
#include <cmath>
#include <cstdlib>
#include <vector>

#include <imgui_internal.h>  // ImTextCharFromUtf8

#include <algorithm>
#include <cmath>

namespace attn::app {

std::string compact_number(double x) {
    if (std::isnan(x)) return "-";
    if (std::isinf(x)) return x < 0 ? "-\xE2\x88\x9E" : "\xE2\x88\x9E";
    const double magnitude = std::fabs(x);
    char buffer[32];
    if (magnitude < 1000) {
        std::snprintf(buffer, sizeof buffer, "%.3g", x == 0 ? 0.0 : x);
        return buffer;
    }
    static const char* const kSuffixes[] = {"k", "M", "G", "T"};
    double scaled = magnitude;
    for (const char* suffix : kSuffixes) {
        scaled /= 1000;
        // Rounding may carry 999.6k up to "1e+03k": only accept what prints below 1000.
        if (scaled < 999.5) {
            std::snprintf(buffer, sizeof buffer, "%s%.3g%s", x < 0 ? "-" : "", scaled, suffix);
            return buffer;
        }
    }
    std::snprintf(buffer, sizeof buffer, "%.2g", x);
    return buffer;
}

namespace {

// x with `decimals` decimals, "-0.00" printed as "0.00".
std::string fixed_decimals(double x, int decimals) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, x);
    std::string text = buffer;
    if (text[0] == '-' && text.find_first_not_of("-0.") == std::string::npos) text.erase(0, 1);
    return text;
}

bool prints_as_zero(const std::string& text) { return text.find_first_not_of("-+0.") == std::string::npos; }

// "0.25" → ".25", "-0.25" → "-.25"; anything else unchanged.
std::string without_leading_zero(const std::string& text) {
    const std::size_t at = text[0] == '-' ? 1 : 0;
    if (text.size() > at + 1 && text[at] == '0' && text[at + 1] == '.') return text.substr(0, at) + text.substr(at + 1);
    return text;
}

void add_form(std::vector<std::string>& forms, const std::string& text) {
    if (std::find(forms.begin(), forms.end(), text) == forms.end()) forms.push_back(text);
}

void small_forms(std::vector<std::string>& forms, double x, int max_decimals) {
    const double magnitude = std::fabs(x);
    // At least the first significant digit: 0.863 may be "0.9" but not "1", 0.064 not "0.1".
    const int first_digit = magnitude < 1 ? static_cast<int>(std::ceil(-std::log10(magnitude))) : 0;
    for (int decimals = std::max(0, max_decimals); decimals >= std::max(first_digit, 0); --decimals) {
        const std::string text = fixed_decimals(x, decimals);
        if (prints_as_zero(text)) break;  // 0.037 is never "0.0"
        add_form(forms, text);
        add_form(forms, without_leading_zero(text));
    }
    if (magnitude < 0.1) {  // then the exponent: "3.7e-2", "4e-2"
        char buffer[32];
        for (int digits : {1, 0}) {
            std::snprintf(buffer, sizeof buffer, "%.*e", digits, x);
            std::string text = buffer;
            const std::size_t e = text.find('e');  // "4e-02" → "4e-2"
            if (e != std::string::npos && text.size() > e + 3 && text[e + 2] == '0') text.erase(e + 2, 1);
            add_form(forms, text);
        }
    }
    if (magnitude < 1e-3) add_form(forms, "\xE2\x89\x88" "0");  // "≈0": tiny, but not zero
}

void large_forms(std::vector<std::string>& forms, double x) {
    if (std::fabs(x) < 1e4) add_form(forms, fixed_decimals(x, 0));
    static const char* const kSuffixes[] = {"k", "M", "G", "T"};
    double scaled = std::fabs(x);
    for (const char* suffix : kSuffixes) {
        scaled /= 1000;
        if (scaled >= 999.5) continue;
        for (int digits : {3, 2, 1}) {
            char buffer[32];
            std::snprintf(buffer, sizeof buffer, "%s%.*g%s", x < 0 ? "-" : "", digits, scaled, suffix);
            if (std::string(buffer).find('e') == std::string::npos) add_form(forms, buffer);
        }
        return;
    }
    char buffer[32];
    for (int digits : {2, 1}) {
        std::snprintf(buffer, sizeof buffer, "%.*g", digits, x);
        add_form(forms, buffer);
    }
}

}  // namespace

std::vector<std::string> number_forms(double x, int max_decimals) {
    if (std::isnan(x)) return {"-"};
    if (std::isinf(x)) return {x < 0 ? "-\xE2\x88\x9E" : "\xE2\x88\x9E"};
    if (x == 0) return {"0"};
    std::vector<std::string> forms;
    if (std::fabs(x) < 1000) small_forms(forms, x, max_decimals);
    else large_forms(forms, x);
    return forms;
}

std::optional<FittedNumber> fit_number(double x, int max_decimals, float width, float height) {
    const std::vector<std::string> forms = number_forms(x, max_decimals);
    ImFont* font = ImGui::GetFont();
    const float full = ImGui::GetFontSize();
    // Shorter forms at full size first, then the font steps down: on a projector the size of
    // the digits matters more than a third decimal.
    for (float size = full; size >= full * kMinNumberFontScale - 0.01f; size -= std::max(1.0f, full * 0.08f)) {
        if (size > height) continue;
        for (const std::string& text : forms) {
            const ImVec2 extent = font->CalcTextSizeA(size, FLT_MAX, 0.0f, text.c_str());
            if (extent.x <= width) return FittedNumber{text, size, extent};
        }
    }
    return std::nullopt;
}

void same_line_if_fits(float width) {
    const float spacing = ImGui::GetStyle().ItemSpacing.x;
    const float right_of_last = ImGui::GetItemRectMax().x;
    const float limit = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
    if (right_of_last + spacing + width <= limit) ImGui::SameLine();
}

float button_width(const char* label) {
    return ImGui::CalcTextSize(label, nullptr, true).x + 2 * ImGui::GetStyle().FramePadding.x;
}

std::string fit_label(const char* label, float preferred) {
    const char* shown_end = ImGui::FindRenderedTextEnd(label);
    const float label_w = ImGui::CalcTextSize(label, shown_end).x;
    const float avail = ImGui::GetContentRegionAvail().x;
    const float spacing = label_w > 0 ? ImGui::GetStyle().ItemInnerSpacing.x : 0.0f;
    const float beside = avail - spacing - label_w;
    if (beside >= std::min(preferred, avail / 3)) {
        ImGui::SetNextItemWidth(std::min(preferred, beside));
        return label;
    }
    text_wrapped(std::string(label, shown_end));
    ImGui::SetNextItemWidth(std::min(preferred, avail));
    return std::string("##") + label;
}

float wrapped_buttons_height(const std::vector<std::string>& labels, float width) {
    const ImGuiStyle& style = ImGui::GetStyle();
    int lines = labels.empty() ? 0 : 1;
    float line_w = -1;  // no button on the line yet
    for (const std::string& label : labels) {
        const float w = button_width(label.c_str());
        if (line_w >= 0 && line_w + style.ItemSpacing.x + w <= width) {
            line_w += style.ItemSpacing.x + w;
            continue;
        }
        if (line_w >= 0) ++lines;
        line_w = w;
    }
    return static_cast<float>(lines) * ImGui::GetFrameHeight() + static_cast<float>(std::max(0, lines - 1)) * style.ItemSpacing.y;
}

std::optional<Eigen::RowVectorXd> parse_row(const std::string& text, int count) {
    std::string cleaned = text;
    for (char& c : cleaned)
        if (c == ',' || c == '[' || c == ']' || c == '(' || c == ')' || c == ';' || c == '\t') c = ' ';
    std::vector<double> numbers;
    const char* cursor = cleaned.c_str();
    while (true) {
        while (*cursor == ' ') ++cursor;
        if (!*cursor) break;
        char* end = nullptr;
        const double value = std::strtod(cursor, &end);
        if (end == cursor || !std::isfinite(value) || (*end != ' ' && *end != '\0')) return std::nullopt;
        // strtod also reads hex and "inf"; a row is decimal numbers only.
        for (const char* c = cursor; c < end; ++c)
            if (!(std::isdigit(static_cast<unsigned char>(*c)) || *c == '.' || *c == '-' || *c == '+' || *c == 'e' || *c == 'E'))
                return std::nullopt;
        numbers.push_back(value);
        if (static_cast<int>(numbers.size()) > count) return std::nullopt;
        cursor = end;
    }
    if (static_cast<int>(numbers.size()) != count) return std::nullopt;
    Eigen::RowVectorXd row(count);
    for (int i = 0; i < count; ++i) row(i) = numbers[static_cast<std::size_t>(i)];
    return row;
}

void slider_track(float from, float at, ImU32 color) {
    const ImVec2 min = ImGui::GetItemRectMin(), max = ImGui::GetItemRectMax();
    const float thickness = std::max(2.0f, em(0.14f));
    const float inset = std::max(1.0f, em(0.1f));
    const float y = max.y - inset - thickness;
    const float x0 = min.x + inset, x1 = max.x - inset;
    const auto x_of = [&](float t) { return x0 + (x1 - x0) * std::clamp(std::isfinite(t) ? t : 0.0f, 0.0f, 1.0f); };
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(ImVec2(x0, y), ImVec2(x1, y + thickness), palette().grid);
    const float start = x_of(from), end = x_of(at);
    dl->AddRectFilled(ImVec2(std::min(start, end), y), ImVec2(std::max(start, end) + 1, y + thickness), color);
    dl->AddRectFilled(ImVec2(end - thickness, y - thickness), ImVec2(end + thickness, y + thickness), color);
}

float slider_position(float value, float lo, float hi, bool logarithmic) {
    if (!std::isfinite(value) || !(hi > lo)) return 0.0f;
    if (logarithmic && lo > 0)
        return std::clamp(std::log(std::max(value, lo) / lo) / std::log(hi / lo), 0.0f, 1.0f);
    return std::clamp((value - lo) / (hi - lo), 0.0f, 1.0f);
}

void tooltip(const char* text) {
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
        ImGui::BeginTooltip();
        ImGui::PushTextWrapPos(em(28));
        ImGui::TextUnformatted(text);
        ImGui::PopTextWrapPos();
        ImGui::EndTooltip();
    }
}

void help_marker(const char* text) {
    ImGui::TextDisabled("(?)");
    tooltip(text);
}

namespace {

bool is_cjk(unsigned int c) { return (c >= 0x2E80 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFF00 && c <= 0xFFEF); }

// Chinese line-breaking rules (the basic kinsoku set): closing punctuation never starts a line,
// opening punctuation never ends one.
bool no_line_start(unsigned int c) {
    switch (c) {
        case 0x3001: case 0x3002: case 0xFF0C: case 0xFF1A: case 0xFF1B: case 0xFF01: case 0xFF1F: case 0xFF09:
        case 0x300D: case 0x300F: case 0x3011: case 0x300B: case 0x3009: case 0x2026: case 0xFF0E:
        case ')': case ']': case '}': case ',': case '.': case ':': case ';': case '!': case '?':
            return true;
        default:
            return false;
    }
}
bool no_line_end(unsigned int c) {
    switch (c) {
        case 0xFF08: case 0x300C: case 0x300E: case 0x3010: case 0x300A: case 0x3008: case '(': case '[': case '{':
            return true;
        default:
            return false;
    }
}

// The character that ends just before `at` (UTF-8), or 0.
unsigned int char_before(const char* begin, const char* at) {
    const char* p = at;
    while (p > begin && (static_cast<unsigned char>(p[-1]) & 0xC0) == 0x80) --p;
    if (p > begin) --p;
    unsigned int c = 0;
    return p < at && ImTextCharFromUtf8(&c, p, at) > 0 ? c : 0;
}

// The next place a line may break when only spaces and CJK characters are considered: after a
// run of spaces, or after one CJK character, or at a newline.
const char* simple_break(const char* at, const char* end) {
    const char* p = at;
    while (p < end && *p != '\n') {
        unsigned int c = 0;
        const int bytes = ImTextCharFromUtf8(&c, p, end);
        if (is_cjk(c)) return p == at ? p + bytes : p;
        if (c == ' ') {
            while (p < end && *p == ' ') ++p;
            return p;
        }
        p += bytes > 0 ? bytes : 1;
    }
    return p;
}

// Where the next break opportunity after `at` is: a simple break, moved on while it would put
// closing punctuation at the start of a line or leave opening punctuation at the end of one.
const char* next_break(const char* at, const char* end) {
    const char* next = simple_break(at, end);
    for (int glued = 0; glued < 16 && next > at && next < end && *next != '\n'; ++glued) {
        unsigned int following = 0;
        const int bytes = ImTextCharFromUtf8(&following, next, end);
        if (no_line_start(following)) {
            next += bytes > 0 ? bytes : 1;
        } else if (no_line_end(char_before(at, next))) {
            const char* further = simple_break(next, end);
            if (further == next) break;
            next = further;
        } else {
            break;
        }
    }
    return next;
}

}  // namespace

std::string wrap_text(const std::string& text, float width) {
    std::string out;
    const char* p = text.data();
    const char* end = p + text.size();
    const char* line = p;
    while (p < end) {
        if (*p == '\n') {
            out.append(line, p + 1);
            line = ++p;
            continue;
        }
        const char* next = next_break(p, end);
        if (next == p) next = p + 1;
        // Trailing spaces do not count against the width.
        const char* visible_end = next;
        while (visible_end > p && visible_end[-1] == ' ') --visible_end;
        if (p > line && ImGui::CalcTextSize(line, visible_end).x > width) {
            const char* cut = p;
            while (cut > line && cut[-1] == ' ') --cut;
            out.append(line, cut);
            out += '\n';
            line = p;
        }
        p = next;
    }
    out.append(line, end);
    return out;
}

void text_wrapped(const std::string& text, float width) {
    if (width <= 0.0f) width = std::max(ImGui::GetContentRegionAvail().x, em(4));
    ImGui::TextUnformatted(wrap_text(text, width).c_str());
}

bool light_theme() {
    const ImVec4 bg = ImGui::GetStyleColorVec4(ImGuiCol_WindowBg);
    return bg.x + bg.y + bg.z > 1.5f;
}

// Okabe–Ito based, so the roles stay apart for colour-blind viewers and on a washed-out
// projector: query orange, keys blue, values bluish green, output reddish purple, target
// black (light theme) or white (dark). Keys and output differ in hue and lightness.
Palette palette() {
    if (light_theme())
        return {IM_COL32(200, 110, 0, 255),  IM_COL32(0, 114, 178, 255), IM_COL32(0, 140, 100, 255),
                IM_COL32(175, 55, 130, 255), IM_COL32(25, 25, 25, 255),  IM_COL32(0, 140, 60, 255),
                IM_COL32(200, 30, 30, 255),  IM_COL32(90, 90, 90, 255),  IM_COL32(0, 0, 0, 40)};
    return {IM_COL32(240, 165, 0, 255),  IM_COL32(86, 180, 233, 255),  IM_COL32(0, 190, 140, 255),
            IM_COL32(215, 125, 175, 255), IM_COL32(235, 235, 235, 255), IM_COL32(70, 200, 110, 255),
            IM_COL32(255, 90, 90, 255),  IM_COL32(150, 150, 150, 255), IM_COL32(255, 255, 255, 40)};
}

namespace {
ImU32 hsv(float h, float s, float v) {
    float r, g, b;
    ImGui::ColorConvertHSVtoRGB(h, s, v, r, g, b);
    return IM_COL32(static_cast<int>(r * 255), static_cast<int>(g * 255), static_cast<int>(b * 255), 255);
}

ImU32 lerp_color(const float (*stops)[3], int count, float t) {
    t = std::clamp(t, 0.0f, 1.0f) * static_cast<float>(count - 1);
    const int i = std::min(static_cast<int>(t), count - 2);
    const float f = t - static_cast<float>(i);
    const auto mix = [&](int c) { return static_cast<int>(255.0f * (stops[i][c] + f * (stops[i + 1][c] - stops[i][c]))); };
    return IM_COL32(mix(0), mix(1), mix(2), 255);
}
}  // namespace

// Keys stay blue and values bluish green: the spread changes lightness and saturation a little,
// never the hue towards the output's purple or the query's orange.
ImU32 key_color(int j, int n) {
    const float t = n > 1 ? static_cast<float>(j) / static_cast<float>(n - 1) : 0.0f;
    if (light_theme()) return hsv(0.558f + 0.02f * t, 1.0f, 0.70f - 0.14f * t);
    return hsv(0.564f + 0.02f * t, 0.63f + 0.17f * t, 0.92f - 0.08f * t);
}

ImU32 value_color(int j, int n) {
    const float t = n > 1 ? static_cast<float>(j) / static_cast<float>(n - 1) : 0.0f;
    if (light_theme()) return hsv(0.452f - 0.02f * t, 1.0f, 0.55f - 0.10f * t);
    return hsv(0.452f - 0.02f * t, 1.0f - 0.15f * t, 0.75f + 0.10f * t);
}

ImU32 weight_color(float t) {
    // A viridis-like ramp: perceptually ordered and readable when projected or printed grey.
    static const float stops[][3] = {{0.27f, 0.00f, 0.33f}, {0.23f, 0.32f, 0.55f}, {0.13f, 0.57f, 0.55f},
                                     {0.37f, 0.79f, 0.38f}, {0.99f, 0.91f, 0.14f}};
    return lerp_color(stops, 5, t);
}

ImU32 logit_color(float t) {
    // Blue (negative) through near-white (zero) to red (positive).
    static const float stops[][3] = {{0.13f, 0.40f, 0.67f}, {0.57f, 0.77f, 0.87f}, {0.97f, 0.97f, 0.97f},
                                     {0.96f, 0.65f, 0.51f}, {0.70f, 0.09f, 0.17f}};
    return lerp_color(stops, 5, 0.5f + 0.5f * t);
}

ImU32 contrasting_text(ImU32 background) {
    const float r = static_cast<float>((background >> IM_COL32_R_SHIFT) & 0xFF);
    const float g = static_cast<float>((background >> IM_COL32_G_SHIFT) & 0xFF);
    const float b = static_cast<float>((background >> IM_COL32_B_SHIFT) & 0xFF);
    return 0.299f * r + 0.587f * g + 0.114f * b > 150.0f ? IM_COL32(0, 0, 0, 255) : IM_COL32(255, 255, 255, 255);
}

std::string visible_token(const std::string& token) {
    std::string out;
    for (const char ch : token) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '\n') out += "↵";
        else if (c == '\t') out += "→";
        else if (c < 0x20 || c == 0x7F) out += "·";
        else out += ch;
    }
    return out;
}

std::string ellipsize(const std::string& text, float width) {
    if (ImGui::CalcTextSize(text.c_str()).x <= width) return text;
    const char* ellipsis = "…";
    const float room = width - ImGui::CalcTextSize(ellipsis).x;
    std::size_t end = 0;
    for (std::size_t next = 0; next < text.size();) {
        std::size_t step = 1;
        const auto c = static_cast<unsigned char>(text[next]);
        if (c >= 0xF0) step = 4;
        else if (c >= 0xE0) step = 3;
        else if (c >= 0xC0) step = 2;
        next = std::min(text.size(), next + step);
        if (ImGui::CalcTextSize(text.c_str(), text.c_str() + next).x > room) break;
        end = next;
    }
    return text.substr(0, end) + ellipsis;
}

}  // namespace attn::app
