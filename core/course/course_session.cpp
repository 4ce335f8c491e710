#include "core/course/course_session.h"

#include "core/course/answer_file.h"
#include "core/course/exercises.h"
#include "core/course/pack.h"

namespace attn {

namespace {

SessionVocabulary make_notebook_vocabulary() {
    SessionVocabulary names;
    names.answer_names = answer_names();
    for (const Task& task : notebook_course().tasks) {
        names.task_ids.push_back(task.id);
        if (task.discussion) names.discussion_tasks.push_back(task.id);
    }
    for (const BuiltinPack& pack : builtin_packs()) names.builtin_packs.push_back(pack.id);
    return names;
}

}  // namespace

const SessionVocabulary& notebook_vocabulary() {
    static const SessionVocabulary names = make_notebook_vocabulary();
    return names;
}

}  // namespace attn
