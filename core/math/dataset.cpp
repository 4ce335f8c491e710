#include "core/math/dataset.h"

#include "core/math/attention.h"
#include "core/base/error.h"
#include "core/base/json_io.h"
#include "core/base/limits.h"

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
    const auto limit = [&](Eigen::Index value, int high, const char* what) {
        if (value > high)
            throw InputError(where + ": " + what + " = " + std::to_string(value) + " is more than the limit of " +
                             std::to_string(high));
    };
    limit(data.keys.rows(), kMaxKeys, "N (keys)");
    limit(data.keys.cols(), kMaxKeyDim, "d (key components)");
    limit(data.values.cols(), kMaxValueDim, "dv (value components)");
    require_finite(data.keys, where + ": keys");
    require_finite(data.values, where + ": values");
    require_magnitude(data.keys, where + ": keys", false, kMaxMagnitude);
    require_magnitude(data.values, where + ": values", false, kMaxMagnitude);
}

Dataset parse_dataset_json(std::string_view text, const std::string& where_raw) {
    const std::string where = printable_path(where_raw);
    const nlohmann::json doc = parse_json_text(text, where_raw);
    if (!doc.is_object()) throw InputError(where + ": expected a JSON object with \"keys\" and \"values\"");
    for (auto it = doc.begin(); it != doc.end(); ++it)
        if (it.key() != "keys" && it.key() != "values")
            throw InputError(where + ": unknown field " + in_quotes(it.key()) + " (expected \"keys\" and \"values\")");
    Dataset data;
    data.keys = json_to_matrix(doc, "keys", where);
    data.values = json_to_matrix(doc, "values", where);
    validate_dataset(data, where);
    return data;
}

Dataset load_dataset_json(const std::string& path) {
    return parse_dataset_json(read_text_file(path, kMaxDatasetFileBytes), path);
}

}  // namespace attn
