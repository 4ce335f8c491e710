// attnlab app: the two looks. Dark for the desk, a light high-contrast theme for projectors
// (presentation mode), both with sizes scaled by `scale` (the export factor).
//
// Calling rules: call between frames, after build_fonts(); it replaces the whole ImGuiStyle.
#pragma once

namespace attn::app {

void apply_theme(bool projector, float scale);

}  // namespace attn::app
