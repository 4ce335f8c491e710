#include "app/platform/gl_texture.h"

#include <glad/gl.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace attn::app {

GlTexture::~GlTexture() {
    if (name_ != 0)
        glDeleteTextures(1, &name_);
}

namespace {

// Binds `name` with tightly packed rows for the upload and puts the GL state back afterwards
// (Dear ImGui's backend and other panels share the context).
class ScopedUnpack {
public:
    explicit ScopedUnpack(unsigned int name) {
        glGetIntegerv(GL_TEXTURE_BINDING_2D, &previous_);
        glGetIntegerv(GL_UNPACK_ALIGNMENT, &previous_alignment_);
        glGetIntegerv(GL_UNPACK_ROW_LENGTH, &previous_row_length_);
        glBindTexture(GL_TEXTURE_2D, name);
        glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
        glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
    }
    ~ScopedUnpack() {
        glPixelStorei(GL_UNPACK_ROW_LENGTH, previous_row_length_);
        glPixelStorei(GL_UNPACK_ALIGNMENT, previous_alignment_);
        glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(previous_));
    }
    ScopedUnpack(const ScopedUnpack&) = delete;
    ScopedUnpack& operator=(const ScopedUnpack&) = delete;

private:
    GLint previous_ = 0, previous_alignment_ = 4, previous_row_length_ = 0;
};

}  // namespace

void GlTexture::upload(int width, int height, const std::uint8_t* rgba) {
    // No loaded GL (a renderer-less test): calling through null pointers would crash.
    if (glad_glGenTextures == nullptr || width <= 0 || height <= 0 || rgba == nullptr)
        return;
    if (name_ == 0) {
        glGenTextures(1, &name_);
        const ScopedUnpack bound(name_);
        // Nearest: one texel is one matrix cell; linear filtering would blur neighbouring cells.
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
        width_ = height_ = 0;
    }
    const ScopedUnpack bound(name_);
    if (width == width_ && height == height_)
        glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
    else
        glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
    width_ = width;
    height_ = height;
}

bool GlTexture::upload_rows(int width, int height, const std::uint8_t* rgba, int first, int last) {
    if (!has_size(width, height) || rgba == nullptr) return false;
    first = std::max(first, 0);
    last = std::min(last, height - 1);
    if (last < first) return true;
    const ScopedUnpack bound(name_);
    const std::uint8_t* row = rgba + static_cast<std::size_t>(first) * static_cast<std::size_t>(width) * 4;
    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, first, width, last - first + 1, GL_RGBA, GL_UNSIGNED_BYTE, row);
    return true;
}

ImTextureID GlTexture::id() const {
    // Dear ImGui 1.86's ImTextureID is void*; the OpenGL3 backend reads it back as a GLuint.
    return name_ == 0 ? nullptr : reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(name_));
}

}  // namespace attn::app
