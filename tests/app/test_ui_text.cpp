// The app's text helpers in a headless Dear ImGui context (font atlas, no window): Chinese
// line breaking and the compact number format every panel shares.
#include "app/app_state.h"
#include "app/ui_common.h"

#include <gtest/gtest.h>
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

namespace {

class UiText : public ::testing::Test {
protected:
    void SetUp() override {
        ImGui::CreateContext();
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = nullptr;
        io.DisplaySize = ImVec2(800, 600);
        io.Fonts->AddFontDefault();
        unsigned char* pixels = nullptr;
        int width = 0, height = 0;
        io.Fonts->GetTexDataAsRGBA32(&pixels, &width, &height);
        ImGui::NewFrame();
    }
    void TearDown() override {
        ImGui::EndFrame();
        ImGui::DestroyContext();
    }
};

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }
bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

TEST_F(UiText, ChineseClosingPunctuationNeverStartsALineAndOpeningNeverEndsOne) {
    const std::string text = "1.3.2 的输出只考虑了前两个词元。为什么修改 k[2] 仍会改变它？这说明了词元之间如何争夺注意力（scale 1），"
                             "答案：「k2 的 logit」变大。";
    const char* closing[] = {"，", "。", "：", "）", "？", "」"};
    const char* opening[] = {"（", "「"};
    int wrapped_widths = 0;
    for (float width = 20; width <= 400; width += 7) {
        const std::vector<std::string> lines = lines_of(attn::app::wrap_text(text, width));
        if (lines.size() > 1) ++wrapped_widths;
        std::string joined;
        for (const std::string& line : lines) {
            joined += line;
            for (const char* c : closing) EXPECT_FALSE(starts_with(line, c)) << "width " << width << ": line starts with " << c << ": " << line;
            for (const char* c : opening) EXPECT_FALSE(ends_with(line, c)) << "width " << width << ": line ends with " << c << ": " << line;
        }
        // Only spaces at the breaks may go; every character stays.
        std::string text_no_spaces = text, joined_no_spaces = joined;
        text_no_spaces.erase(std::remove(text_no_spaces.begin(), text_no_spaces.end(), ' '), text_no_spaces.end());
        joined_no_spaces.erase(std::remove(joined_no_spaces.begin(), joined_no_spaces.end(), ' '), joined_no_spaces.end());
        EXPECT_EQ(joined_no_spaces, text_no_spaces) << "width " << width;
    }
    EXPECT_GT(wrapped_widths, 40);  // the widths really wrapped the text
}

TEST_F(UiText, NumbersAreNotSplitAndLinesFit) {
    const std::string text = "Lengthening q to |q| >= 30.125 passes at 0.05; 79.6 reaches 1e-7.";
    const char* numbers[] = {"30.125", "0.05;", "79.6", "1e-7."};
    for (float width = 60; width <= 300; width += 11) {
        const std::vector<std::string> lines = lines_of(attn::app::wrap_text(text, width));
        for (const char* number : numbers) {
            int whole = 0;
            for (const std::string& line : lines) whole += line.find(number) != std::string::npos;
            EXPECT_EQ(whole, 1) << "width " << width << ": " << number << " split across lines";
        }
        for (const std::string& line : lines) {
            if (line.find(' ') == std::string::npos) continue;
            EXPECT_LE(ImGui::CalcTextSize(line.c_str()).x, width) << line;
        }
    }
}

TEST(CompactNumber, ShortAndFaithful) {
    EXPECT_EQ(attn::app::compact_number(0.0), "0");
    EXPECT_EQ(attn::app::compact_number(98.6), "98.6");
    EXPECT_EQ(attn::app::compact_number(1234), "1.23k");
    EXPECT_EQ(attn::app::compact_number(-45600000), "-45.6M");
    EXPECT_EQ(attn::app::compact_number(999600), "1M");  // 999.6k rounds up a unit, never "1e+03k"
    EXPECT_EQ(attn::app::compact_number(3e15), "3e+15");
    EXPECT_EQ(attn::app::compact_number(-1e300), "-1e+300");
    for (double x = 1e-6; x < 1e300; x *= 3.7) EXPECT_LE(attn::app::compact_number(-x).size(), 9u) << x;
}

}  // namespace

// The examples: significant digits that fit, never a different-looking number.
TEST(NumberForms, FromPreciseToShortAndTrue) {
    using attn::app::number_forms;
    EXPECT_EQ(number_forms(0.037, 3), (std::vector<std::string>{"0.037", ".037", "0.04", ".04", "3.7e-2", "4e-2"}));
    EXPECT_EQ(number_forms(98.6, 2), (std::vector<std::string>{"98.60", "98.6", "99"}));
    EXPECT_EQ(number_forms(1234, 2), (std::vector<std::string>{"1234", "1.23k", "1.2k", "1k"}));
    EXPECT_EQ(number_forms(0.863, 3), (std::vector<std::string>{"0.863", ".863", "0.86", ".86", "0.9", ".9"}));
    EXPECT_EQ(number_forms(-0.25, 2), (std::vector<std::string>{"-0.25", "-.25", "-0.2", "-.2"}));
    EXPECT_EQ(number_forms(0.0, 3), (std::vector<std::string>{"0"}));
    // No form of a non-zero number reads as zero, and every form parses back near the value.
    for (double x = 1e-9; x < 1e15; x *= 1.9)
        for (double signed_x : {x, -x})
            for (const std::string& form : number_forms(signed_x, 3)) {
                if (form == "\xE2\x89\x88" "0") {  // "≈0", the last resort for tiny numbers only
                    EXPECT_LT(std::fabs(signed_x), 1e-3);
                    continue;
                }
                EXPECT_EQ(form.find_first_not_of("-+0."), form.find_first_not_of("-+0.")) << form;
                EXPECT_NE(form.find_first_of("123456789"), std::string::npos) << signed_x << " as " << form;
                double scale = 1;
                std::string digits = form;
                if (!digits.empty() && (digits.back() == 'k' || digits.back() == 'M' || digits.back() == 'G' || digits.back() == 'T')) {
                    scale = digits.back() == 'k' ? 1e3 : digits.back() == 'M' ? 1e6 : digits.back() == 'G' ? 1e9 : 1e12;
                    digits.pop_back();
                }
                const double back = std::strtod(digits.c_str(), nullptr) * scale;
                EXPECT_LE(std::fabs(back - signed_x), std::fabs(signed_x) * 0.5) << signed_x << " as " << form;
                EXPECT_EQ(back < 0, signed_x < 0) << form;
            }
}

// The monkey typed 123456789012345678901234567890 into a query component: scaling by 1e6 / x
// overshot by an ulp (1000000.0000000001), past the limit every loader enforces.
TEST(FitRow, NeverPastTheLimit) {
    for (double x : {3111506350.0, 2.47891064e+22, 1.4427251e+44, 1.2345678901234568e+29}) {
        Eigen::RowVectorXd row(3);
        row << 0.5, x, -x / 3;
        const Eigen::RowVectorXd fitted = attn::app::fit_row(row);
        EXPECT_LE(fitted.cwiseAbs().maxCoeff(), attn::app::kMaxComponent) << x;
        EXPECT_NEAR(fitted(1) / fitted(2), -3.0, 1e-9) << "direction kept";
    }
}

// The track under a slider's digits (issue 21: the grab hid them): linear and logarithmic
// positions, clamped, and nothing non-finite reaches the drawing.
TEST(SliderPosition, LinearAndLogarithmicAndClamped) {
    using attn::app::slider_position;
    EXPECT_FLOAT_EQ(slider_position(0.0f, -2.0f, 2.0f), 0.5f);
    EXPECT_FLOAT_EQ(slider_position(2.0f, -2.0f, 2.0f), 1.0f);
    EXPECT_FLOAT_EQ(slider_position(9.0f, -2.0f, 2.0f), 1.0f);
    EXPECT_FLOAT_EQ(slider_position(-9.0f, -2.0f, 2.0f), 0.0f);
    // |q| runs from 0.01 to 1000 on a log scale: 1 is two decades of five, 10 three.
    EXPECT_NEAR(slider_position(1.0f, 0.01f, 1000.0f, true), 0.4f, 1e-6);
    EXPECT_NEAR(slider_position(10.0f, 0.01f, 1000.0f, true), 0.6f, 1e-6);
    EXPECT_FLOAT_EQ(slider_position(0.0f, 0.01f, 1000.0f, true), 0.0f);
    EXPECT_FLOAT_EQ(slider_position(NAN, 0.01f, 1000.0f, true), 0.0f);
    EXPECT_FLOAT_EQ(slider_position(INFINITY, -1.0f, 1.0f), 0.0f);
    EXPECT_FLOAT_EQ(slider_position(1.0f, 1.0f, 1.0f), 0.0f);  // an empty range
}
