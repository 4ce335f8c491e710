// attnlab app: course packs in the window. The current course (AppState::current_course) is the
// notebook, a built-in pack or a pack file, perhaps a student's variant; session.pack records
// which, so a saved session reopens with its pack.
//
// Calling rules
// - open_builtin_pack() / open_pack_file() read the pack with core (core/course/pack.h). A bad pack
//   changes nothing: the problems (each with its JSON path) go to an error toast and the current
//   course stays. A good one starts a new document for it: no answers, its first task, no undo
//   history, no session file (Save asks where).
// - reopen_session_pack() follows state.session.pack after a session was loaded: the built-in
//   pack or the file (a changed file is said so; a missing or bad one falls back to the
//   notebook, said so). Answers, notes and the selected task that do not fit the course are
//   dropped, and the toast says how many.
// - Never throw.
#pragma once

#include "app/app_state.h"

#include <string>

namespace attn::app {

// student: "" for the pack itself, else that student's variant (core make_variant).
bool open_builtin_pack(AppState& state, const std::string& id, const std::string& student = "");
bool open_pack_file(AppState& state, const std::string& path, const std::string& student = "");
// "notebook" or a built-in id opens the built-in pack, anything else is a file.
bool open_pack(AppState& state, const std::string& id_or_path, const std::string& student = "");

void reopen_session_pack(AppState& state);

// The course's title, with " · student: ID" for a variant, in the current language.
std::string course_title(const AppState& state);
// The same within `width` pixels (a panel's title bar): the pack's title is cut with "…" so the
// student's ID stays whole.
std::string course_title(const AppState& state, float width);
// For a variant, "student: ID" at the right of the current line (a tab strip) within `room`
// pixels, else the ID alone; a layout problem when even that does not fit. Nothing otherwise.
void draw_variant_tag(AppState& state, float room);

// File → Open course pack…: built-in packs by title, recent packs, a path and a student ID.
void draw_pack_dialog(AppState& state);

// The recent packs list, kept beside recent.json in the state directory.
void load_recent_packs(AppState& state);
void save_recent_packs(const AppState& state);

}  // namespace attn::app
