// attnlab app: one autosave per running window. Two windows on one home (two people at one
// account, or one person with two windows) each keep their own session, and a crash of either
// is noticed at the next start.
//
// The slots, in the state folder: slot 1 is autosave.json (what a single window always uses),
// slot n ≥ 2 is autosave-n.json. Each has a running marker, the autosave's name + ".running",
// holding the owner's pid and flock()ed by it for as long as it runs. So:
//   - a marker whose lock is held belongs to a running window: that slot is taken;
//   - a marker whose lock is free was left by a window that died (a clean exit removes it);
//   - an autosave with no marker is a session a window closed cleanly.
// A window claims the lowest free slot at start, restores it, and is told about every other free
// slot: a crashed one is put aside (autosave-crashed-<time>.json), a cleanly closed one is named so
// that it can be opened; a second window started later claims and restores it.
//
// Calling rules
// - Nothing here throws; a folder that cannot be written gives a slot with number 0 (no autosave).
// - release_autosave_slot at a clean exit only: a crash must leave the marker behind.
#pragma once

#include <string>
#include <vector>

namespace attn::app {

constexpr int kMaxAutosaveSlots = 16;

struct AutosaveSlot {
    int number = 0;                    // 1 = autosave.json; 0 = none (every slot taken, or no folder)
    std::string path;                  // the autosave file
    int lock_fd = -1;                  // the marker, open and locked while this window runs
    bool previous_owner_died = false;  // the marker was there, unlocked: its last window crashed
};

// Another window's session found at start, in a slot nobody holds.
struct LeftSession {
    std::string path;      // the autosave, or where a crashed one was put aside
    bool crashed = false;  // its window died with it open (then path is the file put aside)
};

std::string autosave_slot_path(const std::string& dir, int number);  // dir/autosave[-n].json
AutosaveSlot claim_autosave_slot(const std::string& dir);
void release_autosave_slot(AutosaveSlot& slot);  // removes the marker and drops the lock

// Renames a crashed session to dir/autosave-crashed-<time>[-k].json (never over another file).
// Returns the new path, or "" when it could not.
std::string set_aside_crashed(const std::string& dir, const std::string& path);

// The sessions in the other, unheld slots. Crashed ones are put aside and their markers removed.
std::vector<LeftSession> collect_left_sessions(const std::string& dir, int mine);

// The state folder's files written with write_file_atomically (their temp files are ours).
bool is_state_file_name(const std::string& name);

}  // namespace attn::app
