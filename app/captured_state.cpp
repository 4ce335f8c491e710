// The Captured mode's half of app_state.h: an opened .safetensors / .npz capture as a workspace
// whose every query, key and value row stays editable (issue 12).
#include "app/app_state.h"

#include "app/i18n.h"
#include "core/formats/file_kind.h"
#include "core/formats/captured.h"
#include "core/base/error.h"
#include "core/base/text.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>

namespace attn::app {

namespace {

std::string absolute_path(const std::string& path) {
    char* resolved = ::realpath(path.c_str(), nullptr);
    if (!resolved) return path;
    std::string out = resolved;
    std::free(resolved);
    return out;
}

}  // namespace

bool is_tensor_file(const std::string& path) {
    const FileKind kind = detect_file_kind(path);
    if (is_capture_kind(kind)) return true;
    // Too short or empty to tell by content: the name decides, so that the capture loader, not
    // the session loader, says what is wrong with it.
    const auto ends_with = [&](const char* suffix) {
        const std::string s = suffix;
        return path.size() >= s.size() && path.compare(path.size() - s.size(), s.size(), s) == 0;
    };
    return (kind == FileKind::Empty || kind == FileKind::Binary) && (ends_with(".safetensors") || ends_with(".npz"));
}

bool open_tensors_file(AppState& state, const std::string& path_in) {
    const std::string path = absolute_path(path_in);
    OpenedCapture opened = open_captured_file(path, "", language(state));
    if (!opened.capture) {
        toast(state, opened.problem, true);
        return false;
    }
    end_edit(state);
    const Session before = state.session;
    state.captured_file = {opened.capture, path, "", ""};
    state.session.captured = captured_session_for(*opened.capture, path);
    state.session.mode = AppMode::Captured;
    commit_edit(state, before);
    auto& recent = state.settings.recent_files;
    recent.erase(std::remove(recent.begin(), recent.end(), path), recent.end());
    recent.insert(recent.begin(), path);
    if (recent.size() > 8) recent.resize(8);
    return true;
}

void sync_captured_file(AppState& state) {
    const CapturedSession& c = state.session.captured;
    CapturedFile& file = state.captured_file;
    if (c.path.empty()) {
        file = CapturedFile{};
        return;
    }
    if (file.path == c.path) return;
    OpenedCapture opened = open_captured_file(c.path, c.fingerprint, language(state));
    file = {opened.capture, c.path, opened.problem, opened.warning};
    if (!opened.warning.empty()) toast(state, opened.warning, true);
}

Workspace captured_workspace(const AppState& state) {
    Workspace w;
    w.kind = Workspace::Kind::Captured;
    const CapturedFile& file = state.captured_file;
    if (!file.capture) {
        // One zero token, read-only, so every panel has a shape to draw; the error says why.
        w.error = file.problem.empty() ? std::string(tr(state, "No captured file is open.")) : file.problem;
        w.queries = w.keys = w.values = Eigen::MatrixXd::Zero(1, 1);
        w.queries_editable = false;
        w.result = attention(w.queries, w.keys, w.values, w.options);
        return w;
    }
    CapturedSession c = state.session.captured;
    clamp_captured_head(c, *file.capture);
    CapturedHead head = captured_head(*file.capture, c);
    w.queries = std::move(head.queries);
    w.keys = std::move(head.keys);
    w.values = std::move(head.values);
    w.options = head.options;
    w.keys_editable = true;
    w.values_editable = true;
    w.token_labels = file.capture->token_labels;  // refresh() computes the attention (incrementally)
    return w;
}

void select_captured_head(AppState& state, int layer, int head) {
    const CapturedFile& file = state.captured_file;
    if (!file.capture) return;
    CapturedSession& c = state.session.captured;
    c.layer = layer;
    c.head = head;
    clamp_captured_head(c, *file.capture);
    refresh(state);
}

void set_captured_row(AppState& state, char tensor, int row, const Eigen::RowVectorXd& values) {
    const CapturedFile& file = state.captured_file;
    if (!file.capture || state.workspace.kind != Workspace::Kind::Captured) return;
    CapturedSession& c = state.session.captured;
    clamp_captured_head(c, *file.capture);
    record_captured_row(c, *file.capture, tensor, row, fit_row(values));
    refresh(state);
}

void reset_captured_head(AppState& state) {
    const Session before = state.session;
    attn::reset_captured_head(state.session.captured);
    commit_edit(state, before);
}

}  // namespace attn::app
