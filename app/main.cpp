// attnlab: one binary for the window and the command line. With no subcommand it opens the
// window; `attnlab --help` lists the rest. Both paths call the same functions in core/.
#include "app/gui.h"

#include <CLI/CLI.hpp>

#include <cstdio>

int main(int argc, char** argv) {
    CLI::App cli{"attnlab " ATTN_VERSION " - make scaled-dot-product attention tangible", "attnlab"};
    cli.set_version_flag("--version", "attnlab " ATTN_VERSION);
    attn::app::GuiOptions gui;
    CLI11_PARSE(cli, argc, argv);
    return attn::app::run_gui(gui);
}
