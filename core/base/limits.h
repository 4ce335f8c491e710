// attnlab core: the largest input the program accepts, stated once.
//
// Every loader (data sets, sessions, answer files, courses), the command line and the GUI's
// typed values enforce these numbers and name the limit in their message. They are derived from
// what the app can draw and solve interactively; raise them deliberately (and re-run the
// resource tests in tests/resource/), never by accident.
//
// Calling rules
// - Plain constants: no state, safe everywhere. A value equal to a limit is accepted; one past
//   it is refused.
// - Magnitudes are absolute values: an entry x is accepted when |x| <= kMaxMagnitude.
#pragma once

#include <cstddef>

namespace attn {

// ---- shapes ------------------------------------------------------------------------------------
// N keys, d key components, dv value components: the sandbox and an opened capture share them
// (issue 12: a real head of 1024 tokens with d = 128 stays editable). The heatmaps draw a
// 1024×1024 map as one texture with zoom and pan, the vectors panel draws only its visible rows.
inline constexpr int kMaxKeys = 1024;
inline constexpr int kMaxKeyDim = 128;
inline constexpr int kMaxValueDim = 128;
inline constexpr int kMaxQueries = 1024;  // query rows (identity needs one per key)
// Any one tensor in an answer file or a session's answers (the checker reports wrong shapes; this
// only bounds memory): 256 rows at most, 65 536 numbers at most.
inline constexpr int kMaxTensorRows = 256;
inline constexpr int kMaxTensorElements = 65536;

// ---- numbers -----------------------------------------------------------------------------------
// Every tensor entry (keys, values, queries, answers). 1e6 keeps logits (≤ d·1e12) and every
// drawn coordinate far inside float32, and is the GUI's clamp for typed values.
inline constexpr double kMaxMagnitude = 1e6;
// Temperature scale mode: logits are divided by T.
inline constexpr double kMinTemperature = 1e-3;
inline constexpr double kMaxTemperature = 1e3;
// Pass tolerance of the checker (> 0).
inline constexpr double kMaxTolerance = 1e6;

// ---- files -------------------------------------------------------------------------------------
// The limits bound the parser's memory (at most ~20 bytes of tree per byte of JSON).
inline constexpr std::size_t kMaxAnswerFileBytes = std::size_t{1} << 20;   // 1 MiB
// A 1024×128 data set is ~5 MB of JSON, a full 1024×128 sandbox session (keys, values and 1024
// queries) ~8.5 MB.
inline constexpr std::size_t kMaxDatasetFileBytes = std::size_t{16} << 20;  // 16 MiB
inline constexpr std::size_t kMaxSessionFileBytes = std::size_t{16} << 20;  // 16 MiB
inline constexpr std::size_t kMaxCourseFileBytes = std::size_t{1} << 20;   // 1 MiB
// Nesting of [ and { in any JSON file: sessions need 5, data sets 3.
inline constexpr int kMaxJsonDepth = 16;
// Jupyter notebooks nest outputs, widget state and metadata more deeply than attnlab's own files.
inline constexpr int kMaxNotebookJsonDepth = 64;
// Free text stored in a session (the sandbox goal; "average:0,1,...,255" is ~1 KB).
inline constexpr std::size_t kMaxGoalTextBytes = 4096;

// ---- a class (`attnlab check DIR_OR_FILES...`) --------------------------------------------------
// Students graded in one run (each file is read with kMaxAnswerFileBytes), and the entries read
// from any one folder (a hostile folder of a million files is refused, not listed).
inline constexpr int kMaxClassHandIns = 2000;
inline constexpr int kMaxClassFolderEntries = 10000;
// The work of grading one class, in the hand-in evaluator's units (core/course/pyexpr.h: one
// multiply-add or one number touched, 1 to 1.6 ns on the 2-core reference machine). A hand-in
// costs kClassWorkPerFileByte per byte of its file (reading, JSON: measured 14 to 58),
// kClassWorkPerCodeByte per byte of Python source (a .py file or a notebook's code cells: tokens
// and statements, measured 140 to 290) and what its expressions computed (at most
// pyexpr::kMaxScriptWork = 2e8). The file bytes are known before grading starts, so a class whose
// files alone pass the budget is refused at once; the rest is counted as the hand-ins are graded,
// and grading stops as soon as the budget is spent (exit 2, no report). 5e9 is about 5 s of one
// core, 2.5 s on two: 2 000 hand-ins of 2 KB of Python use a fifth of it, 27 hand-ins at the
// per-script limit all of it.
inline constexpr double kMaxClassWork = 5e9;
inline constexpr double kClassWorkPerFileByte = 50;
inline constexpr double kClassWorkPerCodeByte = 200;
// Rows of an opened capture the student edited and the session keeps (a row is ≤ kMaxCaptureDim
// numbers): 4096 rows of 128 numbers is ~11 MB of JSON, inside kMaxSessionFileBytes.
inline constexpr int kMaxCapturedEdits = 4096;
// ---- captured attention (core/formats/tensor_file.h: safetensors / .npz of real models) ------------------
// Real sizes: a file shows one layer and head at a time, editable like the sandbox (same N and d). A 12-layer × 12-head capture of
// 1024 tokens with d = 64 holds 3 × 9.4 M numbers (113 MB as float32) and must open in ≤ 1 s and
// ≤ 400 MB of RSS; the bounds below keep the worst legal file (256 M float32 bytes of q, k and v
// together) inside that budget.
inline constexpr int kMaxCaptureTokens = 1024;
inline constexpr int kMaxCaptureDim = 128;           // d of q and k, dv of v
inline constexpr int kMaxCaptureLayers = 256;
inline constexpr int kMaxCaptureHeads = 256;
inline constexpr long long kMaxCaptureLayerHeads = 1024;  // layers × heads
inline constexpr long long kMaxCaptureNumbers = 1LL << 26;  // q, k and v together (256 MiB as float32)
// The file itself: q, k and v at the bound in float64 plus whatever else a tool stored beside them
// (only q, k, v and the metadata are read).
inline constexpr std::size_t kMaxCaptureFileBytes = std::size_t{1} << 30;  // 1 GiB
// The safetensors JSON header (1024 tokens of 128 bytes, escaped twice, fit in ~1 MiB), the number
// of tensors it or a .npz may list, and the bytes of one token string (UTF-8).
inline constexpr std::size_t kMaxCaptureHeaderBytes = std::size_t{4} << 20;  // 4 MiB
inline constexpr int kMaxCaptureEntries = 4096;
inline constexpr std::size_t kMaxTokenBytes = 128;
// Any head a file may hold opens as an editable workspace.
static_assert(kMaxCaptureTokens <= kMaxKeys && kMaxCaptureTokens <= kMaxQueries, "a captured head must fit the workspace");
static_assert(kMaxCaptureDim <= kMaxKeyDim && kMaxCaptureDim <= kMaxValueDim, "a captured head must fit the workspace");

// ---- course packs (core/course/pack.h) ----------------------------------------------------------
// Tasks in one pack (discussion tasks included): the shipped packs have 9 and 12.
inline constexpr int kMaxPackTasks = 256;
// The solver's work for a whole pack, estimated from its shape when it is read, before anything is
// solved: a task costs rows × N × d (identity: N query rows; every other goal, key edit and
// temperature one row), summed over the tasks. One unit is 0.15 to 0.6 µs of solving here (the
// max-margin direction over N keys in d dimensions: identity over 1024 keys in 128 dimensions is
// 2^27 units and took 19.6 s), so the limit, 2^19, is identity over 128 keys in 32 dimensions (or
// 64 in 128), at most about 0.3 s per solve of the whole pack; `pack hints --student` solves it up
// to eight times. The shipped packs need 108 (the notebook) and 384 units in all.
inline constexpr long long kMaxPackWork = 1LL << 19;
// make_variant() solves the whole pack once per seed it tries: it tries at most
// kMaxVariantWork / (the pack's work) seeds (and never more than kMaxVariantAttempts, 64), so a
// pack at kMaxPackWork gets 4 seeds, the shipped packs all 64.
inline constexpr long long kMaxVariantWork = 1LL << 21;

// ---- images ------------------------------------------------------------------------------------
// A screenshot (window size × scale). Rendering costs ~21 bytes per pixel (GL framebuffers,
// readback, PNG rows), so 4096² = 16.8 Mpixel stays near 350 MB. One side may be longer
// (8192×2048 for a wide slide) as long as the pixel count fits.
inline constexpr int kMaxImageSide = 8192;
inline constexpr int kMinImageWidth = 320;  // the layout's smallest window
inline constexpr int kMinImageHeight = 240;
inline constexpr long long kMaxImagePixels = 4096LL * 4096LL;
// The font atlas (app/platform/fonts.h): glyphs × their rasterized area. Text larger than fits is
// drawn from an atlas built at the largest size that fits, scaled up: 16 Mtexel is 64 MiB as RGBA
// and holds Chinese at about 60 px (presentation with Ctrl+= three times). Chinese at 192 px
// (--zoom 7 --scale 4) needed about 900 MB and 7 s before this bound.
inline constexpr long long kMaxFontAtlasPixels = 16LL << 20;
// Drawing (OpenGL through Mesa) needs this much address space: below it, llvmpipe itself dies of
// a failed allocation with a segmentation fault, so the window refuses to start (exit 2).
inline constexpr long long kMinDrawingAddressSpace = 640LL << 20;

// ---- `attnlab dataset --shape N,d,dv` ----------------------------------------------------------
// It makes data for `solve --data` and the sandbox, so it has their limits.
inline constexpr int kMaxDatasetKeys = kMaxKeys;
inline constexpr int kMaxDatasetKeyDim = kMaxKeyDim;
inline constexpr int kMaxDatasetValueDim = kMaxValueDim;

}  // namespace attn
