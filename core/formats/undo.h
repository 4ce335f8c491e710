// attnlab core: undo/redo as a stack of Session snapshots.
//
// Calling rules
// - record(before, after) once an edit has FINISHED (slider released, text field committed,
//   button clicked), with the session as it was before the edit and as it is now. Never call it
//   per frame while a slider is dragged: one drag is one undo step.
// - record() is a no-op when the document did not change. The document is everything but
//   Session::view: the view (language, presentation, text_zoom and camera_yaw/pitch/distance) is
//   how the user looks at the document, so a change to the view alone (e.g. orbiting the camera)
//   never makes an undo step.
// - undo(current)/redo(current) replace the document fields of `current` with the stored state
//   and leave current.view as it is: undoing an edit does not move the camera, change the text
//   size, the theme or the language. They return false (and leave `current` alone) when there is
//   nothing to undo/redo.
// - A record() after an undo drops the redo branch. When more than `limit` steps are stored, the
//   oldest is dropped. clear() forgets everything (call it after opening another session).
// - Not thread-safe; the app uses it from the UI thread only.
#pragma once

#include "core/formats/session.h"

#include <cstddef>
#include <deque>

namespace attn {

class UndoHistory {
public:
    // At most `limit` steps, and the oldest steps are dropped once the kept sessions' numbers pass
    // kUndoNumberBudget (a 1024×128 sandbox is 3 MB a step: 200 steps would be 600 MB).
    explicit UndoHistory(std::size_t limit = 200);
    static constexpr std::size_t kUndoNumberBudget = std::size_t{16} << 20;  // 16 M numbers, 128 MB

    // Call once the edit has finished with the session as it was before the edit and as it is
    // now; no-op when the document is unchanged (same_document).
    void record(const Session& before, const Session& after);

    bool can_undo() const { return !undo_.empty(); }
    bool can_redo() const { return !redo_.empty(); }

    // Replaces current's document with the previous state (keeps current.view); false when there
    // is nothing to undo.
    bool undo(Session& current);
    // Re-applies the step undo() took back (keeps current.view); false when there is none.
    bool redo(Session& current);

    void clear();

    std::size_t size() const { return undo_.size(); }       // steps that can be undone
    std::size_t redo_size() const { return redo_.size(); }  // steps that can be redone
    std::size_t limit() const { return limit_; }

private:
    std::size_t limit_;
    std::deque<Session> undo_;  // oldest first; back() is the state before the latest edit
    std::deque<Session> redo_;  // back() is the next state redo() restores
};

}  // namespace attn
