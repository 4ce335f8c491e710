#include "core/formats/captured.h"

#include "core/base/error.h"
#include "core/base/limits.h"
#include "core/base/text.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <sys/stat.h>

namespace attn {

OpenedCapture open_captured_file(const std::string& path, const std::string& expected_fingerprint, Language language) {
    OpenedCapture opened;
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) {
        opened.problem = format(tr(language, "The captured file %s is gone (moved or deleted). Open it again with File → Open tensors…; "
                                             "your edits stay in the session."),
                                printable_path(path).c_str());
        return opened;
    }
    try {
        auto capture = std::make_shared<AttentionCapture>(load_attention_file(path));
        if (!expected_fingerprint.empty() && capture_fingerprint(*capture) != expected_fingerprint)
            opened.warning = format(tr(language, "%s has changed since this session was saved: its numbers are the file's "
                                                 "new ones, and your edits were applied where they still fit."),
                                    printable_path(path).c_str());
        opened.capture = std::move(capture);
    } catch (const InputError& e) {
        opened.problem = format(tr(language, "The captured file cannot be read: %s"), e.what());
    }
    return opened;
}

CapturedSession captured_session_for(const AttentionCapture& capture, const std::string& path) {
    CapturedSession c;
    c.path = path;
    c.fingerprint = capture_fingerprint(capture);
    const AttentionOptions options = capture_attention_options(capture);
    c.scale_mode = options.scale_mode;
    c.temperature = options.temperature;
    c.causal = options.causal;
    return c;
}

void clamp_captured_head(CapturedSession& c, const AttentionCapture& capture) {
    c.layer = std::clamp(c.layer, 0, std::max(0, capture.layers - 1));
    c.head = std::clamp(c.head, 0, std::max(0, capture.heads - 1));
}

namespace {

void apply_edits(const CapturedSession& c, char tensor, Eigen::MatrixXd& m, int* applied) {
    const CapturedRowKey first{c.layer, c.head, tensor, 0};
    for (auto it = c.edits.lower_bound(first); it != c.edits.end(); ++it) {
        const CapturedRowKey& key = it->first;
        if (key.layer != c.layer || key.head != c.head || key.tensor != tensor) break;
        if (key.row >= m.rows() || it->second.size() != m.cols()) continue;  // the file changed shape
        m.row(key.row) = it->second;
        ++*applied;
    }
}

Eigen::RowVectorXd file_row(const AttentionCapture& capture, const CapturedSession& c, char tensor, int row) {
    const auto head = tensor == 'q' ? capture.query(c.layer, c.head)
                      : tensor == 'k' ? capture.key(c.layer, c.head)
                                      : capture.value(c.layer, c.head);
    return head.row(row).cast<double>();
}

}  // namespace

CapturedHead captured_head(const AttentionCapture& capture, const CapturedSession& c) {
    CapturedHead h;
    h.queries = capture.query(c.layer, c.head).cast<double>();
    h.keys = capture.key(c.layer, c.head).cast<double>();
    h.values = capture.value(c.layer, c.head).cast<double>();
    apply_edits(c, 'q', h.queries, &h.edited_rows);
    apply_edits(c, 'k', h.keys, &h.edited_rows);
    apply_edits(c, 'v', h.values, &h.edited_rows);
    h.options.scale_mode = c.scale_mode;
    h.options.temperature = c.temperature;
    h.options.causal = c.causal;
    return h;
}

void record_captured_row(CapturedSession& c, const AttentionCapture& capture, char tensor, int row,
                         const Eigen::RowVectorXd& values) {
    const CapturedRowKey key{c.layer, c.head, tensor, row};
    if (row < 0 || row >= capture.tokens) return;
    const Eigen::RowVectorXd original = file_row(capture, c, tensor, row);
    if (values.size() != original.size()) return;
    if ((values.array() == original.array()).all()) {
        c.edits.erase(key);
    } else if (c.edits.count(key) || c.edits.size() < static_cast<std::size_t>(kMaxCapturedEdits)) {
        c.edits[key] = values;
    }
}

void reset_captured_head(CapturedSession& c) {
    for (auto it = c.edits.begin(); it != c.edits.end();)
        it = it->first.layer == c.layer && it->first.head == c.head ? c.edits.erase(it) : std::next(it);
}

HeadPatternScores head_pattern_scores(const AttentionCapture& capture, int layer, int head) {
    CapturedSession c = captured_session_for(capture, "");
    c.layer = layer;
    c.head = head;
    const CapturedHead h = captured_head(capture, c);
    const Eigen::MatrixXd weights = attention(h.queries, h.keys, h.values, h.options).weights;
    HeadPatternScores scores;
    const int rows = capture.tokens - 1;
    if (rows < 1) {
        scores.induction = std::nan("");  // no token repeats
        return scores;
    }
    std::map<std::string, int> last_seen;    // token label → its most recent position
    std::map<std::string, int> seen_before;  // token label → its occurrence before that one
    last_seen[capture.token_labels[0]] = 0;
    double induction_sum = 0;
    for (int i = 1; i <= rows; ++i) {
        scores.previous_token += weights(i, i - 1) / rows;
        scores.same_token += weights(i, i) / rows;
        scores.first_token += weights(i, 0) / rows;
        const std::string& token = capture.token_labels[static_cast<std::size_t>(i)];
        const auto seen = last_seen.find(token);
        int j = seen == last_seen.end() ? -1 : seen->second;
        if (j == i - 1) {  // an immediate repeat: its target would be row i itself; look one occurrence further back
            const auto before = seen_before.find(token);
            j = before == seen_before.end() ? -1 : before->second;
        }
        if (j >= 0) {
            induction_sum += weights(i, j + 1);
            ++scores.induction_rows;
        }
        if (seen != last_seen.end()) seen_before[token] = seen->second;
        last_seen[token] = i;
    }
    scores.induction = scores.induction_rows > 0 ? induction_sum / scores.induction_rows : std::nan("");
    return scores;
}

}  // namespace attn
