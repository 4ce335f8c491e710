// attnlab core: an opened capture as an editable workspace (issue 12). The session keeps the file,
// the head and the rows the student changed (CapturedSession, core/formats/session.h); this file turns
// those and the capture's numbers into the matrices attention() works on, and records edits.
//
// Calling rules
// - open_captured_file() reads the file (load_attention_file) and compares its fingerprint with
//   the session's. It never throws for a file that is gone or broken: `problem` says what is
//   wrong, in the given language, naming the path. A changed file opens with `warning` set.
// - captured_head() needs a capture that holds c.layer and c.head (clamp_captured_head first);
//   edited rows whose length does not fit the head (a changed file) are skipped.
// - record_captured_row() stores a row only when it differs from the file's; a row set back to
//   the file's value is forgotten, so the session holds just the real edits.
// - head_pattern_scores() reads the file's numbers (no edits) with the file's mask and scale;
//   layer and head must be inside the capture (asserted).
// - Pure functions; an OpenedCapture shares its capture read-only.
#pragma once

#include "core/base/i18n.h"
#include "core/formats/session.h"
#include "core/formats/tensor_file.h"

#include <memory>
#include <string>

namespace attn {

struct OpenedCapture {
    std::shared_ptr<const AttentionCapture> capture;  // null when the file could not be read
    std::string problem;                               // why not (the path and the loader's reason)
    std::string warning;                               // e.g. the file changed since the session was saved
};

OpenedCapture open_captured_file(const std::string& path, const std::string& expected_fingerprint, Language language);

// A new CapturedSession for a freshly opened file: layer 0, head 0, the file's mask and scale.
CapturedSession captured_session_for(const AttentionCapture& capture, const std::string& path);

// Keeps layer and head inside the capture (a changed file may have fewer).
void clamp_captured_head(CapturedSession& c, const AttentionCapture& capture);

struct CapturedHead {
    Eigen::MatrixXd queries, keys, values;  // tokens×d, tokens×d, tokens×dv, edits applied
    AttentionOptions options;               // the session's scale and mask
    int edited_rows = 0;                    // edits applied to this head
};
CapturedHead captured_head(const AttentionCapture& capture, const CapturedSession& c);

// tensor 'q', 'k' or 'v'; row in 0..tokens-1; `values` of the tensor's width.
void record_captured_row(CapturedSession& c, const AttentionCapture& capture, char tensor, int row,
                         const Eigen::RowVectorXd& values);
// Forgets every edit of the selected head.
void reset_captured_head(CapturedSession& c);

// What one head of a capture attends to: attention weights averaged over the query rows 1..T-1
// (row 0 has only itself under a causal mask). `induction` averages, over every row i whose
// token (the same label) occurred before at j < i - 1 (the most recent such j), the weight on
// key j + 1: the token that followed it last time, where an induction head looks; NaN when no
// token repeats. Used to say measured, not guessed, which head a lesson shows.
struct HeadPatternScores {
    double previous_token = 0;  // weight on key i-1
    double same_token = 0;      // weight on key i (the diagonal)
    double first_token = 0;     // weight on key 0
    double induction = 0;       // see above
    int induction_rows = 0;     // rows that have an induction target
};
HeadPatternScores head_pattern_scores(const AttentionCapture& capture, int layer, int head);

}  // namespace attn
