#include "app/fonts.h"

#include "app/paths.h"
#include "core/exercises.h"

#include <imgui.h>

namespace attn::app {

namespace {

// Latin, Greek, punctuation, super/subscripts, letterlike (ℝ), arrows, maths operators,
// geometric shapes and check marks: what the explanations and labels use.
const ImWchar kSymbolRanges[] = {0x0020, 0x00FF, 0x0370, 0x03FF, 0x2000, 0x206F, 0x2070, 0x209F, 0x2100, 0x214F,
                                 0x2190, 0x21FF, 0x2200, 0x22FF, 0x2300, 0x23FF, 0x25A0, 0x25FF, 0x2700, 0x27BF,
                                 0x27C0, 0x27EF, 0};

}  // namespace

FontResult build_fonts(ImGuiIO& io, float pixel_size, bool want_cjk, ImVector<ImWchar>& ranges) {
    FontResult result;
    io.Fonts->Clear();
    ImFontConfig config;
    config.OversampleH = 2;
    config.OversampleV = 1;
    const std::string dejavu = first_existing({"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"});
    if (!dejavu.empty() && io.Fonts->AddFontFromFileTTF(dejavu.c_str(), pixel_size, &config, kSymbolRanges)) {
        result.ui_font = true;
    } else {
        ImFontConfig fallback;
        fallback.SizePixels = pixel_size;
        io.Fonts->AddFontDefault(&fallback);
        result.warning = "DejaVu Sans not found (install fonts-dejavu-core); using the built-in font";
    }
    // The CJK font is merged in either way: the full set for the Chinese interface, and in
    // English only the glyphs of the language switcher ("中文") so it never shows '?'.
    const std::string cjk = first_existing({"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
                                            "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                                            "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"});
    if (cjk.empty() || !result.ui_font) {
        if (want_cjk) result.warning = "No Chinese font found (install fonts-wqy-microhei); showing English";
    } else {
        ImFontGlyphRangesBuilder builder;
        builder.AddText("中文（简体）");
        if (want_cjk) {
            // The common simplified set plus every character the course text uses, so no
            // exercise shows a '?' even for rarer characters.
            builder.AddRanges(io.Fonts->GetGlyphRangesChineseSimplifiedCommon());
            const Course& course = notebook_course();
            builder.AddText(course.title.zh.c_str());
            builder.AddText(course.tolerance_note.zh.c_str());
            for (const Task& task : course.tasks) {
                builder.AddText(task.title.zh.c_str());
                builder.AddText(task.prompt.zh.c_str());
            }
            for (const Section& section : course.sections) builder.AddText(section.title.zh.c_str());
            builder.AddText("，。：；！？（）【】“”‘’、…—");
        }
        ranges.clear();
        builder.BuildRanges(&ranges);
        ImFontConfig merge;
        merge.MergeMode = true;
        merge.OversampleH = 1;
        merge.OversampleV = 1;
        if (io.Fonts->AddFontFromFileTTF(cjk.c_str(), pixel_size, &merge, ranges.Data)) result.cjk = want_cjk;
        else if (want_cjk) result.warning = "Chinese font could not be loaded; showing English";
    }
    io.Fonts->Build();
    return result;
}

}  // namespace attn::app
