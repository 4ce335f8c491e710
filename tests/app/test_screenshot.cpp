// Screenshots of the real window, rendered headless (`attnlab --screenshot`) under the X display
// ctest runs in: size, not blank, the expected colours where the probe says the heatmap cells
// are, crisp high-resolution export, one-panel export, Chinese glyphs, and errors.
#include "core/base/json_io.h"

#include <algorithm>
#include <gtest/gtest.h>
#include <stb_image.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <sys/stat.h>
#include <vector>
#include <unistd.h>

namespace {

struct Png {
    int width = 0, height = 0;
    std::unique_ptr<unsigned char, void (*)(void*)> pixels{nullptr, stbi_image_free};
    const unsigned char* at(int x, int y) const { return pixels.get() + (static_cast<size_t>(y) * width + x) * 4; }
};

Png load_png(const std::string& path) {
    Png png;
    int channels = 0;
    png.pixels.reset(stbi_load(path.c_str(), &png.width, &png.height, &channels, 4));
    return png;
}

class Screenshot : public ::testing::Test {
protected:
    void SetUp() override {
        char pattern[] = "/tmp/attnlab-shot-XXXXXX";
        ASSERT_NE(::mkdtemp(pattern), nullptr);
        dir_ = pattern;
    }
    void TearDown() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }

    // Runs attnlab with the probe on; returns the exit code.
    int run(const std::string& args, std::string* stderr_text = nullptr) {
        const std::string err = dir_ + "/stderr.txt";
        const std::string command = "HOME='" + dir_ + "' ATTNLAB_PROBE='" + dir_ + "/probe.json' '" + ATTN_APP_BINARY + "' " +
                                    args + " > /dev/null 2> '" + err + "'";
        const int status = std::system(command.c_str());
        if (stderr_text) *stderr_text = attn::read_text_file(err, 1 << 20);
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    nlohmann::json probe() { return attn::read_json_file(dir_ + "/probe.json", 1 << 22); }

    std::string dir_;
};

// The cell colour of a probed heatmap cell: near its top-left corner, clear of the printed
// number in the middle and of the outlines on the edge.
const unsigned char* centre(const Png& png, const nlohmann::json& rect) {
    const int x = static_cast<int>(rect[0].get<double>() + rect[2].get<double>() * 0.15);
    const int y = static_cast<int>(rect[1].get<double>() + rect[3].get<double>() * 0.15);
    return png.at(x, y);
}

bool near(const unsigned char* rgb, int r, int g, int b, int tolerance = 40) {
    return std::abs(rgb[0] - r) + std::abs(rgb[1] - g) + std::abs(rgb[2] - b) <= tolerance;
}

// The ends of the weight colormap (ui_common.cpp): viridis-like purple at 0, yellow at 1.
constexpr int kHigh[3] = {252, 232, 36};
constexpr int kLow[3] = {69, 0, 84};

}  // namespace

TEST_F(Screenshot, SolvedSelectionShowsTheHighWeightColourOnKey0) {
    const std::string path = dir_ + "/shot.png";
    ASSERT_EQ(run("--screenshot '" + path + "' --exercise 1.2.1 --solve --size 1280x720"), 0);
    const Png png = load_png(path);
    ASSERT_TRUE(png.pixels);
    EXPECT_EQ(png.width, 1280);
    EXPECT_EQ(png.height, 720);
    // Not blank: many distinct colours.
    std::set<unsigned> colours;
    for (int y = 0; y < png.height; y += 7)
        for (int x = 0; x < png.width; x += 7) {
            const unsigned char* p = png.at(x, y);
            colours.insert(p[0] << 16 | p[1] << 8 | p[2]);
        }
    EXPECT_GT(colours.size(), 50u);
    const auto items = probe()["items"];
    ASSERT_TRUE(items.contains("weights 0,0"));
    EXPECT_TRUE(near(centre(png, items["weights 0,0"]), kHigh[0], kHigh[1], kHigh[2]));
    for (const char* other : {"weights 0,1", "weights 0,2", "weights 0,3"})
        EXPECT_TRUE(near(centre(png, items[other]), kLow[0], kLow[1], kLow[2])) << other;
}

TEST_F(Screenshot, BeforeSolvingEveryWeightIsAQuarter) {
    const std::string path = dir_ + "/shot.png";
    ASSERT_EQ(run("--screenshot '" + path + "' --exercise 1.2.1 --no-autosave"), 0);
    const Png png = load_png(path);
    const auto items = probe()["items"];
    const unsigned char* first = centre(png, items["weights 0,0"]);
    EXPECT_FALSE(near(first, kHigh[0], kHigh[1], kHigh[2]));
    for (const char* other : {"weights 0,1", "weights 0,2", "weights 0,3"})
        EXPECT_TRUE(near(centre(png, items[other]), first[0], first[1], first[2], 3)) << other;
}

TEST_F(Screenshot, HighResolutionExportIsRenderedAtThatSize) {
    const std::string path = dir_ + "/shot.png";
    ASSERT_EQ(run("--screenshot '" + path + "' --exercise 1.3.2 --solve --size 1280x720 --scale 2"), 0);
    const Png png = load_png(path);
    ASSERT_TRUE(png.pixels);
    EXPECT_EQ(png.width, 2560);
    EXPECT_EQ(png.height, 1440);
    const auto items = probe()["items"];
    // Rectangles double with the scale, and 1.3.2's solved weights are [0.5, 0.5, 0, 0].
    EXPECT_GT(items["weights 0,0"][2].get<double>(), 40.0);
    EXPECT_TRUE(near(centre(png, items["weights 0,2"]), kLow[0], kLow[1], kLow[2]));
    EXPECT_TRUE(near(centre(png, items["weights 0,0"]), centre(png, items["weights 0,1"])[0],
                     centre(png, items["weights 0,1"])[1], centre(png, items["weights 0,1"])[2], 3));
    // Crisp text, not scaled-up pixels: text edges at 2× have intermediate (antialiased) values
    // one pixel wide, so neighbouring pixels differ often; a 2× nearest upscale repeats pairs.
    int pairs = 0, differing_pairs = 0;
    for (int y = 100; y < 1400; y += 3)
        for (int x = 0; x + 1 < png.width; x += 2) {
            const unsigned char *a = png.at(x, y), *b = png.at(x + 1, y);
            ++pairs;
            if (a[0] != b[0] || a[1] != b[1] || a[2] != b[2]) ++differing_pairs;
        }
    EXPECT_GT(differing_pairs, pairs / 50);
}

TEST_F(Screenshot, OnePanel) {
    const std::string path = dir_ + "/panel.png";
    ASSERT_EQ(run("--screenshot '" + path + "' --exercise 1.3.2 --solve --panel heatmaps"), 0);
    const Png png = load_png(path);
    ASSERT_TRUE(png.pixels);
    EXPECT_LT(png.width, 1280);
    EXPECT_LT(png.height, 720);
    EXPECT_GT(png.width, 200);
    std::string err;
    EXPECT_EQ(run("--screenshot '" + dir_ + "/x.png' --panel nosuch", &err), 2);  // bad input (issue 23): exit 2
    EXPECT_NE(err.find("no panel named 'nosuch'"), std::string::npos) << err;
}

TEST_F(Screenshot, ChineseInterfaceHasEveryGlyph) {
    const std::string path = dir_ + "/zh.png";
    ASSERT_EQ(run("--screenshot '" + path + "' --exercise 1.4.2 --solve --lang zh"), 0);
    const auto doc = probe();
    EXPECT_EQ(doc["language"], "zh");
    EXPECT_EQ(doc["missing_glyphs"], 0);
}

TEST_F(Screenshot, UnwritablePathIsAnErrorAndLeavesNoFile) {
    std::string err;
    const std::string path = dir_ + "/no/such/folder/shot.png";
    EXPECT_EQ(run("--screenshot '" + path + "'", &err), 2);
    EXPECT_NE(err.find(path), std::string::npos) << err;
    struct stat info {};
    EXPECT_NE(::stat(path.c_str(), &info), 0);
    // A directory where the file should go: rename fails, nothing is half-written.
    ASSERT_EQ(::mkdir((dir_ + "/taken.png").c_str(), 0755), 0);
    EXPECT_EQ(run("--screenshot '" + dir_ + "/taken.png'", &err), 2);
    EXPECT_NE(err.find("taken.png"), std::string::npos) << err;
}

TEST_F(Screenshot, BadOptionsExitTwo) {
    std::string err;
    EXPECT_EQ(run("--screenshot '" + dir_ + "/x.png' --exercise 9.9.9", &err), 2);
    EXPECT_NE(err.find("9.9.9"), std::string::npos) << err;
    EXPECT_EQ(run("--screenshot '" + dir_ + "/x.png' --size 10x10", &err), 2);
    EXPECT_EQ(run("--screenshot '" + dir_ + "/x.png' --scale 7", &err), 2);  // a bad option: exit 2, like --size
    EXPECT_NE(err.find("--scale"), std::string::npos) << err;
}

// Issue 23: a safetensors capture whose header length starts with 0x20 (a space) opens in the
// window as it does in `tensors info`, instead of being read as a session.
TEST_F(Screenshot, CaptureWhoseFirstByteIsASpaceOpens) {
    std::string err;
    const std::string capture = std::string(ATTN_TEST_FIXTURES_DIR) + "/tensors/encoder_header_0x220.safetensors";
    EXPECT_EQ(run("'" + capture + "' --screenshot '" + dir_ + "/capture.png'", &err), 0) << err;
    EXPECT_EQ(probe()["mode"], "captured");
}

// Issue 23: every screenshot target that cannot take a file is bad input (exit 2), with one line.
TEST_F(Screenshot, UnusableTargetsExitTwo) {
    std::string err;
    std::vector<std::string> targets = {dir_, "/dev/null"};
    ASSERT_EQ(::mkdir((dir_ + "/ro").c_str(), 0555), 0);
    if (::geteuid() != 0) targets.push_back(dir_ + "/ro/x.png");  // root writes into a 0555 folder
    for (const std::string& target : targets) {
        EXPECT_EQ(run("--screenshot '" + target + "'", &err), 2) << target;
        EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
    }
    ASSERT_EQ(::mkfifo((dir_ + "/fifo.png").c_str(), 0644), 0);
    EXPECT_EQ(run("--screenshot '" + dir_ + "/fifo.png'", &err), 2);
    EXPECT_EQ(run("--screenshot ''", &err), 2);  // empty: an error, never the interactive window
    EXPECT_NE(err.find("--screenshot"), std::string::npos) << err;
}

TEST_F(Screenshot, NoDisplayIsAClearError) {
    std::string err;
    const std::string command = "env -u DISPLAY -u WAYLAND_DISPLAY '" + std::string(ATTN_APP_BINARY) + "' --screenshot '" + dir_ +
                                "/x.png' 2> '" + dir_ + "/err.txt'";
    const int status = std::system(command.c_str());
    EXPECT_EQ(WEXITSTATUS(status), 2);
    err = attn::read_text_file(dir_ + "/err.txt", 1 << 16);
    EXPECT_NE(err.find("no display"), std::string::npos) << err;
}
