// attnlab app: showing a folder in the desktop's file manager, for the "Open folder" button of
// the toasts that say where a file was written (an export, a screenshot).
//
// Calling rules
// - Call from the UI thread; it returns at once: the opener runs as its own process, which a
//   detached thread waits for, so no zombie is left.
// - The opener is `xdg-open`, or the program named by ATTNLAB_OPEN_COMMAND (the GUI tests use a
//   script that records the folder). It gets the folder as its one argument, with no shell.
#pragma once

#include <string>

namespace attn::app {

// Starts the opener on `folder`. Returns "" when it started, else why not (for an error toast).
std::string open_folder(const std::string& folder);

}  // namespace attn::app
