// attnlab core: a live diagnosis of the student's current answer to one task.
//
// What it says (English and Simplified Chinese, the same numbers in both)
//   summary  pass/fail with the checker's error, and the main reason in one sentence
//   details  the weights of the (first) query row; what the logits must satisfy and by how much
//            they miss (select: the target key's lead over the strongest rival; average: the
//            spread of the logits in S and the gap below them; identity: every row); and the
//            smallest change that passes at the current tolerance along the current direction
//
// How the smallest change is found: the edited tensor (the query; 1.4.1's key row) is scaled by
// s and graded with the same float32 check_task(): a log-spaced scan of s from 1e-3 to 1e6, then
// bisection between the passing scan point and its failing neighbour. The error need not be
// monotone in s (averages fail again when q is too long), so the passing range nearest the
// current answer is reported. 1.4.2's key is normalized to length 1, so scaling does not apply:
// the diagnosis says how long the 1.3.2 query must be for even k2 = q/|q| to win, and otherwise
// within which angle of q the key must lie.
//
// Calling rules
// - data must pass validate_dataset(); task must belong to course; tolerance > 0 and finite.
// - Never throws for a bad answer: missing, misshapen or non-finite answers give a Diagnosis
//   that says so. Discussion tasks give an empty Diagnosis.
// - 1.4.2-style tasks (unit_norm key rows): the typed row goes to check_task(), which divides it by
//   its norm as the notebook's `m_key[2] /= m_key[2].norm()` does; the diagnosis quotes the
//   normalized row. A zero row has no direction and is said to be so.
// - Pure and deterministic; a few hundred 4×3 attentions, cheap enough to call every frame.
// - Numbers are formatted compactly; the texts never contain "inf" or "nan" ("—" instead).
#pragma once

#include "core/course/answer_file.h"
#include "core/math/dataset.h"
#include "core/course/exercises.h"
#include "core/base/text.h"

#include <limits>

namespace attn {

struct Diagnosis {
    LocalText summary;   // one or two short sentences: pass/fail and the main reason
    LocalText details;   // weights, logit requirements and misses, the smallest passing change (lines)
    bool answered = false;
    // Smallest factor s such that s × (the edited tensor: the query, or 1.4.1's key row) passes at
    // the tolerance; 0 when even the zero tensor passes; NaN when no scale in [1e-3, 1e6] passes
    // or scaling does not apply (1.4.2's unit key, an answer that cannot be checked).
    double passing_scale = std::numeric_limits<double>::quiet_NaN();
    double precise_scale = std::numeric_limits<double>::quiet_NaN();  // the same for an error ≤ 1e-7
};

Diagnosis diagnose_task(const Course& course, const Task& task, const Dataset& data, const AnswerSet& answers,
                        double tolerance);

}  // namespace attn
