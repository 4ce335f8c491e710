// attnlab core: the keys and values that attention reads.
//
// Calling rules
// - keys is N×d, values is N×dv; 1 ≤ N ≤ kMaxKeys, 1 ≤ d ≤ kMaxKeyDim, 1 ≤ dv ≤ kMaxValueDim and
//   every entry within ±kMaxMagnitude (core/base/limits.h). validate_dataset() checks this and throws
//   InputError naming `where` and the limit otherwise.
// - Numbers are held as double. Data that came from float32 (the notebook, the torch generator)
//   holds the float32 values exactly, so casting back to float loses nothing.
#pragma once

#include <Eigen/Dense>
#include <string>
#include <string_view>

namespace attn {

struct Dataset {
    Eigen::MatrixXd keys;    // N×d, one key per row
    Eigen::MatrixXd values;  // N×dv, one value per row
};

// The course notebook's data: torch.manual_seed(447), randn(4,3) for keys then values, each row
// normalized and rounded to 2 decimals (float32). Entries are the float32 values, widened.
Dataset notebook_dataset();

// Throws InputError("<where>: ...") unless shapes agree and every entry is finite.
void validate_dataset(const Dataset& data, const std::string& where);

// Reads {"keys": [[...]], "values": [[...]]} (nothing else, each once) from a JSON file (at most
// kMaxDatasetFileBytes) and validates it. parse_dataset_json does the same on text in memory.
Dataset load_dataset_json(const std::string& path);
Dataset parse_dataset_json(std::string_view text, const std::string& where);

}  // namespace attn
