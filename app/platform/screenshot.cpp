#include "app/platform/screenshot.h"

#include "core/base/error.h"
#include "core/base/json_io.h"

#include <glad/gl.h>
#include <stb_image_write.h>

#include <algorithm>
#include <cstring>

namespace attn::app {

Image Image::crop(int x, int y, int w, int h) const {
    x = std::clamp(x, 0, width);
    y = std::clamp(y, 0, height);
    w = std::clamp(w, 0, width - x);
    h = std::clamp(h, 0, height - y);
    Image out;
    out.width = w;
    out.height = h;
    out.rgba.resize(static_cast<size_t>(w) * h * 4);
    for (int row = 0; row < h; ++row)
        std::memcpy(&out.rgba[static_cast<size_t>(row) * w * 4], &rgba[(static_cast<size_t>(y + row) * width + x) * 4],
                    static_cast<size_t>(w) * 4);
    return out;
}

OffscreenTarget::~OffscreenTarget() {
    if (framebuffer_) glDeleteFramebuffers(1, &framebuffer_);
    if (color_) glDeleteRenderbuffers(1, &color_);
}

std::string OffscreenTarget::bind(int width, int height) {
    GLint limit = 0;
    glGetIntegerv(GL_MAX_RENDERBUFFER_SIZE, &limit);
    if (width < 1 || height < 1 || width > limit || height > limit)
        return "image size " + std::to_string(width) + "×" + std::to_string(height) + " is outside what this OpenGL allows (1.." +
               std::to_string(limit) + ")";
    if (!framebuffer_) glGenFramebuffers(1, &framebuffer_);
    if (!color_) glGenRenderbuffers(1, &color_);
    if (width != width_ || height != height_) {
        glBindRenderbuffer(GL_RENDERBUFFER, color_);
        glRenderbufferStorage(GL_RENDERBUFFER, GL_RGBA8, width, height);
        glBindRenderbuffer(GL_RENDERBUFFER, 0);
        width_ = width;
        height_ = height;
    }
    glBindFramebuffer(GL_FRAMEBUFFER, framebuffer_);
    glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, color_);
    if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE) {
        glBindFramebuffer(GL_FRAMEBUFFER, 0);
        return "the off-screen framebuffer is incomplete";
    }
    glViewport(0, 0, width, height);
    return "";
}

void OffscreenTarget::unbind() { glBindFramebuffer(GL_FRAMEBUFFER, 0); }

Image OffscreenTarget::read_rgba() const {
    Image image;
    image.width = width_;
    image.height = height_;
    image.rgba.resize(static_cast<size_t>(width_) * height_ * 4);
    glFinish();
    glBindFramebuffer(GL_READ_FRAMEBUFFER, framebuffer_);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(0, 0, width_, height_, GL_RGBA, GL_UNSIGNED_BYTE, image.rgba.data());
    // OpenGL's first row is the bottom one; PNG's is the top.
    const size_t stride = static_cast<size_t>(width_) * 4;
    std::vector<uint8_t> swap(stride);
    for (int top = 0, bottom = height_ - 1; top < bottom; ++top, --bottom) {
        std::memcpy(swap.data(), &image.rgba[top * stride], stride);
        std::memcpy(&image.rgba[top * stride], &image.rgba[bottom * stride], stride);
        std::memcpy(&image.rgba[bottom * stride], swap.data(), stride);
    }
    for (size_t i = 3; i < image.rgba.size(); i += 4) image.rgba[i] = 255;  // opaque, whatever the clear alpha was
    return image;
}

void write_png(const std::string& path, const Image& image) {
    // Captures are opaque: RGB, and stb's compression level 4 rather than 8, encode a 4096×4096
    // slide export in about two thirds of the time (stb's deflate is most of a large export's
    // time) for a file a few per cent larger.
    std::vector<uint8_t> rgb(image.rgba.size() / 4 * 3);
    for (size_t from = 0, to = 0; from + 3 < image.rgba.size(); from += 4, to += 3)
        std::memcpy(&rgb[to], &image.rgba[from], 3);
    stbi_write_png_compression_level = 4;  // stb's own setting (a global of the library)
    std::string encoded;
    const auto append = [](void* context, void* data, int size) {
        static_cast<std::string*>(context)->append(static_cast<const char*>(data), static_cast<size_t>(size));
    };
    if (!stbi_write_png_to_func(append, &encoded, image.width, image.height, 3, rgb.data(), image.width * 3))
        throw InputError(path + ": could not encode the PNG");
    write_file_atomically(path, encoded);
}

}  // namespace attn::app
