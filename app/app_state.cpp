#include "app/app_state.h"

#include "core/error.h"
#include "core/solver.h"

#include <algorithm>

namespace attn::app {

const Course& course() { return notebook_course(); }

Language language(const AppState& state) { return state.session.view.language == "zh" ? Language::Zh : Language::En; }

namespace {

const Dataset& notebook() {
    static const Dataset data = notebook_dataset();  // immutable constant
    return data;
}

const Task* selected_task(const AppState& state) {
    if (state.session.mode != AppMode::Exercises) return nullptr;
    return course().find(state.session.selected_task);
}

Workspace build_workspace(const AppState& state) {
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
        w.keys = notebook().keys;
        w.values = notebook().values;
        const int d = static_cast<int>(w.keys.cols());
        if (task->discussion) {
            w.kind = Workspace::Kind::Discussion;
            w.queries = Eigen::MatrixXd::Zero(1, d);
            w.queries_editable = false;
        } else if (task->edit.tensor == TaskEdit::Tensor::Query) {
            w.kind = Workspace::Kind::QueryTask;
            const auto it = s.answers.find(task->answer);
            w.query_answered = it != s.answers.end() && it->second.data.rows() == task->edit.rows &&
                               it->second.data.cols() == d;
            w.queries = w.query_answered ? it->second.data : Eigen::MatrixXd::Zero(task->edit.rows, d);
        } else {
            w.kind = Workspace::Kind::KeyTask;
            const Task* source = course().find(task->edit.query_from);
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
        if (!task->discussion) {
            const Eigen::MatrixXf target = task_target(*task, notebook());
            w.target = target.cast<double>();
            if (w.target.rows() == 1 && w.queries.rows() > 1) w.target = w.target.replicate(w.queries.rows(), 1);
        }
    }
    try {
        w.result = attention(w.queries, w.keys, w.values, w.options);
    } catch (const InputError& e) {
        w.error = e.what();
    }
    return w;
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
    state.mode_tab_sync = true;
    state.workspace = build_workspace(state);
    state.checks = check_all(course(), notebook(), state.session.answers, state.session.tolerance, language(state));
}

void begin_edit(AppState& state) {
    if (state.edit_running) return;
    state.edit_before = state.session;
    state.edit_running = true;
}

void end_edit(AppState& state) {
    if (!state.edit_running) return;
    state.edit_running = false;
    state.history.record(state.edit_before, state.session);
}

void commit_edit(AppState& state, const Session& before) {
    state.history.record(before, state.session);
    refresh(state);
}

void undo(AppState& state) {
    end_edit(state);
    if (state.history.undo(state.session)) refresh(state);
}

void redo(AppState& state) {
    end_edit(state);
    if (state.history.redo(state.session)) refresh(state);
}

Eigen::MatrixXd clamped(const Eigen::MatrixXd& m) { return m.cwiseMax(-kMaxComponent).cwiseMin(kMaxComponent); }

void set_query(AppState& state, const Eigen::MatrixXd& queries_in) {
    const Workspace& w = state.workspace;
    if (!w.queries_editable) return;
    const Eigen::MatrixXd queries = clamped(queries_in);
    if (w.kind == Workspace::Kind::Sandbox) state.session.sandbox.queries = queries;
    else if (w.task) answer_for(state, *w.task).data = queries;
    refresh(state);
}

void set_key_row(AppState& state, int row, const Eigen::RowVectorXd& key_in) {
    const Eigen::RowVectorXd key = clamped(key_in);
    const Workspace& w = state.workspace;
    if (w.kind == Workspace::Kind::Sandbox) {
        state.session.sandbox.data.keys.row(row) = key;
        state.session.sandbox.source = DataSource::Typed;
    } else if (w.kind == Workspace::Kind::KeyTask && row == w.editable_key_row) {
        Eigen::RowVectorXd edited = key;
        // As the notebook does after the edit: m_key[2] /= m_key[2].norm().
        if (w.key_unit_norm && edited.norm() > 0) edited /= edited.norm();
        answer_for(state, *w.task).data.row(row) = edited;
    } else {
        return;
    }
    refresh(state);
}

void set_value_row(AppState& state, int row, const Eigen::RowVectorXd& value_in) {
    const Eigen::RowVectorXd value = clamped(value_in);
    if (state.workspace.kind != Workspace::Kind::Sandbox) return;
    state.session.sandbox.data.values.row(row) = value;
    state.session.sandbox.source = DataSource::Typed;
    refresh(state);
}

void select_task(AppState& state, const std::string& id) {
    if (!course().find(id)) return;
    state.session.mode = AppMode::Exercises;
    state.session.selected_task = id;
    refresh(state);
}

void select_next_task(AppState& state, int step) {
    const auto& tasks = course().tasks;
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
    std::string text = std::string(language == Language::Zh ? "无法实现：" : "Impossible: ") + solution.reason;
    if (!solution.explanation.empty()) text += "\n" + solution.explanation;
    return text;
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
            AttentionOptions attention_options;
            attention_options.scale_mode = sandbox.scale_mode;
            attention_options.temperature = sandbox.temperature;
            Solution solutions[2];
            for (Language lang : {Language::En, Language::Zh}) {
                SolveOptions options = solve_options(lang);
                options.scale = attention_scale(attention_options, static_cast<int>(sandbox.data.keys.cols()));
                solutions[lang == Language::Zh] = solve_query_goal(sandbox.data, goal, options);
            }
            const Solution& solution = solutions[0];
            if (solution.feasible) {
                // One query answers select/average: it goes into the first row, the other rows stay.
                if (goal.kind == Goal::Kind::Identity || sandbox.queries.cols() != solution.answer.cols())
                    sandbox.queries = solution.answer;
                else
                    sandbox.queries.row(0) = solution.answer.row(0);
                sandbox.causal = false;  // the goal is about unmasked attention
            }
            state.sandbox_solution = {solution_text(solutions[0], Language::En), solution_text(solutions[1], Language::Zh)};
        } catch (const InputError& e) {
            state.sandbox_solution = {e.what(), e.what()};
        }
        commit_edit(state, before);
        return;
    }
    const Task* task = selected_task(state);
    if (!task || task->discussion) return;
    TaskSolution solved[2];
    for (Language lang : {Language::En, Language::Zh})
        solved[lang == Language::Zh] =
            solve_task(course(), *task, notebook(), state.session.answers, state.session.tolerance, solve_options(lang));
    if (solved[0].solution.feasible) state.session.answers[task->answer] = solved[0].answer;
    state.explanations[task->id] = {solution_text(solved[0].solution, Language::En), solution_text(solved[1].solution, Language::Zh)};
    commit_edit(state, before);
}

void solve_all_tasks(AppState& state) {
    const Session before = state.session;
    std::vector<TaskSolution> solutions[2];
    for (Language lang : {Language::En, Language::Zh})
        solve_all(course(), notebook(), state.session.tolerance, solve_options(lang), &solutions[lang == Language::Zh]);
    for (size_t i = 0; i < solutions[0].size(); ++i) {
        const TaskSolution& solved = solutions[0][i];
        if (solved.solution.feasible) state.session.answers[course().find(solved.check.id)->answer] = solved.answer;
        state.explanations[solved.check.id] = {solution_text(solved.solution, Language::En),
                                               solution_text(solutions[1][i].solution, Language::Zh)};
    }
    commit_edit(state, before);
}

void reset_selected(AppState& state) {
    const Session before = state.session;
    if (state.session.mode == AppMode::Sandbox) {
        state.session.sandbox.queries.setZero();
    } else if (const Task* task = selected_task(state); task && !task->discussion) {
        state.session.answers.erase(task->answer);
        state.explanations.erase(task->id);
    }
    commit_edit(state, before);
}

void toast(AppState& state, const std::string& text, bool is_error) {
    state.toasts.push_back({text, is_error, state.now + (is_error ? 8.0 : 4.0)});
}

}  // namespace attn::app
