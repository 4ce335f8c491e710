#include "app/packs.h"

#include "app/i18n.h"
#include "app/layout/layout_audit.h"
#include "app/layout/panel_ids.h"
#include "app/platform/paths.h"
#include "app/probe.h"
#include "app/ui_common.h"

#include "core/base/error.h"
#include "core/base/json_io.h"
#include "core/base/limits.h"
#include "core/course/pack.h"

#include <imgui.h>
#include <imgui_stdlib.h>
#include <GLFW/glfw3.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace attn::app {

namespace {

const BuiltinPack* find_builtin(const std::string& id) { return find_builtin_pack(id); }

// A pack read by core, or why it cannot be used (every problem with its JSON path).
struct ReadCourse {
    bool ok = false;
    Course course;
    std::string problems;
};

ReadCourse read_course(const std::string& text, const std::string& where, const std::string& student, Language lang) {
    ReadCourse out;
    try {
        if (!student.empty()) {
            out.course = make_variant(text, where, student).course;
            out.ok = true;
            return out;
        }
        PackReading reading = read_pack(text, where, lang);
        if (!reading.ok) {
            out.problems = pack_problems_text(printable_path(where), reading.problems);
            return out;
        }
        out.course = std::move(reading.course);
        out.ok = true;
    } catch (const InputError& e) {
        out.problems = e.what();
    } catch (const std::exception& e) {  // bad_alloc and the like: the current course stays
        out.problems = printable_path(where) + ": " + e.what();
    }
    return out;
}

void install_course(AppState& state, Course course, const SessionPack& ref, const std::string& where) {
    state.current_course.course = std::move(course);
    state.current_course.where = where;
    state.session.pack = ref;
    state.explanations.clear();
    state.panels.hints_shown.clear();
}

// A new document for the course just opened: its first task, no answers, nothing to undo.
void start_document(AppState& state) {
    state.session.answers.clear();
    state.session.notes.clear();
    state.session.mode = AppMode::Exercises;
    const Course& c = course(state);
    state.session.selected_task = c.tasks.empty() ? std::string() : c.tasks.front().id;
    state.session_path.clear();
    state.history.clear();
    state.session_on_disk = state.session;
    end_student_view(state);  // the course opened is the teacher's work now
    refresh(state);
}

// Whether an answer has the shape its task edits (query rows × d, the N × d keys, one number).
bool answer_fits(const Course& c, const Task& task, const AnswerTensor& answer) {
    const Eigen::Index n = c.data.keys.rows(), d = c.data.keys.cols();
    switch (task.edit.tensor) {
        case TaskEdit::Tensor::Query: return answer.data.rows() == task.edit.rows && answer.data.cols() == d;
        case TaskEdit::Tensor::KeyRow: return answer.data.rows() == n && answer.data.cols() == d;
        case TaskEdit::Tensor::Temperature: return answer.data.size() == 1;
    }
    return false;
}

// Drops what does not belong to the current course; returns how many answers and notes went.
int keep_what_fits(AppState& state) {
    const Course& c = course(state);
    Session& s = state.session;
    int dropped = 0;
    for (auto it = s.answers.begin(); it != s.answers.end();) {
        const Task* task = c.find_by_answer(it->first);
        const bool fits = task && !task->discussion && answer_fits(c, *task, it->second);
        dropped += fits ? 0 : 1;
        it = fits ? std::next(it) : s.answers.erase(it);
    }
    for (auto it = s.notes.begin(); it != s.notes.end();) {
        const Task* task = c.find(it->first);
        const bool fits = task && task->discussion;
        dropped += fits ? 0 : 1;
        it = fits ? std::next(it) : s.notes.erase(it);
    }
    if (!c.find(s.selected_task) && !c.tasks.empty()) s.selected_task = c.tasks.front().id;
    return dropped;
}

void remember_pack(AppState& state, const std::string& path) {
    auto& recent = state.settings.recent_packs;
    recent.erase(std::remove(recent.begin(), recent.end(), path), recent.end());
    recent.insert(recent.begin(), path);
    if (recent.size() > 8) recent.resize(8);
    save_recent_packs(state);
}

void opened_toast(AppState& state) {
    toast(state, std::string(tr(state, "Opened the course pack ")) + course_title(state));
}

}  // namespace

bool open_builtin_pack(AppState& state, const std::string& id, const std::string& student) {
    const BuiltinPack* pack = find_builtin(id);
    if (!pack) {
        toast(state, std::string(tr(state, "No built-in course pack is called ")) + id, true);
        return false;
    }
    ReadCourse read = read_course(pack->json, id, student, language(state));
    if (!read.ok) {
        toast(state, std::string(tr(state, "Could not open the course pack: ")) + read.problems, true);
        return false;
    }
    SessionPack ref;
    if (id != "notebook" || !student.empty()) ref.builtin = id;  // no reference: the notebook
    ref.student = student;
    install_course(state, std::move(read.course), ref, id);
    start_document(state);
    opened_toast(state);
    return true;
}

bool open_pack_file(AppState& state, const std::string& path, const std::string& student) {
    std::string text;
    try {
        text = read_text_file(path, kMaxCourseFileBytes);
    } catch (const InputError& e) {
        toast(state, std::string(tr(state, "Could not open the course pack: ")) + e.what(), true);
        return false;
    }
    ReadCourse read = read_course(text, path, student, language(state));
    if (!read.ok) {
        toast(state, std::string(tr(state, "Could not open the course pack: ")) + read.problems, true);
        return false;
    }
    SessionPack ref;
    ref.file = path;
    ref.hash = content_hash(text);
    ref.student = student;
    install_course(state, std::move(read.course), ref, path);
    start_document(state);
    remember_pack(state, path);
    opened_toast(state);
    return true;
}

bool open_pack(AppState& state, const std::string& id_or_path, const std::string& student) {
    return find_builtin(id_or_path) ? open_builtin_pack(state, id_or_path, student)
                                    : open_pack_file(state, id_or_path, student);
}

void reopen_session_pack(AppState& state) {
    const SessionPack ref = state.session.pack;
    std::string text, where = ref.builtin.empty() ? ref.file : ref.builtin, trouble;
    bool changed = false;
    if (ref.empty()) {
        text = find_builtin("notebook")->json;
        where = "notebook";
    } else if (const BuiltinPack* pack = find_builtin(ref.builtin)) {
        text = pack->json;
    } else {
        try {
            text = read_text_file(ref.file, kMaxCourseFileBytes);
            changed = content_hash(text) != ref.hash;
        } catch (const InputError& e) {
            trouble = e.what();
        }
    }
    ReadCourse read;
    if (trouble.empty()) {
        read = read_course(text, where, ref.student, language(state));
        if (!read.ok) trouble = read.problems;
    }
    if (!trouble.empty()) {
        // The session keeps its pack and answers (saving loses nothing); the notebook is shown.
        install_course(state, notebook_course(), ref, "notebook");
        if (!notebook_course().find(state.session.selected_task)) state.session.selected_task = notebook_course().tasks.front().id;
        refresh(state);
        toast(state, std::string(tr(state, "The session's course pack cannot be opened, so the notebook is shown; the answers are kept for when the pack is back: ")) + trouble, true);
        return;
    }
    SessionPack now = ref;
    if (changed) now.hash = content_hash(text);
    install_course(state, std::move(read.course), now, where);
    const int dropped = keep_what_fits(state);
    refresh(state);
    if (changed)
        toast(state, format(tr(state, "The course pack %s changed since this session was saved; answers that no longer fit were dropped (%d)."), printable_path(where).c_str(), dropped),
              true);
    else if (dropped > 0)
        toast(state, format(tr(state, "%d answers or notes did not fit the course and were dropped."), dropped), true);
}

std::string course_title(const AppState& state) {
    const Course& c = course(state);
    std::string title = c.title.get(language(state));
    if (!c.variant_student.empty()) title += std::string(" \xC2\xB7 ") + tr(state, "student: ") + c.variant_student;
    return title;
}

namespace {

// Drops the last UTF-8 character of text (never half of one).
void pop_character(std::string& text) {
    while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80) text.pop_back();
    if (!text.empty()) text.pop_back();
}

}  // namespace

std::string course_title(const AppState& state, float width) {
    const std::string full = course_title(state);
    const Course& c = course(state);
    if (c.variant_student.empty() || ImGui::CalcTextSize(full.c_str()).x <= width) return full;
    // A title bar cannot wrap: the pack's title gives way, so the student's ID stays on screen.
    const std::string suffix = std::string("\xE2\x80\xA6 \xC2\xB7 ") + tr(state, "student: ") + c.variant_student;
    std::string title = c.title.get(language(state));
    while (!title.empty() && ImGui::CalcTextSize((title + suffix).c_str()).x > width) pop_character(title);
    while (!title.empty() && (title.back() == ' ' || title.back() == ',')) title.pop_back();
    return title + suffix;
}

void draw_variant_tag(AppState& state, float room) {
    const std::string& student = course(state).variant_student;
    if (student.empty()) return;
    std::string tag = std::string(tr(state, "student: ")) + student;
    if (ImGui::CalcTextSize(tag.c_str()).x > room) tag = student;
    if (!audit_text_fits(state.layout_audit, kExercisesId, tag, room)) return;
    ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - ImGui::CalcTextSize(tag.c_str()).x);
    ImGui::TextUnformatted(tag.c_str());
    probe_item(state, "variant student");
}

namespace {

// A built-in pack's title, read from its JSON alone (reading the whole pack solves every task).
std::string builtin_title(const BuiltinPack& pack, const std::string& language_code) {
    try {
        const nlohmann::json doc = nlohmann::json::parse(pack.json);
        const nlohmann::json& title = doc.at("title");
        if (title.contains(language_code)) return title.at(language_code).get<std::string>();
        return title.at("en").get<std::string>();
    } catch (const nlohmann::json::exception&) {
        return pack.id;
    }
}

// Each built-in pack's title in the current language, parsed once per opening of the dialog.
const std::vector<std::string>& builtin_titles(AppState& state) {
    Dialogs& d = state.dialogs;
    const std::string& code = state.settings.view.language;
    if (d.builtin_pack_titles.size() != builtin_packs().size() || d.builtin_pack_titles_language != code) {
        d.builtin_pack_titles.clear();
        for (const BuiltinPack& pack : builtin_packs()) d.builtin_pack_titles.push_back(builtin_title(pack, code));
        d.builtin_pack_titles_language = code;
    }
    return d.builtin_pack_titles;
}

// One pack in the dialog's list. A click selects it (its id goes to the path field, so a student
// ID can still be typed before Open); a double click opens it at once. Selectables close their
// popup by default, which had made a click close the dialog with nothing opened.
struct PackChoice {
    std::string& path;
    bool chosen = false;
};

void choice(PackChoice& dialog, const std::string& label, const std::string& id) {
    if (ImGui::Selectable(label.c_str(), dialog.path == id,
                          ImGuiSelectableFlags_DontClosePopups | ImGuiSelectableFlags_AllowDoubleClick)) {
        dialog.path = id;
        if (ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) dialog.chosen = true;
    }
}

// The built-in and recent packs; true when one was double-clicked (open it now).
bool pack_choices(AppState& state, PathDialog& path_dialog) {
    PackChoice dialog{path_dialog.path};
    ImGui::TextDisabled("%s", tr(state, "Built-in packs:"));
    const std::vector<std::string>& titles = builtin_titles(state);
    for (std::size_t k = 0; k < builtin_packs().size(); ++k) {
        const BuiltinPack& pack = builtin_packs()[k];
        const std::string label = titles[k] + "  (" + pack.id + ")";
        choice(dialog, label, pack.id);
        probe_item(state, "pack builtin " + pack.id);
    }
    if (!state.settings.recent_packs.empty()) {
        ImGui::TextDisabled("%s", tr(state, "Recent packs:"));
        for (const std::string& recent : state.settings.recent_packs) choice(dialog, recent, recent);
    }
    return dialog.chosen;
}

}  // namespace

void draw_pack_dialog(AppState& state) {
    PathDialog& dialog = state.dialogs.open_pack;
    const char* title = tr(state, "Open course pack###openpack");
    if (dialog.open_requested) {
        ImGui::OpenPopup(title);
        dialog.open_requested = false;
        state.dialogs.builtin_pack_titles.clear();  // read again: cheap once, not every frame
    }
    ImGui::SetNextWindowSize(em2(36, 0), ImGuiCond_Appearing);
    if (!ImGui::BeginPopupModal(title, nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return;
    const bool chosen = pack_choices(state, dialog);
    ImGui::Separator();
    text_wrapped(tr(state, "A built-in pack's id or a pack file (.json):"));
    if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
    ImGui::SetNextItemWidth(em(32));
    const bool entered =
        ImGui::InputText("##path", &dialog.path, ImGuiInputTextFlags_EnterReturnsTrue | ImGuiInputTextFlags_AutoSelectAll);
    probe_item(state, "dialog path");
    text_wrapped(tr(state, "Student ID (optional): that student's variant, as `attnlab pack variant` makes it."));
    ImGui::SetNextItemWidth(em(32));
    // Enter here opens the pack too: the student's ID is usually the last thing typed.
    const bool student_entered =
        ImGui::InputText("##student", &state.dialogs.pack_student, ImGuiInputTextFlags_EnterReturnsTrue);
    probe_item(state, "pack student");
    if ((ImGui::Button(tr(state, "Open"), em2(8, 0)) || entered || student_entered || chosen) && !dialog.path.empty()) {
        ImGui::CloseCurrentPopup();
        open_pack(state, dialog.path, state.dialogs.pack_student);
    }
    probe_item(state, "pack open");
    ImGui::SameLine();
    if (ImGui::Button(tr(state, "Cancel"), em2(8, 0)) || ImGui::IsKeyPressed(GLFW_KEY_ESCAPE)) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
}

namespace {
std::string recent_packs_path() {
    const std::string dir = state_dir();
    return dir.empty() ? "" : dir + "/recent-packs.json";
}
}  // namespace

void load_recent_packs(AppState& state) {
    const std::string path = recent_packs_path();
    try {
        if (path.empty()) return;
        const auto doc = read_json_file(path, 1 << 16);
        if (doc.is_array())
            for (const auto& item : doc)
                if (item.is_string() && state.settings.recent_packs.size() < 8)
                    state.settings.recent_packs.push_back(item.get<std::string>());
    } catch (const InputError&) {
        // No recent packs yet, or an unreadable list: start with none.
    }
}

void save_recent_packs(const AppState& state) {
    const std::string path = recent_packs_path();
    if (path.empty()) return;
    try {
        write_file_atomically(path, nlohmann::json(state.settings.recent_packs).dump(1));
    } catch (const InputError&) {
    }
}

}  // namespace attn::app
