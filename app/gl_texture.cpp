#include "app/gl_texture.h"

#include <glad/gl.h>

#include <cstdint>

namespace attn::app {

GlTexture::~GlTexture() {
    if (name_ != 0)
        glDeleteTextures(1, &name_);
}

void GlTexture::upload(int width, int height, const std::uint8_t* rgba, std::uint64_t key) {
    if (holds(key) && width == width_ && height == height_)
        return;
    // No loaded GL (a renderer-less test): calling through null pointers would crash.
    if (glad_glGenTextures == nullptr || width <= 0 || height <= 0 || rgba == nullptr)
        return;

    GLint previous = 0;
    glGetIntegerv(GL_TEXTURE_BINDING_2D, &previous);
    GLint previous_alignment = 4;
    glGetIntegerv(GL_UNPACK_ALIGNMENT, &previous_alignment);
    GLint previous_row_length = 0;
    glGetIntegerv(GL_UNPACK_ROW_LENGTH, &previous_row_length);

    if (name_ == 0) {
        glGenTextures(1, &name_);
        glBindTexture(GL_TEXTURE_2D, name_);
        // Nearest: one texel is one matrix cell; linear filtering would blur neighbouring cells.
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
        width_ = height_ = 0;
    } else {
        glBindTexture(GL_TEXTURE_2D, name_);
    }
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
    if (width == width_ && height == height_)
        glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
    else
        glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
    width_ = width;
    height_ = height;
    key_ = key;

    glPixelStorei(GL_UNPACK_ROW_LENGTH, previous_row_length);
    glPixelStorei(GL_UNPACK_ALIGNMENT, previous_alignment);
    glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(previous));
}

ImTextureID GlTexture::id() const {
    // Dear ImGui 1.86's ImTextureID is void*; the OpenGL3 backend reads it back as a GLuint.
    return name_ == 0 ? nullptr : reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(name_));
}

}  // namespace attn::app
