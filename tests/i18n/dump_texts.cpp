// Writes, as JSON {"where": "text", ...}, everything attnlab says in one language: each string the
// code passes to tr() (read from a list), every course text, and every explanation core and the
// app produce (solves, diagnoses of many answers, checks, reports, sandbox goals with and without
// the causal mask). tests/i18n/pseudo_language.py judges the result: no English may be left.
//
// Usage: i18n_dump_texts LANGUAGE COURSE_JSON STRINGS_JSON OUT_JSON
//   LANGUAGE      a code with a catalog (a pseudo-language through ATTNLAB_EXTRA_CATALOG)
//   COURSE_JSON   the course, with the language's texts (the pseudo-language's own copy)
//   STRINGS_JSON  ["English", ...]: the strings the code translates (check_catalogs.py --list)
// Exit 2 when the language has no catalog or an input cannot be read.
#include "app/app_state.h"
#include "app/i18n.h"
#include "core/course/diagnosis.h"
#include "core/base/error.h"
#include "core/course/exercises.h"
#include "core/base/json_io.h"
#include "core/course/report.h"
#include "core/formats/session.h"
#include "core/math/solver.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>

namespace {

using attn::AnswerSet;
using attn::Course;
using attn::Language;
using attn::LocalText;

void put(nlohmann::json& out, const std::string& where, const std::string& text) {
    if (!text.empty()) out[where] = text;
}

void put_text(nlohmann::json& out, const std::string& where, const LocalText& text, const Language& language) {
    put(out, where, text.get(language));
}

// Answer sets that reach the diagnosis's many branches (as tests/course/test_diagnosis.cpp does).
std::vector<std::pair<std::string, AnswerSet>> answer_sets(const AnswerSet& solved) {
    std::vector<std::pair<std::string, AnswerSet>> sets;
    sets.push_back({"solved", solved});
    sets.push_back({"empty", {}});
    for (double factor : {0.05, 0.5, -1.0, 3.0}) {
        AnswerSet scaled = solved;
        for (auto& [name, answer] : scaled)
            if (name.rfind("query", 0) == 0) answer.data *= factor;
        sets.push_back({attn::format("queries x %g", factor), scaled});
    }
    AnswerSet zero = solved;
    for (auto& [name, answer] : zero)
        if (name.rfind("query", 0) == 0) answer.data.setZero();
    zero["m_key142"].data.row(2).setZero();
    sets.push_back({"zero", zero});
    AnswerSet huge = solved;
    for (auto& [name, answer] : huge)
        if (name.rfind("query", 0) == 0) answer.data.setConstant(1e6);
    sets.push_back({"huge", huge});
    AnswerSet misshapen = solved;
    misshapen["query121"].data = Eigen::MatrixXd::Ones(2, 2);
    misshapen["m_key141"].data = Eigen::MatrixXd::Ones(4, 3);
    sets.push_back({"misshapen", misshapen});
    AnswerSet typed = solved;
    typed["m_key142"].data.row(2) << 2.1, 2.2, 0.02;
    typed["m_key141"].data.row(2) *= 0.5;
    sets.push_back({"typed", typed});
    AnswerSet swapped = solved;
    for (auto& [name, answer] : swapped)
        if (name.rfind("query", 0) == 0) answer.data.rowwise().reverseInPlace();
    sets.push_back({"reversed", swapped});
    AnswerSet no_query = solved;
    no_query.erase("query132");
    sets.push_back({"no 1.3.2", no_query});
    return sets;
}

void dump_core(nlohmann::json& out, const Course& course, const Language& language) {
    const attn::Dataset data = attn::notebook_dataset();
    attn::SolveOptions options;
    options.language = language;
    for (double tolerance : {0.05, 1e-3}) {
        std::vector<attn::TaskSolution> solutions;
        const AnswerSet solved = attn::solve_all(course, data, tolerance, options, &solutions);
        const std::string tol = attn::format("tol %g", tolerance);
        for (const attn::TaskSolution& s : solutions) {
            put(out, "solve " + tol + " " + s.check.id + " explanation", s.solution.explanation);
            put(out, "solve " + tol + " " + s.check.id + " reason", s.solution.reason);
        }
        put(out, "report solutions " + tol, attn::solutions_as_text(course, solutions, tolerance, language));
        for (const auto& [name, answers] : answer_sets(solved)) {
            const std::string where = tol + " " + name;
            const auto checks = attn::check_all(course, data, answers, tolerance, language);
            for (const attn::TaskCheck& c : checks) put(out, "check " + where + " " + c.id, c.problem);
            put(out, "report checks " + where, attn::checks_as_text(course, checks, tolerance, language));
            for (const attn::Task& task : course.tasks) {
                const attn::Diagnosis d = attn::diagnose_task(course, task, data, answers, tolerance);
                put_text(out, "diagnosis " + where + " " + task.id + " summary", d.summary, language);
                put_text(out, "diagnosis " + where + " " + task.id + " details", d.details, language);
            }
        }
    }
    // Goals on the notebook's data and on data that makes them impossible.
    attn::Dataset inside = data;
    inside.keys.row(3) = (data.keys.row(0) + data.keys.row(1)) / 2;  // k3 inside the hull: cannot be selected alone
    for (const auto& [name, d] : {std::pair<std::string, attn::Dataset>{"notebook", data}, {"k3 inside", inside}})
        for (const char* goal : {"select:0", "select:3", "average:0,1", "average:0,3", "average:0,1,2,3", "identity"}) {
            const attn::Solution s = attn::solve_query_goal(d, attn::parse_goal(goal, 4), options);
            put(out, "goal " + name + " " + goal + " explanation", s.explanation);
            put(out, "goal " + name + " " + goal + " reason", s.reason);
        }
}

// The sandbox's Solve, whose causal-mask sentences live in the app.
void dump_sandbox(nlohmann::json& out, const Language& language) {
    for (bool causal : {false, true})
        for (const char* goal : {"select:0", "select:3", "average:0,1", "identity"})
            for (int queries : {1, 4}) {
                attn::app::AppState state;
                state.session = attn::default_session();
                state.session.mode = attn::AppMode::Sandbox;
                state.session.sandbox.causal = causal;
                state.session.sandbox.goal = goal;
                state.session.sandbox.queries = Eigen::MatrixXd::Ones(queries, state.session.sandbox.data.keys.cols());
                state.settings.view.language = language.code;
                attn::app::refresh(state);
                attn::app::solve_selected(state);
                put_text(out, attn::format("sandbox causal=%d %s n=%d", causal, goal, queries), state.sandbox_solution.text,
                         language);
            }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 5) {
        std::fprintf(stderr, "usage: i18n_dump_texts LANGUAGE COURSE_JSON STRINGS_JSON OUT_JSON\n");
        return 2;
    }
    try {
        const Language language = attn::parse_language(argv[1]);
        nlohmann::json out = nlohmann::json::object();
        for (const auto& english : attn::read_json_file(argv[3], 16u << 20)) {
            const std::string text = english.get<std::string>();
            out["tr " + text] = attn::translate(language.code, text.c_str());
        }
        const Course course = attn::parse_course(attn::read_text_file(argv[2], 16u << 20), argv[2], 4);
        put_text(out, "course title", course.title, language);
        put_text(out, "course tolerance_note", course.tolerance_note, language);
        for (const attn::Section& s : course.sections) put_text(out, "section " + s.id + " title", s.title, language);
        for (const attn::Task& t : course.tasks) {
            put_text(out, "task " + t.id + " title", t.title, language);
            put_text(out, "task " + t.id + " prompt", t.prompt, language);
        }
        dump_core(out, course, language);
        dump_sandbox(out, language);
        std::ofstream(argv[4]) << out.dump(1) << "\n";
        std::printf("%zu texts in %s\n", out.size(), language.code.c_str());
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "i18n_dump_texts: %s\n", e.what());
        return 2;
    }
}
