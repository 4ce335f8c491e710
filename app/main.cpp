// attnlab: one binary for the window and the command line. With no subcommand it opens the
// window; `attnlab --help` lists the rest. Both paths call the same functions in core/.
#include "app/cli.h"
#include "app/gui.h"

#include <CLI/CLI.hpp>

#include <cstdio>

int main(int argc, char** argv) {
    CLI::App cli{"attnlab " ATTN_VERSION " - make scaled-dot-product attention tangible", "attnlab"};
    cli.set_version_flag("--version", "attnlab " ATTN_VERSION);
    cli.require_subcommand(0, 1);
    const auto commands = attn::app::register_commands(cli);
    attn::app::GuiOptions gui;
    try {
        cli.parse(argc, argv);
    } catch (const CLI::Success& e) {
        return cli.exit(e);
    } catch (const CLI::ParseError& e) {
        cli.exit(e);
        return 2;  // bad command line is bad input
    }
    const int code = attn::app::run_selected(*commands);
    if (code >= 0) return code;
    return attn::app::run_gui(gui);
}
