// attnlab app: small helpers every panel uses: sizes in font units, tooltips, the shared
// palette (query, keys, values, output, target keep one colour everywhere) and the colormaps.
//
// Calling rules
// - Call only between ImGui::NewFrame() and ImGui::Render(); sizes follow the current font, so
//   they scale with presentation mode and high-resolution export.
// - Colours depend on the theme (dark or the light projector theme); ask every frame, do not cache.
#pragma once

#include <Eigen/Dense>
#include <imgui.h>

#include <optional>
#include <string>
#include <vector>

namespace attn::app {

// n font heights, the unit for every size in the UI.
inline float em(float n) { return ImGui::GetFontSize() * n; }
inline ImVec2 em2(float x, float y) { return ImVec2(em(x), em(y)); }

// Shows `text` as a tooltip when the last item is hovered.
void tooltip(const char* text);

// Sliders draw no grab (the theme makes it transparent): ImGui draws it across the centred
// number, "|q▌= 0.993". After a SliderInt/SliderFloat, slider_track() shows where the value sits
// as a thin track along the frame's bottom edge, under the digits, filled from `from` to `at`
// (positions in [0, 1] along the slider; see slider_position()).
void slider_track(float from, float at, ImU32 color);
// Where `value` sits in [lo, hi] as a position in [0, 1]; on a logarithmic slider by its
// logarithm (lo > 0). Non-finite or out-of-range values are clamped.
float slider_position(float value, float lo, float hi, bool logarithmic = false);
// A "(?)" marker with a wrapped tooltip, for controls that need a sentence of explanation.
void help_marker(const char* text);

// Wrapped text that never breaks inside a number or a word: Dear ImGui 1.86 also breaks after
// '.' and ',', which splits "0.584" across lines. Breaks at spaces, and between CJK characters
// (Chinese has no spaces). width <= 0 means the rest of the content region.
// Chinese follows the basic line-breaking rules: closing punctuation (，。：）…) never starts a
// line and opening punctuation (（「…) never ends one.
void text_wrapped(const std::string& text, float width = 0.0f);
// The same lines as text, '\n' between them, for width in pixels (needs the current font).
std::string wrap_text(const std::string& text, float width);

// A number in at most about six characters for cells and legends: 3 significant digits, with
// k / M / G / T for thousands to trillions and an exponent beyond ("1.23k", "-45.6M", "3e+15").
// Never prints nan or a 30-digit number; ±∞ print as "∞".
std::string compact_number(double x);

// The ways to print x from the most to the least precise, all true to the value: fixed with
// max_decimals down to one significant digit, the leading zero dropped (".25"), then an exponent
// or k / M / G / T. A non-zero number never prints as 0 (0.037 → "0.037", ".037", "0.04", ".04",
// "4e-2", and below 0.001 finally "≈0"); 98.6 → "98.60", "98.6", "99"; 1234 → "1234", "1.23k", "1.2k", "1k".
std::vector<std::string> number_forms(double x, int max_decimals);

// The most precise form of x (number_forms) that fits in width × height pixels, at the current
// font size or, failing that, at a font stepped down to kMinNumberFontScale of it. Nothing when
// even the shortest form does not fit at the smallest size.
inline constexpr float kMinNumberFontScale = 0.72f;
struct FittedNumber {
    std::string text;
    float font_size = 0;
    ImVec2 size;
};
std::optional<FittedNumber> fit_number(double x, int max_decimals, float width, float height);

// A captured token as one line of text: newline, tab and other control characters become "↵",
// "→" and "·" (BPE tokens often start with a space or hold "\n").
std::string visible_token(const std::string& token);
// `text` cut at a character boundary and ended with "…" so that it is at most `width` pixels wide
// at the current font (unchanged when it fits). A deliberate cut: callers show the full text in a
// tooltip, and the layout audit does not count it.
std::string ellipsize(const std::string& text, float width);

// SameLine() when an item `width` pixels wide still fits on the current line, else nothing (the
// next item starts a new line): rows of buttons wrap instead of running out of the panel.
void same_line_if_fits(float width);
// Prepares a control with its label on the right (InputInt, SliderInt, Combo, ...) that should be
// `preferred` pixels wide: sets the next item's width so control and label fit the line, narrower
// down to a third of the line; past that the label goes on its own line above (wrapped) and the
// control takes the line. Returns the label to pass to the widget ("##label" once it went above).
std::string fit_label(const char* label, float preferred);

// The width ImGui::Button(label) will take.
float button_width(const char* label);
// The height a row of buttons with these labels takes when each joins the line with
// same_line_if_fits and `width` pixels are available: one frame height per line they wrap to.
float wrapped_buttons_height(const std::vector<std::string>& labels, float width);

// "0.694, 0.719, 0.006" (commas and/or spaces, brackets allowed) → a row of exactly `count`
// finite numbers, or nothing when the text is anything else.
std::optional<Eigen::RowVectorXd> parse_row(const std::string& text, int count);

bool light_theme();  // the projector theme is active

struct Palette {
    ImU32 query, key, value, output, target, pass, fail, text_dim, grid;
};
Palette palette();

// Distinct but related colours for key j (and value j) of n.
ImU32 key_color(int j, int n);
ImU32 value_color(int j, int n);

// Colormaps for the heatmaps. weights: t in [0,1] (0 → background-like, 1 → strong).
// logits: diverging around 0, t in [-1,1].
ImU32 weight_color(float t);
ImU32 logit_color(float t);
// Black or white, whichever reads better on `background`.
ImU32 contrasting_text(ImU32 background);

}  // namespace attn::app
