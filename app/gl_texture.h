// attnlab app: OpenGL textures for heatmaps too large to draw as one rectangle per cell
// (the sandbox goes up to 256×256). One texel per cell, GL_NEAREST, so every cell stays a crisp
// block however the image is stretched.
//
// Calling rules
// - Create, update and destroy these objects only while the app's GL context is current (after
//   gladLoadGL, before the window is destroyed): the destructor calls glDeleteTextures. In gui.cpp
//   declare the HeatmapTextures after the context is made current and let it go out of scope
//   before glfwDestroyWindow.
// - If the GL loader has not run (a test with no renderer), upload() does nothing and id() stays
//   null; the heatmap panel then shows a note instead of the image.
// - upload() is cheap to call every frame: it returns at once when `key` matches the image the
//   texture already holds. The caller derives `key` from everything the pixels depend on.
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

    // True when the texture already holds the image built from `key`.
    bool holds(std::uint64_t key) const { return name_ != 0 && key_ == key; }

    // Uploads width×height RGBA8 pixels, rows top to bottom (row 0 at uv y = 0), 4 bytes each.
    void upload(int width, int height, const std::uint8_t* rgba, std::uint64_t key);

    // For ImDrawList::AddImage; null until the first successful upload.
    ImTextureID id() const;
    int width() const { return width_; }
    int height() const { return height_; }

private:
    unsigned int name_ = 0;  // GLuint
    int width_ = 0;
    int height_ = 0;
    std::uint64_t key_ = 0;
};

// The two heatmap images, owned by the platform layer and handed to draw_heatmap_panel().
// (A class, to match the forward declaration in panels.h.)
class HeatmapTextures {
public:
    GlTexture logits;
    GlTexture weights;
};

}  // namespace attn::app
