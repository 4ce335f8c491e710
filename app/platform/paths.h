// attnlab app: where files live. XDG directories for the user's config and state, the assets
// folder both in an installed tree and in the build tree, and system fonts.
//
// Calling rules
// - The *_dir() functions create the directory on first use (mkdir -p) and return it without a
//   trailing slash; when even that fails they return "" and the caller skips the file quietly.
// - No function here throws.
#pragma once

#include <string>

namespace attn::app {

std::string config_dir();  // $XDG_CONFIG_HOME/attnlab or ~/.config/attnlab (imgui.ini)
std::string state_dir();   // $XDG_STATE_HOME/attnlab or ~/.local/state/attnlab (autosave, recent files)
std::string default_screenshot_dir();  // ~/Pictures/attnlab if ~/Pictures exists, else the working directory

// The assets folder: <prefix>/share/attnlab next to an installed binary, else the source tree's
// assets/ (the build tree's binary), else "". Checked by looking for exercises/notebook.json.
std::string assets_dir();

// The first existing file among `candidates`, or "".
std::string first_existing(std::initializer_list<const char*> candidates);

bool make_directories(const std::string& path);
std::string timestamp_for_filename();  // 2026-11-27_14-03-22
bool is_directory(const std::string& path);

}  // namespace attn::app
