// Issue 26: the limits of packs and classes at their exact boundary: the student ID a variant is
// made for (make_variant and a roster: 1 to 200 bytes), a pack file's size (kMaxCourseFileBytes)
// and its task count (kMaxPackTasks). The value AT the limit is accepted, one PAST it is refused.
#include "core/base/error.h"
#include "core/base/limits.h"
#include "core/course/class_report.h"
#include "core/course/pack.h"

#include <gtest/gtest.h>

#include "tests/support/test_support.h"
#include <nlohmann/json.hpp>

#include <functional>
#include <string>

namespace {

using attn::test::contains;
const auto error_of = attn::test::input_error_of;

std::string pack_text() { return attn::find_builtin_pack("temperature-masks")->json; }

std::string problems(const attn::PackReading& reading) {
    std::string out;
    for (const auto& p : reading.problems) out += p.path + ": " + p.message + "\n";
    return out.empty() ? "(none)" : out;
}

}  // namespace

TEST(PackLimits, StudentIdOfTwoHundredBytesMakesAVariantTwoHundredAndOneDoNot) {
    const std::string pack = pack_text();
    EXPECT_EQ(error_of([&] { attn::make_variant(pack, "tm.json", std::string(200, 's')); }), "(accepted)");
    EXPECT_TRUE(contains(error_of([&] { attn::make_variant(pack, "tm.json", std::string(201, 's')); }), "1 to 200 bytes"));
    EXPECT_TRUE(contains(error_of([&] { attn::make_variant(pack, "tm.json", ""); }), "1 to 200 bytes"));
    EXPECT_EQ(error_of([&] { attn::make_variant(pack, "tm.json", "s"); }), "(accepted)");
}

TEST(PackLimits, RosterStudentIdsFollowTheSameBoundary) {
    const auto roster = [](std::size_t bytes) {
        return error_of([&] { attn::parse_roster("hand_in,student_id\nalice.py," + std::string(bytes, 'i') + "\n", "r.csv"); });
    };
    EXPECT_EQ(roster(1), "(accepted)");
    EXPECT_EQ(roster(200), "(accepted)");
    EXPECT_EQ(roster(201), "r.csv:2: the student_id must be 1 to 200 bytes, not 201");
}

TEST(PackLimits, PackFileOfExactlyTheLimitIsReadOneByteMoreIsRefused) {
    std::string text = pack_text();
    while (!text.empty() && text.back() != '}') text.pop_back();
    ASSERT_LT(text.size(), attn::kMaxCourseFileBytes);
    text.append(attn::kMaxCourseFileBytes - text.size(), ' ');  // JSON allows trailing whitespace
    const attn::PackReading at = attn::read_pack(text, "big.json");
    EXPECT_TRUE(at.ok) << problems(at);
    const attn::PackReading past = attn::read_pack(text + " ", "big.json");
    EXPECT_FALSE(past.ok);
    EXPECT_TRUE(contains(problems(past), "1048577 bytes, more than the limit of 1048576")) << problems(past);
}

TEST(PackLimits, ExactlyTheTaskLimitIsReadOneMoreIsRefused) {
    // Discussion tasks cost no solver work, so the task count alone is at its limit.
    nlohmann::json doc = nlohmann::json::parse(pack_text());
    nlohmann::json discussion;
    for (const auto& task : doc["tasks"])
        if (task.contains("discussion")) discussion = task;
    ASSERT_FALSE(discussion.is_null());
    const auto with_tasks = [&](int count) {
        nlohmann::json d = doc;
        nlohmann::json tasks = nlohmann::json::array();
        for (const auto& task : d["tasks"])
            if (static_cast<int>(tasks.size()) < count) tasks.push_back(task);
        for (int i = 0; static_cast<int>(tasks.size()) < count; ++i) {
            nlohmann::json extra = discussion;
            extra["id"] = "extra." + std::to_string(i);
            tasks.push_back(extra);
        }
        d["tasks"] = tasks;
        return attn::read_pack(d.dump(), "many.json");
    };
    const attn::PackReading at = with_tasks(attn::kMaxPackTasks);
    EXPECT_TRUE(at.ok) << problems(at);
    EXPECT_EQ(at.course.tasks.size(), static_cast<std::size_t>(attn::kMaxPackTasks));
    const attn::PackReading past = with_tasks(attn::kMaxPackTasks + 1);
    EXPECT_TRUE(contains(problems(past), "257 tasks, more than the limit of 256")) << problems(past);
}
