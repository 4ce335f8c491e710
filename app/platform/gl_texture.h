// attnlab app: OpenGL textures for heatmaps too large to draw as one rectangle per cell
// (the sandbox goes up to 256×256). One texel per cell, GL_NEAREST, so every cell stays a crisp
// block however the image is stretched.
//
// Calling rules
// - Create, update and destroy these objects only while the app's GL context is current (after
//   gladLoadGL, before the window is destroyed): the destructor calls glDeleteTextures. gui.cpp
//   creates the HeatmapResources (heatmap_cache.h) after the context is made current and lets
//   them go before glfwDestroyWindow.
// - If the GL loader has not run (a test with no renderer), upload() does nothing and id() stays
//   null; the heatmap panel then shows a note instead of the image.
// - The caller knows what changed (HeatmapCache::take_dirty_rows): upload() sends the whole
//   image, upload_rows() only some rows of an image of the size the texture already has.
#pragma once

#include <imgui.h>

#include <cstdint>

namespace attn::app {

class GlTexture {
public:
    GlTexture() = default;
    ~GlTexture();
    GlTexture(const GlTexture&) = delete;
    GlTexture& operator=(const GlTexture&) = delete;

    // Uploads width×height RGBA8 pixels, rows top to bottom (row 0 at uv y = 0), 4 bytes each.
    void upload(int width, int height, const std::uint8_t* rgba);

    // Uploads rows first..last (inclusive) of such an image, `rgba` pointing at the whole image.
    // False, uploading nothing, when the texture does not yet hold a width×height image.
    bool upload_rows(int width, int height, const std::uint8_t* rgba, int first, int last);

    bool has_size(int width, int height) const { return name_ != 0 && width_ == width && height_ == height; }

    // For ImDrawList::AddImage; null until the first successful upload.
    ImTextureID id() const;
    int width() const { return width_; }
    int height() const { return height_; }

private:
    unsigned int name_ = 0;  // GLuint
    int width_ = 0;
    int height_ = 0;
};


}  // namespace attn::app
