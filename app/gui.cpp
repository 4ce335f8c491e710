#include "app/gui.h"

#include "core/attention.h"
#include "core/dataset.h"

#include <glad/gl.h>
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#include <cstdio>
#include <cstdlib>

namespace attn::app {

bool display_available() {
    const char* x11 = std::getenv("DISPLAY");
    const char* wayland = std::getenv("WAYLAND_DISPLAY");
    return (x11 && *x11) || (wayland && *wayland);
}

namespace {

void on_glfw_error(int code, const char* description) {
    std::fprintf(stderr, "attnlab: GLFW error %d: %s\n", code, description);
}

void draw_matrix_table(const char* id, const Eigen::MatrixXd& m, const char* row_label) {
    if (!ImGui::BeginTable(id, static_cast<int>(m.cols()) + 1, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit))
        return;
    for (Eigen::Index r = 0; r < m.rows(); ++r) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::Text("%s[%d]", row_label, static_cast<int>(r));
        for (Eigen::Index c = 0; c < m.cols(); ++c) {
            ImGui::TableNextColumn();
            ImGui::Text("%+.4f", m(r, c));
        }
    }
    ImGui::EndTable();
}

}  // namespace

int run_gui(const GuiOptions& options) {
    if (!display_available()) {
        std::fprintf(stderr,
                     "attnlab: no display (DISPLAY is not set). Run it on a desktop, or under a virtual "
                     "display: xvfb-run -a attnlab\n");
        return 2;
    }
    glfwSetErrorCallback(on_glfw_error);
    if (!glfwInit()) {
        std::fprintf(stderr, "attnlab: cannot initialise GLFW (is the display reachable?)\n");
        return 2;
    }
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    GLFWwindow* window = glfwCreateWindow(options.width, options.height, "attnlab", nullptr, nullptr);
    if (!window) {
        std::fprintf(stderr, "attnlab: cannot open a window with OpenGL 3.3\n");
        glfwTerminate();
        return 2;
    }
    glfwMakeContextCurrent(window);
    if (!gladLoadGL(glfwGetProcAddress)) {
        std::fprintf(stderr, "attnlab: cannot load OpenGL functions\n");
        glfwDestroyWindow(window);
        glfwTerminate();
        return 2;
    }
    glfwSwapInterval(1);

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGui_ImplGlfw_InitForOpenGL(window, true);
    ImGui_ImplOpenGL3_Init("#version 330 core");

    const Dataset data = notebook_dataset();
    const Eigen::MatrixXd zero_query = Eigen::MatrixXd::Zero(1, data.keys.cols());
    const AttentionResult result = attention(zero_query, data.keys, data.values);

    while (!glfwWindowShouldClose(window)) {
        glfwWaitEventsTimeout(0.5);
        ImGui_ImplOpenGL3_NewFrame();
        ImGui_ImplGlfw_NewFrame();
        ImGui::NewFrame();
        ImGui::SetNextWindowPos(ImVec2(0, 0));
        ImGui::SetNextWindowSize(ImGui::GetIO().DisplaySize);
        ImGui::Begin("attnlab", nullptr, ImGuiWindowFlags_NoDecoration);
        ImGui::TextUnformatted("Keys");
        draw_matrix_table("keys", data.keys, "k");
        ImGui::TextUnformatted("Values");
        draw_matrix_table("values", data.values, "v");
        ImGui::TextUnformatted("Attention weights for q = 0");
        draw_matrix_table("weights", result.weights, "w");
        ImGui::End();
        ImGui::Render();
        int fb_width = 0, fb_height = 0;
        glfwGetFramebufferSize(window, &fb_width, &fb_height);
        glViewport(0, 0, fb_width, fb_height);
        glClearColor(0.1f, 0.1f, 0.12f, 1.0f);
        glClear(GL_COLOR_BUFFER_BIT);
        ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
        glfwSwapBuffers(window);
    }

    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    glfwDestroyWindow(window);
    glfwTerminate();
    return 0;
}

}  // namespace attn::app
