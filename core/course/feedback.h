// attnlab core: one feedback file per student (`attnlab check DIR --feedback OUT`, issue 22).
//
// Each file is Markdown (it renders on a course site and reads as plain text): the student, the
// course and tolerance, then every task of the course with its verdict and mark (✓ pass, ✗ fail,
// n/a cannot be graded, – not answered), the max abs diff against the tolerance, the reason and
// the first hint (core/course/hints.h, from the student's own answers). A hand-in that could not
// be read gets a file that says so and why. Texts are in `language` where the catalogs have them.
//
// File names: a student's name is a raw file name and may hold anything. It becomes
// feedback_file_stem(name) + ".md": ASCII letters, digits, '-', '_' and '.' kept, every other
// byte '_', no leading '.', at most 60 bytes, never empty. Two students whose safe names are
// equal ignoring case (case-insensitive disks) get "-2", "-3", ... in the order of the report;
// a file whose name was changed says in its header comment which student it is and why.
//
// Calling rules
// - class_feedback() never throws for a student; `against` is what the class was graded against
//   (class_pack_course(), or the notebook): a student graded against their own variant gets the
//   hints of that variant, their answers read as grading read them. The Course overload is a
//   class graded against that course with the notebook's reader.
// - write_class_feedback() creates `dir` (one level) when absent and writes each file with
//   write_file_atomically (no half-written file); throws InputError naming the path and the
//   reason when the folder or a file cannot be written. Returns the number of files written.
#pragma once

#include "core/course/class_report.h"
#include "core/course/exercises.h"
#include "core/base/text.h"

#include <string>
#include <vector>

namespace attn {

struct FeedbackFile {
    std::string file_name;  // safe, unique in the class ("alice.md", "alice-2.md")
    std::string student;    // the raw name
    std::string text;       // Markdown
};

std::string feedback_file_stem(const std::string& student);
std::vector<FeedbackFile> class_feedback(const ClassReport& report, const ClassCourse& against, Language language = {});
std::vector<FeedbackFile> class_feedback(const ClassReport& report, const Course& course, Language language = {});
int write_class_feedback(const ClassReport& report, const ClassCourse& against, const std::string& dir, Language language = {});

}  // namespace attn
