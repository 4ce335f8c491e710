// attnlab core: everything a user can change, as one value that can be saved, reopened and
// undone. The app keeps exactly one Session as its document; undo/redo store copies of it.
//
// File format: JSON, {"format": "attnlab-session", "version": 1, ...}. Reading accepts version 1
// only; a newer version is refused with a message that names both versions, so an old attnlab
// never half-reads a new file.
//
// Calling rules
// - A session is the course's answers as plain data: which names, task ids and built-in packs a
//   course has comes in as a SessionVocabulary (the notebook's: core/course/course_session.h,
//   which also gives these functions without the last argument, as the app and tests call them).
// - session_from_json() validates everything (shapes agree, numbers finite and within the limits
//   of core/base/limits.h, task ids and answer names in the vocabulary, enums spelled right) and throws
//   InputError("<where>: <problem>") on the first problem. It never returns a partially filled
//   Session.
// - save_session() writes atomically (json_io.h: temporary file, fsync, rename): the previous
//   file survives any failure. load_session() reads at most kMaxSessionFileBytes.
// - Sessions compare with operator== (exact numbers), which undo uses to skip no-op edits.
#pragma once

#include "core/formats/answers.h"
#include "core/math/attention.h"
#include "core/math/dataset.h"

#include <map>
#include <vector>
#include <tuple>
#include <string>

namespace attn {

enum class AppMode { Exercises, Sandbox, Captured };
enum class DataSource { Notebook, TorchSeed, Random, Typed };

struct SandboxSession {
    DataSource source = DataSource::Notebook;
    uint64_t torch_seed = 447;
    int key_count = 4;       // N, 1..256
    int key_dim = 3;         // d, 1..16
    int value_dim = 3;       // dv, 1..16
    Dataset data;            // keys N×d and values N×dv as currently edited
    Eigen::MatrixXd queries; // n×d, n in 1..256
    ScaleMode scale_mode = ScaleMode::One;
    double temperature = 1.0;
    bool causal = false;
    std::string goal = "select:0";
};

// One row of a captured head that the student changed: tensor 'q', 'k' or 'v', row = token index.
struct CapturedRowKey {
    int layer = 0, head = 0;
    char tensor = 'q';
    int row = 0;
    bool operator<(const CapturedRowKey& o) const {
        return std::tie(layer, head, tensor, row) < std::tie(o.layer, o.head, o.tensor, o.row);
    }
    bool operator==(const CapturedRowKey& o) const {
        return layer == o.layer && head == o.head && tensor == o.tensor && row == o.row;
    }
};

// An opened capture (core/formats/tensor_file.h) as part of the document: which file, which head, the
// mask and scale shown, and only the rows the student edited. The tensors are re-read from the
// file on open; `fingerprint` (capture_fingerprint) tells whether the file changed since.
struct CapturedSession {
    std::string path;                 // absolute; empty = no capture opened
    std::string fingerprint;          // 16 hex digits, empty = unknown
    int layer = 0, head = 0;
    ScaleMode scale_mode = ScaleMode::InvSqrtD;
    double temperature = 1.0;         // for ScaleMode::Temperature (1 / the file's numeric scale)
    bool causal = false;
    std::map<CapturedRowKey, Eigen::RowVectorXd> edits;  // at most kMaxCapturedEdits rows
    bool operator==(const CapturedSession& o) const;
};

struct ViewSession {
    std::string language = "en";   // a catalog's code (core/base/i18n.h): "en", "zh", ...
    bool presentation = false;      // large text, light high-contrast theme
    float text_zoom = 1.0f;         // Ctrl +/-: 0.5..3
    float camera_yaw = 0.6f;        // geometry view, radians
    float camera_pitch = 0.35f;
    float camera_distance = 3.2f;
};

// Which course a session belongs to. Empty (no builtin, no file): the notebook, as in every
// session written before packs existed. A file is named by its path and the FNV-1a 64 hash of
// its bytes when it was opened, so reopening can say when the file changed; `student` names the
// variant (core/course/pack.h make_variant), empty for the pack itself.
struct SessionPack {
    std::string builtin;  // a built-in pack's id ("temperature-masks"), or empty
    std::string file;     // a pack file's path, or empty (never both)
    std::string hash;     // "fnv1a64:" + 16 hex digits of the file's bytes (files only)
    std::string student;  // the variant's student ID, or empty
    bool empty() const { return builtin.empty() && file.empty(); }
};
bool operator==(const SessionPack& a, const SessionPack& b);

// "fnv1a64:" + 16 lowercase hex digits of FNV-1a 64 over `bytes`.
std::string content_hash(const std::string& bytes);

struct Session {
    AppMode mode = AppMode::Exercises;
    AnswerSet answers;               // the student's tensors by notebook name (query121 ...)
    std::string selected_task = "1.2.1";
    double tolerance = 0.05;
    SandboxSession sandbox;
    CapturedSession captured;        // written (as version 2) only when a capture was opened
    ViewSession view;
    // The student's notes on discussion tasks (task id → text), saved and exported with the
    // answers. At most kMaxNoteBytes each.
    std::map<std::string, std::string> notes;
    // The course the answers belong to (empty: the notebook). With a pack, task ids, answer names
    // and notes are checked as identifiers only: the app, which holds the pack, keeps what fits.
    SessionPack pack;
};

inline constexpr std::size_t kMaxNoteBytes = 8192;

// A fresh session: notebook data in the sandbox with one zero query, no answers.
Session default_session();

// The names a course gives its parts, so that a session can be checked without the course's code:
// the notebook's answer names, task ids and discussion tasks, and the built-in packs' ids. With a
// pack (Session::pack not empty), answers, the selected task and notes are checked as Python-style
// identifiers instead, since the pack that knows them is the app's to load.
struct SessionVocabulary {
    std::vector<std::string> answer_names;      // query121 ... (notebook order)
    std::vector<std::string> task_ids;          // every task of the notebook
    std::vector<std::string> discussion_tasks;  // the tasks that take a written note
    std::vector<std::string> builtin_packs;     // "notebook", "temperature-masks"
};

// Throws InputError("<where>: <field path>: <problem>") unless the session could be written and
// read back: shapes agree and are in range, numbers finite, enums known, names in `names`.
// session_from_json() ends with it; save_session() calls it first so an invalid session is never
// written (nothing on disk changes then).
void validate_session(const Session& session, const std::string& where, const SessionVocabulary& names);

// Validates first (InputError naming "session" otherwise).
std::string session_to_json(const Session& session, const SessionVocabulary& names);
Session session_from_json(const std::string& text, const std::string& where, const SessionVocabulary& names);

void save_session(const Session& session, const std::string& path, const SessionVocabulary& names);
Session load_session(const std::string& path, const SessionVocabulary& names);

// Exact: every field, matrices by shape and entries, answers by name, data and is_vector.
// AnswerTensor::line (where an answer file had it) is provenance, not saved and not compared.
bool operator==(const Session& a, const Session& b);
bool operator==(const ViewSession& a, const ViewSession& b);
// Equal in everything but `view` (the viewer's settings): compares without copying either.
bool same_document(const Session& a, const Session& b);
inline bool operator!=(const Session& a, const Session& b) { return !(a == b); }

}  // namespace attn
