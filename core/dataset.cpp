#include "core/dataset.h"

#include "core/attention.h"
#include "core/error.h"
#include "core/json_io.h"

#include <nlohmann/json.hpp>

namespace attn {

Dataset notebook_dataset() {
    // Printed by the notebook after torch.manual_seed(447); these literals round to exactly the
    // float32 tensors it holds, and are widened from float so attention_f32 sees the same bits.
    const float keys[4][3] = {{0.47f, 0.65f, 0.60f}, {0.64f, 0.50f, -0.59f}, {-0.03f, -0.48f, -0.88f},
                              {0.43f, -0.83f, 0.35f}};
    const float values[4][3] = {{-0.07f, -0.88f, 0.47f}, {0.37f, -0.93f, -0.07f}, {-0.25f, -0.75f, 0.61f},
                                {0.94f, 0.20f, 0.28f}};
    Dataset data;
    data.keys.resize(4, 3);
    data.values.resize(4, 3);
    for (int r = 0; r < 4; ++r)
        for (int c = 0; c < 3; ++c) {
            data.keys(r, c) = keys[r][c];
            data.values(r, c) = values[r][c];
        }
    return data;
}

void validate_dataset(const Dataset& data, const std::string& where) {
    if (data.keys.rows() < 1 || data.keys.cols() < 1)
        throw InputError(where + ": keys must have at least one row and one column");
    if (data.values.rows() < 1 || data.values.cols() < 1)
        throw InputError(where + ": values must have at least one row and one column");
    if (data.keys.rows() != data.values.rows())
        throw InputError(where + ": " + std::to_string(data.keys.rows()) + " keys but " +
                         std::to_string(data.values.rows()) + " values; every key needs a value");
    require_finite(data.keys, where + ": keys");
    require_finite(data.values, where + ": values");
}

Dataset load_dataset_json(const std::string& path) {
    const nlohmann::json doc = read_json_file(path, 8u << 20);
    if (!doc.is_object()) throw InputError(path + ": expected a JSON object with \"keys\" and \"values\"");
    for (auto it = doc.begin(); it != doc.end(); ++it)
        if (it.key() != "keys" && it.key() != "values")
            throw InputError(path + ": unknown field \"" + it.key() + "\" (expected \"keys\" and \"values\")");
    Dataset data;
    data.keys = json_to_matrix(doc, "keys", path);
    data.values = json_to_matrix(doc, "values", path);
    validate_dataset(data, path);
    return data;
}

}  // namespace attn
