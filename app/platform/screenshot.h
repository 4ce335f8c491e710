// attnlab app: off-screen rendering and PNG export.
//
// Calling rules
// - OffscreenTarget needs a current OpenGL 3.3 context for its whole life (create and destroy it
//   between glfwMakeContextCurrent and glfwDestroyWindow).
// - bind(w, h) (re)allocates a w×h RGBA8 colour buffer as needed and makes it the draw target;
//   read_rgba() returns its pixels top row first (OpenGL's rows are bottom first). Sizes beyond
//   GL_MAX_RENDERBUFFER_SIZE give an error message instead of a broken image.
// - write_png() encodes with stb_image_write and writes atomically (temporary file + rename):
//   a failed write (read-only folder, full disk) throws InputError naming the path and reason,
//   and leaves no partial file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace attn::app {

struct Image {
    int width = 0;
    int height = 0;
    std::vector<uint8_t> rgba;  // width·height·4, top row first
    Image crop(int x, int y, int w, int h) const;
};

class OffscreenTarget {
public:
    OffscreenTarget() = default;
    ~OffscreenTarget();
    OffscreenTarget(const OffscreenTarget&) = delete;
    OffscreenTarget& operator=(const OffscreenTarget&) = delete;

    // Returns "" on success, else why the target cannot be used.
    std::string bind(int width, int height);
    void unbind();
    Image read_rgba() const;

private:
    unsigned framebuffer_ = 0, color_ = 0;
    int width_ = 0, height_ = 0;
};

void write_png(const std::string& path, const Image& image);

}  // namespace attn::app
