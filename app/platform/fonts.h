// attnlab app: the font atlas. DejaVu Sans for Latin, Greek and maths symbols, merged with a CJK
// font when the interface is Chinese. Text size changes rebuild the atlas at the new pixel size
// (crisp at any size) instead of scaling a bitmap.
//
// Calling rules
// - build_fonts() clears io.Fonts and adds the fonts at pixel_size, or at the largest size whose
//   atlas stays within kMaxFontAtlasPixels (then result.scale > 1); call it before the first
//   NewFrame, or between frames followed by the renderer's font texture re-creation (the
//   platform does both, see gui.cpp). Never inside a frame.
// - A missing font file is not an error: the result says what was used and `warning` says
//   what is missing, so the UI can tell the user (English text with ImGui's built-in font;
//   Chinese text falls back to English rather than showing '?').
#pragma once

#include <string>

#include <imgui.h>

namespace attn::app {

struct FontResult {
    bool ui_font = false;   // DejaVu Sans loaded
    bool cjk = false;       // a CJK font merged in
    std::string warning;    // empty when everything was found
    // pixel_size / the size the atlas was built at: 1 unless the glyphs at pixel_size would pass
    // kMaxFontAtlasPixels (core/base/limits.h). The caller sets io.FontGlobalScale to it.
    float scale = 1.0f;
};

// `ranges` stores the CJK glyph ranges; ImGui reads them until the atlas is rebuilt, so the
// caller keeps it alive as long as the fonts.
FontResult build_fonts(ImGuiIO& io, float pixel_size, bool want_cjk, ImVector<ImWchar>& ranges);

}  // namespace attn::app
