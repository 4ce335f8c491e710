#include "core/formats/undo.h"

#include <utility>

namespace attn {

UndoHistory::UndoHistory(std::size_t limit) : limit_(limit) {}

namespace {

// The numbers a session holds (its matrices), the bulk of its memory.
std::size_t numbers_in(const Session& s) {
    std::size_t n = static_cast<std::size_t>(s.sandbox.data.keys.size() + s.sandbox.data.values.size() + s.sandbox.queries.size());
    for (const auto& [name, tensor] : s.answers) n += static_cast<std::size_t>(tensor.data.size());
    for (const auto& [key, row] : s.captured.edits) n += static_cast<std::size_t>(row.size());
    return n;
}

}  // namespace

void UndoHistory::record(const Session& before, const Session& after) {
    if (same_document(before, after)) return;
    redo_.clear();
    if (limit_ == 0) return;
    undo_.push_back(before);
    std::size_t numbers = 0;
    for (const Session& s : undo_) numbers += numbers_in(s);
    // Always keep the latest step, however large.
    while (undo_.size() > limit_ || (undo_.size() > 1 && numbers > kUndoNumberBudget)) {
        numbers -= numbers_in(undo_.front());
        undo_.pop_front();
    }
}

namespace {

// Moves the top of `from` into current's document, pushing current's document onto `to`.
bool step(std::deque<Session>& from, std::deque<Session>& to, Session& current) {
    if (from.empty()) return false;
    Session target = std::move(from.back());
    from.pop_back();
    target.view = current.view;
    to.push_back(std::move(current));
    current = std::move(target);
    return true;
}

}  // namespace

bool UndoHistory::undo(Session& current) { return step(undo_, redo_, current); }

bool UndoHistory::redo(Session& current) { return step(redo_, undo_, current); }

void UndoHistory::clear() {
    undo_.clear();
    redo_.clear();
}

}  // namespace attn
