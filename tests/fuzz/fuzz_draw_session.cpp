// libFuzzer target: a session drawn by the real panels in a headless Dear ImGui context (fonts
// built, NewFrame/Render, no window and no OpenGL). It would have found the geometry crashes of
// issue 11: NaN label boxes from 3e38 keys, a dashed line that never ended at 1e6.
//
// Two input forms:
// - JSON ('{' first): a session file. Refused ones must obey the message rule; accepted ones are
//   drawn in every mode and task.
// - Anything else: raw bytes read as a sandbox and an answer of any finite doubles, drawn
//   without the loader's limits, so the drawing code itself is held to "any finite value is
//   drawable" (typed values, computed ones, a future loader with other limits).
// After each frame every vertex ImGui was handed must be finite and on a sane scale.
#include "app/app_state.h"
#include "app/panels/heatmap_cache.h"
#include "app/panels/panels.h"
#include "app/theme.h"
#include "app/ui.h"
#include "core/course/course_session.h"
#include "tests/fuzz/fuzz_common.h"

#include <imgui.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace {

using attn::fuzz::fuzz_assert;

// Reads doubles off the input; when it runs out, zeros.
struct ByteReader {
    const uint8_t* data;
    size_t size;
    size_t at = 0;
    uint8_t byte() { return at < size ? data[at++] : 0; }
    double number() {
        uint64_t bits = 0;
        for (int i = 0; i < 8; ++i) bits = bits << 8 | byte();
        double x;
        std::memcpy(&x, &bits, sizeof x);
        return std::isfinite(x) ? x : 0.0;
    }
    Eigen::MatrixXd matrix(int rows, int cols) {
        Eigen::MatrixXd m(rows, cols);
        for (int i = 0; i < m.size(); ++i) m.data()[i] = number();
        return m;
    }
};

// A sandbox and a 1.2.1 answer from raw bytes: sizes small (the point is the numbers).
attn::Session raw_session(const uint8_t* data, size_t size) {
    ByteReader in{data, size};
    attn::Session s = attn::default_session();
    auto& b = s.sandbox;
    const int N = 1 + in.byte() % 6, d = 1 + in.byte() % 5, dv = 1 + in.byte() % 4, n = 1 + in.byte() % 3;
    const uint8_t flags = in.byte();
    s.mode = flags & 1 ? attn::AppMode::Sandbox : attn::AppMode::Exercises;
    b.causal = flags & 2;
    b.scale_mode = static_cast<attn::ScaleMode>((flags >> 2) % 3);
    b.temperature = std::pow(10.0, static_cast<double>(in.byte() % 7) - 3.0);
    b.key_count = N, b.key_dim = d, b.value_dim = dv;
    b.data.keys = in.matrix(N, d);
    b.data.values = in.matrix(N, dv);
    b.queries = in.matrix(n, d);
    s.answers["query121"].data = in.matrix(1, 3);
    s.answers["query121"].is_vector = true;
    return s;
}

struct Headless {
    Headless() {
        ImGui::CreateContext();
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = nullptr;
        io.DisplaySize = ImVec2(1280, 720);
        io.DeltaTime = 1.0f / 60.0f;
        io.Fonts->AddFontDefault();
        unsigned char* pixels = nullptr;
        int width = 0, height = 0;
        io.Fonts->GetTexDataAsRGBA32(&pixels, &width, &height);  // builds the atlas
        attn::app::apply_theme(false, 1.0f);
    }
    ~Headless() { ImGui::DestroyContext(); }
};

// Every vertex of the frame is a finite point near the display: ImGui turns NaN into negative
// indices, and coordinates in the millions mean something was drawn unscaled.
void check_vertices() {
    const ImDrawData* draw = ImGui::GetDrawData();
    fuzz_assert(draw != nullptr, "no draw data");
    for (int l = 0; l < draw->CmdListsCount; ++l) {
        const ImDrawList* list = draw->CmdLists[l];
        for (const ImDrawVert& v : list->VtxBuffer) {
            const bool sane = std::isfinite(v.pos.x) && std::isfinite(v.pos.y) && std::fabs(v.pos.x) < 1e6f && std::fabs(v.pos.y) < 1e6f;
            if (!sane) attn::fuzz::fail("a vertex off any screen", std::to_string(v.pos.x) + ", " + std::to_string(v.pos.y));
        }
    }
}

void draw_frames(attn::app::AppState& state, attn::app::HeatmapResources& textures, int frames) {
    for (int f = 0; f < frames; ++f) {
        ImGui::NewFrame();
        attn::app::draw_ui(state, textures);
        ImGui::Render();
        check_vertices();
    }
}

// Draws the session as loaded, then on every task, in the sandbox and in presentation mode.
void draw_everywhere(const attn::Session& session) {
    static Headless headless;  // one ImGui context for the whole fuzzing run
    attn::app::AppState state;
    attn::app::HeatmapResources textures;  // no GL: uploads do nothing, the panel says so
    state.session = session;
    attn::app::refresh(state);
    draw_frames(state, textures, 2);
    std::vector<std::string> task_ids;  // of the session's course (the notebook or its pack)
    for (const attn::Task& task : attn::app::course(state).tasks) task_ids.push_back(task.id);
    for (const std::string& id : task_ids) {
        attn::app::select_task(state, id);
        draw_frames(state, textures, 1);
    }
    attn::app::set_mode(state, attn::AppMode::Sandbox);
    draw_frames(state, textures, 1);
    attn::app::solve_selected(state);
    draw_frames(state, textures, 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > 0 && data[0] == '{') {
        const std::string text(reinterpret_cast<const char*>(data), size);
        attn::fuzz::run_guarded([&] { draw_everywhere(attn::session_from_json(text, "fuzz.json")); });
    } else {
        draw_everywhere(raw_session(data, size));
    }
    return 0;
}
