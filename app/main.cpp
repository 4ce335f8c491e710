// attnlab: one binary for the window and the command line. With no subcommand it opens the
// window (or, with --screenshot, renders it headless to a PNG); `attnlab --help` lists the
// rest. Both paths call the same functions in core/.
#include "app/cli.h"
#include "app/app_state.h"
#include "app/gui.h"
#include "app/platform/paths.h"
#include "core/base/error.h"
#include "core/course/answer_file.h"
#include "core/base/i18n.h"
#include "core/base/json_io.h"
#include "core/base/limits.h"
#include "core/course/course_session.h"
#include "core/formats/tensor_file.h"
#include "core/base/text.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <new>

namespace {

// "1280x720" → width, height: digits only, each side in [kMinImage*, kMaxImageSide], and at most
// kMaxImagePixels once multiplied by the screenshot scale. Throws InputError naming --size.
void parse_size(const std::string& text, int scale, int* width, int* height) {
    const std::string what = "--size " + attn::in_quotes(text, 30);
    const auto x = text.find_first_of("xX");
    if (x == std::string::npos) throw attn::InputError(what + ": expected WxH, e.g. 1280x720");
    *width = static_cast<int>(attn::parse_whole_number(text.substr(0, x), what + ": width", attn::kMinImageWidth,
                                                       attn::kMaxImageSide));
    *height = static_cast<int>(attn::parse_whole_number(text.substr(x + 1), what + ": height", attn::kMinImageHeight,
                                                        attn::kMaxImageSide));
    const long long pixels = static_cast<long long>(*width) * *height * scale * scale;
    if (pixels > attn::kMaxImagePixels)
        throw attn::InputError(what + " at scale " + std::to_string(scale) + " is " + std::to_string(pixels) +
                               " pixels, more than the limit of " + std::to_string(attn::kMaxImagePixels) +
                               " (4096×4096)");
}

// --scale: 1, 2, 3 or 4 (the font atlas is rebuilt at that size).
int parse_scale(const std::string& text) { return static_cast<int>(attn::parse_whole_number(text, "--scale", 1, 4)); }

// FILE is a student's hand-in (opened as the answers) when it is .py or .ipynb, or a .json that
// is not a session ({"format": "attnlab-session"}); anything else is a session. A file that cannot
// be read counts as a session, whose loader then says what is wrong with it.
bool is_hand_in_file(const std::string& path) {
    const auto ends_with = [&](const char* suffix) {
        const std::string s(suffix);
        return path.size() >= s.size() && path.compare(path.size() - s.size(), s.size(), s) == 0;
    };
    if (ends_with(".py") || ends_with(".ipynb")) return true;
    if (!ends_with(".json")) return false;
    try {
        const nlohmann::json doc = attn::read_json_file(path, attn::kMaxSessionFileBytes);
        return !(doc.is_object() && doc.value("format", nlohmann::json()) == "attnlab-session");
    } catch (const std::exception&) {
        return false;
    }
}

// --sandbox "256,16[,dv]" → N, d, dv for the frame benchmark, within the captured-attention
// bounds. dv defaults to min(d, kMaxValueDim): the output panel draws one table column per value
// component and Dear ImGui tables hold at most 64.
void parse_sandbox_size(const std::string& text, int* count, int* d, int* dv) {
    const std::string what = "--sandbox " + attn::in_quotes(text, 30);
    const auto comma = text.find(',');
    if (comma == std::string::npos) throw attn::InputError(what + ": expected N,d or N,d,dv, e.g. 256,16");
    const auto second = text.find(',', comma + 1);
    *count = static_cast<int>(attn::parse_whole_number(text.substr(0, comma), what + ": N", 1, attn::kMaxCaptureTokens));
    *d = static_cast<int>(attn::parse_whole_number(text.substr(comma + 1, second == std::string::npos ? std::string::npos : second - comma - 1),
                                                   what + ": d", 1, attn::kMaxCaptureDim));
    *dv = second == std::string::npos ? std::min(*d, attn::kMaxValueDim)
                                      : static_cast<int>(attn::parse_whole_number(text.substr(second + 1), what + ": dv", 1, attn::kMaxValueDim));
}

// --head "L,H" → the layer and head a capture opens on (0-based; checked against the file when
// it is open).
void parse_head(const std::string& text, int* layer, int* head) {
    const std::string what = "--head " + attn::in_quotes(text, 30);
    const auto comma = text.find(',');
    if (comma == std::string::npos) throw attn::InputError(what + ": expected LAYER,HEAD, e.g. 1,2");
    *layer = static_cast<int>(attn::parse_whole_number(text.substr(0, comma), what + ": layer", 0, attn::kMaxCaptureLayers - 1));
    *head = static_cast<int>(attn::parse_whole_number(text.substr(comma + 1), what + ": head", 0, attn::kMaxCaptureHeads - 1));
}

int run(int argc, char** argv);

}  // namespace

// Every failure ends as one line on stderr and exit 2, whatever was thrown.
int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const attn::InputError& e) {
        attn::app::print_error(e.what());
    } catch (const std::bad_alloc&) {
        attn::app::print_error("input too large (out of memory)");
    } catch (const std::exception& e) {
        attn::app::print_error(e.what());
    }
    return 2;
}

namespace {

// What the window's options collect before they become GuiOptions.
struct WindowArgs {
    std::string size, scale = "1", open_file, bench_sandbox, captured_head, zoom, bench_frames;
    bool print_paths = false;
};

// An option's value may not be empty: `--screenshot ""` must not open the window, nor `--pack ""`
// be ignored. CLI11 then fails the parse with "--pack: is empty" (exit 2, one line).
const CLI::Validator kNotEmpty(
    [](std::string& value) -> std::string { return value.empty() ? std::string("is empty") : std::string(); }, "TEXT",
    "not empty");

void add_window_options(CLI::App& cli, attn::app::GuiOptions& gui, WindowArgs& args) {
    cli.add_option("FILE", args.open_file,
                   "Open this session (.json), captured attention (.safetensors, .npz), or a student's hand-in (.py, .ipynb, "
                   "or a .json that is not a session) as the answers")
        ->check(kNotEmpty);
    cli.add_option("--grade", gui.grade_folder, "Grade this folder of hand-ins and show the Class window (File → Grade a folder…)")->check(kNotEmpty);
    cli.add_option("--session", gui.session_file, "Open this session file instead of the last autosave")->check(kNotEmpty);
    cli.add_option("--screenshot", gui.screenshot_path, "Render the window headless into this PNG and exit (needs an X display, Xvfb is fine)")->check(kNotEmpty);
    cli.add_option("--exercise", gui.exercise, "Select this task first, e.g. 1.3.2")->check(kNotEmpty);
    cli.add_flag("--solve", gui.solve, "Press Solve on the selected task (Solve all without --exercise)");
    cli.add_option("--size", args.size, "Window size WxH (default 1280x720)")->check(kNotEmpty);
    cli.add_option("--scale", args.scale, "Screenshot scale factor: 1, 2, 3 or 4 (text is rendered at that size)")->check(kNotEmpty);
    cli.add_option("--lang", gui.language, "Interface language: " + attn::available_language_list())->check(attn::app::language_validator());
    cli.add_option("--panel", gui.panel, "With --screenshot: only this panel (exercises, vectors, heatmaps, output, geometry)")->check(kNotEmpty);
    cli.add_flag("--presentation", gui.presentation, "Start in presentation mode (large text, projector theme)");
    cli.add_flag("--no-autosave", gui.no_autosave, "Neither restore nor write the autosaved session");
    // Whole numbers are read as text and parsed strictly (finish_window_options): CLI11 would take 0x10.
    cli.add_option("--zoom", args.zoom, "Text size in Ctrl+= steps, -4 to 7 (e.g. 2; negative for Ctrl+-)")->check(kNotEmpty);
    cli.add_option("--layout-report", gui.layout_report,
                   "Render every window size, text size, language and task headless and write what did not fit to this JSON file")->check(kNotEmpty);
    cli.add_option("--pack", gui.pack, "Open this course pack: a file or a built-in pack's id (notebook, temperature-masks)")->check(kNotEmpty);
    cli.add_option("--student", gui.student, "With --pack: that student's variant of the pack")->check(kNotEmpty);
    cli.add_option("--bench-frames", args.bench_frames,
                   "Render this many frames headless (1 to 100000) while a query component changes every frame, and print "
                   "per-frame timings")
        ->check(kNotEmpty);
    cli.add_option("--sandbox", args.bench_sandbox, "With --bench-frames: a seeded random sandbox of N tokens, d components, dv value components (N,d[,dv])")->check(kNotEmpty);
    cli.add_option("--open", gui.bench_open, "With --bench-frames: open this session (.json) or captured attention (.safetensors, .npz)")->check(kNotEmpty);
    cli.add_option("--head", args.captured_head, "With a captured-attention FILE: open it on this layer and head (0-based LAYER,HEAD)")->check(kNotEmpty);
    cli.add_flag("--print-paths", args.print_paths, "Print where attnlab finds its assets and keeps settings, autosave and screenshots");
}

// Prints one line and gives the exit status for bad input.
int refuse(const std::string& message) {
    attn::app::print_error(message);
    return 2;
}

// --head L,H: the capture must have that layer and head. Returns -1 when it does, else the exit code.
int check_captured_head(attn::app::GuiOptions& gui, const WindowArgs& args) {
    if (!attn::app::is_tensor_file(args.open_file))
        return refuse("--head goes with a captured-attention FILE (.safetensors, .npz)");
    parse_head(args.captured_head, &gui.captured_layer, &gui.captured_head);
    const attn::AttentionCapture capture = attn::load_attention_file(args.open_file);
    if (gui.captured_layer >= capture.layers || gui.captured_head >= capture.heads)
        return refuse("--head " + args.captured_head + ": " + attn::printable_path(args.open_file) + " has " +
                      std::to_string(capture.layers) + " layers × " + std::to_string(capture.heads) +
                      " heads (counted from 0)");
    return -1;
}

// Turns the collected arguments into GuiOptions. Returns -1 to go on, else the exit code.
int finish_window_options(attn::app::GuiOptions& gui, const WindowArgs& args) {
    if (!args.bench_frames.empty())
        gui.bench_frames = static_cast<int>(attn::parse_whole_number(args.bench_frames, "--bench-frames", 1, 100000));
    if (!args.zoom.empty()) gui.zoom_steps = static_cast<int>(attn::parse_whole_number(args.zoom, "--zoom", -4, 7));
    if ((!args.bench_sandbox.empty() || !gui.bench_open.empty()) && gui.bench_frames == 0)
        return refuse("--sandbox and --open go with --bench-frames N");
    if (!args.captured_head.empty())
        if (const int code = check_captured_head(gui, args); code >= 0) return code;
    if (!args.bench_sandbox.empty())
        parse_sandbox_size(args.bench_sandbox, &gui.bench_sandbox_keys, &gui.bench_sandbox_dim, &gui.bench_sandbox_value_dim);
    gui.zoom_given = !args.zoom.empty();
    gui.scale = static_cast<float>(parse_scale(args.scale));
    parse_size(args.size.empty() ? std::to_string(gui.width) + "x" + std::to_string(gui.height) : args.size,
               static_cast<int>(gui.scale), &gui.width, &gui.height);
    if (!args.open_file.empty()) {
        if (!gui.session_file.empty()) return refuse("give either FILE or --session, not both");
        if (is_hand_in_file(args.open_file)) gui.answers_file = args.open_file;
        else gui.session_file = args.open_file;
    }
    return -1;
}

// Headless or without a display, say what is wrong with a file first. With a window, the app
// opens on the last session and shows the problem there instead. Returns -1 to go on.
int check_files_first(const attn::app::GuiOptions& gui) {
    const bool no_window = !gui.screenshot_path.empty() || !attn::app::display_available();
    try {
        if (!gui.answers_file.empty() && no_window) attn::read_hand_in(gui.answers_file, attn::notebook_dataset());
        if (!gui.session_file.empty() && no_window) {
            if (attn::app::is_tensor_file(gui.session_file)) attn::load_attention_file(gui.session_file);
            else attn::load_session(gui.session_file);
        }
    } catch (const attn::InputError& e) {
        return refuse(e.what());
    }
    return -1;
}

int run(int argc, char** argv) {
    CLI::App cli{"attnlab " ATTN_VERSION " - make scaled-dot-product attention tangible", "attnlab"};
    cli.set_version_flag("--version", "attnlab " ATTN_VERSION);
    cli.require_subcommand(0, 1);
    const auto commands = attn::app::register_commands(cli);
    attn::app::GuiOptions gui;
    WindowArgs args;
    add_window_options(cli, gui, args);
    try {
        cli.parse(argc, argv);
    } catch (const CLI::Success& e) {
        return cli.exit(e);
    } catch (const CLI::ParseError& e) {
        // One line, like every other input error; --help has the details.
        attn::app::print_error(std::string(e.what()) + " (see attnlab --help)");
        return 2;
    }
    const int code = attn::app::run_selected(*commands);
    if (code >= 0) return code;
    if (args.print_paths) {
        std::printf("assets      %s\nconfig      %s\nstate       %s\nscreenshots %s\n", attn::app::assets_dir().c_str(),
                    attn::app::config_dir().c_str(), attn::app::state_dir().c_str(), attn::app::default_screenshot_dir().c_str());
        return 0;
    }
    if (const int refused = finish_window_options(gui, args); refused >= 0) return refused;
    if (const int refused = check_files_first(gui); refused >= 0) return refused;
    return attn::app::run_gui(gui);
}

}  // namespace
