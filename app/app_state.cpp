#include "app/app_state.h"

#include "app/i18n.h"

#include "core/base/error.h"
#include "core/math/solver.h"

#include <algorithm>
#include <filesystem>
#include <cmath>

namespace attn::app {

const Course& course(const AppState& state) { return state.current_course.course; }
const Dataset& course_data(const AppState& state) { return state.current_course.course.data; }

Language language(const AppState& state) {
    return is_available_language(state.settings.view.language) ? Language{state.settings.view.language} : Language{};
}

namespace {

const Task* selected_task(const AppState& state) {
    if (state.session.mode != AppMode::Exercises) return nullptr;
    return course(state).find(state.session.selected_task);
}

// A discussion question shows the demonstration it is about, read-only: the section's query
// task's current answer (1.2.3: 1.2.1's query; 1.3.3: 1.3.2's), and for 1.4.3 the 1.3.2 query
// with the 1.4.1 key. Falls back to the solver's answers where the student has none yet.
void discussion_demo(const AppState& state, const Task& task, Workspace& w) {
    w.kind = Workspace::Kind::Discussion;
    w.queries_editable = false;
    const Course& c = course(state);
    const Task* query_task = nullptr;
    const Task* key_task = nullptr;
    for (const Task& other : c.tasks) {
        if (other.section != task.section || other.discussion) continue;
        if (other.edit.tensor == TaskEdit::Tensor::Query && other.edit.rows == 1) query_task = &other;
        if (other.edit.tensor == TaskEdit::Tensor::KeyRow && !key_task) key_task = &other;
    }
    if (key_task) query_task = c.find(key_task->edit.query_from);
    // What the demonstration uses: the student's answers, with the solver's filling the gaps
    // (1.4.1's key is solved for the query shown, not for a missing one).
    AnswerSet answers = state.session.answers;
    const auto answer_or_solution = [&](const Task& source) -> Eigen::MatrixXd {
        auto it = answers.find(source.answer);
        if (it == answers.end()) {
            const TaskSolution solved = solve_task(c, source, course_data(state), answers, state.session.tolerance, SolveOptions{});
            if (!solved.solution.feasible) return Eigen::MatrixXd();
            it = answers.emplace(source.answer, solved.answer).first;
        }
        return it->second.data;
    };
    const int d = static_cast<int>(w.keys.cols());
    w.queries = Eigen::MatrixXd::Zero(1, d);
    if (query_task) {
        const Eigen::MatrixXd q = answer_or_solution(*query_task);
        if (q.rows() == 1 && q.cols() == d) w.queries = q;
        w.note = query_task->id;
        // Shown with that task's scale and mask (a causal section's discussion keeps its mask).
        w.options = task_attention(c, *query_task, 1, static_cast<int>(w.keys.rows()));
    }
    if (key_task) {
        const Eigen::MatrixXd keys = answer_or_solution(*key_task);
        if (keys.rows() == w.keys.rows() && keys.cols() == d) w.keys = keys;
        w.note = query_task->id + " + " + key_task->id;
    }
}

// A temperature task: the query is key[query_key], fixed; the student's number is the
// temperature (1 until answered), so the heatmaps show the weights it gives.
void temperature_workspace(const AppState& state, const Task& task, Workspace& w) {
    w.kind = Workspace::Kind::TemperatureTask;
    w.queries = w.keys.row(task.edit.query_key);
    w.queries_editable = false;
    w.options.scale_mode = ScaleMode::Temperature;
    w.options.temperature = 1.0;
    const auto it = state.session.answers.find(task.answer);
    w.query_answered = it != state.session.answers.end() && it->second.data.size() == 1 &&
                       it->second.data(0, 0) >= kMinTemperature && it->second.data(0, 0) <= kMaxTemperature;
    if (w.query_answered) w.options.temperature = it->second.data(0, 0);
    w.note = "key[" + std::to_string(task.edit.query_key) + "]";
}

Workspace build_workspace(const AppState& state) {
    if (state.session.mode == AppMode::Captured) return captured_workspace(state);
    Workspace w;
    const Session& s = state.session;
    const Task* task = selected_task(state);
    if (!task) {
        w.kind = Workspace::Kind::Sandbox;
        w.queries = s.sandbox.queries;
        w.keys = s.sandbox.data.keys;
        w.values = s.sandbox.data.values;
        w.keys_editable = true;
        w.values_editable = true;
        w.options.scale_mode = s.sandbox.scale_mode;
        w.options.temperature = s.sandbox.temperature;
        w.options.causal = s.sandbox.causal;
        try {
            const Goal goal = parse_goal(s.sandbox.goal, static_cast<int>(w.keys.rows()));
            if (goal.kind == Goal::Kind::Identity) {
                if (w.queries.rows() == w.keys.rows()) w.target = w.values;
            } else {
                w.target = goal_target(goal, w.values).replicate(w.queries.rows(), 1);
            }
        } catch (const InputError&) {
            // An unfinished goal text simply shows no target.
        }
    } else {
        w.task = task;
        w.keys = course_data(state).keys;
        w.values = course_data(state).values;
        const int d = static_cast<int>(w.keys.cols());
        if (task->discussion) {
            discussion_demo(state, *task, w);
        } else if (task->edit.tensor == TaskEdit::Tensor::Query) {
            w.kind = Workspace::Kind::QueryTask;
            const auto it = s.answers.find(task->answer);
            w.query_answered = it != s.answers.end() && it->second.data.rows() == task->edit.rows &&
                               it->second.data.cols() == d;
            w.queries = w.query_answered ? it->second.data : Eigen::MatrixXd::Zero(task->edit.rows, d);
        } else if (task->edit.tensor == TaskEdit::Tensor::Temperature) {
            temperature_workspace(state, *task, w);
        } else {
            w.kind = Workspace::Kind::KeyTask;
            const Task* source = course(state).find(task->edit.query_from);
            const auto query = s.answers.find(source->answer);
            w.query_answered = query != s.answers.end() && query->second.data.rows() == 1 && query->second.data.cols() == d;
            w.queries = w.query_answered ? query->second.data : Eigen::MatrixXd::Zero(1, d);
            w.queries_editable = false;
            w.note = source->id;
            const auto keys = s.answers.find(task->answer);
            if (keys != s.answers.end() && keys->second.data.rows() == w.keys.rows() && keys->second.data.cols() == d)
                w.keys = keys->second.data;
            w.editable_key_row = task->edit.key_row;
            w.key_unit_norm = task->edit.unit_norm;
        }
        if (w.kind != Workspace::Kind::TemperatureTask && w.kind != Workspace::Kind::Discussion) {
            // The task's scale and mask (a causal mask hides keys after each query's token).
            w.options = task_attention(course(state), *task, static_cast<int>(w.queries.rows()),
                                       static_cast<int>(w.keys.rows()));
        }
        if (!task->discussion) {
            const Eigen::MatrixXf target = task_target(*task, course_data(state));
            w.target = target.cast<double>();
            if (w.target.rows() == 1 && w.queries.rows() > 1) w.target = w.target.replicate(w.queries.rows(), 1);
        }
    }
    return w;
}

// The attention of the new workspace through the cache, which redoes only the rows a slider
// changed and moves its result into the workspace (no copy of the n×N matrices).
void compute_attention(AppState& state, Workspace& w) {
    AttentionCache& cache = state.attention_cache;
    cache.give_back(std::move(state.workspace.result));
    w.result_change = AttentionCache::Change{true, {}};
    try {
        cache.update(w.queries, w.keys, w.values, w.options);
        w.result = cache.take_result();
        w.result_change = cache.last_change();
    } catch (const InputError& e) {
        w.error = e.what();
    }
}

// The keys' principal axes: the previous workspace's while the keys are the same (a query drag
// at N = 1024, d = 64 would otherwise redo a 64×64 eigenproblem every frame).
void project_keys(const Workspace& previous, Workspace& w) {
    if (previous.keys.rows() == w.keys.rows() && previous.keys.cols() == w.keys.cols() && previous.keys == w.keys &&
        previous.key_axes.basis.size() > 0) {
        w.key_axes = previous.key_axes;
        return;
    }
    w.key_axes = Projection{};
    if (w.keys.rows() < 1 || w.keys.cols() < 1 || !w.keys.allFinite()) return;
    try {
        w.key_axes = principal_axes(w.keys, 3, Centre::Origin);
    } catch (const InputError&) {
        w.key_axes = Projection{};  // drawn as "nothing to draw" by the geometry panel
    }
}

// The answer tensor a query/key edit writes into, created from the workspace when absent.
AnswerTensor& answer_for(AppState& state, const Task& task) {
    auto it = state.session.answers.find(task.answer);
    if (it == state.session.answers.end()) {
        AnswerTensor fresh;
        fresh.is_vector = task.edit.tensor == TaskEdit::Tensor::Query && task.edit.vector;
        fresh.data = task.edit.tensor == TaskEdit::Tensor::Query ? state.workspace.queries : state.workspace.keys;
        it = state.session.answers.emplace(task.answer, fresh).first;
    }
    return it->second;
}

}  // namespace

void refresh(AppState& state) {
    sync_captured_file(state);
    Workspace w = build_workspace(state);
    compute_attention(state, w);
    project_keys(state.workspace, w);
    w.result_serial = ++state.refresh_count;
    state.workspace = std::move(w);
    // A loaded hand-in grades as `attnlab check` does: answers it could not compute are shown as
    // "cannot be graded", not silently missing.
    HandIn hand_in{state.session.answers, active_cannot_grade(state), 0, 0, {}};
    state.checks = check_hand_in(course(state), course_data(state), hand_in, state.session.tolerance, language(state));
    const Task* task = selected_task(state);
    state.diagnosis = task && !task->discussion && task->edit.tensor != TaskEdit::Tensor::Temperature
                          ? diagnose_task(course(state), *task, course_data(state), state.session.answers, state.session.tolerance)
                          : Diagnosis{};
}

void begin_edit(AppState& state) {
    if (state.edit_running) return;
    state.edit_before = state.session;
    state.edit_running = true;
}

namespace {

// An edit of a task's answer produces the live diagnosis: bring it into view in the task pane.
// A temperature task has no diagnosis: its status line says how T stands.
void reveal_diagnosis(AppState& state) {
    if (state.session.mode != AppMode::Exercises) return;
    const Task* task = selected_task(state);
    state.panels.reveal_result.ask(task && task->edit.tensor == TaskEdit::Tensor::Temperature ? "task status" : "diagnosis");
}

}  // namespace

void end_edit(AppState& state) {
    if (!state.edit_running) return;
    state.edit_running = false;
    state.history.record(state.edit_before, state.session);
    reveal_diagnosis(state);
}

void commit_edit(AppState& state, const Session& before) {
    state.history.record(before, state.session);
    refresh(state);
    reveal_diagnosis(state);
}

void undo(AppState& state) {
    end_edit(state);
    if (state.history.undo(state.session)) refresh(state);
}

void redo(AppState& state) {
    end_edit(state);
    if (state.history.redo(state.session)) refresh(state);
}

Eigen::RowVectorXd fit_row(const Eigen::RowVectorXd& row) {
    Eigen::RowVectorXd fitted = row.unaryExpr([](double x) { return std::isfinite(x) ? x : 0.0; });
    if (fitted.size() == 0) return fitted;
    const double largest = fitted.cwiseAbs().maxCoeff();
    if (largest > kMaxComponent) {
        fitted *= kMaxComponent / largest;
        // x · (1e6 / x) can land an ulp above 1e6; the clamp moves it back by that ulp only.
        fitted = fitted.cwiseMax(-kMaxComponent).cwiseMin(kMaxComponent);
    }
    return fitted;
}

namespace {

Eigen::MatrixXd fit_rows(const Eigen::MatrixXd& m) {
    Eigen::MatrixXd fitted(m.rows(), m.cols());
    for (Eigen::Index r = 0; r < m.rows(); ++r) fitted.row(r) = fit_row(m.row(r));
    return fitted;
}

}  // namespace

void set_query(AppState& state, const Eigen::MatrixXd& queries_in) {
    const Workspace& w = state.workspace;
    if (!w.queries_editable) return;
    const Eigen::MatrixXd queries = fit_rows(queries_in);
    if (w.kind == Workspace::Kind::Captured) {
        for (Eigen::Index r = 0; r < queries.rows() && r < w.queries.rows(); ++r)
            if (queries.row(r) != w.queries.row(r)) set_captured_row(state, 'q', static_cast<int>(r), queries.row(r));
        return;
    }
    if (w.kind == Workspace::Kind::Sandbox) state.session.sandbox.queries = queries;
    else if (w.task) answer_for(state, *w.task).data = queries;
    refresh(state);
}

void set_key_row(AppState& state, int row, const Eigen::RowVectorXd& key_in) {
    const Eigen::RowVectorXd key = fit_row(key_in);
    const Workspace& w = state.workspace;
    if (w.kind == Workspace::Kind::Captured) {
        set_captured_row(state, 'k', row, key);
        return;
    }
    if (w.kind == Workspace::Kind::Sandbox) {
        state.session.sandbox.data.keys.row(row) = key;
        state.session.sandbox.source = DataSource::Typed;
    } else if (w.kind == Workspace::Kind::KeyTask && row == w.editable_key_row) {
        // Kept as typed, also for 1.4.2: the check divides it by its norm as the notebook's
        // cell does, so typing one component never moves the others.
        answer_for(state, *w.task).data.row(row) = key;
    } else {
        return;
    }
    refresh(state);
}

void set_value_row(AppState& state, int row, const Eigen::RowVectorXd& value_in) {
    const Eigen::RowVectorXd value = fit_row(value_in);
    if (state.workspace.kind == Workspace::Kind::Captured) {
        set_captured_row(state, 'v', row, value);
        return;
    }
    if (state.workspace.kind != Workspace::Kind::Sandbox) return;
    state.session.sandbox.data.values.row(row) = value;
    state.session.sandbox.source = DataSource::Typed;
    refresh(state);
}

void set_note(AppState& state, const std::string& task_id, const std::string& text) {
    const std::string kept = text.substr(0, kMaxNoteBytes);
    if (kept.empty()) state.session.notes.erase(task_id);
    else state.session.notes[task_id] = kept;
}

void set_temperature_answer(AppState& state, double temperature) {
    const Task* task = state.workspace.task;
    if (state.workspace.kind != Workspace::Kind::TemperatureTask || !task || !std::isfinite(temperature)) return;
    AnswerTensor answer;
    answer.is_vector = false;
    answer.data = Eigen::MatrixXd::Constant(1, 1, std::clamp(temperature, kMinTemperature, kMaxTemperature));
    state.session.answers[task->answer] = answer;
    refresh(state);
}

void select_task(AppState& state, const std::string& id) {
    if (!course(state).find(id)) return;
    state.session.mode = AppMode::Exercises;
    state.session.selected_task = id;
    refresh(state);
}

void set_mode(AppState& state, AppMode mode) {
    if (state.session.mode == mode) return;
    state.session.mode = mode;  // navigation, not an edit: no undo step
    refresh(state);
}

void select_next_task(AppState& state, int step) {
    // From the Sandbox (or a capture), Page Up/Down first return to the task the student was on.
    if (state.session.mode != AppMode::Exercises) {
        select_task(state, state.session.selected_task);
        return;
    }
    const auto& tasks = course(state).tasks;
    const int count = static_cast<int>(tasks.size());
    int index = 0;
    for (int i = 0; i < count; ++i)
        if (tasks[i].id == state.session.selected_task) index = i;
    // Stops at the first and last task rather than wrapping: on a projector a silent jump from
    // 1.4.3 back to 1.2.1 looks like a mistake.
    index = std::clamp(index + step, 0, count - 1);
    select_task(state, tasks[index].id);  // navigation, not an edit: no undo step
}

namespace {

SolveOptions solve_options(Language language) {
    SolveOptions options;
    options.language = language;
    return options;
}

// What a solve says, in one language: the derivation, or why it is impossible.
std::string solution_text(const Solution& solution, Language language) {
    if (solution.feasible) return solution.explanation;
    std::string text = format(tr(language, "Impossible: %s"), solution.reason.c_str());
    if (!solution.explanation.empty()) text += "\n" + solution.explanation;
    return text;
}

}  // namespace

namespace {

// The explanation of a task's solve, tied to the answer it explains (see Explanation).
// solutions[i] is the solve in available_languages()[i]; [0] is the English.
void record_explanation(AppState& state, const Task& task, const std::vector<Solution>& solutions) {
    Explanation e;
    for (size_t i = 0; i < solutions.size(); ++i)
        e.text.in(available_languages()[i].code) = solution_text(solutions[i], Language{available_languages()[i].code});
    e.feasible = solutions[0].feasible;
    const auto answer = state.session.answers.find(task.answer);
    if (answer != state.session.answers.end()) e.answer = answer->second.data;
    if (task.edit.tensor == TaskEdit::Tensor::KeyRow) {
        const auto query = state.session.answers.find(course(state).find(task.edit.query_from)->answer);
        if (query != state.session.answers.end()) e.depends_on = query->second.data;
    }
    state.explanations[task.id] = std::move(e);
}

bool same_matrix(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
    return a.rows() == b.rows() && a.cols() == b.cols() && (a.size() == 0 || a == b);
}

bool same_sandbox(const SandboxSession& a, const SandboxSession& b) {
    return a.goal == b.goal && a.scale_mode == b.scale_mode && a.temperature == b.temperature && a.causal == b.causal &&
           same_matrix(a.data.keys, b.data.keys) && same_matrix(a.data.values, b.data.values) &&
           same_matrix(a.queries, b.queries);
}

// The first `rows` keys and values: what a causal query row rows-1 can see.
Dataset prefix(const Dataset& data, int rows) {
    Dataset out = data;
    out.keys = data.keys.topRows(rows);
    out.values = data.values.topRows(rows);
    return out;
}

// Solves the sandbox's goal within its own options. Without the mask, one query answers
// select/average (it goes into row 0) and identity fills every row. With the causal mask, query
// row r sees keys 0..r only: select/average go into the first row that sees every key of the
// goal, and identity row i selects key i among keys 0..i.
Solution solve_sandbox_goal(SandboxSession& sandbox, const Goal& goal, Language language, const SolveOptions& base = {}) {
    AttentionOptions attention_options;
    attention_options.scale_mode = sandbox.scale_mode;
    attention_options.temperature = sandbox.temperature;
    SolveOptions options = base;
    options.language = language;
    options.scale = attention_scale(attention_options, static_cast<int>(sandbox.data.keys.cols()));
    const int n = static_cast<int>(sandbox.queries.rows());
    if (!sandbox.causal) {
        Solution solution = solve_query_goal(sandbox.data, goal, options);
        if (solution.feasible) {
            if (goal.kind == Goal::Kind::Identity) sandbox.queries = solution.answer;
            else sandbox.queries.row(0) = solution.answer.row(0);
        }
        return solution;
    }
    if (goal.kind == Goal::Kind::Identity) {
        const int N = static_cast<int>(sandbox.data.keys.rows());
        Eigen::MatrixXd answer(N, sandbox.data.keys.cols());
        Solution last;
        SolveOptions row_options = options;
        row_options.progress = nullptr;
        for (int i = 0; i < N; ++i) {
            if (options.cancel && options.cancel->load()) {
                Solution cancelled;
                cancelled.cancelled = true;
                return cancelled;
            }
            Goal select;
            select.keys = {i};
            last = solve_query_goal(prefix(sandbox.data, i + 1), select, row_options);
            if (!last.feasible) {
                last.reason = format(tr(language, "with the causal mask, row %d sees keys 0..%d only: %s"),
                                     i, i, last.reason.c_str());
                return last;
            }
            answer.row(i) = last.answer.row(0);
            if (options.progress) options.progress(i + 1, N);
        }
        sandbox.queries = answer;
        last.answer = answer;
        last.explanation = std::string(tr(language,
                                               "Solved with the causal mask on: row i selects key i among the keys 0..i it sees "
                                               "(one solve per row).\n")) + last.explanation;
        return last;
    }
    const int needed = *std::max_element(goal.keys.begin(), goal.keys.end());
    if (needed >= n) {
        Solution impossible;
        impossible.reason = format(tr(language,
                                      "with the causal mask, query row r sees keys 0..r only; the goal needs key %d, so it needs "
                                      "at least %d query rows (there are %d). Add queries or switch the mask off."),
                                   needed, needed + 1, n);
        return impossible;
    }
    Solution solution = solve_query_goal(prefix(sandbox.data, needed + 1), goal, options);
    if (solution.feasible) {
        sandbox.queries.row(needed) = solution.answer.row(0);
        solution.explanation = format(tr(language, "Solved with the causal mask on: the answer goes into row %d, which sees keys 0..%d.\n"),
                                      needed, needed) + solution.explanation;
    }
    return solution;
}

}  // namespace

// Solves run once per language (they take microseconds), so switching the language later shows
// the same explanation translated instead of a stale one in the other language.
void solve_selected(AppState& state) {
    const Session before = state.session;
    if (state.session.mode == AppMode::Sandbox) {
        SandboxSession& sandbox = state.session.sandbox;
        try {
            const Goal goal = parse_goal(sandbox.goal, static_cast<int>(sandbox.data.keys.rows()));
            LocalText text;
            // The other languages on a scratch copy; the English solve (last) changes the sandbox.
            for (const LanguageInfo& info : available_languages()) {
                if (info.code == kSourceLanguage) continue;
                SandboxSession scratch = sandbox;
                text.in(info.code) = solution_text(solve_sandbox_goal(scratch, goal, Language{info.code}), Language{info.code});
            }
            text.en = solution_text(solve_sandbox_goal(sandbox, goal, Language{}), Language{});
            state.sandbox_solution = {text, sandbox};
        } catch (const InputError& e) {
            state.sandbox_solution = {{e.what(), {}}, sandbox};
        }
        commit_edit(state, before);
        return;
    }
    const Task* task = selected_task(state);
    if (!task || task->discussion) return;
    std::vector<TaskSolution> solved;  // one per available language, English first
    for (const LanguageInfo& info : available_languages())
        solved.push_back(solve_task(course(state), *task, course_data(state), state.session.answers, state.session.tolerance,
                                    solve_options(Language{info.code})));
    if (solved[0].solution.feasible) state.session.answers[task->answer] = solved[0].answer;
    std::vector<Solution> explained;
    for (const TaskSolution& s : solved) explained.push_back(s.solution);
    record_explanation(state, *task, explained);
    commit_edit(state, before);
    state.panels.reveal_result.ask("explanation");
}

namespace {

// The sandbox solve of solve_selected(), on copies, for a worker thread: every language, with
// the progress of all of them as one count.
SandboxSolveResult solve_sandbox_copy(SandboxSession sandbox, const std::atomic<bool>& cancel,
                                      const BackgroundJob<SandboxSolveResult>::Progress& progress) {
    SandboxSolveResult result;
    try {
        const Goal goal = parse_goal(sandbox.goal, static_cast<int>(sandbox.data.keys.rows()));
        const auto& languages = available_languages();
        const int count = static_cast<int>(languages.size());
        int index = 0;
        // English last, on the sandbox itself, as solve_selected() does.
        for (int pass = 0; pass < 2; ++pass)
            for (const LanguageInfo& info : languages) {
                const bool source = info.code == kSourceLanguage;
                if (source != (pass == 1)) continue;
                SolveOptions options;
                options.cancel = &cancel;
                options.progress = [&, index](int done, int total) { progress(index * total + done, count * total); };
                SandboxSession scratch = sandbox;
                const Solution solution = solve_sandbox_goal(source ? sandbox : scratch, goal, Language{info.code}, options);
                if (solution.cancelled || cancel) {
                    result.cancelled = true;
                    return result;
                }
                (source ? result.text.en : result.text.in(info.code)) = solution_text(solution, Language{info.code});
                ++index;
            }
    } catch (const InputError& e) {
        result.text = {e.what(), {}};
    }
    result.solved = sandbox;
    return result;
}

}  // namespace

void start_solve(AppState& state) {
    if (state.session.mode != AppMode::Sandbox) {
        solve_selected(state);
        return;
    }
    if (solving(state)) return;
    const SandboxSession sandbox = state.session.sandbox;
    state.solving.started_from = sandbox;
    state.solving.job = std::make_shared<BackgroundJob<SandboxSolveResult>>(
        [sandbox](const std::atomic<bool>& cancel, const BackgroundJob<SandboxSolveResult>::Progress& progress) {
            return solve_sandbox_copy(sandbox, cancel, progress);
        });
}

bool solving(const AppState& state) { return state.solving.job != nullptr; }

float solving_progress(const AppState& state) {
    if (!state.solving.job) return 0;
    const auto [done, total] = state.solving.job->progress();
    return total > 0 ? std::clamp(static_cast<float>(done) / static_cast<float>(total), 0.0f, 1.0f) : 0.0f;
}

void cancel_solve(AppState& state) {
    if (state.solving.job) state.solving.job->cancel();
}

void poll_solve(AppState& state) {
    if (!state.solving.job || !state.solving.job->finished()) return;
    const SandboxSolveResult result = state.solving.job->take();
    state.solving.job.reset();
    if (result.cancelled) {
        toast(state, tr(state, "Solve cancelled."));
        return;
    }
    if (!same_sandbox(state.session.sandbox, state.solving.started_from) || state.session.mode != AppMode::Sandbox) {
        toast(state, tr(state, "The sandbox changed while solving: press Solve goal again."), true);
        return;
    }
    const Session before = state.session;
    state.session.sandbox = result.solved;
    state.sandbox_solution = {result.text, result.solved};
    commit_edit(state, before);
}

void solve_all_tasks(AppState& state) {
    const Session before = state.session;
    const auto& languages = available_languages();
    std::vector<std::vector<TaskSolution>> solutions(languages.size());  // [language][task], English first
    for (size_t l = 0; l < languages.size(); ++l)
        solve_all(course(state), course_data(state), state.session.tolerance, solve_options(Language{languages[l].code}), &solutions[l]);
    for (const TaskSolution& solved : solutions[0])
        if (solved.solution.feasible) state.session.answers[course(state).find(solved.check.id)->answer] = solved.answer;
    for (size_t i = 0; i < solutions[0].size(); ++i) {
        std::vector<Solution> explained;
        for (const auto& in_language : solutions) explained.push_back(in_language[i].solution);
        record_explanation(state, *course(state).find(solutions[0][i].check.id), explained);
    }
    commit_edit(state, before);
}

void reset_selected(AppState& state) {
    if (state.session.mode == AppMode::Captured) {
        reset_captured_head(state);
        return;
    }
    const Session before = state.session;
    if (state.session.mode == AppMode::Sandbox) {
        state.session.sandbox.queries.setZero();
    } else if (const Task* task = selected_task(state); task && !task->discussion) {
        state.session.answers.erase(task->answer);
    }
    commit_edit(state, before);
    state.panels.reveal_result.ask("task problem");  // "… is not answered": what Reset did
}

std::map<std::string, std::string> active_cannot_grade(const AppState& state) {
    const LoadedHandIn& loaded = state.hand_in;
    if (loaded.path.empty()) return {};
    const AnswerSet& answers = state.session.answers;
    for (const std::string& name : loaded.answer_names)
        if (!answers.count(name)) return {};
    std::map<std::string, std::string> active;
    for (const auto& [name, reason] : loaded.cannot_grade)
        if (!answers.count(name)) active.emplace(name, reason);
    return active;
}

void load_hand_in(AppState& state, const HandIn& hand_in, const std::string& path, const std::string& student) {
    end_edit(state);
    const Session before = state.session;
    state.session.answers = hand_in.answers;
    state.session.mode = AppMode::Exercises;
    state.hand_in = LoadedHandIn{path, student, {}, hand_in.cannot_grade};
    for (const auto& [name, answer] : hand_in.answers) state.hand_in.answer_names.insert(name);
    refresh(state);
    // Show the first task that does not pass: that is what the student opened the file to see.
    for (const TaskCheck& check : state.checks)
        if (check.answered && !check.pass) {
            state.session.selected_task = check.id;
            break;
        }
    commit_edit(state, before);
}

void toast(AppState& state, const std::string& text, bool is_error) {
    state.toasts.push_back({text, is_error, state.platform.now + (is_error ? 8.0 : 4.0), {}});
}

void toast_written(AppState& state, const std::string& text, const std::string& path) {
    std::error_code error;
    const std::filesystem::path folder = std::filesystem::absolute(path, error).lexically_normal().parent_path();
    state.toasts.push_back({text, false, state.platform.now + 8.0, error ? std::string() : folder.string()});
}

const Explanation* current_explanation(const AppState& state, const std::string& task_id) {
    const Task* task = course(state).find(task_id);
    const auto found = state.explanations.find(task_id);
    if (!task || found == state.explanations.end()) return nullptr;
    const Explanation& e = found->second;
    const auto answer = state.session.answers.find(task->answer);
    const Eigen::MatrixXd now = answer == state.session.answers.end() ? Eigen::MatrixXd() : answer->second.data;
    if (!same_matrix(now, e.answer)) return nullptr;
    if (task->edit.tensor == TaskEdit::Tensor::KeyRow) {
        const auto query = state.session.answers.find(course(state).find(task->edit.query_from)->answer);
        const Eigen::MatrixXd q = query == state.session.answers.end() ? Eigen::MatrixXd() : query->second.data;
        if (!same_matrix(q, e.depends_on)) return nullptr;
    }
    return &e;
}

const LocalText* current_sandbox_explanation(const AppState& state) {
    const SandboxExplanation& e = state.sandbox_solution;
    if (e.text.en.empty() || !same_sandbox(e.sandbox, state.session.sandbox)) return nullptr;
    return &e.text;
}

AnswerOrigin answer_origin(const AppState& state, const Task& task) {
    const auto explained = state.explanations.find(task.id);
    const auto answer = state.session.answers.find(task.answer);
    if (explained == state.explanations.end() || !explained->second.feasible || answer == state.session.answers.end() ||
        !same_matrix(answer->second.data, explained->second.answer))
        return AnswerOrigin::Typed;
    // Solve's key stays Solve's when the query it was derived from changes (issue 21).
    return current_explanation(state, task.id) ? AnswerOrigin::Solved : AnswerOrigin::SolvedForEarlierQuery;
}

AnswerExtras answer_extras(const AppState& state) {
    AnswerExtras extras;
    for (const Task& task : course(state).tasks)
        if (!task.discussion) extras.origins[task.answer] = answer_origin(state, task);
    extras.notes = state.session.notes;
    return extras;
}

std::string window_title(const AppState& state) {
    const std::string& path = state.session_path;
    // Moving between tasks and tabs is not an unsaved change, though the file records where it was.
    Session now = state.session;
    now.mode = state.session_on_disk.mode;
    now.selected_task = state.session_on_disk.selected_task;
    const bool unsaved = path.empty() ? state.history.can_undo() : now != state.session_on_disk;
    const std::string name = path.empty() ? std::string(tr(state, "unsaved session"))
                                          : path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
    return "attnlab \xE2\x80\x94 " + name + (unsaved ? " \xE2\x80\xA2" : "");
}

Session session_for_saving(const AppState& state) {
    Session saved = state.session;
    saved.view = state.settings.view;
    return saved;
}

bool viewing_student(const AppState& state) { return state.class_view.own_work != nullptr; }

const Session& own_document(const AppState& state) {
    return viewing_student(state) ? state.class_view.own_work->session : state.session;
}

Session session_for_autosave(const AppState& state) {
    Session saved = own_document(state);
    saved.view = state.settings.view;
    return saved;
}

void set_own_work_aside(AppState& state) {
    if (viewing_student(state)) return;
    end_edit(state);
    auto own = std::make_shared<OwnWork>();
    own->session = state.session;
    own->session_path = state.session_path;
    own->session_on_disk = state.session_on_disk;
    own->history = state.history;
    own->hand_in = state.hand_in;
    own->explanations = state.explanations;
    own->hints_shown = state.panels.hints_shown;
    own->course = state.current_course.course;
    own->course_where = state.current_course.where;
    state.class_view.own_work = std::move(own);
}

void back_to_own_work(AppState& state) {
    if (!viewing_student(state)) return;
    end_edit(state);
    const std::shared_ptr<OwnWork> own = std::move(state.class_view.own_work);
    state.class_view.own_work.reset();
    const ViewSession view = state.session.view;  // the person's view stays as it is now
    state.session = own->session;
    state.session.view = view;
    state.session_path = own->session_path;
    state.session_on_disk = own->session_on_disk;
    state.history = own->history;
    state.hand_in = own->hand_in;
    state.explanations = own->explanations;
    state.panels.hints_shown = own->hints_shown;
    state.current_course.course = own->course;
    state.current_course.where = own->course_where;
    state.class_view.opened_student.clear();
    refresh(state);
}

void end_student_view(AppState& state) {
    state.class_view.own_work.reset();
    state.class_view.opened_student.clear();
}

}  // namespace attn::app
