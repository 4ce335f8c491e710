// attnlab core: the keys and values that attention reads.
//
// Calling rules
// - keys is N×d, values is N×dv; N ≥ 1, d ≥ 1, dv ≥ 1, every entry finite. validate_dataset()
//   checks this and throws InputError naming `where` otherwise.
// - Numbers are held as double. Data that came from float32 (the notebook, the torch generator)
//   holds the float32 values exactly, so casting back to float loses nothing.
#pragma once

#include <Eigen/Dense>
#include <string>

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

// Reads {"keys": [[...]], "values": [[...]]} from a JSON file (at most 8 MiB) and validates it.
Dataset load_dataset_json(const std::string& path);

}  // namespace attn
