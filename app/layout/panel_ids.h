// attnlab app: the names of the panels. The layout places panels by these names, the panels
// (app/panels/panels.h) open their windows with them, and --panel and the probe accept them.
//
// Calling rules: the ids are stable; screenshots of one panel (`--panel geometry`) and tests find
// panels by them, so a rename is a change of the command line.
#pragma once

namespace attn::app {

inline constexpr const char* kExercisesId = "exercises";
inline constexpr const char* kVectorsId = "vectors";
inline constexpr const char* kHeatmapsId = "heatmaps";
inline constexpr const char* kOutputId = "output";
inline constexpr const char* kGeometryId = "geometry";
// The Class window (File → Grade a folder…): floating, not part of the tiled layout.
inline constexpr const char* kClassId = "class";

}  // namespace attn::app
