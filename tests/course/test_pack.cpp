// Course packs (issue 13): every built-in pack round-trips (solve → export → check passes every
// task in float32), variants for 200 students are all solvable and distinct, broken packs are
// rejected with the JSON path of each problem, and every task has both hints in every language.
#include "core/base/error.h"
#include "core/course/exercises.h"
#include "core/course/hints.h"
#include "core/base/i18n.h"
#include "core/base/json_io.h"
#include "core/base/limits.h"
#include "core/course/pack.h"
#include "core/course/report.h"
#include "core/base/text.h"

#include "tests/support/cpu_time.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <set>

namespace {

using nlohmann::json;

json builtin_doc(const std::string& id) {
    for (const attn::BuiltinPack& pack : attn::builtin_packs())
        if (pack.id == id) return json::parse(pack.json);
    ADD_FAILURE() << "no built-in pack " << id;
    return json::object();
}

std::vector<attn::PackProblem> problems_of(const json& doc) { return attn::read_pack(doc.dump(), "p.json").problems; }

bool has_problem(const std::vector<attn::PackProblem>& problems, const std::string& path, const std::string& words) {
    for (const attn::PackProblem& p : problems)
        if (p.path == path && p.message.find(words) != std::string::npos) return true;
    return false;
}

std::string listed(const std::vector<attn::PackProblem>& problems) {
    return attn::pack_problems_text("p.json", problems);
}

}  // namespace

TEST(Pack, BuiltinPacksAreValidAndTheNotebookIsOne) {
    ASSERT_GE(attn::builtin_packs().size(), 2u);
    for (const attn::BuiltinPack& pack : attn::builtin_packs()) {
        const attn::PackReading reading = attn::read_pack(pack.json, pack.id);
        EXPECT_TRUE(reading.ok) << listed(reading.problems);
        EXPECT_EQ(reading.course.id, pack.id);
    }
    // The notebook pack's torch data are the notebook's numbers, bit for bit.
    const attn::Course& notebook = attn::notebook_course();
    EXPECT_EQ(notebook.data.keys, attn::notebook_dataset().keys);
    EXPECT_EQ(notebook.data.values, attn::notebook_dataset().values);
    const attn::Course second = attn::load_pack(builtin_doc("temperature-masks").dump(), "tm");
    EXPECT_EQ(second.data.keys.rows(), 8);
}

// Issue 23, defect 2: a pack's tasks and solver work are bounded when it is read, before any
// solving; the shipped packs are a thousandth of the limit or less.
TEST(Pack, TasksAndSolverWorkAreBoundedBeforeSolving) {
    for (const attn::BuiltinPack& pack : attn::builtin_packs()) {
        const attn::Course course = attn::load_pack(pack.json, pack.id);
        EXPECT_GT(attn::pack_work(course), 0);
        EXPECT_LE(attn::pack_work(course) * 1000, attn::kMaxPackWork) << pack.id;
        EXPECT_LE(static_cast<int>(course.tasks.size()) * 10, attn::kMaxPackTasks) << pack.id;
        EXPECT_EQ(attn::variant_attempts(course), attn::kMaxVariantAttempts) << pack.id;
    }
    // Identity over 1024×128 torch data: 2^27 units (19.6 s of solving before); refused at once.
    json doc = builtin_doc("notebook");
    doc["data"]["torch"]["shape"] = json::array({1024, 128, 128});
    json identity;
    for (const json& task : doc["tasks"])
        if (task.value("goal", "") == "identity") identity = task;
    ASSERT_TRUE(identity.is_object());
    identity["edit"]["rows"] = 1024;
    doc["tasks"] = json::array({identity});
    const double started = attn::test::cpu_seconds();
    std::vector<attn::PackProblem> problems = problems_of(doc);
    EXPECT_LT(attn::test::cpu_seconds() - started, 1.0);  // bounded before solving, not by solving
    EXPECT_TRUE(has_problem(problems, "$.tasks", "134217728 units of work")) << listed(problems);
    EXPECT_TRUE(has_problem(problems, "$.tasks", "more than the limit of 524288")) << listed(problems);
    EXPECT_EQ(problems.size(), 1u) << listed(problems);
    // At the limit exactly (identity over 128 keys in 32 dimensions): read and solved.
    doc["data"]["torch"]["shape"] = json::array({128, 32, 32});
    doc["tasks"][0]["edit"]["rows"] = 128;
    const attn::PackReading at_limit = attn::read_pack(doc.dump(), "p.json");
    EXPECT_EQ(attn::pack_work(at_limit.course), attn::kMaxPackWork);
    EXPECT_TRUE(at_limit.ok) << listed(at_limit.problems);
    EXPECT_EQ(attn::variant_attempts(at_limit.course), 4);
    // One task more than kMaxPackTasks: refused before the tasks are read.
    doc = builtin_doc("notebook");
    json many = json::array();
    for (int i = 0; i <= attn::kMaxPackTasks; ++i) {
        json task = doc["tasks"][0];
        task["id"] = "t" + std::to_string(i);
        task["answer"] = "a" + std::to_string(i);
        many.push_back(task);
    }
    doc["tasks"] = many;
    problems = problems_of(doc);
    EXPECT_TRUE(has_problem(problems, "$.tasks", "257 tasks, more than the limit of 256")) << listed(problems);
    EXPECT_THROW(attn::make_variant(doc.dump(), "p.json", "alice"), attn::InputError);
}

TEST(Pack, EveryBuiltinPackRoundTripsThroughExportAndCheck) {
    for (const attn::BuiltinPack& pack : attn::builtin_packs()) {
        const attn::Course course = attn::load_pack(pack.json, pack.id);
        std::vector<attn::TaskSolution> solutions;
        const attn::AnswerSet answers = attn::solve_all(course, course.data, course.tolerance, {}, &solutions);
        const std::string exported = attn::pack_answers_json(course, answers).dump(2);
        const attn::PackAnswers read = attn::read_pack_answers(exported, "answers.json", course);
        EXPECT_EQ(read.pack, course.id);
        int graded = 0;
        for (const attn::TaskCheck& check : attn::check_all(course, course.data, read.answers, course.tolerance)) {
            EXPECT_TRUE(check.answered) << pack.id << " " << check.id;
            EXPECT_TRUE(check.pass) << pack.id << " " << check.id << " " << check.max_abs_diff << " " << check.problem;
            ++graded;
        }
        EXPECT_GE(graded, 6) << pack.id;
    }
}

TEST(Pack, TheTemperatureTaskGradesTheWeight) {
    const attn::Course course = attn::load_pack(builtin_doc("temperature-masks").dump(), "tm");
    const attn::Task* task = course.find("2.1.1");
    ASSERT_NE(task, nullptr);
    attn::AnswerSet answers;
    answers[task->answer].data = Eigen::MatrixXd::Constant(1, 1, 1.0);  // T = 1: the weight stays low
    attn::TaskCheck check = attn::check_task(course, *task, course.data, answers, course.tolerance);
    EXPECT_FALSE(check.pass);
    EXPECT_GT(check.max_abs_diff, 0.5f);
    answers[task->answer].data(0, 0) = 0.01;  // far below the bound
    check = attn::check_task(course, *task, course.data, answers, course.tolerance);
    EXPECT_TRUE(check.pass) << check.problem;
    EXPECT_GE(check.attention.weights(0, 0), 0.9f);
}

// Issue 21: a temperature task says the weight it measured and what it needs, with the task's own
// tolerance, never "max abs diff" (the output is not what it grades).
TEST(Pack, TheTemperatureTaskSaysTheWeightItMeasured) {
    const attn::Course course = attn::load_pack(builtin_doc("temperature-masks").dump(), "tm");
    const attn::Task* task = course.find("2.1.1");
    ASSERT_NE(task, nullptr);
    attn::AnswerSet answers;
    answers[task->answer].data = Eigen::MatrixXd::Constant(1, 1, 0.2);
    const attn::TaskCheck check = attn::check_task(course, *task, course.data, answers, course.tolerance);
    EXPECT_EQ(check.measure, attn::CheckMeasure::KeyWeight);
    EXPECT_EQ(check.weight_key, 0);
    EXPECT_DOUBLE_EQ(check.weight, static_cast<double>(check.attention.weights(0, 0)));
    EXPECT_DOUBLE_EQ(check.tolerance, 0.001);  // the task's own, not the course's 0.05
    const std::string weight = attn::format("%.3f", check.weight);
    EXPECT_EQ(attn::measured_text(check), "weight of k0 = " + weight + ", needs ≥ 0.9 (within 0.001)");
    EXPECT_EQ(attn::measured_text(check).find("diff"), std::string::npos);
    // The command line's report shows the weight in its figure column and says what it needs.
    const std::string report = attn::checks_as_text(course, {check}, course.tolerance, attn::Language{});
    EXPECT_NE(report.find(weight), std::string::npos) << report;
    EXPECT_NE(report.find("needs ≥ 0.9"), std::string::npos) << report;
}

// An output-diff task names its own tolerance and the comparison that decided it.
TEST(Pack, AnOutputTaskSaysItsDiffAndItsTolerance) {
    const attn::Course course = attn::load_pack(builtin_doc("temperature-masks").dump(), "tm");
    const attn::Task* task = course.find("2.1.2");
    ASSERT_NE(task, nullptr);
    attn::AnswerSet answers;
    answers[task->answer].data = Eigen::MatrixXd::Zero(1, course.data.keys.cols());
    const attn::TaskCheck check = attn::check_task(course, *task, course.data, answers, course.tolerance);
    ASSERT_FALSE(check.pass);
    EXPECT_EQ(check.measure, attn::CheckMeasure::OutputDiff);
    EXPECT_EQ(attn::measured_text(check),
              "max abs diff " + attn::format("%.3g", static_cast<double>(check.max_abs_diff)) + " > 0.05");
    attn::TaskCheck unanswered;
    EXPECT_EQ(attn::measured_text(unanswered), "");
}

TEST(Pack, TheCausalMaskHidesLaterKeys) {
    const attn::Course course = attn::load_pack(builtin_doc("temperature-masks").dump(), "tm");
    const attn::Task* task = course.find("2.2.2");  // the query at token 2 sees keys 0..2
    ASSERT_NE(task, nullptr);
    attn::AnswerSet answers;
    answers[task->answer].data = Eigen::MatrixXd::Zero(1, 3);
    answers[task->answer].is_vector = true;
    const attn::TaskCheck check = attn::check_task(course, *task, course.data, answers, course.tolerance);
    ASSERT_EQ(check.attention.weights.cols(), 8);
    for (int j = 0; j < 8; ++j) EXPECT_FLOAT_EQ(check.attention.weights(0, j), j <= 2 ? 1.0f / 3 : 0.0f) << j;
}

TEST(Pack, VariantsFor200StudentsAreSolvableDistinctAndStable) {
    // The derivation is documented (core/course/pack.h); these figures must never change.
    EXPECT_EQ(attn::variant_seed("notebook", "alice", 0), attn::variant_seed("notebook", "alice", 0));
    EXPECT_EQ(attn::variant_seed("notebook", "alice", 0), 2972673128u);
    EXPECT_NE(attn::variant_seed("notebook", "alice", 0), attn::variant_seed("notebook", "alice", 1));
    EXPECT_NE(attn::variant_seed("notebook", "alice", 0), attn::variant_seed("temperature-masks", "alice", 0));
    for (const attn::BuiltinPack& pack : attn::builtin_packs()) {
        std::set<std::vector<double>> datasets;
        int moved = 0;
        for (int i = 0; i < 200; ++i) {
            const std::string student = "s" + std::to_string(1000 + i);
            const attn::PackVariant variant = attn::make_variant(pack.json, pack.id, student);
            EXPECT_EQ(variant.course.variant_student, student);
            EXPECT_EQ(variant.course.torch.seed, attn::variant_seed(pack.id, student, variant.attempt));
            EXPECT_EQ(static_cast<int>(variant.skipped.size()), variant.attempt);
            moved += variant.attempt > 0;
            // Solvable: the written file reads back with no problem (read_pack solves every task).
            const attn::PackReading again = attn::read_pack(variant.doc.dump(), student);
            EXPECT_TRUE(again.ok) << student << ": " << listed(again.problems);
            std::vector<double> numbers(variant.course.data.keys.data(),
                                        variant.course.data.keys.data() + variant.course.data.keys.size());
            datasets.insert(numbers);
        }
        EXPECT_EQ(datasets.size(), 200u) << pack.id;
        // The same student always gets the same variant.
        EXPECT_EQ(attn::make_variant(pack.json, pack.id, "s1000").doc, attn::make_variant(pack.json, pack.id, "s1000").doc);
        std::printf("%s: 200 variants, %d moved past an impossible seed\n", pack.id.c_str(), moved);
    }
}

TEST(Pack, VariantsNeedTorchDataAndAreNotNested) {
    json doc = builtin_doc("notebook");
    const attn::Dataset data = attn::notebook_dataset();
    doc["data"] = json{{"inline", {{"keys", attn::matrix_to_json(data.keys)}, {"values", attn::matrix_to_json(data.values)}}}};
    EXPECT_TRUE(attn::read_pack(doc.dump(), "inline").ok);
    EXPECT_THROW(attn::make_variant(doc.dump(), "inline", "bob"), attn::InputError);
    const attn::PackVariant variant = attn::make_variant(builtin_doc("notebook").dump(), "nb", "bob");
    EXPECT_THROW(attn::make_variant(variant.doc.dump(), "nb-bob", "carol"), attn::InputError);
}

// The corpus of broken packs: each change to a valid pack is rejected with the path it is at.
TEST(Pack, BrokenPacksAreRejectedWithTheirJsonPath) {
    struct Case {
        const char* what;
        std::function<void(json&)> change;
        const char* path;
        const char* words;
    };
    const std::vector<Case> cases = {
        {"unknown goal", [](json& d) { d["tasks"][0]["goal"] = "pick:0"; }, "$.tasks[0].goal", "unknown goal"},
        {"index out of range", [](json& d) { d["tasks"][3]["goal"] = "average:0,9"; }, "$.tasks[3].goal", "does not exist"},
        {"missing translation", [](json& d) { d["tasks"][1]["prompt"].erase("zh"); }, "$.tasks[1].prompt.zh",
         "missing translation"},
        {"bad tolerance", [](json& d) { d["tolerance"] = 0; }, "$.tolerance", "bad tolerance"},
        {"bad task tolerance", [](json& d) { d["tasks"][0]["tolerance"] = -1; }, "$.tasks[0].tolerance", "bad tolerance"},
        {"unknown field", [](json& d) { d["tasks"][0]["tolerence"] = 0.1; }, "$.tasks[0].tolerence", "unknown field"},
        {"unknown tensor", [](json& d) { d["tasks"][0]["edit"]["tensor"] = "value"; }, "$.tasks[0].edit.tensor",
         "unknown tensor"},
        {"key row out of range", [](json& d) { d["tasks"][6]["edit"]["row"] = 7; }, "$.tasks[6].edit.row", "does not exist"},
        {"dependency missing", [](json& d) { d["tasks"][6]["edit"]["query_from"] = "9.9"; }, "$.tasks[6].edit.query_from",
         "no earlier task"},
        {"bad scale", [](json& d) { d["scale"] = "sqrt"; }, "$.scale", "inv_sqrt_d"},
        {"bad mask", [](json& d) { d["mask"] = "future"; }, "$.mask", "causal"},
        {"identity rows", [](json& d) { d["tasks"][1]["edit"]["rows"] = 3; }, "$.tasks[1].edit.rows", "one query row per key"},
        {"torch shape", [](json& d) { d["data"]["torch"]["shape"] = json::array({4, 0}); }, "$.data.torch.shape[1]",
         "out of range"},
        {"format", [](json& d) { d["attnlab_pack"] = 2; }, "$.attnlab_pack", "not supported"},
        {"language list", [](json& d) { d["languages"] = json::array({"zh"}); }, "$.languages", "must include"},
        {"duplicate id", [](json& d) { d["tasks"][1]["id"] = "1.2.1"; }, "$.tasks[1].id", "listed twice"},
        {"section", [](json& d) { d["tasks"][0]["section"] = "9"; }, "$.tasks[0].section", "no section"},
        {"join group", [](json& d) { d["tasks"][6]["edit"]["join_group"] = json::array({0, 3}); },
         "$.tasks[6].edit.join_group", "goal's keys"},
    };
    for (const Case& c : cases) {
        json doc = builtin_doc("notebook");
        c.change(doc);
        const auto problems = problems_of(doc);
        EXPECT_TRUE(has_problem(problems, c.path, c.words)) << c.what << ":\n" << listed(problems);
        EXPECT_THROW(attn::load_pack(doc.dump(), "p.json"), attn::InputError) << c.what;
    }
    // Impossible goals carry the solver's reason.
    json doc = builtin_doc("temperature-masks");
    doc["tasks"][8]["goal"] = "average:0,2";
    EXPECT_TRUE(has_problem(problems_of(doc), "$.tasks[8].goal", "impossible goal \"average:0,2\": keys {0,2} are not"))
        << listed(problems_of(doc));
    EXPECT_TRUE(has_problem(problems_of(doc), "$.tasks[8].goal", "convex hull")) << listed(problems_of(doc));
    // Every problem is reported, not just the first.
    doc = builtin_doc("temperature-masks");
    doc["tasks"][0]["goal"] = "weight:0>=1.5";
    doc["tasks"][3]["goal"] = "select:9";
    doc["title"].erase("zh");
    doc["tasks"][4]["goal"] = "select:5";  // hidden from the query at token 2
    const auto problems = problems_of(doc);
    EXPECT_TRUE(has_problem(problems, "$.tasks[0].goal", "from 0 to 1")) << listed(problems);
    EXPECT_TRUE(has_problem(problems, "$.tasks[3].goal", "does not exist")) << listed(problems);
    EXPECT_TRUE(has_problem(problems, "$.title.zh", "missing translation")) << listed(problems);
    EXPECT_TRUE(has_problem(problems, "$.tasks[4].goal", "hidden from the query at token 2")) << listed(problems);
    // Messages from load_pack stay one clean line.
    try {
        attn::load_pack(doc.dump(), "p.json");
        ADD_FAILURE() << "accepted";
    } catch (const attn::InputError& e) {
        EXPECT_TRUE(attn::message_is_clean(e.what())) << e.what();
        EXPECT_NE(std::string(e.what()).find("more"), std::string::npos) << e.what();
    }
}

// The CI fuzzer's finding: an impossible average over 8 keys in 3-D gets the solver's long
// convex-hull reason, and "path: message" came to more than kMaxMessageBytes. Every problem,
// printed with its path as the fuzzer and `pack check` print it, is one clean line.
TEST(Pack, ALongSolverReasonStillMakesOneCleanProblemLine) {
    std::size_t impossible = 0, longest = 0;
    for (int seed = 0; seed < 60; ++seed) {
        json doc = builtin_doc("temperature-masks");
        doc["data"]["torch"]["seed"] = seed;
        doc["tasks"][8]["title"]["en"] = std::string(200, 'A');  // long texts must not push it over either
        for (const attn::PackProblem& p : problems_of(doc)) {
            const std::string line = p.path + ": " + p.message;
            EXPECT_TRUE(attn::message_is_clean(line)) << line.size() << " bytes: " << line;
            if (p.message.find("convex hull") != std::string::npos) {
                ++impossible;
                EXPECT_NE(p.message.find("No query"), std::string::npos) << "the conclusion was cut: " << line;
            }
            longest = std::max(longest, line.size());
        }
    }
    EXPECT_GT(impossible, 0u) << "no seed gave an impossible goal: the test proves nothing";
    EXPECT_LE(longest, attn::kMaxMessageBytes);
}

TEST(Pack, AnswersNameTheirPackAndOnlyItsTensors) {
    const attn::Course& course = attn::notebook_course();
    EXPECT_THROW(attn::read_pack_answers(R"({"answers": {"query999": [1, 2, 3]}})", "a.json", course), attn::InputError);
    EXPECT_THROW(attn::read_pack_answers(R"({"answers": {"query121": [1e300, 2, 3]}})", "a.json", course), attn::InputError);
    const attn::PackAnswers read =
        attn::read_pack_answers(R"({"pack": "notebook", "student": "bob", "answers": {"query121": [1, 2, 3]}})", "a.json", course);
    EXPECT_EQ(read.student, "bob");
    EXPECT_TRUE(read.answers.at("query121").is_vector);
}

TEST(Hints, EveryTaskOfEveryPackHasBothHintsInEveryLanguage) {
    for (const attn::BuiltinPack& pack : attn::builtin_packs()) {
        const attn::Course course = attn::load_pack(pack.json, pack.id);
        std::set<std::string> languages(course.languages.begin(), course.languages.end());
        for (const attn::LanguageInfo& info : attn::available_languages()) languages.insert(info.code);
        const attn::AnswerSet solved = attn::solve_all(course, course.data, course.tolerance, {});
        for (const std::string& code : languages) {
            for (const attn::Task& task : course.tasks) {
                if (task.discussion) continue;
                for (const attn::AnswerSet* answers : {&solved}) {
                    const attn::TaskHints hints = attn::task_hints(course, task, course.data, *answers, attn::Language{code});
                    EXPECT_FALSE(hints.must_hold.empty()) << pack.id << " " << task.id << " " << code;
                    EXPECT_FALSE(hints.direction.empty()) << pack.id << " " << task.id << " " << code;
                    if (code != "en") {
                        const attn::TaskHints english = attn::task_hints(course, task, course.data, *answers, {});
                        EXPECT_NE(hints.must_hold, english.must_hold) << pack.id << " " << task.id << " " << code;
                        EXPECT_NE(hints.direction, english.direction) << pack.id << " " << task.id << " " << code;
                    }
                }
                // Without the answers a task builds on, the hint says what to do first.
                const attn::TaskHints fresh = attn::task_hints(course, task, course.data, {}, {});
                EXPECT_FALSE(fresh.direction.empty()) << pack.id << " " << task.id;
            }
        }
    }
}

TEST(Hints, AnImpossibleGoalsHintGivesTheSolversReason) {
    const attn::Course course = attn::load_pack(builtin_doc("temperature-masks").dump(), "tm");
    attn::Task task = *course.find("2.3.2");
    task.target = attn::parse_goal("average:0,2", 8);
    const attn::TaskHints hints = attn::task_hints(course, task, course.data, {}, {});
    EXPECT_NE(hints.direction.find("impossible"), std::string::npos) << hints.direction;
    EXPECT_NE(hints.direction.find("convex hull"), std::string::npos) << hints.direction;
}
